"""tf.keras.optimizers.Ftrl (Follow The Regularized Leader), Keras 3's update rule."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, dense_gradient, squared_gradient


@keras_export("keras.optimizers.Ftrl", "keras.optimizers.ftrl")
class Ftrl(Optimizer):
    """FTRL-proximal (tf.keras.optimizers.Ftrl), with L1/L2 and L2-shrinkage regularization.

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      learning_rate_power: <= 0; how the per-coordinate rate shrinks with the accumulator.
      initial_accumulator_value: >= 0, the accumulators' starting value.
      l1_regularization_strength, l2_regularization_strength: >= 0.
      l2_shrinkage_regularization_strength: >= 0, an L2 penalty on the gradient (magnitude penalty).
      beta: added to the L2 term as beta / (2 * learning_rate).
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        for value, arg, what in ((initial_accumulator_value, "initial_accumulator_value", "positive"),
                                 (-learning_rate_power, "learning_rate_power", "negative"),
                                 (l1_regularization_strength, "l1_regularization_strength", "positive"),
                                 (l2_regularization_strength, "l2_regularization_strength", "positive"),
                                 (l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength",
                                  "positive")):
            if value < 0.0:
                raise ValueError("`%s` needs to be %s or zero. Received: %s=%s."
                                 % (arg, what, arg, -value if what == "negative" else value))
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        from .. import initializers
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[initializers.Constant(self.initial_accumulator_value), "zeros"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self._step_constant(("lr", dtype), lambda: tf.cast(learning_rate, dtype))
        i = self._get_variable_index(variable)
        accum = self._accumulators[i]
        linear = self._linears[i]
        lr_power = self.learning_rate_power
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        g = dense_gradient(gradient, variable)
        grad_to_use = g + (2 * self.l2_shrinkage_regularization_strength) * variable
        new_accum = accum + squared_gradient(gradient, g, variable)
        new_accum_power = tf.pow(new_accum, -lr_power)
        linear.assign_add(grad_to_use - ((new_accum_power - tf.pow(accum, -lr_power)) / lr) * variable)
        quadratic = new_accum_power / lr + 2 * l2_reg
        l1 = self.l1_regularization_strength
        linear_clipped = tf.clip_by_value(linear, -l1, l1)
        variable.assign((linear_clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
