"""tf.lookup: key -> value tables (StaticHashTable, StaticVocabularyTable, MutableHashTable).

Static tables hold their keys sorted as constants and look keys up with ops (searchsorted,
gather, where), so a lookup is ordinary graph ops inside tf.function or a tf.data map, with no
table resource. Mutable tables keep a Python dict; their operations are stateful graph ops that
call into it when the graph runs, and they save into checkpoints as TF's do
(`<path>/.ATTRIBUTES/table-keys` and `table-values`).
"""
from __future__ import annotations

import os
import types

import numpy as np

from .. import ops as _ops  # noqa: F401 - registers the ops used here
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError, NotFoundError
from ..framework.tensor import Tensor
from ..ops import array_ops, math_ops, string_ops
from ..ops.registry import NON_DIFFERENTIABLE, bind, register

__all__ = ["KeyValueTensorInitializer", "TextFileIndex", "TextFileInitializer", "StaticHashTable",
           "StaticVocabularyTable", "experimental"]


def _array(values, dtype) -> np.ndarray:
    t = convert_to_tensor(values, dtype=dtype) if dtype is not None else convert_to_tensor(values)
    if type(t) is not Tensor:
        raise ValueError("Table keys and values must be known when the table is created (eager values).")
    return np.asarray(t._value).reshape(-1), t.dtype


# ---------------------------------------------------------------- initializers
class KeyValueTensorInitializer:
    """A table initializer from a keys tensor and a values tensor of the same length."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys, self.key_dtype = _array(keys, key_dtype)
        self._values, self.value_dtype = _array(values, value_dtype)
        if len(self._keys) != len(self._values):
            raise ValueError("keys and values must have the same size: %d vs %d" % (len(self._keys), len(self._values)))

    def _pairs(self):
        return self._keys, self._values


class TextFileIndex:
    """Special columns of TextFileInitializer: the whole line, or the line number."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer:
    """A table initializer reading keys and values from the lines of a text file.

    `key_index`/`value_index` pick a column (split on `delimiter`), TextFileIndex.WHOLE_LINE or
    TextFileIndex.LINE_NUMBER; `vocab_size` reads only the first lines.
    """

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index, vocab_size=None, delimiter="\t",
                 name=None, value_index_offset=0):
        path = filename._value.item() if isinstance(filename, Tensor) else filename
        path = os.fsdecode(path)
        self.key_dtype, self.value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(value_dtype)
        for index, dt, what in ((key_index, self.key_dtype, "key"), (value_index, self.value_dtype, "value")):
            if index == TextFileIndex.LINE_NUMBER and dt != dtypes.int64:
                raise ValueError("Signature mismatch. %s must be dtype tf.int64, got %s." % (what.capitalize(), dt))
            if index == TextFileIndex.WHOLE_LINE and dt != dtypes.string and not dt.is_integer:
                raise ValueError("Signature mismatch. %s must be dtype tf.string or integer, got %s."
                                 % (what.capitalize(), dt))
        try:
            with open(path, "rb") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            raise NotFoundError(None, None, "%s; No such file or directory" % path) from None
        if vocab_size is not None:
            if len(lines) < vocab_size:
                raise InvalidArgumentError(None, None, "Invalid vocab_size in %s: expected %d, got %d"
                                           % (path, vocab_size, len(lines)))
            lines = lines[:vocab_size]
        delim = delimiter.encode() if isinstance(delimiter, str) else delimiter

        def column(index, dt, offset=0):
            if index == TextFileIndex.LINE_NUMBER:
                return np.arange(len(lines), dtype=np.int64) + offset
            cells = lines if index == TextFileIndex.WHOLE_LINE else [ln.split(delim)[index] for ln in lines]
            if dt == dtypes.string:
                out = np.empty(len(cells), dtype=object)
                out[:] = cells
                return out
            return np.array([int(c) if dt.is_integer else float(c) for c in cells], dtype=dt.as_numpy_dtype)

        try:
            self._keys = column(key_index, self.key_dtype)
            self._values = column(value_index, self.value_dtype, value_index_offset)
        except (IndexError, ValueError) as e:
            raise InvalidArgumentError(None, None, "Invalid line in %s: %s" % (path, e)) from None

    def _pairs(self):
        return self._keys, self._values


