"""tf.keras.optimizers.schedules: learning rates as functions of the optimizer step (Keras 3).

Each schedule is called with the step (a Python number, a tensor or the optimizer's `iterations`
variable) and returns a scalar tensor, built from tensorforge ops so that it also runs inside
tf.function, reading the step afresh on every call.

Example:

>>> s = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(float(s(10)), 6)
0.05
"""
from __future__ import annotations

import math

import tensorforge as tf

from .._registry import keras_export
from . import _serial

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize"]


def _check_steps(value, name: str) -> None:
    if value <= 0:
        raise ValueError("Argument `%s` must be > 0. Received: %s=%s" % (name, name, value))


@keras_export("keras.optimizers.schedules.LearningRateSchedule")
class LearningRateSchedule:
    """Base class of learning-rate schedules: subclasses implement `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError("Learning rate schedule '%s' must override `__call__(self, step)`."
                                  % self.__class__.__name__)

    def get_config(self) -> dict:
        raise NotImplementedError("Learning rate schedule '%s' must override `get_config()` in order to be "
                                  "serializable." % self.__class__.__name__)

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """The shared part of ExponentialDecay and InverseTimeDecay: their arguments, config and the
    progress step / decay_steps (floored when `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps(decay_steps, "decay_steps")

    def _progress(self, step):
        """(initial learning rate tensor, step / decay_steps in its dtype)."""
        initial = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        p = tf.cast(step, dtype) / tf.cast(self.decay_steps, dtype)
        if self.staircase:
            p = tf.floor(p)
        return initial, p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


@keras_export("keras.optimizers.schedules.ExponentialDecay")
class ExponentialDecay(_RateDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps), the exponent floored when `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False,
                 name: str = "ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        initial, p = self._progress(step)
        dtype = initial.dtype
        return tf.multiply(initial, tf.pow(tf.cast(self.decay_rate, dtype), p))


@keras_export("keras.optimizers.schedules.PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i], and
    values[-1] after the last boundary."""

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             "boundaries=%s of length %d, and values=%s of length %d."
                             % (boundaries, len(boundaries), values, len(values)))
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = tf.convert_to_tensor(step)
        boundaries = [tf.cast(b, step.dtype) for b in self.boundaries]
        values = [tf.convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        result = tf.cast(step <= boundaries[0], dtype) * values[0]
        result += tf.cast(step > boundaries[-1], dtype) * values[-1]
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            result += tf.cast(tf.logical_and(step > low, step <= high), dtype) * value
        return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@keras_export("keras.optimizers.schedules.PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end; with `cycle`, decay_steps grows to the
    next multiple of itself past the step."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle: bool = False, name: str = "PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps(decay_steps, "decay_steps")

    def __call__(self, step):
        initial = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = tf.cast(self.end_learning_rate, dtype)
        power = tf.cast(self.power, dtype)
        global_step = tf.cast(step, dtype)
        decay_steps = tf.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = tf.where(tf.equal(global_step, 0), tf.constant(1.0, dtype),
                                  tf.math.ceil(global_step / self.decay_steps))
            decay_steps = tf.multiply(decay_steps, multiplier)
        else:
            global_step = tf.minimum(global_step, decay_steps)
        p = tf.divide(global_step, decay_steps)
        return tf.add(tf.multiply(initial - end, tf.pow(1 - p, power)), end)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


@keras_export("keras.optimizers.schedules.InverseTimeDecay")
class InverseTimeDecay(_RateDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored when `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False,
                 name: str = "InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        initial, p = self._progress(step)
        dtype = initial.dtype
        denom = tf.add(tf.constant(1, dtype), tf.multiply(tf.cast(self.decay_rate, dtype), p))
        return tf.divide(initial, denom)


@keras_export("keras.optimizers.schedules.CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate (or, after `warmup_steps` of linear warmup, from
    `warmup_target`) to `alpha` times it over `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name: str = "CosineDecay",
                 warmup_target=None, warmup_steps=0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps(decay_steps, "decay_steps")

    def _decay_function(self, step, decay_steps, decay_from_lr, dtype):
        completed_fraction = tf.divide(step, decay_steps)
        pi = tf.constant(math.pi, dtype)
        cosine_decayed = 0.5 * (1.0 + tf.cos(tf.multiply(pi, completed_fraction)))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return tf.multiply(decay_from_lr, decayed)

    def _warmup_function(self, step, warmup_steps, warmup_target, initial_learning_rate):
        completed_fraction = step / warmup_steps
        total_step_delta = warmup_target - initial_learning_rate
        return total_step_delta * completed_fraction + initial_learning_rate

    def __call__(self, step):
        initial = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = tf.cast(self.decay_steps, dtype)
        global_step = tf.cast(step, dtype)
        if self.warmup_target is None:
            global_step = tf.minimum(global_step, decay_steps)
            return self._decay_function(global_step, decay_steps, initial, dtype)
        warmup_target = tf.cast(self.warmup_target, dtype)
        warmup_steps = tf.cast(self.warmup_steps, dtype)
        global_step = tf.minimum(global_step, decay_steps + warmup_steps)
        return tf.cond(global_step < warmup_steps,
                       lambda: self._warmup_function(global_step, warmup_steps, warmup_target, initial),
                       lambda: self._decay_function(global_step - warmup_steps, decay_steps, warmup_target, dtype))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


@keras_export("keras.optimizers.schedules.CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts first_decay_steps * t_mul**i steps and
    starts from initial_learning_rate * m_mul**i."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name: str = "SGDRDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps(first_decay_steps, "first_decay_steps")

    def __call__(self, step):
        initial = tf.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        first_decay_steps = tf.cast(self.first_decay_steps, dtype)
        alpha = tf.cast(self.alpha, dtype)
        t_mul = tf.cast(self._t_mul, dtype)
        m_mul = tf.cast(self._m_mul, dtype)
        completed_fraction = tf.cast(step, dtype) / first_decay_steps
        if self._t_mul == 1.0:  # a Python constant: Keras' cond on it always takes one branch
            i_restart = tf.floor(completed_fraction)
            completed_fraction -= i_restart
        else:
            i_restart = tf.floor(tf.math.log(tf.cast(1.0 - completed_fraction * (1.0 - t_mul), dtype))
                                 / tf.math.log(t_mul))
            sum_r = tf.divide(1.0 - tf.pow(t_mul, i_restart), 1.0 - t_mul)
            completed_fraction = tf.divide(tf.subtract(completed_fraction, sum_r), tf.pow(t_mul, i_restart))
        m_fac = tf.pow(m_mul, i_restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + tf.cos(tf.multiply(tf.constant(math.pi, dtype), completed_fraction)))
        decayed = tf.add(tf.multiply(1 - alpha, cosine_decayed), alpha)
        return tf.multiply(initial, decayed)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_ALL = {cls.__name__: cls for cls in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                                      PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


@keras_export("keras.optimizers.schedules.serialize")
def serialize(learning_rate_schedule) -> dict:
    """The schedule's Keras config dict (module, class_name, config, registered_name)."""
    return _serial.serialize_object(learning_rate_schedule)


@keras_export("keras.optimizers.schedules.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """A schedule from its config dict."""
    return _serial.deserialize_object(config, "optimizers.schedules", _ALL, custom_objects, "decay")
