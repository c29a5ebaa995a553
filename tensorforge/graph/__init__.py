"""Graphs: the IR, tf.function tracing, the executor, control flow and AutoGraph."""
from . import function  # noqa: F401  (exports tf.function)