# ---------------------------------------------------------------- static tables
def _check_keys(keys, key_dtype):
    if keys.dtype != key_dtype:
        raise TypeError("Dtype of argument `keys` must be %s, received: %s" % (key_dtype, keys.dtype))


def _map_keys(keys, fn):
    """fn over a dense tensor, or over the values of a RaggedTensor/SparseTensor (kept composite)."""
    name = type(keys).__name__
    if name == "RaggedTensor":
        return keys.with_flat_values(fn(keys.flat_values))
    if name == "SparseTensor":
        return keys.with_values(fn(keys.values))
    return fn(convert_to_tensor(keys))


class StaticHashTable:
    """An immutable table: `lookup` maps keys to values, missing keys to `default_value`.

    Example:

    >>> table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), -1)
    >>> table.lookup(tf.constant(["b", "z"])).numpy().tolist()
    [2, -1]
    """

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        keys, values = initializer._pairs()
        self._key_dtype, self._value_dtype = initializer.key_dtype, initializer.value_dtype
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        if len(keys) > 1 and (keys[1:] == keys[:-1]).any():
            raise InvalidArgumentError(None, None, "HashTable has different value for same key. Key %r"
                                       % (keys[1:][keys[1:] == keys[:-1]][0],))
        self._keys = Tensor(keys, self._key_dtype)
        self._values = Tensor(values, self._value_dtype)
        self._default = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._name = name or type(self).__name__

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: self._value_dtype)
    default_value = property(lambda self: self._default)
    name = property(lambda self: self._name)

    def size(self, name=None):
        """The number of entries (an int64 scalar)."""
        return convert_to_tensor(np.int64(self._keys.shape[0]))

    def _find(self, flat):
        """(found mask, values at the matching positions) for a dense tensor of keys."""
        n = self._keys.shape[0]
        if n == 0:
            return array_ops.zeros_like(flat, dtype=dtypes.bool), array_ops.zeros_like(flat, dtype=self._value_dtype)
        pos = array_ops.searchsorted(self._keys, array_ops.reshape(flat, [-1]), out_type=dtypes.int64)
        pos = math_ops.minimum(pos, n - 1)
        found = math_ops.equal(array_ops.gather(self._keys, pos), array_ops.reshape(flat, [-1]))
        shape = array_ops.shape(flat)
        return array_ops.reshape(found, shape), array_ops.reshape(array_ops.gather(self._values, pos), shape)

    def lookup(self, keys, name=None):
        """The values of `keys` (a Tensor, RaggedTensor or SparseTensor), `default_value` where missing."""
        def fn(k):
            _check_keys(k, self._key_dtype)
            found, values = self._find(k)
            return array_ops.where(found, values, array_ops.broadcast_to(self._default, array_ops.shape(k)))
        return _map_keys(keys, fn)

    def export(self, name=None):
        """(keys, values) tensors of every entry."""
        return self._keys, self._values

    def __getitem__(self, keys):
        return self.lookup(keys)


class StaticVocabularyTable:
    """A vocabulary: keys map to their ids, other keys to one of `num_oov_buckets` ids after the
    vocabulary, chosen by TF's FarmHash fingerprint of the key (integer keys hashed as strings).
    """

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if initializer.value_dtype != dtypes.int64:
            raise TypeError("Invalid `value_dtype`, expected %s but got %s." % (dtypes.int64, initializer.value_dtype))
        if initializer.key_dtype not in (dtypes.int64, dtypes.string):
            raise TypeError("Invalid `key_dtype`, expected one of (tf.int64, tf.string), but got %r."
                            % (initializer.key_dtype,))
        self._table = StaticHashTable(initializer, -1)
        self._oov = int(num_oov_buckets)
        self._key_dtype = initializer.key_dtype if lookup_key_dtype is None else dtypes.as_dtype(lookup_key_dtype)
        self._name = name or type(self).__name__

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: dtypes.int64)
    name = property(lambda self: self._name)

    def size(self, name=None):
        """The vocabulary size plus the number of OOV buckets."""
        return convert_to_tensor(np.int64(self._table._keys.shape[0] + self._oov))

    def lookup(self, keys, name=None):
        """The id of each key (a vocabulary index, or an OOV bucket after the vocabulary)."""
        def fn(k):
            if k.dtype != self._key_dtype:
                raise TypeError("Dtype of argument `keys` must be %s, received: %s" % (self._key_dtype, k.dtype))
            if k.dtype.is_integer and k.dtype != self._table.key_dtype:
                k = math_ops.cast(k, self._table.key_dtype)
            found, ids = self._table._find(k)
            text = k if k.dtype == dtypes.string else string_ops.as_string(k)
            buckets = string_ops.to_hash_bucket_fast(text, self._oov) + self._table._keys.shape[0]
            return array_ops.where(found, ids, buckets)
        return _map_keys(keys, fn)

    def __getitem__(self, keys):
        return self.lookup(keys)


