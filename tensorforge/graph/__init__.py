"""Graphs: the IR, tf.function tracing, the executor, control flow and AutoGraph."""
from . import function  # noqa: F401  (exports tf.function)
from . import control_flow  # noqa: F401  (exports tf.cond, tf.while_loop, tf.TensorArray, ...)
from . import autograph  # noqa: F401  (exports tf.autograph.*, tf.debugging.Assert; registers the Assert op)
from . import script_ops  # noqa: F401  (exports tf.numpy_function, tf.py_function)
from . import control_deps  # noqa: F401  (tf.control_dependencies, tf.group, tf.no_op, ...)
from . import functional_ops  # noqa: F401  (exports tf.map_fn, tf.scan, tf.foldl, tf.foldr, tf.vectorized_map)
from . import initializers_v2  # noqa: F401  (tf.constant_initializer, tf.zeros_initializer, ...)
from . import misc_api  # noqa: F401  (tf.version, tf.sysconfig, tf.DeviceSpec, ...)
