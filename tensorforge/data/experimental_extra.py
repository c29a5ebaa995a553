"""More of tf.data and tf.data.experimental: IteratorSpec, NumpyIterator, get_structure,
from_list, map_and_batch, shuffle_and_repeat, pad_to_cardinality, unbatch, RandomDataset,
TFRecordWriter, parse_example_dataset, DatasetInitializer / table_from_dataset /
index_table_from_dataset, AutotuneAlgorithm, SHARD_HINT and enable_debug_mode.

Most are compositions of Dataset methods, as in TF.
"""
from __future__ import annotations

import collections
import enum

import numpy as np

from ..framework import dtypes, nest
from ..framework.context import ctx
from ..framework.tensor import Tensor, TensorSpec, TypeSpec
from ..ops.extra_specs import _NestedSpecMixin
from . import extras, functions, structure
from .dataset import Dataset, OwnedIterator, as_int
from .optional import Optional, get_next_as_optional, next_components  # noqa: F401 - re-exported

SHARD_HINT = -1


# ---------------------------------------------------------------- iterators
class IteratorSpec(_NestedSpecMixin, TypeSpec):
    """Type specification for `tf.data.Iterator`.

    >>> tf.data.IteratorSpec(tf.TensorSpec([], tf.int64))
    IteratorSpec(TensorSpec(shape=(), dtype=tf.int64, name=None),)
    """

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def value_type(self):
        return OwnedIterator

    @staticmethod
    def from_value(value) -> "IteratorSpec":
        if not isinstance(value, OwnedIterator):
            raise TypeError("IteratorSpec.from_value: expected a tf.data.Iterator, got %r" % (value,))
        return IteratorSpec(value.element_spec)


class NumpyIterator:
    """The iterator `Dataset.as_numpy_iterator()` returns: elements as NumPy values (bytes for
    strings). It wraps a tf.data.Iterator, and checkpoints as that iterator does."""

    __slots__ = ("_iterator", "_dataset", "_pack", "__weakref__")

    def __init__(self, dataset: Dataset):
        for s in structure.flat_specs(dataset.element_spec):
            if isinstance(s, structure.DatasetSpec):
                raise TypeError("Dataset.as_numpy_iterator() is not supported for datasets that produce values "
                                "of type DatasetSpec")
        if ctx.graph is not None:
            raise RuntimeError("`tf.data.Dataset.as_numpy_iterator()` is only supported in eager mode.")
        self._dataset = dataset
        self._iterator = OwnedIterator(dataset)
        self._pack = structure.numpy_packer(dataset.element_spec)

    def __repr__(self):
        return "NumpyIterator(iterator=%r)" % (self._iterator,)

    def __iter__(self):
        return self

    def __next__(self):
        return self._pack(next_components(self._iterator))

    def next(self):
        return self.__next__()

    def _serialize_to_tensors(self) -> dict:
        return self._iterator._serialize_to_tensors()

    def _restore_from_tensors(self, tensors: dict) -> None:
        self._iterator._restore_from_tensors(tensors)


def get_structure(dataset_or_iterator):
    """The element spec of a `tf.data.Dataset` or iterator (tf.data.experimental.get_structure)."""
    if isinstance(dataset_or_iterator, (Dataset, OwnedIterator, NumpyIterator)):
        if isinstance(dataset_or_iterator, NumpyIterator):
            return dataset_or_iterator._iterator.element_spec
        return dataset_or_iterator.element_spec
    raise TypeError("Invalid `dataset_or_iterator`. `dataset_or_iterator` must be a `tf.data.Dataset` or "
                    "tf.data.Iterator object, but got %s." % type(dataset_or_iterator))


# ---------------------------------------------------------------- sources
def from_list(elements, name=None) -> Dataset:
    """A dataset of the elements of the Python list `elements` (tf.data.experimental.from_list).

    Every element must have the same structure, dtypes and shapes.

    >>> ds = tf.data.experimental.from_list([(1, "a"), (2, "b")])
    >>> [(int(a), b.numpy()) for a, b in ds]
    [(1, b'a'), (2, b'b')]
    """
    if not isinstance(elements, (list, tuple)) or len(elements) == 0:
        raise ValueError("Invalid `elements`. `elements` should not be empty. If you want an empty dataset, use "
                         "`tf.data.Dataset.range(0)`.")
    values = [structure.normalize(e) for e in elements]
    first = values[0]
    for v in values[1:]:
        nest.assert_same_structure(first, v)
    leaves = [nest.flatten(v) for v in values]
    stacked = []
    for i, leaf in enumerate(leaves[0]):
        if not isinstance(leaf, Tensor):
            raise TypeError("from_list supports elements of dense tensors only; component %d is %s."
                            % (i, type(leaf).__name__))
        column = [row[i] for row in leaves]
        for j, t in enumerate(column):
            if t.dtype != leaf.dtype or t.shape != leaf.shape:
                raise ValueError("Invalid `elements`: element %d has component %d of %s %s, element 0 has %s %s."
                                 % (j, i, t.dtype.name, t.shape, leaf.dtype.name, leaf.shape))
        stacked.append(Tensor(np.stack([t._value for t in column]), leaf.dtype))
    return Dataset.from_tensor_slices(nest.pack_sequence_as(first, stacked) if nest.is_nested(first)
                                      else stacked[0])


