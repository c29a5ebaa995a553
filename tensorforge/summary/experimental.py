"""tf.summary.experimental."""
from .ops import get_step, set_step, summary_scope, write_raw_pb  # noqa: F401

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]
