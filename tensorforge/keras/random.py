"""tf.keras.random: Keras 3's random functions, built on tf.random's stateless ops.

Every function takes `seed`: an int (the same values on every call), a `SeedGenerator` (a
variable-backed state advanced on every draw, so repeated calls differ, eagerly and inside
tf.function), or None (a global SeedGenerator seeded from Python's `random`, which
`keras.utils.set_random_seed` seeds).
"""
from __future__ import annotations

import random as _py_random

import tensorforge as tf

from ._registry import keras_export
from .config import floatx
from .variables import KerasVariable

_INT32_MAX = 2 ** 31 - 1
_global_generator = None


def make_default_seed() -> int:
    """A random integer seed drawn from Python's `random` (Keras's default for seed=None)."""
    return _py_random.randint(1, int(1e9))


def _auto_name(prefix: str) -> str:
    from .backend import get_uid
    from .losses import to_snake_case
    name = to_snake_case(prefix)
    uid = get_uid(name)
    return name if uid == 1 else "%s_%d" % (name, uid - 1)


@keras_export("keras.random.SeedGenerator")
class SeedGenerator:
    """A stateful seed: each random call that takes it draws the current seed and advances the state.

    The state is a non-trainable int64 variable of shape (2,) holding `[seed, counter]`, so a
    SeedGenerator also advances inside tf.function.

    Example:
      >>> gen = tf.keras.random.SeedGenerator(seed=42)
      >>> a = tf.keras.random.normal((2, 3), seed=gen)
      >>> b = tf.keras.random.normal((2, 3), seed=gen)   # differs from `a`

    Args:
      seed: the initial seed (an int); a random one when None.
      name: the generator's name (default 'seed_generator', then 'seed_generator_1', ...).
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError("Unrecognized keyword arguments: %s" % (kwargs,))
        self.name = name or _auto_name(type(self).__name__)
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError("Argument `seed` must be an integer. Received: seed=%s" % (seed,))
        with tf.init_scope():
            self.state = KerasVariable(tf.constant([seed, 0], dtype=tf.int64), trainable=False,
                                       name="seed_generator_state", path="%s/seed_generator_state" % self.name)

    def next(self, ordered: bool = True):
        """The current seed (an int64 tensor of shape (2,)); then advances the state.

        Args:
          ordered: True adds 1 to the counter; False scrambles the state ((s + 1) * 5387 % 933199),
            as Keras's global generator does.
        """
        value = self.state.value() * 1
        if ordered:
            self.state.assign_add(tf.constant([0, 1], dtype=tf.int64))
        else:
            self.state.assign((value + 1) * 5387 % 933199)
        return value

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)


def global_seed_generator() -> SeedGenerator:
    """The SeedGenerator used by random functions called with seed=None (made on first use)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator(name="global_seed_generator")
    return _global_generator


def _reset_global_seed_generator() -> None:
    global _global_generator
    _global_generator = None


def draw_seed(seed):
    """An int64 seed tensor of shape (2,) from an int, a SeedGenerator or None (the global generator)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, int) and not isinstance(seed, bool):
        return tf.constant([seed & 0xFFFFFFFF, 0], dtype=tf.int64)
    if seed is None:
        return global_seed_generator().next(ordered=False)
    raise ValueError("Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
                     "Received: seed=%s (of type %s)" % (seed, type(seed)))


def _seed(seed):
    """The drawn seed as the int32 pair tf.random's stateless ops take (Keras's `_cast_seed`)."""
    s = draw_seed(seed)
    return tf.cast(tf.math.floormod(s, _INT32_MAX - 1), tf.int32)


def _std(dtype) -> str:
    from .backend import standardize_dtype
    return standardize_dtype(dtype)


@keras_export("keras.random.normal")
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution (float dtype, floatx by default)."""
    return tf.random.stateless_normal(shape, seed=_seed(seed), mean=mean, stddev=stddev, dtype=dtype or floatx())