class RandomDataset(extras.RandomDataset):
    """A dataset of pseudo-random non-negative int64 values (tf.data.experimental.RandomDataset)."""

    def __init__(self, seed=None, rerandomize_each_iteration=None, name=None):
        super().__init__(seed, rerandomize_each_iteration)


# ---------------------------------------------------------------- transformations
def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """`map(map_func)` fused with `batch(batch_size)` (tf.data.experimental.map_and_batch)."""
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError("`map_and_batch` allows only one of `num_parallel_batches` and `num_parallel_calls` to "
                         "be set.")
    if num_parallel_batches is not None:
        num_parallel_calls = as_int(batch_size, "batch_size") * as_int(num_parallel_batches, "num_parallel_batches")
    return lambda ds: ds.map(map_func, num_parallel_calls).batch(batch_size, drop_remainder)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """Shuffles and repeats a dataset, reshuffling each repetition
    (tf.data.experimental.shuffle_and_repeat)."""
    return lambda ds: ds.shuffle(buffer_size, seed).repeat(count)


def unbatch():
    """Splits each element into its rows (tf.data.experimental.unbatch)."""
    return lambda ds: ds.unbatch()


def _filler(spec):
    if not isinstance(spec, TensorSpec) or not spec.shape.is_fully_defined():
        raise ValueError("`pad_to_cardinality` needs components of fully defined shape to pad with zeros; got %r."
                         % (spec,))
    if spec.dtype == dtypes.string:
        return Tensor(np.full(spec.shape.as_list(), b"", dtype=object), dtypes.string)
    return Tensor(np.zeros(spec.shape.as_list(), spec.dtype.as_numpy_dtype), spec.dtype)


def pad_to_cardinality(cardinality, mask_key="valid"):
    """Pads a dataset of dicts with zero elements up to `cardinality` elements, adding a boolean
    `mask_key` entry (True for real elements) (tf.data.experimental.pad_to_cardinality)."""
    def apply(ds):
        n = ds._cardinality()
        if n < 0:
            raise ValueError("The dataset passed into `pad_to_cardinality` must have a known cardinalty, but has "
                             "cardinality %d" % n)
        if n > cardinality:
            raise ValueError("The dataset passed into `pad_to_cardinality` must have a cardinalty less than the "
                             "target cardinality (%d), but has cardinality %d" % (cardinality, n))
        if not isinstance(ds.element_spec, collections.abc.Mapping):
            raise ValueError("`pad_to_cardinality` requires its input dataset to be a dictionary.")
        filler = {k: nest.map_structure(_filler, s) for k, s in ds.element_spec.items()}
        filler[mask_key] = False
        marked = ds.map(lambda x: dict(x, **{mask_key: True}))
        return marked.concatenate(Dataset.from_tensors(filler).repeat(cardinality - n))
    return apply


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """Parses a dataset of vectors of serialized tf.train.Example protos into dicts of features
    (tf.data.experimental.parse_example_dataset): `tf.io.parse_example` mapped over batches."""
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")

    def apply(ds):
        spec = ds.element_spec
        if not (isinstance(spec, TensorSpec) and spec.dtype == dtypes.string and spec.shape.rank in (None, 1)):
            raise TypeError("Input dataset should be a dataset of vectors of strings. Instead it is `%r`." % (spec,))
        from ..io.parse_example import parse_example
        return ds.map(lambda x: parse_example(x, features), num_parallel_calls, deterministic)
    return apply


