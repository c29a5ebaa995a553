"""keras.layers.InputSpec: the rank, dtype and shape constraints a layer puts on its inputs, and
`assert_input_compatibility`, the check (with Keras 3's messages) a layer runs before `call`."""
from __future__ import annotations

from ...framework import dtypes
from ...framework.nest import flatten
from .._registry import keras_export


def _standardize_shape(shape) -> tuple:
    if hasattr(shape, "as_list"):
        shape = shape.as_list() if shape.rank is not None else None
    if shape is None:
        raise ValueError("Undefined shapes are not supported.")
    return tuple(None if d is None else int(d) for d in shape)


def _standardize_dtype(dtype) -> str:
    return dtypes.as_dtype(getattr(dtype, "name", dtype) if not isinstance(dtype, str) else dtype).name


@keras_export("keras.InputSpec", "keras.layers.InputSpec")
class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer (tf.keras.layers.InputSpec).

    A layer sets `self.input_spec` (one spec, or a list with one per input); every dimension given
    (`shape`, `axes` {axis: size}) must match, `None` entries match anything.

    Example:

    >>> tf.keras.layers.InputSpec(ndim=4, axes={-1: 3})
    InputSpec(ndim=4, axes={-1: 3})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = _standardize_dtype(dtype) if dtype is not None else None
        if shape is not None:
            self.shape = _standardize_shape(shape)
            self.ndim = len(self.shape)
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError("Argument `axes` must be a dict with integer keys. Received: axes=%s" % (axes,)) from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim else self.max_ndim) - 1
            max_axis = max(self.axes)
            if max_axis > max_dim:
                raise ValueError("Axis {} is greater than the maximum allowed value: {}".format(max_axis, max_dim))

    def __repr__(self):
        spec = [("dtype=%s" % self.dtype) if self.dtype else "", ("shape=%s" % (self.shape,)) if self.shape else "",
                ("ndim=%s" % self.ndim) if self.ndim else "", ("max_ndim=%s" % self.max_ndim) if self.max_ndim else "",
                ("min_ndim=%s" % self.min_ndim) if self.min_ndim else "", ("axes=%s" % (self.axes,)) if self.axes
                else ""]
        return "InputSpec(%s)" % ", ".join(x for x in spec if x)

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raises the ValueError Keras 3 raises when `inputs` do not satisfy `input_spec`."""
    if not input_spec:
        return
    input_spec = flatten(input_spec)
    if isinstance(inputs, dict):
        names = [spec.name for spec in input_spec]
        if all(names):
            for name in names:
                if name not in inputs:
                    raise ValueError('Missing data for input "%s". You passed a data dictionary with keys %s. '
                                     "Expected the following keys: %s" % (name, list(inputs.keys()), names))
            inputs = [inputs[name] for name in names]
    inputs = flatten(inputs)
    if len(inputs) != len(input_spec):
        spec_names = [spec.name for spec in input_spec if spec is not None]
        if len(spec_names) == len(input_spec) and all(spec_names):
            raise ValueError('Layer "%s" expects %d named input(s) with keys %s, but it received %d input tensors. '
                             "Pass inputs as a dict, e.g. `layer({%s})`." % (
                                 layer_name, len(input_spec), spec_names, len(inputs),
                                 ", ".join("'%s': ..." % n for n in spec_names)))
        raise ValueError('Layer "%s" expects %d input(s), but it received %d input tensors. Inputs received: %s'
                         % (layer_name, len(input_spec), len(inputs), inputs))
    for index, (x, spec) in enumerate(zip(inputs, input_spec)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError("Inputs to a layer should be tensors. Got '%s' (of type %s) as input for layer '%s'."
                             % (x, type(x), layer_name))
        shape = _standardize_shape(x.shape)
        ndim = len(shape)
        where = "Input %d with name '%s' of layer '%s' is incompatible with the layer: " % (index, spec.name,
                                                                                             layer_name)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(where + "expected ndim=%s, found ndim=%d. Full shape received: %s" % (spec.ndim, ndim,
                                                                                                   shape))
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(where + "expected max_ndim=%s, found ndim=%d" % (spec.max_ndim, ndim))
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(where + "expected min_ndim=%s, found ndim=%d. Full shape received: %s"
                             % (spec.min_ndim, ndim, shape))
        if spec.dtype is not None:
            dtype = _standardize_dtype(x.dtype)
            if dtype != spec.dtype:
                raise ValueError(where + "expected dtype=%s, found dtype=%s" % (spec.dtype, dtype))
        for axis, value in (spec.axes or {}).items():
            if value is not None and shape[axis] not in {value, None}:
                raise ValueError(where + "expected axis %d of input shape to have value %s, but received input with "
                                 "shape %s" % (axis, value, shape))
        if spec.shape is not None:
            spec_shape = spec.shape
            if spec.allow_last_axis_squeeze:
                if shape and shape[-1] == 1:
                    shape = shape[:-1]
                if spec_shape and spec_shape[-1] == 1:
                    spec_shape = spec_shape[:-1]
            for spec_dim, dim in zip(spec_shape, shape):
                if spec_dim is not None and dim is not None and spec_dim != dim:
                    raise ValueError(where + "expected shape=%s, found shape=%s" % (spec.shape, shape))


class InputSpecChecked:
    """Mixin for layers: checks the inputs against `self.input_spec` (if set) before each call, as
    Keras's Layer.__call__ does."""

    input_spec = None

    def _call_and_build(self, inputs, args, kwargs):
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        return super()._call_and_build(inputs, args, kwargs)
