"""Reshaping and simple transformation layers: Permute, RepeatVector, UpSampling2D, ZeroPadding2D,
Cropping2D, Lambda and Rescaling."""
from __future__ import annotations

import builtins
import codecs
import inspect
import marshal
import types

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.convert import is_tensor
from ...ops import array_ops, image_ops, math_ops
from .. import _registry
from .._registry import keras_export
from .convolutional import check_input_spec, shape_tuple, standardize_data_format, standardize_tuple
from .layer import Layer


@keras_export("keras.layers.Permute")
class Permute(Layer):
    """Permutes the non-batch axes of its input (tf.keras.layers.Permute).

    Args:
      dims: a permutation of 1..rank-1; e.g. (2, 1) swaps the two axes of (batch, a, b) inputs.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             "must be consecutive and start from 1. Received dims=%s" % (dims,))

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=len(self.dims) + 1)
        return array_ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        return (shape[0],) + tuple(shape[d] for d in self.dims)

    def get_config(self) -> dict:
        c = super().get_config()
        c["dims"] = self.dims
        return c


@keras_export("keras.layers.RepeatVector")
class RepeatVector(Layer):
    """Repeats a (batch, features) input `n` times: (batch, n, features) (tf.keras.layers.RepeatVector)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("Expected an integer value for `n`, got %s." % type(n))
        if n <= 0:
            raise ValueError("Argument `n` should be a positive integer. Received: n=%s" % n)
        self.n = n

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=2)
        return array_ops.tile(array_ops.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        return (shape[0], self.n, shape[1])

    def get_config(self) -> dict:
        c = super().get_config()
        c["n"] = self.n
        return c


def _spatial_axes(data_format):
    return (1, 2) if data_format == "channels_last" else (2, 3)


@keras_export("keras.layers.UpSampling2D")
class UpSampling2D(Layer):
    """Repeats rows and columns `size` times ('nearest'), or resizes by that factor with
    `interpolation` ('bilinear', 'bicubic', 'area') (tf.keras.layers.UpSampling2D)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = interpolation.lower()

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=4)
        x = inputs
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 2, 3, 1])
        if self.interpolation == "nearest":
            x = array_ops.repeat(x, self.size[0], axis=1)
            x = array_ops.repeat(x, self.size[1], axis=2)
        else:
            h, w = x.shape[1], x.shape[2]
            if h is None or w is None:
                raise ValueError("UpSampling2D(interpolation=%r) needs known spatial dimensions; got input shape %s"
                                 % (self.interpolation, inputs.shape))
            x = image_ops.resize(x, [h * self.size[0], w * self.size[1]], method=self.interpolation)
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 3, 1, 2])
        return x

    def compute_output_shape(self, input_shape):
        shape = list(shape_tuple(input_shape))
        for axis, f in zip(_spatial_axes(self.data_format), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * f
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(size=self.size, data_format=self.data_format, interpolation=self.interpolation)
        return c


def _pairs(value, name):
    """An int, a pair of ints (symmetric) or a pair of pairs as ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError("`%s` should have two elements. Received: %s=%s." % (name, name, value))
        return (standardize_tuple(value[0], 2, "1st entry of %s" % name, allow_zero=True),
                standardize_tuple(value[1], 2, "2nd entry of %s" % name, allow_zero=True))
    raise ValueError("`%s` should be either an int, a tuple of 2 ints (symmetric_height_crop, symmetric_width_crop), "
                     "or a tuple of 2 tuples of 2 ints ((top_crop, bottom_crop), (left_crop, right_crop)). "
                     "Received: %s=%s." % (name, name, value))


@keras_export("keras.layers.ZeroPadding2D")
class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros (tf.keras.layers.ZeroPadding2D).

    Args:
      padding: an int, (symmetric_height, symmetric_width) or ((top, bottom), (left, right)).
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _pairs(padding, "padding")

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=4)
        pads = [[0, 0]] * 4
        for axis, p in zip(_spatial_axes(self.data_format), self.padding):
            pads[axis] = list(p)
        return array_ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        shape = list(shape_tuple(input_shape))
        for axis, p in zip(_spatial_axes(self.data_format), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + p[0] + p[1]
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(padding=self.padding, data_format=self.data_format)
        return c


@keras_export("keras.layers.Cropping2D")
class Cropping2D(Layer):
    """Crops rows and columns (tf.keras.layers.Cropping2D).

    Args:
      cropping: an int, (symmetric_height, symmetric_width) or ((top, bottom), (left, right)).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if isinstance(cropping, int) and cropping < 0:
            raise ValueError("`cropping` cannot be negative. Received: cropping=%s." % cropping)
        self.cropping = _pairs(cropping, "cropping")

    def _check(self, shape):
        for axis, c in zip(_spatial_axes(self.data_format), self.cropping):
            if shape[axis] is not None and sum(c) >= shape[axis]:
                raise ValueError("Values in `cropping` argument should be smaller than the corresponding spatial "
                                 "dimension of the input. Received: input_shape=%s, cropping=%s"
                                 % (shape, self.cropping))

    def call(self, inputs):
        shape = shape_tuple(inputs.shape)
        check_input_spec(self, shape, ndim=4)
        self._check(shape)
        index = [slice(None)] * 4
        for axis, (start, end) in zip(_spatial_axes(self.data_format), self.cropping):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(shape_tuple(input_shape))
        self._check(shape)
        for axis, c in zip(_spatial_axes(self.data_format), self.cropping):
            shape[axis] = None if shape[axis] is None else shape[axis] - c[0] - c[1]
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(cropping=self.cropping, data_format=self.data_format)
        return c


# ---------------------------------------------------------------- Lambda
def _func_dump(fn) -> tuple:
    """Keras's python_utils.func_dump: (base64 marshalled code, defaults, closure values)."""
    code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def _func_load(code, defaults=None, closure=None):
    """Keras's python_utils.func_load; the function sees `tf` (tensorforge) and `keras` as globals."""
    import tensorforge

    def cell(value):
        return (lambda: value).__closure__[0]
    raw = codecs.decode(code.encode("ascii"), "base64")
    globs = {"__builtins__": builtins, "tf": tensorforge, "keras": tensorforge.keras}
    return types.FunctionType(marshal.loads(raw), globs, argdefs=tuple(defaults) if defaults is not None else None,
                              closure=None if closure is None else tuple(cell(v) for v in closure))


def _is_lambda(fn) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _serialize_function(fn):
    if _is_lambda(fn):
        code, defaults, closure = _func_dump(fn)
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": defaults, "closure": closure}}
    if callable(fn):
        name = getattr(fn, "_keras_registered_name", None) or fn.__name__
        return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
    raise ValueError("Invalid input type for serialization. Received: %s of type %s." % (fn, type(fn)))


_FUNCTION_PACKAGES = ("", "activations", "losses", "metrics", "initializers", "regularizers", "constraints",
                      "optimizers")


def _deserialize_function(config, custom_objects, safe_mode):
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        if safe_mode:
            raise ValueError("Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
                             "This carries a potential risk of arbitrary code execution and thus it is disallowed "
                             "by default. If you trust the source of the artifact, you can override this error by "
                             "passing `safe_mode=False` to the loading function.")
        inner = config["config"]
        return _func_load(inner["code"], inner.get("defaults"), inner.get("closure"))
    name = config.get("config") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError("Could not interpret the Lambda function config: %r" % (config,))
    for package in _FUNCTION_PACKAGES:
        found = _registry.lookup(package, name, custom_objects)
        if found is not None:
            return found
    raise ValueError("Could not locate function '%s'. Make sure custom functions are registered with "
                     "`@keras.saving.register_keras_serializable()`." % name)


def _serialize_value(value):
    """Keras's serialize_keras_object for plain config values (NumPy arrays become `__numpy__`)."""
    if isinstance(value, dict):
        return {k: _serialize_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_serialize_value(v) for v in value)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    if is_tensor(value) and hasattr(value, "numpy"):
        return {"class_name": "__tensor__", "config": {"value": value.numpy().tolist(), "dtype": value.dtype.name}}
    return value


def _deserialize_value(value):
    if isinstance(value, dict):
        kind = value.get("class_name")
        if kind == "__numpy__":
            return np.asarray(value["config"]["value"], dtype=value["config"]["dtype"])
        if kind == "__tensor__":
            from ...framework.convert import constant
            return constant(value["config"]["value"], dtype=value["config"]["dtype"])
        return {k: _deserialize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_value(v) for v in value]
    return value


@keras_export("keras.layers.Lambda")
class Lambda(Layer):
    """Wraps a function of tensors as a layer (tf.keras.layers.Lambda).

    Args:
      function: called as `function(inputs, **arguments)` (and `mask=`, `training=` when it takes them).
      output_shape: the output shape without the batch axis, or a function of the input shape.
      mask: a mask to report, or a function `(inputs, mask) -> mask`.
      arguments: extra keyword arguments for `function`.

    A Python `lambda` is saved as marshalled bytecode; `from_config` refuses to load one unless
    `safe_mode=False`. Named functions are saved by (registered) name.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        params = inspect.signature(function).parameters
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape
        while isinstance(first, (list, tuple)) and first and isinstance(first[0], (list, tuple)):
            first = first[0]
        return (tuple(first)[0],) + tuple(self._output_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c["function"] = _serialize_function(self.function)
        if self._output_shape is not None:
            c["output_shape"] = _serialize_function(self._output_shape) if callable(self._output_shape) else \
                self._output_shape
        if self.mask is not None:
            c["mask"] = _serialize_function(self.mask) if callable(self.mask) else _serialize_value(self.mask)
        c["arguments"] = _serialize_value(self.arguments)
        return c

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None, safe_mode: bool = True):
        """Rebuilds the layer; a Python lambda in `config` needs `safe_mode=False`."""
        config = dict(config)
        config["function"] = _deserialize_function(config["function"], custom_objects, safe_mode)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _deserialize_function(shape, custom_objects, safe_mode)
        elif isinstance(shape, list) and all(isinstance(e, (int, type(None))) for e in shape):
            config["output_shape"] = tuple(shape)
        if isinstance(config.get("mask"), dict) and config["mask"].get("class_name") in ("__lambda__", "function"):
            config["mask"] = _deserialize_function(config["mask"], custom_objects, safe_mode)
        if "arguments" in config:
            config["arguments"] = _deserialize_value(config["arguments"])
        return cls(**config)


# ---------------------------------------------------------------- Rescaling
@keras_export("keras.layers.Rescaling")
class Rescaling(Layer):
    """Computes `inputs * scale + offset` in the layer's dtype (tf.keras.layers.Rescaling).

    Example: `Rescaling(1 / 255)` maps uint8 pixels to [0, 1]; `Rescaling(1 / 127.5, offset=-1)` to [-1, 1].
    `scale` and `offset` may be scalars or arrays (e.g. per channel).
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = math_ops.cast(self.scale, dtype)
        offset = math_ops.cast(self.offset, dtype)
        x = inputs if inputs.dtype == dtype else math_ops.cast(inputs, dtype)
        return math_ops.add(math_ops.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape):
        return shape_tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(scale=_serialize_value(self.scale), offset=_serialize_value(self.offset))
        return c

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        config["scale"] = _deserialize_value(config["scale"])
        config["offset"] = _deserialize_value(config["offset"])
        return cls(**config)


# ---------------------------------------------------------------- 1-D and 3-D padding, cropping, up-sampling
def _triples(value, name):
    """An int, 3 ints (symmetric) or 3 pairs as ((left1, right1), (left2, right2), (left3, right3))."""
    if isinstance(value, int):
        return ((value, value),) * 3
    if hasattr(value, "__len__"):
        if len(value) != 3:
            raise ValueError("`%s` should have 3 elements. Received: %s." % (name, value))
        return tuple(standardize_tuple(v, 2, "%s entry of %s" % (nth, name), allow_zero=True)
                     for v, nth in zip(value, ("1st", "2nd", "3rd")))
    raise ValueError("`%s` should be either an int, a tuple of 3 ints (symmetric_dim1_%s, symmetric_dim2_%s, "
                     "symmetric_dim3_%s), or a tuple of 3 tuples of 2 ints ((left_dim1_%s, right_dim1_%s), "
                     "(left_dim2_%s, right_dim2_%s), (left_dim3_%s, right_dim2_%s)). Received: %s."
                     % ((name,) + ("crop" if name == "cropping" else "pad",) * 9 + (value,)))


def _spatial3(data_format):
    return (1, 2, 3) if data_format == "channels_last" else (2, 3, 4)


def _resized(shape, axes, fn) -> tuple:
    shape = list(shape_tuple(shape))
    for i, axis in enumerate(axes):
        if shape[axis] is not None:
            shape[axis] = fn(i, shape[axis])
    return tuple(shape)


@keras_export("keras.layers.ZeroPadding1D")
class ZeroPadding1D(Layer):
    """Pads the time axis of [batch, steps, features] inputs with zeros (tf.keras.layers.ZeroPadding1D).

    Args:
      padding: an int (both sides) or (left, right).
      data_format: 'channels_last' ([batch, steps, features]) or 'channels_first'.
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)

    def _axis(self) -> int:
        return 2 if self.data_format == "channels_first" else 1

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=3)
        pads = [[0, 0]] * 3
        pads[self._axis()] = list(self.padding)
        return array_ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        return _resized(input_shape, (self._axis(),), lambda i, n: n + sum(self.padding))

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(padding=self.padding, data_format=self.data_format)
        return c


@keras_export("keras.layers.ZeroPadding3D")
class ZeroPadding3D(Layer):
    """Pads the three spatial axes of 5-D inputs with zeros (tf.keras.layers.ZeroPadding3D).

    Args:
      padding: an int, 3 ints (symmetric per axis) or 3 (left, right) pairs.
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _triples(padding, "padding")

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=5)
        pads = [[0, 0]] * 5
        for axis, p in zip(_spatial3(self.data_format), self.padding):
            pads[axis] = list(p)
        return array_ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        return _resized(input_shape, _spatial3(self.data_format), lambda i, n: n + sum(self.padding[i]))

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(padding=self.padding, data_format=self.data_format)
        return c


