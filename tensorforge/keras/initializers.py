"""tf.keras.initializers: Keras 3's weight initializers.

Random initializers follow Keras 3's seed semantics: an integer `seed` (or, without one, a seed
drawn once from Python's `random` when the initializer is made) keys stateless random ops, so
calling the same initializer twice with the same shape gives the same values.
"""
from __future__ import annotations

import inspect
import math
import random as _py_random

import tensorforge as tf

from ._registry import keras_export
from .optimizers import _serial

__all__ = ["Initializer", "Constant", "Zeros", "Ones", "Identity", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
           "LecunUniform", "LecunNormal", "Orthogonal", "serialize", "deserialize", "get"]


def _dtype(dtype):
    return tf.float32 if dtype is None else tf.as_dtype(dtype)


def _shape(shape) -> tuple:
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    return tuple(int(d) for d in shape)


@keras_export("keras.initializers.Initializer")
class Initializer:
    """Initializer base class: subclasses implement `__call__(shape, dtype=None)`.

    Example:

    >>> class Halves(tf.keras.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return tf.fill(shape, tf.constant(0.5, dtype or tf.float32))
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict:
        """The initializer's configuration as a JSON-serialisable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Instantiates an initializer from `get_config()` output."""
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


@keras_export("keras.initializers.Constant", "keras.initializers.constant")
class Constant(Initializer):
    """Fills the tensor with the scalar `value` (tf.keras.initializers.Constant)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        return tf.cast(self.value, dtype) * tf.ones(_shape(shape), dtype=dtype)

    def get_config(self) -> dict:
        return {"value": _serial.serialize_value(self.value)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(_serial.deserialize_value(config["value"]))


@keras_export("keras.initializers.Zeros", "keras.initializers.zeros")
class Zeros(Initializer):
    """Fills the tensor with 0 (tf.keras.initializers.Zeros)."""

    def __call__(self, shape, dtype=None):
        return tf.zeros(_shape(shape), dtype=_dtype(dtype))


@keras_export("keras.initializers.Ones", "keras.initializers.ones")
class Ones(Initializer):
    """Fills the tensor with 1 (tf.keras.initializers.Ones)."""

    def __call__(self, shape, dtype=None):
        return tf.ones(_shape(shape), dtype=_dtype(dtype))


@keras_export("keras.initializers.Identity", "keras.initializers.identity",
              "keras.initializers.IdentityInitializer")
class Identity(Initializer):
    """`gain` times the identity matrix; 2-D shapes only (tf.keras.initializers.Identity)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             "Received: shape=%s of rank %d." % (shape, len(shape)))
        dtype = _dtype(dtype)
        return self.gain * tf.eye(shape[0], shape[1], dtype=dtype)


# ---------------------------------------------------------------- random initializers
def _seed_tensor(seed):
    """Keras 3's `draw_seed`: an int gives the stateless seed [seed, 0]; a SeedGenerator its next seed."""
    if hasattr(seed, "next"):
        return seed.next()
    return tf.constant([seed & 0xFFFFFFFF, 0], dtype=tf.int64)


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed (Keras 3's RandomInitializer)."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = _py_random.randint(1, int(1e9))  # Keras 3's make_default_seed
        elif isinstance(seed, dict):
            seed = _serial.deserialize_object(seed, "random")
        elif not (isinstance(seed, int) or hasattr(seed, "next")):
            raise ValueError("`seed` argument should be an instance of `keras.random.SeedGenerator()` or an "
                             "integer. Received: seed=%s" % (seed,))
        self.seed = seed

    def get_config(self) -> dict:
        return {"seed": _serial.serialize_value(self._init_seed)}


@keras_export("keras.initializers.RandomNormal", "keras.initializers.random_normal",
              "keras.initializers.normal")
class RandomNormal(RandomInitializer):
    """Normal distribution with `mean` and `stddev` (tf.keras.initializers.RandomNormal)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return tf.random.stateless_normal(_shape(shape), seed=_seed_tensor(self.seed), mean=self.mean,
                                          stddev=self.stddev, dtype=_dtype(dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@keras_export("keras.initializers.TruncatedNormal", "keras.initializers.truncated_normal")
class TruncatedNormal(RandomInitializer):
    """Normal distribution truncated at two standard deviations (tf.keras.initializers.TruncatedNormal)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return tf.random.stateless_truncated_normal(_shape(shape), seed=_seed_tensor(self.seed), mean=self.mean,
                                                    stddev=self.stddev, dtype=_dtype(dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@keras_export("keras.initializers.RandomUniform", "keras.initializers.random_uniform",
              "keras.initializers.uniform")
class RandomUniform(RandomInitializer):
    """Uniform distribution on [minval, maxval) (tf.keras.initializers.RandomUniform)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return tf.random.stateless_uniform(_shape(shape), seed=_seed_tensor(self.seed), minval=self.minval,
                                           maxval=self.maxval, dtype=_dtype(dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple:
    """(fan_in, fan_out) of a weight shape; conv kernels count their receptive field."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = math.prod(shape[a] for a in input_axes)
        fan_out = math.prod(shape[a] for a in output_axes)
        return int(fan_in), int(fan_out)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = math.prod(shape[:-2])
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


@keras_export("keras.initializers.VarianceScaling", "keras.initializers.variance_scaling")
class VarianceScaling(RandomInitializer):
    """Samples with a variance of `scale / n`, n from the fans per `mode`
    (tf.keras.initializers.VarianceScaling).

    Args:
      scale: positive scaling factor.
      mode: 'fan_in', 'fan_out' or 'fan_avg'.
      distribution: 'truncated_normal' ('normal'), 'untruncated_normal' or 'uniform'.
      seed: an int or None.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed=None, input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. Received: scale=%s" % (scale,))
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError("Invalid `mode` argument: %s. Please use one of %s" % (mode, allowed_modes))
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError("Invalid `distribution` argument: %s.Please use one of %s" % (distribution, allowed))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _dtype(dtype)
        scale = self.scale
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        seed = _seed_tensor(self.seed)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return tf.random.stateless_truncated_normal(shape, seed=seed, stddev=stddev, dtype=dtype)
        if self.distribution == "untruncated_normal":
            return tf.random.stateless_normal(shape, seed=seed, stddev=math.sqrt(scale), dtype=dtype)
        limit = math.sqrt(3.0 * scale)
        return tf.random.stateless_uniform(shape, seed=seed, minval=-limit, maxval=limit, dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes, "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    _args: tuple = ()

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._args
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {"seed": _serial.serialize_value(self._init_seed), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


@keras_export("keras.initializers.GlorotUniform", "keras.initializers.glorot_uniform")
class GlorotUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)) (tf.keras.initializers.GlorotUniform)."""
    _args = (1.0, "fan_avg", "uniform")


@keras_export("keras.initializers.GlorotNormal", "keras.initializers.glorot_normal")
class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)) (tf.keras.initializers.GlorotNormal)."""
    _args = (1.0, "fan_avg", "truncated_normal")


@keras_export("keras.initializers.LecunNormal", "keras.initializers.lecun_normal")
class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(1 / fan_in) (tf.keras.initializers.LecunNormal)."""
    _args = (1.0, "fan_in", "truncated_normal")


@keras_export("keras.initializers.LecunUniform", "keras.initializers.lecun_uniform")
class LecunUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], limit = sqrt(3 / fan_in) (tf.keras.initializers.LecunUniform)."""
    _args = (1.0, "fan_in", "uniform")


@keras_export("keras.initializers.HeNormal", "keras.initializers.he_normal")
class HeNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(2 / fan_in) (tf.keras.initializers.HeNormal)."""
    _args = (2.0, "fan_in", "truncated_normal")


