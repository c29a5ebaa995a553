"""Keras 3's LossScaleOptimizer: dynamic loss scaling for float16 training."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, _map_values

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


@keras_export("keras.optimizers.LossScaleOptimizer", "keras.mixed_precision.LossScaleOptimizer")
class LossScaleOptimizer(Optimizer):
    """An optimizer that scales the loss up so float16 gradients do not underflow
    (tf.keras.mixed_precision.LossScaleOptimizer).

    `scale_loss` multiplies the loss by the current scale; `apply` divides the gradients by it.
    A step with a non-finite gradient is skipped and halves the scale; after
    `dynamic_growth_steps` finite steps in a row the scale doubles. `Model.compile` wraps the
    optimizer in one when the model's dtype policy is "mixed_float16".

    Args:
      inner_optimizer: the optimizer that applies the unscaled gradients.
      initial_scale: the first loss scale.
      dynamic_growth_steps: finite steps before the scale doubles.
      name: the optimizer's name.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs:
                value = kwargs.pop(arg)
                if value != default:
                    raise ValueError("LossScaleOptimizer does not support `%s`. Instead, set `%s` on the "
                                     "`inner_optimizer`." % (arg, arg))
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: `%s`." % "`, `".join(kwargs))
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError("`inner_optimizer` must be an Optimizer instance. Received: %r" % (inner_optimizer,))
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        inner_optimizer.loss_scale_factor = None  # else the gradients would be unscaled twice

    def build(self, var_list) -> None:
        self.step_counter = self.add_variable((), "zeros", dtype=tf.int64, name="step_counter")
        self.dynamic_scale = self.add_variable((), tf.keras.initializers.Constant(self.initial_scale),
                                               dtype=tf.float32, name="dynamic_scale")
        # The inner optimizer's slots are made here, not inside the tf.cond of `apply`.
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list:
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """`loss` times the current loss scale."""
        scale = self.dynamic_scale if self.built else self.initial_scale
        return loss * tf.cast(scale, loss.dtype)

    def check_finite(self, grads):
        """A boolean tensor: whether every gradient is finite."""
        parts = [tf.reduce_all(tf.math.is_finite(getattr(g, "values", g))) for g in grads if g is not None]
        return tf.reduce_all(tf.stack(parts)) if parts else tf.constant(True)

    def apply(self, grads, trainable_variables=None) -> None:
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first. ")
            self.build(list(trainable_variables))
        variables = list(trainable_variables) if trainable_variables is not None else self._trainable_variables
        tf.cond(self.check_finite(grads), lambda: self._apply_finite(grads, variables), self._skip_step)

    def _apply_finite(self, grads, variables) -> None:
        scale = self.dynamic_scale
        unscaled = [None if g is None else _map_values(g, lambda x: x / tf.cast(scale, x.dtype)) for g in grads]
        self.inner_optimizer.apply(unscaled, variables)

        def upscale():
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale * 2.0)

        def increment():
            self.step_counter.assign_add(1)

        tf.cond(tf.equal(self.step_counter, self.dynamic_growth_steps - 1), upscale, increment)

    def _skip_step(self) -> None:
        self.step_counter.assign(0)
        self.dynamic_scale.assign(self.dynamic_scale * 0.5)

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        from . import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
