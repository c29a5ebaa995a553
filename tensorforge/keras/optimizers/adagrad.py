"""tf.keras.optimizers Adagrad and Adadelta: Keras 3's update rules."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import IndexedSlices, Optimizer, dense_gradient, squared_gradient


class _Base(Optimizer):
    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)


@keras_export("keras.optimizers.Adagrad", "keras.optimizers.adagrad")
class Adagrad(_Base):
    """Adagrad (tf.keras.optimizers.Adagrad): `a += g^2; w -= lr * g / sqrt(a + epsilon)`.

    A sparse gradient (IndexedSlices, e.g. from an embedding lookup) updates only its rows.

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      initial_accumulator_value: the accumulators' starting value.
      epsilon: added inside the square root.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        from .. import initializers
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=initializers.Constant(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self._step_constant(("lr", dtype), lambda: tf.cast(learning_rate, dtype))
        accumulator = self._accumulators[self._get_variable_index(variable)]
        if isinstance(gradient, IndexedSlices):
            values = tf.cast(gradient.values, dtype)
            indices = gradient.indices
            self.assign_add(accumulator, IndexedSlices(tf.square(values), indices, gradient.dense_shape))
            step = (lr * values) / tf.sqrt(tf.gather(accumulator, indices) + self.epsilon)
            self.assign_sub(variable, IndexedSlices(step, indices, gradient.dense_shape))
            return
        g = tf.cast(gradient, dtype)
        accumulator.assign_add(tf.square(g))
        variable.assign_sub((lr * g) / tf.sqrt(accumulator + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@keras_export("keras.optimizers.Adadelta", "keras.optimizers.adadelta")
class Adadelta(_Base):
    """Adadelta (tf.keras.optimizers.Adadelta):

        a = rho * a + (1 - rho) * g^2
        d = -sqrt(ad + epsilon) * g / sqrt(a + epsilon)
        ad = rho * ad + (1 - rho) * d^2;  w += lr * d

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      rho: the decay rate.
      epsilon: added inside the square roots.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, grad, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self._step_constant(("lr", dtype), lambda: tf.cast(learning_rate, dtype))
        rho = self.rho
        i = self._get_variable_index(variable)
        accumulated_grad = self._accumulated_grads[i]
        accumulated_delta_var = self._accumulated_delta_vars[i]
        g = dense_gradient(grad, variable)
        accumulated_grad.assign(rho * accumulated_grad + (1 - rho) * squared_gradient(grad, g, variable))
        ratio = tf.sqrt(accumulated_delta_var + self.epsilon)
        denominator = tf.sqrt(accumulated_grad + self.epsilon)
        delta_var = -((ratio * g) / denominator)
        if isinstance(grad, IndexedSlices):  # Keras squares the per-row deltas before summing them
            delta_sq = tf.square(ratio / denominator) * squared_gradient(grad, g, variable)
        else:
            delta_sq = tf.square(delta_var)
        accumulated_delta_var.assign(rho * accumulated_delta_var + (1 - rho) * delta_sq)
        variable.assign_add(lr * delta_var)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
