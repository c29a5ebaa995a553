"""Convolution layers: Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D.

Weights, their names, layouts and order, the arguments and get_config() keys follow Keras 3:
a kernel [*kernel_size, in_channels // groups, filters] (transposed convolutions: [*kernel_size,
filters, in_channels]) then a bias [filters]. The computation is tensorforge's tf.nn ops.
"""
from __future__ import annotations

from importlib import import_module

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.context import init_scope
from ...framework.convert import constant
from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, nn_ops
from .._registry import keras_export
from .core import _activation, _init_config, _opt_config, _serialize
from .layer import Layer

# ---------------------------------------------------------------- argument helpers shared by the layer modules


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """An int or an iterable of `n` ints as a tuple of `n` ints (Keras's standardize_tuple)."""
    error_msg = "The `%s` argument must be a tuple of %d integers. Received %s=%s" % (name, n, name, value)
    if isinstance(value, int):
        value_tuple = (value,) * n
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            raise ValueError(error_msg) from None
        if len(value_tuple) != n:
            raise ValueError(error_msg)
        for v in value_tuple:
            try:
                int(v)
            except (ValueError, TypeError):
                raise ValueError(error_msg + "including element %s of type %s" % (v, type(v))) from None
        value_tuple = tuple(int(v) for v in value_tuple)
    bad = {v for v in value_tuple if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(error_msg + ", including values %s that do not satisfy `value %s`"
                         % (bad, ">= 0" if allow_zero else "> 0"))
    return value_tuple


def standardize_padding(value, allow_causal: bool = False) -> str:
    """'valid' / 'same' (and 'causal' for 1-D convolutions), lower-cased."""
    padding = str(value).lower()
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    if padding not in allowed:
        raise ValueError("The `padding` argument must be a list/tuple or one of %s. Received: %s"
                         % (allowed, padding))
    return padding


def standardize_data_format(data_format) -> str:
    """'channels_last' or 'channels_first'; None gives 'channels_last' (Keras's image_data_format default)."""
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         "Received: data_format=%s" % data_format)
    return data_format


def tf_data_format(data_format: str, ndim: int) -> str:
    """Keras's data_format as tf.nn's for a rank-`ndim` input: NWC/NHWC/NDHWC or NCW/NCHW/NCDHW."""
    spatial = "DHW"[3 - (ndim - 2):]
    return "N" + spatial + "C" if data_format == "channels_last" else "NC" + spatial


def shape_tuple(shape) -> tuple | None:
    """A shape (TensorShape, tuple, list) as a tuple with None for unknown dimensions."""
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    return None if shape.rank is None else tuple(shape.as_list())


def check_input_spec(layer: Layer, shape, ndim: int | None = None, min_ndim: int | None = None,
                     axes: dict | None = None) -> None:
    """Keras's InputSpec check: the input rank and fixed axis sizes, with Keras's message."""
    if shape is None:
        return
    if ndim is not None and len(shape) != ndim:
        raise ValueError('Input 0 of layer "%s" is incompatible with the layer: expected ndim=%d, found ndim=%d. '
                         "Full shape received: %s" % (layer.name, ndim, len(shape), shape))
    if min_ndim is not None and len(shape) < min_ndim:
        raise ValueError('Input 0 of layer "%s" is incompatible with the layer: expected min_ndim=%d, found '
                         "ndim=%d. Full shape received: %s" % (layer.name, min_ndim, len(shape), shape))
    for axis, value in (axes or {}).items():
        if value is not None and shape[axis] not in (None, value):
            raise ValueError('Input 0 of layer "%s" is incompatible with the layer: expected axis %d of input shape '
                             "to have value %d, but received input with shape %s"
                             % (layer.name, axis, value, shape))


def resolve(module: str, identifier):
    """`tensorforge.keras.<module>.get(identifier)` (initializers, regularizers, constraints); None stays None."""
    if identifier is None:
        return None
    return import_module("tensorforge.keras." + module).get(identifier)


def conv_output_length(n, kernel_size: int, stride: int, padding: str, dilation: int = 1):
    """The output length of a convolution or pooling window along one axis (None stays None)."""
    if n is None:
        return None
    if padding == "valid":
        return (n - (kernel_size - 1) * dilation - 1) // stride + 1
    return (n - 1) // stride + 1  # 'same', and 'causal' (left padding of the effective kernel size)


