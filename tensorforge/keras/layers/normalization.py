"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization (Keras 3's numerics)."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
import numpy as np

from ...framework import dtypes
from ...ops import array_ops, linalg_ops, math_ops, nn_ops
from .._registry import keras_export
from .convolutional import cached_constant, check_input_spec, resolve, shape_tuple
from .core import _init_config, _opt_config
from .layer import Layer


def _compute_dtype(x):
    """Keras's result_type(x.dtype, 'float32'): half precision is normalised in float32."""
    return dtypes.float64 if x.dtype == dtypes.float64 else dtypes.float32


def _cast(x, dtype):
    return x if x.dtype == dtype else math_ops.cast(x, dtype)


class _Affine(Layer):
    """The gamma/beta bookkeeping the normalization layers share."""

    def _init_affine(self, epsilon, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                     gamma_regularizer, beta_constraint, gamma_constraint):
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = resolve("initializers", beta_initializer)
        self.gamma_initializer = resolve("initializers", gamma_initializer)
        self.beta_regularizer = resolve("regularizers", beta_regularizer)
        self.gamma_regularizer = resolve("regularizers", gamma_regularizer)
        self.beta_constraint = resolve("constraints", beta_constraint)
        self.gamma_constraint = resolve("constraints", gamma_constraint)
        self.gamma = self.beta = None
        self.supports_masking = True

    def _add_affine(self, shape):
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def _affine_config(self) -> dict:
        return {"beta_initializer": _init_config(self.beta_initializer),
                "gamma_initializer": _init_config(self.gamma_initializer),
                "beta_regularizer": _opt_config("regularizers", self.beta_regularizer),
                "gamma_regularizer": _opt_config("regularizers", self.gamma_regularizer),
                "beta_constraint": _opt_config("constraints", self.beta_constraint),
                "gamma_constraint": _opt_config("constraints", self.gamma_constraint)}


@keras_export("keras.layers.BatchNormalization")
class BatchNormalization(_Affine):
    """Normalizes its inputs per channel (tf.keras.layers.BatchNormalization).

    With `training=True` it uses the batch's mean and (biased) variance and updates the moving
    statistics as `moving = moving * momentum + batch * (1 - momentum)`; otherwise (and when the
    layer is frozen, `trainable=False`) it uses the moving statistics. The output is
    `gamma * (x - mean) / sqrt(variance + epsilon) + beta`.

    Weights, in order: gamma, beta (trainable), moving_mean, moving_variance (non-trainable).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise NotImplementedError("BatchNormalization(renorm=True) is not supported by tensorforge.")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.synchronized = synchronized
        self._init_affine(float(epsilon), center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = resolve("initializers", moving_mean_initializer)
        self.moving_variance_initializer = resolve("initializers", moving_variance_initializer)
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.moving_mean = self.moving_variance = None
        self._reduction_axes = None

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        ndim = len(shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError("Axis %d is out of bounds for input shape %s. Received: axis=%d"
                             % (self.axis, shape, self.axis))
        dim = shape[self.axis]
        if dim is None:
            raise ValueError("Axis %d of input tensor should have a defined dimension but the layer received an "
                             "input with shape %s." % (self.axis, shape))
        self._add_affine((dim,))
        self.moving_mean = self.add_weight(shape=(dim,), name="moving_mean", initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=(dim,), name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self._ndim = ndim
        self._reduction_axes = [i for i in range(ndim) if i != self.axis % ndim]
        self.built = True

    def call(self, inputs, training=None, mask=None):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self._ndim, axes={self.axis: self.moving_mean.shape[0]})
        x = _cast(inputs, _compute_dtype(inputs))
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            m = self.momentum
            for var, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
                new = math_ops.add(math_ops.multiply(_cast(var, x.dtype), m), math_ops.multiply(batch, 1.0 - m))
                var.assign(_cast(new, var.dtype))
        else:
            mean, variance = _cast(self.moving_mean, x.dtype), _cast(self.moving_variance, x.dtype)
        gamma = None if self.gamma is None else _cast(self.gamma, x.dtype)
        beta = None if self.beta is None else _cast(self.beta, x.dtype)
        if self.axis % self._ndim != self._ndim - 1:
            bshape = [1] * self._ndim
            bshape[self.axis] = -1
            mean, variance = array_ops.reshape(mean, bshape), array_ops.reshape(variance, bshape)
            gamma = None if gamma is None else array_ops.reshape(gamma, bshape)
            beta = None if beta is None else array_ops.reshape(beta, bshape)
        out = nn_ops.batch_normalization(x, mean, variance, beta, gamma, self.epsilon)
        return _cast(out, self.compute_dtype)

    def _moments(self, x, mask):
        if mask is None:
            return nn_ops.moments(x, self._reduction_axes)
        m = array_ops.broadcast_to(array_ops.expand_dims(math_ops.cast(mask, dtypes.bool), -1), array_ops.shape(x))
        w = math_ops.cast(m, x.dtype)
        count = math_ops.add(math_ops.reduce_sum(w, self._reduction_axes, keepdims=True), 1e-7)
        mean = math_ops.divide(math_ops.reduce_sum(math_ops.multiply(x, w), self._reduction_axes, keepdims=True), count)
        dev = math_ops.multiply(math_ops.subtract(x, mean), w)
        variance = math_ops.divide(math_ops.reduce_sum(math_ops.square(dev), self._reduction_axes, keepdims=True),
                                   count)
        return array_ops.squeeze(mean, self._reduction_axes), array_ops.squeeze(variance, self._reduction_axes)

    def compute_output_shape(self, input_shape):
        return shape_tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center, scale=self.scale,
                 **self._affine_config())
        c.update(moving_mean_initializer=_init_config(self.moving_mean_initializer),
                 moving_variance_initializer=_init_config(self.moving_variance_initializer),
                 synchronized=self.synchronized, renorm=self.renorm, renorm_clipping=self.renorm_clipping,
                 renorm_momentum=self.renorm_momentum)
        return c


@keras_export("keras.layers.LayerNormalization")
class LayerNormalization(_Affine):
    """Normalizes each sample over `axis` (tf.keras.layers.LayerNormalization).

    The output is `(x - mean) * rsqrt(variance + epsilon) * gamma + beta`, with the mean and variance
    taken over `axis` (an int or a list of ints; after building, the sorted list).
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', but received: %r"
                            % (axis,))
        self.rms_scaling = rms_scaling
        self._init_affine(epsilon, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -len(shape) <= a < len(shape):
                raise ValueError("Axis %d is out of bounds for input shape %s. Received: axis=%s"
                                 % (a, shape, self.axis))
        self.axis = axes
        wshape = tuple(shape[a] for a in axes)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=wshape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=wshape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        x = _cast(inputs, _compute_dtype(inputs))
        ndim = x.shape.rank
        axes = sorted(a % ndim for a in self.axis)
        bshape = [1] * ndim
        for a in axes:
            bshape[a] = x.shape[a] if x.shape[a] is not None else -1

        def broadcast(v):
            if v is None:
                return None
            v = _cast(v, x.dtype)
            return v if axes == [ndim - 1] else array_ops.reshape(v, bshape)
        gamma, beta = broadcast(self.gamma), broadcast(self.beta)
        if self.rms_scaling:
            _, variance = nn_ops.moments(x, axes, keepdims=True)
            out = math_ops.multiply(x, math_ops.rsqrt(math_ops.add(variance, self.epsilon)))
            out = out if gamma is None else math_ops.multiply(out, gamma)
        else:
            mean, variance = nn_ops.moments(x, axes, keepdims=True)
            inv = math_ops.rsqrt(math_ops.add(variance, self.epsilon))
            if gamma is not None:
                inv = math_ops.multiply(inv, gamma)
            res = math_ops.multiply(math_ops.negative(mean), inv)
            if beta is not None:
                res = math_ops.add(res, beta)
            out = math_ops.add(math_ops.multiply(x, inv), res)
        return _cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return shape_tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                 rms_scaling=self.rms_scaling, **self._affine_config())
        return c


