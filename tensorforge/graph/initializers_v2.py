"""TF2's initializer classes at the top level (tf.constant_initializer, tf.zeros_initializer, ...).

Each is callable as `init(shape, dtype=tf.float32)`; they are the Keras initializers of the same
rule (imported on first use, so `import tensorforge` stays light), with TF's defaults.
"""
from __future__ import annotations

from .._api import tf_export


def _keras_initializers():
    from ..keras import initializers
    return initializers


@tf_export("constant_initializer")
def constant_initializer(value=0, support_partition=False):
    """An initializer filling tensors with `value` (tf.constant_initializer)."""
    return _keras_initializers().Constant(value)


@tf_export("zeros_initializer")
def zeros_initializer():
    """An initializer of zeros (tf.zeros_initializer)."""
    return _keras_initializers().Zeros()


@tf_export("ones_initializer")
def ones_initializer():
    """An initializer of ones (tf.ones_initializer)."""
    return _keras_initializers().Ones()


@tf_export("random_normal_initializer")
def random_normal_initializer(mean=0.0, stddev=0.05, seed=None):
    """An initializer drawing from a normal distribution (tf.random_normal_initializer)."""
    return _keras_initializers().RandomNormal(mean=mean, stddev=stddev, seed=seed)


@tf_export("random_uniform_initializer")
def random_uniform_initializer(minval=-0.05, maxval=0.05, seed=None):
    """An initializer drawing from a uniform distribution (tf.random_uniform_initializer)."""
    return _keras_initializers().RandomUniform(minval=minval, maxval=maxval, seed=seed)