# ---------------------------------------------------------------- writing
class TFRecordWriter:
    """Writes a dataset of scalar strings to a TFRecord file (tf.data.experimental.TFRecordWriter).

    >>> ds = tf.data.Dataset.from_tensor_slices([b"a", b"b"])
    >>> tf.data.experimental.TFRecordWriter("/tmp/records.tfrecord").write(ds)
    """

    def __init__(self, filename, compression_type=None):
        self._filename = filename
        self._compression_type = compression_type

    def write(self, dataset):
        """Writes every element of `dataset` (scalar tf.string) as one record."""
        if not isinstance(dataset, Dataset):
            raise TypeError("Invalid `dataset.` Expected a `tf.data.Dataset` object but got %s." % type(dataset))
        spec = dataset.element_spec
        if not (isinstance(spec, TensorSpec) and spec.dtype == dtypes.string and spec.shape.rank == 0):
            shapes = spec.shape if isinstance(spec, TensorSpec) else nest.map_structure(lambda s: s.shape, spec)
            types = spec.dtype if isinstance(spec, TensorSpec) else nest.map_structure(lambda s: s.dtype, spec)
            raise TypeError("Invalid `dataset`. Expected a`dataset` that produces scalar `tf.string` elements, but "
                            "got a dataset which produces elements with shapes %s and types %s." % (shapes, types))
        from ..io.tfrecord import TFRecordWriter as _Writer
        with _Writer(self._filename, self._compression_type or None) as w:
            for (record,) in dataset._elements():
                w.write(record if isinstance(record, bytes) else np.asarray(record).item())


# ---------------------------------------------------------------- lookup tables
HasherSpec = collections.namedtuple("HasherSpec", ["hasher", "key"])
FastHashSpec = HasherSpec("fasthash", None)


def _check_pairs(spec) -> None:
    base = "The given dataset must contain pairs of scalars. "
    if not isinstance(spec, tuple) or len(spec) != 2:
        n = len(spec) if isinstance(spec, (tuple, list, dict)) else 1
        raise ValueError(base + "However, the given dataset produces %d components instead of two (key, value) "
                         "components. Full dataset element spec: %r." % (n, spec))
    for what, s in (("keys", spec[0]), ("values", spec[1])):
        if not isinstance(s, TensorSpec):
            raise ValueError(base + "However, the given dataset produces non-Tensor %s of type %s." % (what, type(s)))
        if s.shape.rank not in (None, 0):
            raise ValueError(base + "However, the given dataset produces non-scalar %s Tensors of rank %d."
                             % (what[:-1], s.shape.rank))


class DatasetInitializer:
    """A lookup-table initializer from a dataset of (key, value) scalar pairs.

    >>> ds = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(3).map(lambda x: x * 2)))
    >>> table = tf.lookup.StaticHashTable(tf.data.experimental.DatasetInitializer(ds), -1)
    """

    def __init__(self, dataset):
        self.dataset = dataset
        _check_pairs(dataset.element_spec)
        self.key_dtype, self.value_dtype = dataset.element_spec[0].dtype, dataset.element_spec[1].dtype

    def _pairs(self):
        keys, values = [], []
        for k, v in self.dataset.batch(1 << 16)._elements():
            keys.append(np.asarray(k).reshape(-1))
            values.append(np.asarray(v).reshape(-1))
        if not keys:
            return (np.zeros(0, self.key_dtype.as_numpy_dtype), np.zeros(0, self.value_dtype.as_numpy_dtype))
        return np.concatenate(keys), np.concatenate(values)


class _IdTableWithHashBuckets:
    """A table whose misses go to `num_oov_buckets` hash buckets after the table's size (TF's
    IdTableWithHashBuckets, which table_from_dataset returns when num_oov_buckets > 0)."""

    def __init__(self, table, num_oov_buckets, hasher_spec, key_dtype):
        if table.key_dtype not in (dtypes.int64, dtypes.string):
            raise TypeError("Invalid `key_dtype`, expected one of (tf.int64, tf.string), received %s." % key_dtype)
        if table.key_dtype.is_integer != key_dtype.is_integer:
            raise TypeError("Invalid `key dtype`, expected %s but got %s."
                            % ("integer" if key_dtype.is_integer else "non-integer", table.key_dtype))
        if table.value_dtype != dtypes.int64:
            raise TypeError("Invalid `value_dtype`: expected int64 but got %s." % (table.value_dtype,))
        from ..ops import string_ops
        hashers = {"fasthash": string_ops.to_hash_bucket_fast, "legacy": string_ops.to_hash_bucket}
        if hasher_spec.hasher == "stronghash":
            self._hash = lambda s, n: string_ops.to_hash_bucket_strong(s, n, hasher_spec.key)
        elif hasher_spec.hasher in hashers:
            self._hash = hashers[hasher_spec.hasher]
        else:
            raise ValueError("Found unknown hasher %s in `hasher_spec`" % (hasher_spec.hasher,))
        self._table, self._oov, self._key_dtype = table, int(num_oov_buckets), key_dtype

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: dtypes.int64)

    def size(self, name=None):
        return self._table.size() + self._oov

    def lookup(self, keys, name=None):
        """The id of each key: its table value, or a hash bucket after the table for a missing key."""
        from ..lookup import _map_keys
        from ..ops import array_ops, math_ops, string_ops

        def fn(k):
            if k.dtype != self._key_dtype:
                raise TypeError("Dtype of argument `keys` must be %s, received: %s" % (self._key_dtype, k.dtype))
            if self._table.key_dtype == dtypes.int64:
                k = math_ops.cast(k, dtypes.int64)
            text = k if k.dtype == dtypes.string else string_ops.as_string(k)
            buckets = self._hash(text, self._oov) + self._table.size()
            ids = self._table.lookup(k)
            return array_ops.where(math_ops.not_equal(ids, self._table.default_value), ids, buckets)
        return _map_keys(keys, fn)

    def __getitem__(self, keys):
        return self.lookup(keys)


