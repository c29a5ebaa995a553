"""tf.keras.optimizers Adam, AdamW, Adamax and Nadam: Keras 3's update rules."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, abs_gradient, dense_gradient, squared_gradient


class _AdamBase(Optimizer):
    """Shared constructor of the Adam family (beta_1, beta_2, epsilon)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _local_step(self, dtype):
        return self._step_constant(("local_step", dtype), lambda: tf.cast(self.iterations + 1, dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


@keras_export("keras.optimizers.Adam", "keras.optimizers.adam")
class Adam(_AdamBase):
    """Adam (tf.keras.optimizers.Adam), as Keras 3 computes it:

        m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w -= alpha * m / (sqrt(v) + epsilon)

    with `v` replaced by its running maximum when `amsgrad`.

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      beta_1, beta_2: decay rates of the first and second moment estimates.
      epsilon: added to sqrt(v) (outside the bias correction, as Keras).
      amsgrad: use the AMSGrad variant.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, name=name,
                         weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.amsgrad = amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _constants(self, learning_rate, dtype):
        """This step's alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), and the rule's scalars as tensors."""
        lr = tf.cast(learning_rate, dtype)
        local_step = self._local_step(dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, dtype), local_step)
        beta_2_power = tf.pow(tf.cast(self.beta_2, dtype), local_step)
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        return (alpha, tf.cast(1 - self.beta_1, dtype), tf.cast(1 - self.beta_2, dtype),
                tf.cast(self.epsilon, dtype))

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = self._step_constant(
            ("adam", dtype), lambda: self._constants(learning_rate, dtype))
        i = self._get_variable_index(variable)
        m = self._momentums[i]
        v = self._velocities[i]
        g = dense_gradient(gradient, variable)
        m.assign_add((g - m) * one_minus_beta_1)
        v.assign_add((squared_gradient(gradient, g, variable) - v) * one_minus_beta_2)
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(tf.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (tf.sqrt(v) + epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "amsgrad": self.amsgrad}


@keras_export("keras.optimizers.AdamW", "keras.optimizers.adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (tf.keras.optimizers.AdamW): before each Adam step,
    `w -= w * weight_decay * learning_rate`.

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      weight_decay: the decay rate (required, default 0.004).
      beta_1, beta_2, epsilon, amsgrad: as Adam.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


@keras_export("keras.optimizers.Adamax", "keras.optimizers.adamax")
class Adamax(_AdamBase):
    """Adamax, Adam with the infinity norm (tf.keras.optimizers.Adamax):

        m += (g - m) * (1 - beta_1);  u = max(beta_2 * u, |g|)
        w -= lr * m / ((1 - beta_1^t) * (u + epsilon))
    """

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype

        def constants():
            beta_1_power = tf.pow(tf.cast(self.beta_1, dtype), self._local_step(dtype))
            return tf.cast(learning_rate, dtype), 1 - beta_1_power
        lr, correction = self._step_constant(("adamax", dtype), constants)
        i = self._get_variable_index(variable)
        m = self._m[i]
        u = self._u[i]
        g = dense_gradient(gradient, variable)
        m.assign_add((g - m) * (1 - self.beta_1))
        u.assign(tf.maximum(self.beta_2 * u, abs_gradient(gradient, g, variable)))
        variable.assign_sub((lr * m) / (correction * (u + self.epsilon)))


@keras_export("keras.optimizers.Nadam", "keras.optimizers.nadam")
class Nadam(_AdamBase):
    """Adam with Nesterov momentum and a momentum schedule (tf.keras.optimizers.Nadam), Keras 3's form."""

    def build(self, var_list) -> None:
        if self.built:
            return
        dtype = var_list[0].dtype if var_list else tf.float32
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        self._u_product = self._make_variable(1.0, dtype, "variable", scoped=False)

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        dtype = self._u_product.dtype
        self._u_product.assign(
            self._u_product * self.beta_1 * (1.0 - 0.5 * tf.pow(tf.constant(0.96, dtype),
                                                                tf.cast(self.iterations + 1, dtype))))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def _constants(self, learning_rate, dtype):
        lr = tf.cast(learning_rate, dtype)
        local_step = self._local_step(dtype)
        next_step = tf.cast(self.iterations + 2, dtype)
        decay = tf.constant(0.96, dtype)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * tf.pow(decay, local_step))
        u_t_1 = beta_1 * (1.0 - 0.5 * tf.pow(decay, next_step))
        u_product_t = tf.cast(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = tf.pow(beta_2, local_step)
        return lr, beta_1, beta_2, u_t, u_t_1, u_product_t, u_product_t_1, beta_2_power

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr, beta_1, beta_2, u_t, u_t_1, u_product_t, u_product_t_1, beta_2_power = self._step_constant(
            ("nadam", dtype), lambda: self._constants(learning_rate, dtype))
        i = self._get_variable_index(variable)
        m = self._momentums[i]
        v = self._velocities[i]
        g = dense_gradient(gradient, variable)
        m.assign_add((g - m) * (1 - beta_1))
        v.assign_add((squared_gradient(gradient, g, variable) - v) * (1 - beta_2))
        m_hat = (u_t_1 * m) / (1 - u_product_t_1) + ((1 - u_t) * g) / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub((m_hat * lr) / (tf.sqrt(v_hat) + self.epsilon))