@keras_export("keras.initializers.HeUniform", "keras.initializers.he_uniform")
class HeUniform(_FixedVarianceScaling):
    """Uniform on [-limit, limit], limit = sqrt(6 / fan_in) (tf.keras.initializers.HeUniform)."""
    _args = (2.0, "fan_in", "uniform")


@keras_export("keras.initializers.Orthogonal", "keras.initializers.orthogonal",
              "keras.initializers.OrthogonalInitializer")
class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal sample, times `gain`
    (tf.keras.initializers.Orthogonal)."""

    def __init__(self, gain: float = 1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. Received: "
                             "shape=%s of rank %d." % (shape, len(shape)))
        dtype = _dtype(dtype)
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_cols, num_rows), min(num_cols, num_rows))
        a = tf.random.stateless_normal(flat_shape, seed=_seed_tensor(self.seed), dtype=dtype)
        q, r = tf.linalg.qr(a)
        q = q * tf.sign(tf.linalg.diag_part(r))
        if num_rows < num_cols:
            q = tf.transpose(q)
        return self.gain * tf.reshape(q, shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}


# Keras' lower-case aliases of the classes (tf.keras.initializers.glorot_uniform(), ...).
constant, zeros, ones, identity = Constant, Zeros, Ones, Identity
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal


# ---------------------------------------------------------------- lookup
_CLASSES = [Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling]
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    "constant": Constant, "identity": Identity, "ones": Ones, "zeros": Zeros, "glorot_normal": GlorotNormal,
    "glorot_uniform": GlorotUniform, "he_normal": HeNormal, "he_uniform": HeUniform, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform, "orthogonal": Orthogonal, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal, "normal": RandomNormal, "one": Ones,
    "uniform": RandomUniform, "zero": Zeros})


@keras_export("keras.initializers.serialize")
def serialize(initializer) -> dict:
    """The initializer's Keras config dict (module, class_name, config, registered_name)."""
    return _serial.serialize_object(initializer)


@keras_export("keras.initializers.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """An initializer from its config dict (or the class registered under a name)."""
    return _serial.deserialize_object(config, "initializers", ALL_OBJECTS_DICT, custom_objects, "initializer")


@keras_export("keras.initializers.get")
def get(identifier):
    """An initializer from a name ('glorot_uniform'), a config dict, a class, a callable or a tensor.

    Example:

    >>> init = tf.keras.initializers.get("ones")
    >>> init((2,)).numpy()
    array([1., 1.], dtype=float32)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    elif tf.is_tensor(identifier) or type(identifier).__module__ == "numpy":
        value = identifier

        def initialize_fn(shape, dtype=None):
            if _shape(shape) != tuple(value.shape):
                raise ValueError("Expected `shape` to be %s for direct tensor as initializer. Received shape=%s"
                                 % (tuple(value.shape), shape))
            return tf.cast(value, _dtype(dtype))
        obj = initialize_fn
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError("Could not interpret initializer identifier: %s" % (identifier,))