def spatial_output_shape(shape, data_format: str, channels, lengths) -> tuple:
    """(batch, *lengths, channels) or (batch, channels, *lengths)."""
    lengths = tuple(lengths)
    return (shape[0],) + (lengths + (channels,) if data_format == "channels_last" else (channels,) + lengths)


def _spatial_dims(layer, shape):
    return shape[1:-1] if layer.data_format == "channels_last" else shape[2:]


def _window_output_shape(layer, input_shape, channels):
    shape = shape_tuple(input_shape)
    lengths = [conv_output_length(n, layer.kernel_size[i], layer.strides[i], layer.padding, layer.dilation_rate[i])
               for i, n in enumerate(_spatial_dims(layer, shape))]
    return spatial_output_shape(shape, layer.data_format, channels, lengths)


def cached_constant(layer: Layer, key, make):
    """An eager constant made once per layer and `key` (outside any graph being traced, so that
    every trace and functional graph can capture it): saves re-converting Python values per call."""
    cache = layer.__dict__.setdefault("_constant_cache", {})
    if key not in cache:
        with init_scope():
            cache[key] = constant(make())
    return cache[key]


def _channel_of(layer, shape):
    return shape[-1] if layer.data_format == "channels_last" else shape[1]


def _add_bias(layer, x):
    if layer.bias is None:
        return x
    return nn_ops.bias_add(x, layer.bias, data_format="NCHW" if layer.data_format == "channels_first" else None)


# ---------------------------------------------------------------- Conv1D / Conv2D / Conv3D
class BaseConv(Layer):
    """The N-D convolution layer: activation(conv(inputs, kernel) + bias) (Keras's BaseConv)."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups: int = 1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, **kwargs):
        super().__init__(activity_regularizer=resolve("regularizers", activity_regularizer), **kwargs)
        if lora_rank:
            raise NotImplementedError("LoRA (lora_rank=%r) is not supported by %s in tensorforge."
                                      % (lora_rank, type(self).__name__))
        self.rank = rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = resolve("initializers", kernel_initializer)
        self.bias_initializer = resolve("initializers", bias_initializer)
        self.kernel_regularizer = resolve("regularizers", kernel_regularizer)
        self.bias_regularizer = resolve("regularizers", bias_regularizer)
        self.kernel_constraint = resolve("constraints", kernel_constraint)
        self.bias_constraint = resolve("constraints", bias_constraint)
        self.kernel = self.bias = None
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received "
                             "filters=%s." % filters)
        if groups <= 0:
            raise ValueError("The number of groups must be a positive integer. Received: groups=%s." % groups)
        if filters is not None and filters % groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. Received: "
                             "groups=%s, filters=%s." % (groups, filters))
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                             "strides=%s and dilation_rate=%s" % (self.strides, self.dilation_rate))

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        check_input_spec(self, shape, min_ndim=self.rank + 2)
        in_channels = _channel_of(self, shape)
        if in_channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. Full input shape "
                             "received: %s" % (shape,))
        if in_channels % self.groups != 0:
            raise ValueError("The number of input channels must be evenly divisible by the number of groups. "
                             "Received groups=%d, but the input has %d channels (full input shape is %s)."
                             % (self.groups, in_channels, shape))
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (in_channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _check_call_input(self, inputs):
        shape = shape_tuple(inputs.shape)
        axis = -1 if self.data_format == "channels_last" else 1
        check_input_spec(self, shape, min_ndim=self.rank + 2,
                         axes={axis: self.kernel.shape[-2] * self.groups})

    def call(self, inputs):
        self._check_call_input(inputs)
        x, padding = inputs, self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [[0, 0], [left, 0], [0, 0]] if self.data_format == "channels_last" else [[0, 0], [0, 0], [left, 0]]
            x, padding = array_ops.pad(x, pads), "valid"
        fmt = tf_data_format(self.data_format, self.rank + 2)
        out = nn_ops.convolution(x, self.kernel, strides=list(self.strides), padding=padding.upper(),
                                 data_format=fmt, dilations=list(self.dilation_rate))
        return self.activation(_add_bias(self, out))

    def compute_output_shape(self, input_shape):
        return _window_output_shape(self, input_shape, self.filters)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                 data_format=self.data_format, dilation_rate=self.dilation_rate, groups=self.groups,
                 activation=_serialize(self.activation), use_bias=self.use_bias,
                 kernel_initializer=_init_config(self.kernel_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint))
        return c


@keras_export("keras.layers.Conv1D", "keras.layers.Convolution1D")
class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels) inputs (tf.keras.layers.Conv1D).

    Args:
      filters: the number of output channels.
      kernel_size: an int or a 1-tuple, the window length.
      strides: an int or a 1-tuple.
      padding: 'valid', 'same' or 'causal' (left padding only, for temporal models).
      data_format: 'channels_last' (default) or 'channels_first'.
      dilation_rate: an int or a 1-tuple.
      groups: split the channels into this many groups, each convolved separately.
      activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.Conv2D", "keras.layers.Convolution2D")
class Conv2D(BaseConv):
    """2-D convolution over (batch, height, width, channels) inputs (tf.keras.layers.Conv2D).

    Example:

    >>> layer = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")
    >>> layer(tf.ones([2, 6, 6, 2])).shape
    TensorShape([2, 6, 6, 4])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.Conv3D", "keras.layers.Convolution3D")
