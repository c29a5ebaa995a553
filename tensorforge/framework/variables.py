"""tf.Variable: a mutable, named tensor that tapes watch when it is read."""
from __future__ import annotations

import enum
import sys

import numpy as np

from .context import ctx, init_scope
from .convert import convert_to_tensor
from .errors import InvalidArgumentError
from .tensor import Tensor, _numpy_text
from .tensor_shape import TensorShape, as_shape


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


# References that `Variable._update` sees when the variable alone holds its value: the
# attribute, the local name and getrefcount's own argument.
_SOLE_TENSOR_REFS = 3
_SOLE_ARRAY_REFS = 3


class Variable:
    """A tensor whose value can change by `assign` (tf.Variable).

    Example:

    >>> v = tf.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0])
    >>> v.numpy()
    array([2., 3.], dtype=float32)

    Args:
      initial_value: a tensor-like value, or a callable returning one.
      trainable: whether GradientTape watches it automatically and optimizers update it.
      name: the variable's name (made unique; shown as 'name:0').
      dtype: convert the initial value to this dtype.
      constraint: a function applied to the value after optimizer updates.
      shape: the variable's shape; `None` dimensions allow assigning other shapes.
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO, aggregation=VariableAggregation.NONE,
                 shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (`None`) must be specified.")
        graph = ctx.graph
        if graph is not None:
            # Inside tf.function tracing: allowed on the first trace only, and the variable
            # itself lives outside the graph (its initial value is computed eagerly).
            created = getattr(graph, "created_variables", [])
            if created is None:
                raise ValueError("tf.function only supports singleton tf.Variables created on the first call. "
                                 "Make sure the tf.Variable is only created once or created outside tf.function.")
            with init_scope():
                if callable(initial_value):
                    initial_value = initial_value()
            if getattr(initial_value, "_is_symbolic_tensor", False):
                initial_value = graph.evaluate_constant(initial_value)
            created.append(self)
        elif callable(initial_value):
            initial_value = initial_value()
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable. Received: %r" % (constraint,))
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ only for "
                             "non-trainable variables.")
        if trainable is None:
            trainable = synchronization != VariableSynchronization.ON_READ
        value = convert_to_tensor(initial_value, dtype=dtype)
        self._dtype = value.dtype
        self._shape = as_shape(shape) if shape is not None else (value.shape if validate_shape else TensorShape(None))
        if not self._shape.is_compatible_with(value.shape):
            raise ValueError("The initial value's shape (%s) is not compatible with the explicitly supplied "
                             "`shape` argument (%s)." % (value.shape, self._shape))
        self._value = Tensor(np.array(value._value), self._dtype)
        self._trainable = bool(trainable)
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        base = name or "Variable"
        # Eager TF does not make variable names unique: two variables may both be 'w:0'.
        self._name = "/".join(ctx.name_scope + [base.split(":")[0]]) + ":0"

    # -- reading
    def _variable_value(self) -> Tensor:
        """The current value tensor, without notifying tapes."""
        return self._value

    def _as_tensor(self) -> Tensor:
        graph = ctx.graph
        value = graph.read_variable(self) if graph is not None else self._value
        # A read: active tapes watch trainable variables (watch_accessed_variables).
        if ctx.tapes:
            for tape in ctx.tapes:
                tape._variable_accessed(self, value)
        return value

    def value(self) -> Tensor:
        return self._as_tensor()

    def read_value(self) -> Tensor:
        """The current value, as a tensor."""
        return self._as_tensor()

    def numpy(self):
        return self._value.numpy()

    def __array__(self, dtype=None, copy=None):
        return self._value.__array__(dtype, copy)

    # -- metadata
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    name = property(lambda self: self._name)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)
    synchronization = property(lambda self: self._synchronization)
    aggregation = property(lambda self: self._aggregation)
    device = property(lambda self: ctx.device)

    @property
    def ndim(self) -> int:
        return self._shape.rank

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def initial_value(self) -> Tensor:
        return self._value

    # -- writing
    def _new_value(self, value, op: str) -> np.ndarray:
        t = convert_to_tensor(value, dtype=self._dtype) if not isinstance(value, Tensor) else value
        if t.dtype is not self._dtype:
            raise InvalidArgumentError(
                None, None, "%s: cannot assign a %s value to variable %s of dtype %s"
                % (op, t.dtype.name, self._name, self._dtype.name))
        if not self._shape.is_compatible_with(t.shape):
            raise ValueError("Cannot assign value to variable ' %s': Shape mismatch.The variable shape %s, "
                             "and the assigned value shape %s are incompatible." % (self._name[:-2], self._shape, t.shape))
        return t._value

    def _set(self, arr, read_value):
        graph = ctx.graph
        if graph is not None and hasattr(graph, "assign_variable"):
            return graph.assign_variable(self, arr, read_value)
        self._value = Tensor(arr if isinstance(arr, np.ndarray) else np.asarray(arr), self._dtype)
        return self if read_value else None

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Sets the variable to `value` (same dtype, compatible shape)."""
        if ctx.graph is not None and hasattr(ctx.graph, "assign_variable"):
            return ctx.graph.assign_variable(self, value, read_value, "assign")
        return self._set(np.array(self._new_value(value, "assign")), read_value)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        """Adds `delta` to the variable."""
        if ctx.graph is not None and hasattr(ctx.graph, "assign_variable"):
            return ctx.graph.assign_variable(self, delta, read_value, "assign_add")
        return self._update(np.add, self._new_value(delta, "assign_add"), read_value)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        """Subtracts `delta` from the variable."""
        if ctx.graph is not None and hasattr(ctx.graph, "assign_variable"):
            return ctx.graph.assign_variable(self, delta, read_value, "assign_sub")
        return self._update(np.subtract, self._new_value(delta, "assign_sub"), read_value)

    def _update(self, ufunc, d, read_value):
        cur = self._value
        arr = cur._value
        # Copy-on-write, as TF's variables: the buffer is updated in place only when nothing
        # else can see it (no tensor from an earlier read, no tape record, no NumPy view).
        if (type(arr) is np.ndarray and arr.base is None and arr.flags.writeable and np.shape(d) == arr.shape
                and sys.getrefcount(cur) <= _SOLE_TENSOR_REFS and sys.getrefcount(arr) <= _SOLE_ARRAY_REFS):
            ufunc(arr, d, out=arr)
            return self if read_value else None
        return self._set(ufunc(arr, d), read_value)

    # -- scatter updates (IndexedSlices of rows)
    def _scatter(self, sparse_delta, fn, name):
        idx = np.asarray(convert_to_tensor(sparse_delta.indices)._value).astype(np.int64)
        vals = np.asarray(convert_to_tensor(sparse_delta.values, dtype=self._dtype)._value)
        base = np.array(self._value._value)
        n = base.shape[0] if base.ndim else 0
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise InvalidArgumentError(None, None, "%s: indices %s out of range [0, %d) for variable %s"
                                       % (name, idx.tolist(), n, self._name))
        fn(base, idx, vals)
        return self._set(base, True)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Sets the rows `sparse_delta.indices` to `sparse_delta.values`."""
        return self._scatter(sparse_delta, lambda a, i, v: a.__setitem__(i, v), "scatter_update")

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.add.at(a, i, v), "scatter_add")

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.subtract.at(a, i, v), "scatter_sub")

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.multiply.at(a, i, v), "scatter_mul")

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.divide.at(a, i, v), "scatter_div")

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.maximum.at(a, i, v), "scatter_max")

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, lambda a, i, v: np.minimum.at(a, i, v), "scatter_min")

    def scatter_nd_update(self, indices, updates, name=None):
        """Sets the elements or slices at N-d `indices` to `updates`."""
        return self._scatter_nd(indices, updates, lambda a, i, v: a.__setitem__(i, v))

    def scatter_nd_add(self, indices, updates, name=None):
        return self._scatter_nd(indices, updates, lambda a, i, v: np.add.at(a, i, v))

    def scatter_nd_sub(self, indices, updates, name=None):
        return self._scatter_nd(indices, updates, lambda a, i, v: np.subtract.at(a, i, v))

    def _scatter_nd(self, indices, updates, fn):
        idx = np.asarray(convert_to_tensor(indices)._value).astype(np.int64)
        vals = np.asarray(convert_to_tensor(updates, dtype=self._dtype)._value)
        base = np.array(self._value._value)
        fn(base, tuple(np.moveaxis(idx, -1, 0)), vals)
        return self._set(base, True)

    # -- Python protocol
    def __bool__(self):
        return bool(self._value)

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return iter(self._as_tensor())

    def __index__(self):
        return self._value.__index__()

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __hash__(self):
        return id(self)

    def ref(self):
        from .tensor import Reference
        return Reference(self)

    experimental_ref = ref

    def __deepcopy__(self, memo):
        v = Variable(np.array(self._value._value), trainable=self._trainable, name=self._name[:-2],
                     dtype=self._dtype, constraint=self._constraint)
        memo[id(self)] = v
        return v

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self._name, self._shape, self._dtype.name, _numpy_text(self._value, True))

    def __str__(self):
        return self.__repr__()


Variable.__module__ = "tensorforge"