def table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None, default_value=None,
                       hasher_spec=FastHashSpec, key_dtype=dtypes.string, name=None):
    """A lookup table from a dataset of (key, value) pairs (tf.data.experimental.table_from_dataset).

    Missing keys map to `default_value`, or with `num_oov_buckets` > 0 to a hash bucket id in
    [size, size + num_oov_buckets).
    """
    spec = dataset.element_spec
    _check_pairs(spec)
    key_dtype = dtypes.as_dtype(key_dtype)
    if default_value is None:
        default_value = -1
        if not (spec[1].dtype.is_integer or spec[1].dtype.is_floating):
            raise ValueError("`default_value` must be specified when creating a table from a dataset that produces "
                             "values of type %s." % (spec[1].dtype,))
    if num_oov_buckets < 0:
        raise ValueError("`num_oov_buckets` must be greater than or equal to 0, got %d." % num_oov_buckets)
    if vocab_size is not None and not isinstance(vocab_size, Tensor) and vocab_size < 1:
        raise ValueError("`vocab_size` must be greater than 0, got %s." % (vocab_size,))
    if not key_dtype.is_integer and key_dtype != dtypes.string:
        raise TypeError("`key_dtype` must be either an integer or string type, but got %s" % (key_dtype,))
    if vocab_size is not None:
        from .experimental import assert_cardinality
        n = as_int(vocab_size, "vocab_size")
        dataset = dataset.take(n).apply(assert_cardinality(n))
    from ..lookup import StaticHashTable
    table = StaticHashTable(DatasetInitializer(dataset), default_value, name=name)
    if num_oov_buckets:
        return _IdTableWithHashBuckets(table, num_oov_buckets, hasher_spec, key_dtype)
    return table


def index_table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None, default_value=-1,
                             hasher_spec=FastHashSpec, key_dtype=dtypes.string, name=None):
    """A table mapping each element of `dataset` to its index
    (tf.data.experimental.index_table_from_dataset)."""
    pairs = Dataset.zip((dataset, Dataset.range(np.iinfo(np.int64).max)))
    return table_from_dataset(pairs, num_oov_buckets, vocab_size, default_value, hasher_spec, key_dtype, name)


# ---------------------------------------------------------------- options and modes
class AutotuneAlgorithm(enum.Enum):
    """The algorithm tf.data's autotuner uses (tf.data.experimental.AutotuneAlgorithm)."""

    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


def enable_debug_mode() -> None:
    """Runs the user functions of tf.data transformations defined from now on eagerly, element by
    element, sequentially and deterministically (tf.data.experimental.enable_debug_mode).

    The functions are still traced once to find their output types, as in TF.

    Raises:
      ValueError: when called inside tf.function.
    """
    if ctx.graph is not None:
        raise ValueError("`enable_debug_mode() is only supported in eager mode.")
    functions.DEBUG_MODE = True


__all__ = ["IteratorSpec", "NumpyIterator", "Optional", "get_next_as_optional", "get_structure", "from_list",
           "RandomDataset", "map_and_batch", "shuffle_and_repeat", "unbatch", "pad_to_cardinality",
           "parse_example_dataset", "TFRecordWriter", "DatasetInitializer", "table_from_dataset",
           "index_table_from_dataset", "AutotuneAlgorithm", "SHARD_HINT", "enable_debug_mode"]
