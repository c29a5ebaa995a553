"""tf.profiler: records what ops and tf.function graph nodes ran, and for how long.

`tf.profiler.experimental.start(logdir)` ... `stop()` writes a Chrome trace-event profile under
`<logdir>/plugins/profile/<run>/`; see `experimental`.
"""
from . import experimental  # noqa: F401