class Conv3D(BaseConv):
    """3-D convolution over (batch, depth, height, width, channels) inputs (tf.keras.layers.Conv3D)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# ---------------------------------------------------------------- transposed convolutions
def transpose_output_size(n, kernel_size, stride, padding, output_padding, dilation):
    """Keras's output length of a transposed convolution along one axis (None stays None)."""
    if n is None:
        return None
    eff = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        op = max(eff, stride) - eff if output_padding is None else output_padding
        return (n - 1) * stride + eff + op
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + eff % 2 + output_padding


class BaseConvTranspose(Layer):
    """The N-D transposed convolution (the gradient of a convolution w.r.t. its input) (Keras's
    BaseConvTranspose). The kernel is [*kernel_size, filters, in_channels]."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=resolve("regularizers", activity_regularizer), **kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        self.data_format = standardize_data_format(data_format)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = resolve("initializers", kernel_initializer)
        self.bias_initializer = resolve("initializers", bias_initializer)
        self.kernel_regularizer = resolve("regularizers", kernel_regularizer)
        self.bias_regularizer = resolve("regularizers", bias_regularizer)
        self.kernel_constraint = resolve("constraints", kernel_constraint)
        self.bias_constraint = resolve("constraints", bias_constraint)
        self.kernel = self.bias = None
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received "
                             "filters=%s." % filters)
        if self.output_padding is not None:
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ValueError("`output_padding` must be strictly less than `strides` for all dimensions. At "
                                     "dimension %d, `output_padding` is %d but `strides` is %d. Received: "
                                     "output_padding=%s, strides=%s" % (i, op, s, self.output_padding, self.strides))
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                             "strides=%s and dilation_rate=%s" % (self.strides, self.dilation_rate))

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        check_input_spec(self, shape, min_ndim=self.rank + 2)
        in_channels = _channel_of(self, shape)
        if in_channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. Full input shape "
                             "received: %s" % (shape,))
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.filters, in_channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        shape = shape_tuple(inputs.shape)
        cf = self.data_format == "channels_first"
        check_input_spec(self, shape, ndim=self.rank + 2, axes={1 if cf else -1: self.kernel.shape[-1]})
        spatial = list(shape[2:] if cf else shape[1:-1])
        first = 2 if cf else 1
        # The full ('VALID') transposed convolution, then the window Keras's padding selects: this keeps
        # every offset static, so unknown (None) spatial sizes work as well as known ones.
        full, crops = [], []
        for i, n in enumerate(spatial):
            k, s, d = self.kernel_size[i], self.strides[i], self.dilation_rate[i]
            eff = (k - 1) * d + 1
            op = None if self.output_padding is None else self.output_padding[i]
            if self.padding == "valid":
                excess = -(max(eff, s) - eff if op is None else op)
            else:
                excess = eff - s if op is None else eff - eff % 2 - op
            full.append(None if n is None else (n - 1) * s + eff)
            before = max(excess, 0) // 2
            crops.append((before, max(excess, 0) - before, max(-excess, 0)))
        out_shape = [shape[0]] + ([self.filters] + full if cf else full + [self.filters])
        fmt = tf_data_format(self.data_format, self.rank + 2)
        out = nn_ops.conv_transpose(inputs, self.kernel, out_shape, strides=list(self.strides), padding="VALID",
                                    data_format=fmt, dilations=list(self.dilation_rate))
        if any(c != (0, 0, 0) for c in crops):
            index = [slice(None)] * (self.rank + 2)
            for i, (before, after, _) in enumerate(crops):
                index[first + i] = slice(before, -after if after else None)
            out = out[tuple(index)]
            if any(c[2] for c in crops):
                pads = [[0, 0]] * (self.rank + 2)
                for i, (_, _, extra) in enumerate(crops):
                    pads[first + i] = [0, extra]
                out = array_ops.pad(out, pads)
        return self.activation(_add_bias(self, out))

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        spatial = _spatial_dims(self, shape)
        out = [transpose_output_size(n, self.kernel_size[i], self.strides[i], self.padding,
                                     None if self.output_padding is None else self.output_padding[i],
                                     self.dilation_rate[i]) for i, n in enumerate(spatial)]
        return spatial_output_shape(shape, self.data_format, self.filters, out)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                 output_padding=self.output_padding, data_format=self.data_format,
                 dilation_rate=self.dilation_rate, activation=_serialize(self.activation), use_bias=self.use_bias,
                 kernel_initializer=_init_config(self.kernel_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint))
        return c


@keras_export("keras.layers.Conv1DTranspose", "keras.layers.Convolution1DTranspose")
class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1-D convolution (tf.keras.layers.Conv1DTranspose); kernel [k, filters, in_channels]."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.Conv2DTranspose", "keras.layers.Convolution2DTranspose")
class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2-D convolution (tf.keras.layers.Conv2DTranspose); kernel [kh, kw, filters, in_channels].

    With padding='same' and no output_padding the output is `input * strides` along each spatial axis;
    with 'valid' it is `(input - 1) * strides + max(kernel, strides)`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.Conv3DTranspose", "keras.layers.Convolution3DTranspose")
class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3-D convolution (tf.keras.layers.Conv3DTranspose)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None, output_padding=None,
                 dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# ---------------------------------------------------------------- depthwise and separable convolutions
def _as_2d(layer, x):
    """A rank-1 layer's input with a unit height axis inserted (depthwise ops are 2-D)."""
    return array_ops.expand_dims(x, 1 if layer.data_format == "channels_last" else 2)


