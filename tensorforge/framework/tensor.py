"""Tensors: the eager `Tensor` (a NumPy value) and `TensorSpec`.

Operators (`+`, `@`, `[]`, ...) are attached by `tensorforge.ops`, since the data model
knows nothing of ops.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .context import ctx
from .tensor_shape import TensorShape, as_shape

_from_np = dtypes._BY_NP.get


class Tensor:
    """An immutable, eagerly computed multidimensional array with a `tf.DType`.

    Example:

    >>> x = tf.constant([1.0, 2.0])
    >>> x
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """

    __slots__ = ("_value", "_dtype", "__weakref__")
    # Make NumPy defer to our reflected operators (np.array(...) + tensor -> Tensor).
    __array_priority__ = 100

    def __init__(self, value, dtype: dtypes.DType | None = None):
        # `value` is a NumPy array or NumPy scalar whose dtype already matches.
        self._value = value
        self._dtype = dtype if dtype is not None else (_from_np(value.dtype) or dtypes.from_numpy(value.dtype))

    # -- metadata
    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        if not self.shape.is_compatible_with(shape):
            raise ValueError("Tensor's shape %s is not compatible with supplied shape %s"
                             % (self.shape, as_shape(shape)))

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return ctx.device

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    def numpy(self):
        """The value as a NumPy array (a NumPy scalar, or bytes, for rank 0)."""
        v = self._value
        if type(v) is np.ndarray and v.ndim == 0:
            return v[()]
        return v

    def _numpy_array(self) -> np.ndarray:
        return np.asarray(self._value)

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self._value)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    # -- Python protocol, as TF's EagerTensor
    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __index__(self) -> int:
        if self._dtype.is_integer and self._value.ndim == 0:
            return int(self._value)
        raise TypeError("Only integer scalar tensors can be converted to a Python index.")

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __complex__(self) -> complex:
        return complex(self._value)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def ref(self) -> "Reference":
        return Reference(self)

    def experimental_ref(self) -> "Reference":
        return Reference(self)

    def __reduce__(self):
        return _rebuild, (np.asarray(self._value), self._dtype.name)

    def __format__(self, format_spec):
        if self._value.ndim == 0:
            return format(self.numpy(), format_spec)
        return format(str(self), format_spec)

    def __repr__(self) -> str:
        return "<tf.Tensor: shape=%s, dtype=%s, numpy=%s>" % (self.shape, self._dtype.name, _numpy_text(self, True))

    def __str__(self) -> str:
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (_numpy_text(self, False), self.shape, self._dtype.name)


def _numpy_text(t: Tensor, is_repr: bool) -> str:
    v = t.numpy()
    if isinstance(v, np.ndarray):
        text = repr(v) if is_repr else str(v)
        if "\n" in text:  # TF starts a multi-line value on its own line
            text = "\n" + text
        return text
    if isinstance(v, bytes):
        return repr(v)
    return str(v)


def _rebuild(arr, dtype_name):
    return Tensor(arr, dtypes.as_dtype(dtype_name))


class Reference:
    """A hashable reference to a tensor or variable (`x.ref()`)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return "<Reference wrapping %r>" % (self._obj,)


class TypeSpec:
    """The base class of the specs of TF values: TensorSpec, SparseTensorSpec, RaggedTensorSpec,
    tf.data's DatasetSpec (`tf.TypeSpec`). Its subclasses say what a value looks like without
    holding it: `value_type`, `is_compatible_with`, `most_specific_compatible_type`."""

    __slots__ = ()

    @property
    def value_type(self):
        raise NotImplementedError("%s does not define value_type" % type(self).__name__)

    def is_compatible_with(self, spec_or_value) -> bool:
        return self == spec_or_value

    def most_specific_compatible_type(self, other):
        if self != other:
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return self


class TensorSpec(TypeSpec):
    """Describes a tensor: shape, dtype and optional name (`tf.TensorSpec`)."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    value_type = property(lambda self: Tensor)

    @classmethod
    def from_tensor(cls, tensor, name=None) -> "TensorSpec":
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other) -> bool:
        return self._dtype == other.dtype and self._shape.is_compatible_with(other.shape)

    def most_specific_compatible_type(self, other) -> "TensorSpec":
        return TensorSpec(self._shape.most_specific_compatible_shape(other.shape), self._dtype)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._shape == other._shape
                and self._dtype == other._dtype and self._name == other._name)

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=%r, name=%r)" % (self._shape, self._dtype, self._name)


Tensor.__module__ = "tensorforge"
TensorSpec.__module__ = "tensorforge"