@keras_export("keras.layers.GroupNormalization")
class GroupNormalization(_Affine):
    """Normalizes each sample over groups of channels (tf.keras.layers.GroupNormalization).

    The `axis` channels are split into `groups` groups; each group is normalized over its channels
    and all the other non-batch axes. `groups=-1` gives instance normalization.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a positive integer (or `-1` "
                             "for instance normalization). Received: groups=%r" % (groups,))
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self._init_affine(epsilon, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        dim = shape[self.axis]
        if dim is None:
            raise ValueError("Axis %d of input tensor should have a defined dimension but the layer received an "
                             "input with shape %s." % (self.axis, shape))
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError("Number of groups (%d) cannot be more than the number of channels (%d)."
                             % (self.groups, dim))
        if dim % self.groups != 0:
            raise ValueError("Number of groups (%d) must be a multiple of the number of channels (%d)."
                             % (self.groups, dim))
        self._add_affine((dim,))
        self._ndim = len(shape)
        self.built = True

    def call(self, inputs):
        ndim = self._ndim
        axis = self.axis % ndim
        dim = self.gamma.shape[0] if self.gamma is not None else self.beta.shape[0] if self.beta is not None else \
            inputs.shape[axis]
        check_input_spec(self, shape_tuple(inputs.shape), ndim=ndim, axes={axis: dim})
        x = _cast(inputs, _compute_dtype(inputs))
        # Group statistics as the mean over a group's channels of per-channel statistics (every channel
        # has as many elements): no reshape, so unknown spatial sizes work inside tf.function too.
        size = dim // self.groups
        member = np.arange(dim) // size
        np_dtype = x.dtype.as_numpy_dtype
        to_group = cached_constant(self, ("to_group", x.dtype), lambda: (
            member[:, None] == np.arange(self.groups)).astype(np_dtype) / np_dtype(size))
        to_channel = cached_constant(self, ("to_channel", x.dtype), lambda: (
            np.arange(self.groups)[:, None] == member).astype(np_dtype))
        reduction = [i for i in range(1, ndim) if i != axis]
        bshape = [1] * ndim
        bshape[axis] = dim

        def group_mean(v):  # v: x-shaped -> per-group means, broadcastable against x
            per_channel = math_ops.reduce_mean(v, reduction)
            grouped = linalg_ops.matmul(linalg_ops.matmul(per_channel, to_group), to_channel)
            return array_ops.reshape(grouped, [-1] + bshape[1:])
        mean = group_mean(x)
        variance = group_mean(math_ops.squared_difference(x, array_ops.stop_gradient(mean)))
        inv = math_ops.rsqrt(math_ops.add(variance, self.epsilon))
        if self.gamma is not None:
            inv = math_ops.multiply(inv, _cast(array_ops.reshape(self.gamma, bshape), x.dtype))
        res = math_ops.multiply(math_ops.negative(mean), inv)
        if self.beta is not None:
            res = math_ops.add(res, _cast(array_ops.reshape(self.beta, bshape), x.dtype))
        out = math_ops.add(math_ops.multiply(x, inv), res)
        return _cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return shape_tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(groups=self.groups, axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                 **self._affine_config())
        return c
