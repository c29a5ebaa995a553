"""tf.keras.optimizers.Adafactor, Lamb and Muon: Keras 3's update rules and variable layouts."""
from __future__ import annotations

import re

import tensorforge as tf

from .._registry import keras_export
from .base import Optimizer, dense_gradient

_BASE_ARGS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum",
              "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps")


def _base_kwargs(local: dict) -> dict:
    return {k: local[k] for k in _BASE_ARGS}


def _rms(x):
    return tf.sqrt(tf.reduce_mean(tf.square(x)))


@keras_export("keras.optimizers.Adafactor", "keras.optimizers.adafactor")
class Adafactor(Optimizer):
    """Adafactor (tf.keras.optimizers.Adafactor): Adam-like steps whose second moments of a matrix
    are kept factored, as a row and a column mean (memory O(n + m) instead of O(n * m)).

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001); with `relative_step`
        (the default) a float rate is capped at 1 / sqrt(step).
      beta_2_decay: the second-moment decay is 1 - step ** beta_2_decay.
      epsilon_1: added to the squared gradients.
      epsilon_2: the smallest RMS of a variable used to scale its step.
      clip_threshold: the RMS above which an update is scaled down.
      relative_step: whether to cap a float learning rate by 1 / sqrt(step).
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **_base_kwargs(locals()), **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            overwrite = getattr(var, "overwrite_with_gradient", False)
            name = var.name.split(":")[0].split("/")[-1]
            if len(var.shape) < 2:
                # Unused placeholders, as Keras keeps them (int32 scalars named after the variable).
                for slot in (self._r, self._c):
                    v = self._make_variable(0, tf.int32, name)
                    self._track_variable(v)
                    slot.append(v)
            elif overwrite:
                self._r.append(None)
                self._c.append(None)
            else:
                shape = list(var.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=var.dtype, name=name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype, name=name))
            self._v.append(None if overwrite else self.add_variable_from_reference(var, "velocity"))

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        i = self._get_variable_index(variable)
        r, c, v = self._r[i], self._c[i], self._v[i]
        g = dense_gradient(gradient, variable)
        step = tf.cast(self.iterations + 1, dtype)
        lr = tf.cast(learning_rate, dtype)
        inv_sqrt_step = 1.0 / tf.sqrt(step)
        if not callable(self._learning_rate) and self.relative_step:
            lr = tf.minimum(lr, inv_sqrt_step)
        rho = tf.minimum(lr, inv_sqrt_step)
        alpha = tf.maximum(tf.cast(self.epsilon_2, dtype), _rms(variable)) * rho
        g2 = tf.square(g) + tf.cast(self.epsilon_1, dtype)
        beta_2 = 1.0 - tf.pow(step, tf.cast(self.beta_2_decay, dtype))
        if len(variable.shape) >= 2:
            r.assign(beta_2 * r + (1.0 - beta_2) * tf.reduce_mean(g2, axis=-1))
            c.assign(beta_2 * c + (1.0 - beta_2) * tf.reduce_mean(g2, axis=-2))
            v.assign(tf.expand_dims(r / tf.reduce_mean(r, axis=-1, keepdims=True), -1) * tf.expand_dims(c, -2))
        else:
            v.assign(beta_2 * v + (1.0 - beta_2) * g2)
        u = g / tf.sqrt(v)
        u = u / tf.maximum(tf.cast(1.0, dtype), _rms(u) / tf.cast(self.clip_threshold, dtype))
        variable.assign_sub(alpha * u)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}


@keras_export("keras.optimizers.Lamb", "keras.optimizers.lamb")
class Lamb(Optimizer):
    """LAMB (tf.keras.optimizers.Lamb): Adam's step, rescaled per variable by the trust ratio
    ||w|| / ||step|| (1 when either norm is zero).

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      beta_1, beta_2: the decay rates of the first and second moments.
      epsilon: added to the root of the second moment.
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **_base_kwargs(locals()), **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        i = self._get_variable_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        g = dense_gradient(gradient, variable)
        step = tf.cast(self.iterations + 1, dtype)
        lr = tf.cast(learning_rate, dtype)
        b1_power = tf.pow(tf.cast(self.beta_1, dtype), step)
        b2_power = tf.pow(tf.cast(self.beta_2, dtype), step)
        m.assign_add((g - m) * (1 - self.beta_1))
        v.assign_add((tf.square(g) - v) * (1 - self.beta_2))
        update = (m / (1.0 - b1_power)) / (tf.sqrt(v / (1.0 - b2_power)) + self.epsilon)
        w_norm = tf.sqrt(tf.reduce_sum(tf.square(variable)))
        u_norm = tf.sqrt(tf.reduce_sum(tf.square(update)))
        one = tf.constant(1.0, dtype)
        ratio = tf.where(w_norm > 0, tf.where(u_norm > 0, w_norm / u_norm, one), one)
        variable.assign_sub(ratio * lr * update)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


