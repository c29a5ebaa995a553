"""tf.keras.optimizers.SGD: gradient descent with optional (Nesterov) momentum, Keras 3's form."""
from __future__ import annotations

import tensorforge as tf

from .._registry import keras_export
from .base import IndexedSlices, Optimizer, dense_gradient


@keras_export("keras.optimizers.SGD", "keras.optimizers.sgd")
class SGD(Optimizer):
    """Gradient descent with momentum (tf.keras.optimizers.SGD).

    Without momentum: `w -= learning_rate * g`. With momentum (Keras 3's form):
    `m = momentum * m - learning_rate * g`, then `w += m`, or with `nesterov=True`
    `w += momentum * m - learning_rate * g`.

    Example:

    >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> v = tf.Variable(1.0)
    >>> int(opt.minimize(lambda: v ** 2 / 2.0, [v]))
    1
    >>> round(float(v), 4)
    0.9

    Args:
      learning_rate: a float, a schedule or a callable (default 0.01).
      momentum: a float in [0, 1].
      nesterov: use Nesterov momentum.
      **kwargs: the base Optimizer's arguments (weight_decay, clipnorm, use_ema, name, ...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = self._step_constant(("lr", dtype), lambda: tf.cast(learning_rate, dtype))
        if self.momentum != 0:
            m = self.momentums[self._get_variable_index(variable)]
            momentum = self._step_constant(("momentum", dtype), lambda: tf.cast(self.momentum, dtype))
            g_lr = dense_gradient(gradient, variable) * lr
            m.assign(m * momentum - g_lr)
            if self.nesterov:
                variable.assign_add(m * momentum - g_lr)
            else:
                variable.assign_add(m)
        elif isinstance(gradient, IndexedSlices):
            self.assign_sub(variable, IndexedSlices(tf.cast(gradient.values, dtype) * lr, gradient.indices,
                                                    gradient.dense_shape))
        else:
            variable.assign_sub(tf.cast(gradient, dtype) * lr)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