# ---------------------------------------------------------------- mutable tables
def _table_kernel(fn):
    def kernel(xp, *arrays, table):
        return fn(table, *arrays)
    return kernel


def _find(table, keys, *dynamic_defaults):
    """The value of each key; a missing key takes the table's default, or its own entry of
    `dynamic_defaults` when given (shaped like the output)."""
    flat = np.asarray(keys).reshape(-1)
    default = np.asarray(table._default_np)
    out = np.empty(flat.shape + default.shape, dtype=table._value_dtype.as_numpy_dtype if
                   table._value_dtype != dtypes.string else object)
    per_key = np.asarray(dynamic_defaults[0]).reshape(out.shape) if dynamic_defaults else None
    data = table._data
    for i, k in enumerate(flat.tolist()):  # one dict probe per key, as TF's hash map does
        v = data.get(k)
        out[i] = v if v is not None else (default if per_key is None else per_key[i])
    return (out.reshape(np.shape(keys) + default.shape),)


def _insert(table, keys, values):
    keys = np.asarray(keys).reshape(-1)
    values = np.asarray(values).reshape((len(keys),) + np.shape(table._default_np))
    table._data.update(zip(keys.tolist(), list(values)))
    return ()


def _remove(table, keys):
    for k in np.asarray(keys).reshape(-1).tolist():
        table._data.pop(k, None)
    return ()


def _size(table):
    return (np.int64(len(table._data)),)


def _export(table):
    keys = list(table._data)
    kd = table._key_dtype.as_numpy_dtype if table._key_dtype != dtypes.string else object
    vd = table._value_dtype.as_numpy_dtype if table._value_dtype != dtypes.string else object
    k = np.empty(len(keys), dtype=kd)
    k[:] = keys
    v = np.empty((len(keys),) + np.shape(table._default_np), dtype=vd)
    for i, key in enumerate(keys):
        v[i] = table._data[key]
    return k, v


def _infer(outputs):
    def infer(specs, attrs):
        return outputs(attrs["table"], specs)
    return infer


register("LookupTableFindV2", kernel=_table_kernel(_find), grad=NON_DIFFERENTIABLE, api="tf.lookup.lookup",
         infer=_infer(lambda t, s: [(None if s[0].shape.rank is None else tuple(s[0].shape.as_list())
                                     + t._default_np.shape, t._value_dtype)]),
         stateful=True, num_outputs=-1, args=("keys",), samples=lambda: [([np.array([1, 5], np.int64)],
                                                                            {"table": _sample_table()})])
register("LookupTableInsertV2", kernel=_table_kernel(_insert), grad=NON_DIFFERENTIABLE, api="tf.lookup.insert",
         infer=_infer(lambda t, s: []), stateful=True, num_outputs=-1, args=("keys", "values"),
         samples=lambda: [([np.array([3], np.int64), np.array([30.0], np.float32)], {"table": _sample_table()})])
register("LookupTableRemoveV2", kernel=_table_kernel(_remove), grad=NON_DIFFERENTIABLE, api="tf.lookup.remove",
         infer=_infer(lambda t, s: []), stateful=True, num_outputs=-1, args=("keys",),
         samples=lambda: [([np.array([1], np.int64)], {"table": _sample_table()})])
register("LookupTableSizeV2", kernel=_table_kernel(_size), grad=NON_DIFFERENTIABLE, api="tf.lookup.size",
         infer=_infer(lambda t, s: [((), dtypes.int64)]), stateful=True, num_outputs=-1, args=(),
         samples=lambda: [([], {"table": _sample_table()})])