@keras_export("keras.random.uniform")
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples uniformly from [minval, maxval) (float dtype, floatx by default)."""
    if dtype and not _is_float(dtype):
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. Received: dtype=%s " % dtype)
    dtype = dtype or floatx()
    return tf.random.stateless_uniform(shape, seed=_seed(seed), minval=tf.cast(minval, dtype),
                                       maxval=tf.cast(maxval, dtype), dtype=dtype)


@keras_export("keras.random.randint")
def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Samples integers uniformly from [minval, maxval) (int32 by default)."""
    if dtype and not _is_int(dtype):
        raise ValueError("`keras.random.randint` requires an integer `dtype`. Received: dtype=%s " % dtype)
    inner = dtype if _std(dtype) in ("int32", "int64") else "int64"
    out = tf.random.stateless_uniform(shape, seed=_seed(seed), minval=minval, maxval=maxval, dtype=inner)
    return tf.cast(out, dtype)


@keras_export("keras.random.truncated_normal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution with values beyond two standard deviations redrawn."""
    return tf.random.stateless_truncated_normal(shape, seed=_seed(seed), mean=mean, stddev=stddev,
                                                dtype=dtype or floatx())


@keras_export("keras.random.categorical")
def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draws `num_samples` class indices per row of `logits` (shape (batch, num_classes))."""
    out = tf.random.stateless_categorical(logits, num_samples, seed=_seed(seed))
    return tf.cast(out, dtype)


@keras_export("keras.random.dropout")
def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries of `inputs` with probability `rate` and scales the others by 1 / (1 - rate)."""
    if rate == 1.0:
        return tf.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    seed = _seed(seed)
    if noise_shape is None:
        noise_shape = tf.shape(inputs)
    else:
        dyn = tf.shape(inputs)
        noise_shape = tf.stack([dyn[i] if v is None else tf.constant(v, tf.int32)
                                for i, v in enumerate(noise_shape)])
    return tf.nn.experimental.stateless_dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)


@keras_export("keras.random.shuffle")
def shuffle(x, axis=0, seed=None):
    """`x` with its entries along `axis` randomly permuted."""
    x = tf.convert_to_tensor(x)
    keys = tf.random.stateless_uniform([tf.shape(x)[axis]], seed=_seed(seed))
    return tf.gather(x, tf.argsort(keys), axis=axis)


@keras_export("keras.random.gamma")
def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from a gamma distribution with concentration `alpha` (and rate 1)."""
    dtype = dtype or floatx()
    inner = "float32" if _std(dtype) == "bfloat16" else dtype
    return tf.cast(tf.random.stateless_gamma(shape, seed=_seed(seed), alpha=alpha, dtype=inner), dtype)


@keras_export("keras.random.binomial")
def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples successes out of `counts` trials of probability `probabilities` (float dtype, floatx default)."""
    dtype = dtype or floatx()
    inner = "float32" if _std(dtype) == "bfloat16" else dtype
    out = tf.random.stateless_binomial(shape, seed=_seed(seed), counts=counts, probs=probabilities,
                                       output_dtype=inner)
    return tf.cast(out, dtype)


@keras_export("keras.random.beta")
def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from a beta distribution, as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta)."""
    dtype = dtype or floatx()
    seed_1 = _seed(seed)
    seed_2 = seed_1 + 12  # Keras's fixed offset for the second gamma draw
    inner = "float32" if _std(dtype) == "bfloat16" else dtype
    a = tf.broadcast_to(tf.convert_to_tensor(alpha, dtype=inner), shape)
    b = tf.broadcast_to(tf.convert_to_tensor(beta, dtype=inner), shape)
    ga = tf.cast(tf.random.stateless_gamma(shape, seed=seed_1, alpha=a, dtype=inner), dtype)
    gb = tf.cast(tf.random.stateless_gamma(shape, seed=seed_2, alpha=b, dtype=inner), dtype)
    return ga / (ga + gb)


def _is_float(dtype) -> bool:
    from .backend import is_float_dtype
    return is_float_dtype(dtype)


def _is_int(dtype) -> bool:
    from .backend import is_int_dtype
    return is_int_dtype(dtype)