@keras_export("keras.optimizers.Muon", "keras.optimizers.muon")
class Muon(Optimizer):
    """Muon (tf.keras.optimizers.Muon): 2-D weights take momentum steps orthogonalised by a
    Newton-Schulz iteration (scaled by sqrt(max(n, m)) * rms_rate); other variables (biases,
    embeddings, `exclude_layers` matches) take AdamW steps.

    Args:
      learning_rate: a float, a schedule or a callable (default 0.001).
      adam_beta_1, adam_beta_2, epsilon: the AdamW part's moments and epsilon.
      adam_weight_decay: weight decay of the AdamW-updated variables; `weight_decay` is Muon's.
      exclude_layers: regular expressions of variable paths updated with AdamW.
      exclude_embeddings: whether variables whose path contains "embedding" use AdamW.
      muon_a, muon_b, muon_c: the quintic Newton-Schulz coefficients.
      adam_lr_ratio: the AdamW part's learning rate relative to `learning_rate`.
      momentum: Muon's momentum; nesterov: whether it is Nesterov momentum.
      ns_steps: Newton-Schulz iterations.
      rms_rate: the update RMS scale (None: no adjustment).
      **kwargs: the base Optimizer's arguments.
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **_base_kwargs(locals()), **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps, self.nesterov = adam_lr_ratio, momentum, ns_steps, nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable) -> bool:
        path = getattr(variable, "path", None) or variable.name
        if len(variable.shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums = [None] * len(var_list)
        self.adam_velocities = [None] * len(var_list)
        for var in var_list:
            if getattr(var, "overwrite_with_gradient", False):
                continue
            i = self._get_variable_index(var)
            self.momentums[i] = self.add_variable_from_reference(var, "momentum")
            if self._should_use_adamw(var):
                self.adam_velocities[i] = self.add_variable_from_reference(var, "velocity")

    def update_step(self, gradient, variable, learning_rate) -> None:
        i = self._get_variable_index(variable)
        m, v = self.momentums[i], self.adam_velocities[i]
        g = dense_gradient(gradient, variable)
        if v is not None:
            self._adamw_step(g, variable, learning_rate * self.adam_lr_ratio, m, v)
        else:
            self._muon_step(g, variable, learning_rate, m)

    def _muon_step(self, g, variable, lr, m) -> None:
        m.assign_add(g + m * (self.momentum - 1))
        direction = g + self.momentum * m if self.nesterov else tf.identity(m)
        update = self._orthogonalize(direction, self.ns_steps)
        if self.rms_rate is not None:
            n, k = variable.shape[0], variable.shape[1]
            update = update * (float(max(n, k)) ** 0.5 * self.rms_rate)
        variable.assign_sub(tf.cast(lr, variable.dtype) * update)

    def _adamw_step(self, g, variable, learning_rate, m, v) -> None:
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        lr = tf.cast(learning_rate, dtype)
        b1_power = tf.pow(tf.cast(self.adam_beta_1, dtype), step)
        b2_power = tf.pow(tf.cast(self.adam_beta_2, dtype), step)
        alpha = lr * tf.sqrt(1 - b2_power) / (1 - b1_power)
        m.assign_add((g - m) * (1 - self.adam_beta_1))
        v.assign_add((tf.square(g) - v) * (1 - self.adam_beta_2))
        variable.assign_sub(m * alpha / (tf.sqrt(v) + self.epsilon))

    def _orthogonalize(self, x, steps: int):
        """The quintic Newton-Schulz iteration towards U V^T of x's SVD (Keras's coefficients)."""
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = tf.linalg.matrix_transpose(x)
        x = x / (tf.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        for _ in range(steps):
            xxt = tf.matmul(x, x, transpose_b=True)
            x = a * x + tf.matmul(b * xxt + c * tf.matmul(xxt, xxt), x)
        return tf.linalg.matrix_transpose(x) if tall else x

    def _apply_weight_decay(self, variables) -> None:
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            wd = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if wd is None:
                continue
            dtype = variable.dtype
            variable.assign(variable - variable * tf.cast(wd, dtype) * tf.cast(self.learning_rate, dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon, "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum, "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings, "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate}