register("LookupTableExportV2", kernel=_table_kernel(_export), grad=NON_DIFFERENTIABLE, api="tf.lookup.export",
         infer=_infer(lambda t, s: [((None,), t._key_dtype), ((None,) + t._default_np.shape, t._value_dtype)]),
         # (the number of entries is known only when the op runs)
         stateful=True, num_outputs=-1, args=(), samples=lambda: [([], {"table": _sample_table()})])


def _sample_table():
    t = MutableHashTable(dtypes.int64, dtypes.float32, -1.0)
    t.insert(np.array([1, 2], np.int64), np.array([10.0, 20.0], np.float32))
    return t


class MutableHashTable:
    """A table that can change: insert, remove, lookup, size, export (tf.lookup.experimental.MutableHashTable).

    Inside tf.function its operations are stateful ops that run, in program order, every time the
    function does. It is saved by tf.train.Checkpoint (TF's `table-keys` / `table-values`).
    """

    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        self._key_dtype, self._value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(value_dtype)
        self._default = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._default_np = np.asarray(self._default._value)
        self._data: dict = {}
        self._name = name
        self._checkpoint = checkpoint

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: self._value_dtype)
    default_value = property(lambda self: self._default)
    name = property(lambda self: self._name)

    def _keys(self, keys):
        if not (isinstance(keys, Tensor) or getattr(keys, "_is_symbolic_tensor", False)):
            keys = convert_to_tensor(keys, dtype=self._key_dtype)
        _check_keys(keys, self._key_dtype)
        return keys

    def _run(self, op, inputs):
        out = bind(op, inputs, {"table": self})
        return out if isinstance(out, tuple) else (out,)

    def insert(self, keys, values, name=None):
        """Sets the values of `keys` (adding new keys)."""
        values = convert_to_tensor(values, dtype=self._value_dtype)
        self._run("LookupTableInsertV2", [self._keys(keys), values])
        return None if ctx.graph is None else ctx.graph.nodes[-1]

    def remove(self, keys, name=None):
        """Removes `keys` (missing keys are ignored)."""
        self._run("LookupTableRemoveV2", [self._keys(keys)])
        return None if ctx.graph is None else ctx.graph.nodes[-1]

    def lookup(self, keys, dynamic_default_values=None, name=None):
        """The values of `keys`, `default_value` for missing ones."""
        inputs = [self._keys(keys)]
        if dynamic_default_values is not None:
            inputs.append(convert_to_tensor(dynamic_default_values, dtype=self._value_dtype))
        return self._run("LookupTableFindV2", inputs)[0]

    def size(self, name=None):
        return self._run("LookupTableSizeV2", [])[0]

    def export(self, name=None):
        """(keys, values) of every entry."""
        k, v = self._run("LookupTableExportV2", [])
        return k, v

    def __getitem__(self, keys):
        return self.lookup(keys)

    # -- checkpoints (TF's attribute names)
    def _serialize_to_tensors(self) -> dict:
        k, v = _export(self)
        return {"table-keys": k, "table-values": v}

    def _restore_from_tensors(self, tensors: dict) -> None:
        self._data = {}
        _insert(self, tensors["table-keys"], tensors["table-values"])


class DenseHashTable(MutableHashTable):
    """A mutable table with TF's DenseHashTable arguments (empty_key, deleted_key must not be used as keys)."""

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key, initial_num_buckets=None,
                 name="MutableDenseHashTable", checkpoint=True, experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value, name, checkpoint)
        self._reserved = {np.asarray(convert_to_tensor(k, dtype=self._key_dtype)._value).item()
                          for k in (empty_key, deleted_key)}
        if len(self._reserved) != 2:
            raise InvalidArgumentError(None, None, "Empty and deleted keys must have same shape, got different values.")

    def insert(self, keys, values, name=None):
        keys = self._keys(keys)
        if type(keys) is Tensor and set(np.asarray(keys._value).reshape(-1).tolist()) & self._reserved:
            raise InvalidArgumentError(None, None, "Using the empty_key or deleted_key as a table key is not allowed")
        return super().insert(keys, values, name)


experimental = types.SimpleNamespace(MutableHashTable=MutableHashTable, DenseHashTable=DenseHashTable)
