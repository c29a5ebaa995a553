"""tf.keras.optimizers.RMSprop, Keras 3's update rule."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, dense_gradient, squared_gradient


@keras_export("keras.optimizers.RMSprop", "keras.optimizers.rmsprop")
class RMSprop(Optimizer):
    """RMSprop (tf.keras.optimizers.RMSprop):

        v = rho * v + (1 - rho) * g^2
        step = lr * g / sqrt(v + epsilon)          (centered: sqrt(v - mg^2 + epsilon),
                                                    mg = rho * mg + (1 - rho) * g)
        w -= step, or with momentum: m = momentum * m + step; w -= m

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      rho: discounting factor of the squared-gradient average.
      momentum: momentum of the update (0: none).
      epsilon: added inside the square root.
      centered: normalise by the estimated variance of the gradient.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self._step_constant(("lr", dtype), lambda: tf.cast(learning_rate, dtype))
        i = self._get_variable_index(variable)
        velocity = self._velocities[i]
        rho = self.rho
        g = dense_gradient(gradient, variable)
        velocity.assign(rho * velocity + (1 - rho) * squared_gradient(gradient, g, variable))
        if self.centered:
            average_grad = self._average_gradients[i]
            average_grad.assign(rho * average_grad + (1 - rho) * g)
            denominator = velocity - tf.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (lr * g) / tf.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[i]
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