def _from_2d(layer, x):
    return array_ops.squeeze(x, [1 if layer.data_format == "channels_last" else 2])


class BaseDepthwiseConv(Layer):
    """Depthwise convolution: each input channel convolved with its own `depth_multiplier` filters
    (Keras's BaseDepthwiseConv). The kernel is [*kernel_size, in_channels, depth_multiplier]."""

    def __init__(self, rank: int, depth_multiplier: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=resolve("regularizers", activity_regularizer), **kwargs)
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = resolve("initializers", depthwise_initializer)
        self.bias_initializer = resolve("initializers", bias_initializer)
        self.depthwise_regularizer = resolve("regularizers", depthwise_regularizer)
        self.bias_regularizer = resolve("regularizers", bias_regularizer)
        self.depthwise_constraint = resolve("constraints", depthwise_constraint)
        self.bias_constraint = resolve("constraints", bias_constraint)
        self.kernel = self.bias = None
        if depth_multiplier is not None and depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
                             "Received depth_multiplier=%s." % depth_multiplier)

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        check_input_spec(self, shape, ndim=self.rank + 2)
        in_channels = _channel_of(self, shape)
        if in_channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. Full input shape "
                             "received: %s" % (shape,))
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (in_channels, self.depth_multiplier),
                                      initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(in_channels * self.depth_multiplier,),
                                    initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        axis = -1 if self.data_format == "channels_last" else 1
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self.rank + 2, axes={axis: self.kernel.shape[-2]})
        x, w = inputs, self.kernel
        strides, dilations = list(self.strides), list(self.dilation_rate)
        if self.rank == 1:
            x, w = _as_2d(self, x), array_ops.expand_dims(w, 0)
            strides, dilations = [1] + strides, [1] + dilations
        out = nn_ops.depthwise_conv2d(x, w, strides=strides, padding=self.padding.upper(),
                                      data_format=tf_data_format(self.data_format, 4), dilations=dilations)
        if self.rank == 1:
            out = _from_2d(self, out)
        return self.activation(_add_bias(self, out))

    def compute_output_shape(self, input_shape):
        channels = _channel_of(self, shape_tuple(input_shape))
        return _window_output_shape(self, input_shape, None if channels is None else channels * self.depth_multiplier)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(depth_multiplier=self.depth_multiplier, kernel_size=self.kernel_size, strides=self.strides,
                 padding=self.padding, data_format=self.data_format, dilation_rate=self.dilation_rate,
                 activation=_serialize(self.activation), use_bias=self.use_bias,
                 depthwise_initializer=_init_config(self.depthwise_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 depthwise_regularizer=_opt_config("regularizers", self.depthwise_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 depthwise_constraint=_opt_config("constraints", self.depthwise_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint))
        return c


@keras_export("keras.layers.DepthwiseConv1D")
class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution (tf.keras.layers.DepthwiseConv1D); kernel [k, in_channels, depth_multiplier]."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, depth_multiplier, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.DepthwiseConv2D")
class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution (tf.keras.layers.DepthwiseConv2D); kernel [kh, kw, in_channels,
    depth_multiplier], output channels in_channels * depth_multiplier."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


class BaseSeparableConv(Layer):
    """A depthwise convolution followed by a pointwise (1x1) one (Keras's BaseSeparableConv).

    Weights, in order: depthwise_kernel [*kernel_size, in_channels, depth_multiplier], pointwise_kernel
    [1, ..., in_channels * depth_multiplier, filters], bias [filters].
    """

    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=resolve("regularizers", activity_regularizer), **kwargs)
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = resolve("initializers", depthwise_initializer)
        self.pointwise_initializer = resolve("initializers", pointwise_initializer)
        self.bias_initializer = resolve("initializers", bias_initializer)
        self.depthwise_regularizer = resolve("regularizers", depthwise_regularizer)
        self.pointwise_regularizer = resolve("regularizers", pointwise_regularizer)
        self.bias_regularizer = resolve("regularizers", bias_regularizer)
        self.depthwise_constraint = resolve("constraints", depthwise_constraint)
        self.pointwise_constraint = resolve("constraints", pointwise_constraint)
        self.bias_constraint = resolve("constraints", bias_constraint)
        self.depthwise_kernel = self.pointwise_kernel = self.bias = None
        if depth_multiplier is not None and depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
                             "Received depth_multiplier=%s." % depth_multiplier)
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive value. Received "
                             "filters=%s." % filters)

    def build(self, input_shape):
        shape = shape_tuple(input_shape)
        check_input_spec(self, shape, ndim=self.rank + 2)
        in_channels = _channel_of(self, shape)
        if in_channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found None. Full input shape "
                             "received: %s" % (shape,))
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (in_channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        axis = -1 if self.data_format == "channels_last" else 1
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self.rank + 2,
                         axes={axis: self.depthwise_kernel.shape[-2]})
        x, dw, pw = inputs, self.depthwise_kernel, self.pointwise_kernel
        strides, dilations = list(self.strides), list(self.dilation_rate)
        if self.rank == 1:
            x, dw, pw = _as_2d(self, x), array_ops.expand_dims(dw, 0), array_ops.expand_dims(pw, 0)
            strides, dilations = [1] + strides, [1] + dilations
        out = nn_ops.separable_conv2d(x, dw, pw, strides=strides, padding=self.padding.upper(),
                                      data_format=tf_data_format(self.data_format, 4), dilations=dilations)
        if self.rank == 1:
            out = _from_2d(self, out)
        return self.activation(_add_bias(self, out))

    def compute_output_shape(self, input_shape):
        return _window_output_shape(self, input_shape, self.filters)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(depth_multiplier=self.depth_multiplier, filters=self.filters, kernel_size=self.kernel_size,
                 strides=self.strides, padding=self.padding, data_format=self.data_format,
                 dilation_rate=self.dilation_rate, activation=_serialize(self.activation), use_bias=self.use_bias,
                 depthwise_initializer=_init_config(self.depthwise_initializer),
                 pointwise_initializer=_init_config(self.pointwise_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 depthwise_regularizer=_opt_config("regularizers", self.depthwise_regularizer),
                 pointwise_regularizer=_opt_config("regularizers", self.pointwise_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 depthwise_constraint=_opt_config("constraints", self.depthwise_constraint),
                 pointwise_constraint=_opt_config("constraints", self.pointwise_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint))
        return c


@keras_export("keras.layers.SeparableConv1D", "keras.layers.SeparableConvolution1D")
class SeparableConv1D(BaseSeparableConv):
    """Depthwise-separable 1-D convolution (tf.keras.layers.SeparableConv1D)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


@keras_export("keras.layers.SeparableConv2D", "keras.layers.SeparableConvolution2D")
class SeparableConv2D(BaseSeparableConv):
    """Depthwise-separable 2-D convolution (tf.keras.layers.SeparableConv2D)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (Conv1DTranspose, Conv2DTranspose,
                                                                          Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
