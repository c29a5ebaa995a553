"""tf.keras.optimizers.Lion (evolved sign momentum), Keras 3's update rule."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, dense_gradient


@keras_export("keras.optimizers.Lion", "keras.optimizers.lion")
class Lion(Optimizer):
    """Lion (tf.keras.optimizers.Lion):

        w -= lr * sign(beta_1 * m + (1 - beta_1) * g);  m = beta_2 * m + (1 - beta_2) * g

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      beta_1: interpolation factor of the update direction, in (0, 1].
      beta_2: decay rate of the momentum.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates "
                             "to SignSGD. Received: beta_1=%s." % (beta_1,))

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr, beta_1, beta_2 = self._step_constant(("lion", dtype), lambda: (
            tf.cast(learning_rate, dtype), tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)))
        m = self._momentums[self._get_variable_index(variable)]
        g = dense_gradient(gradient, variable)
        variable.assign_sub(lr * tf.sign(m * beta_1 + g * (1.0 - beta_1)))
        m.assign(m * beta_2 + g * (1.0 - beta_2))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