@keras_export("keras.layers.Cropping1D")
class Cropping1D(Layer):
    """Crops the time axis of [batch, steps, features] inputs (tf.keras.layers.Cropping1D).

    Args:
      cropping: an int (both ends) or (start, end): the steps removed at each end.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)

    def _check(self, shape, what):
        if shape[1] is not None and sum(self.cropping) >= shape[1]:
            raise ValueError("`cropping` parameter of `Cropping1D` layer must be smaller than the input length. "
                             "Received: %s=%s, cropping=%s" % (what, shape, self.cropping))

    def call(self, inputs):
        shape = shape_tuple(inputs.shape)
        check_input_spec(self, shape, ndim=3)
        self._check(shape, "inputs.shape")
        start, end = self.cropping
        return inputs[:, start:(-end if end else None), :]

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        self._check(shape, "input_shape")
        return _resized(shape, (1,), lambda i, n: n - sum(self.cropping))

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(cropping=self.cropping)
        return c


@keras_export("keras.layers.Cropping3D")
class Cropping3D(Layer):
    """Crops the three spatial axes of 5-D inputs (tf.keras.layers.Cropping3D).

    Args:
      cropping: an int, 3 ints (symmetric per axis) or 3 (start, end) pairs.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if isinstance(cropping, int) and cropping < 0:
            raise ValueError("`cropping` cannot be negative. Received: cropping=%s." % cropping)
        self.cropping = _triples(cropping, "cropping")

    def _check(self, shape, what):
        for axis, c in zip(_spatial3(self.data_format), self.cropping):
            if shape[axis] is not None and shape[axis] - sum(c) <= 0:
                raise ValueError("Values in `cropping` argument should be smaller than the corresponding spatial "
                                 "dimension of the input. Received: %s=%s, cropping=%s" % (what, shape, self.cropping))

    def call(self, inputs):
        shape = shape_tuple(inputs.shape)
        check_input_spec(self, shape, ndim=5)
        self._check(shape, "inputs.shape")
        index = [slice(None)] * 5
        for axis, (start, end) in zip(_spatial3(self.data_format), self.cropping):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        self._check(shape, "input_shape")
        return _resized(shape, _spatial3(self.data_format), lambda i, n: n - sum(self.cropping[i]))

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(cropping=self.cropping, data_format=self.data_format)
        return c


@keras_export("keras.layers.UpSampling1D")
class UpSampling1D(Layer):
    """Repeats each time step `size` times (tf.keras.layers.UpSampling1D)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError("Expected an integer value for `size`, got %s." % type(size))
        if size <= 0:
            raise ValueError("Argument `size` should be a positive integer. Received: size=%s" % size)
        self.size = size

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=3)
        return array_ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        return [shape[0], None if shape[1] is None else shape[1] * self.size, shape[2]]

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(size=self.size)
        return c


@keras_export("keras.layers.UpSampling3D")
class UpSampling3D(Layer):
    """Repeats the three spatial axes of 5-D inputs `size` times each (tf.keras.layers.UpSampling3D)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = standardize_tuple(size, 3, "size")

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=5)
        x = inputs
        for axis, f in zip(_spatial3(self.data_format), self.size):
            if f != 1:
                x = array_ops.repeat(x, f, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        return _resized(input_shape, _spatial3(self.data_format), lambda i, n: n * self.size[i])

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(size=self.size, data_format=self.data_format)
        return c
