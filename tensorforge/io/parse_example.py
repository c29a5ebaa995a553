"""ParseExampleV2: tf.io.parse_example and parse_single_example, and the composite features
(SparseFeature, RaggedFeature) assembled from its outputs."""

from typing import Any, Mapping

import numpy as np

from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, register
from ..protos import example_pb2
from .parsing_config import (FixedLenFeature, FixedLenSequenceFeature, RaggedFeature, SparseFeature, VarLenFeature,
    _ParseOpParams)
from .parsing_records import (_F32, _FIELD, _FIELD_TYPE, _FIELD_WORD, _I32, _I64, _NP, _PARSE_TYPES, _SPLIT_TYPES, _STR, _arr,
    _check_string_input, _check_types, _checked_bind, _fill_rows, _flat_values, _invalid, _lists, _name,
    _names_list, _pad_rows, _ragged_layout, _record_list, _size, _splits, _static, _str_array,
    _string_tensor, _strs, _text, _tf_name)

__all__ = ["parse_example", "parse_single_example"]


# ================================================================ ParseExampleV2
_PARSE_EXAMPLE = "ParseExampleV2"


class _RecordError(Exception):
    """A parse error found in record `index`: TF reports the error of the first bad record."""

    def __init__(self, index: int, error: Exception):
        super().__init__(index, error)
        self.index, self.error = index, error


def _first_error(candidates):
    """Raises the error of the earliest record among (index, rank, error) candidates, if any."""
    if candidates:
        index, _, error = min(candidates, key=lambda c: (c[0], c[1]))
        raise _RecordError(index, error)


def _parse_examples(records: list):
    """The feature maps of the records before the first malformed one, and that one's error."""
    from_string = example_pb2.Example.FromString
    maps = []
    for i, rec in enumerate(records):
        try:
            maps.append(from_string(rec).features.feature)
        except Exception:  # noqa: BLE001 - DecodeError, or a value that is not bytes
            return maps, (i, -1, _invalid("Could not parse example input, value: '%s'" % _text(rec), _PARSE_EXAMPLE))
    return maps, None


def _type_mismatch(scalar, names, i, key, field, dtype, dense: bool):
    actual = _FIELD_TYPE[field]
    if dense:
        msg = "Data types don't match. Data type: %s but expected type: %s" % (actual, _tf_name(dtype))
    else:
        msg = "Data types don't match. Expected type: %s, Actual type: %s" % (_tf_name(dtype), actual)
    if scalar:
        return _invalid("Key: %s.  %s" % (key, msg), _PARSE_EXAMPLE)
    return _invalid("Name: %s, Key: %s, Index: %d.  %s" % (_name(names, i), key, i, msg), _PARSE_EXAMPLE)


def _required_missing(prefix, key, dtype, op_name=_PARSE_EXAMPLE):
    return _invalid("%sFeature: %s (data type: %s) is required but could not be found." % (prefix, key, _tf_name(dtype)),
                    op_name)


def _example_dense(maps, names, scalar, key, dtype, shape, default):
    field = _FIELD[dtype]
    lists, counts, bad = _lists(maps, key, field)
    errors = [] if bad is None else [(bad[0], 0, _type_mismatch(scalar, names, bad[0], key, bad[1], dtype, True))]
    if shape and shape[0] is None:  # FixedLenSequenceFeature in an Example: [n, max rows] + shape[1:], padded
        counts = np.asarray(counts, np.int64)
        present = counts >= 0
        inner = tuple(shape[1:])
        stride = max(_size(inner), 1)
        wrong = np.flatnonzero(present & (counts % stride != 0))
        if len(wrong):
            i = int(wrong[0])
            if scalar:
                e = _invalid("Error while parsing feature with key %s: number of elements should be divisible by %d, "
                             "found %d instead" % (key, stride, counts[i]), _PARSE_EXAMPLE)
            else:
                e = _invalid("Name: %s, Key: %s, Index: %d.  Number of %s values is not a multiple of stride length. "
                             "Saw %d values but output shape is: %s" % (_name(names, i), key, i, _FIELD_WORD[field],
                                                                        counts[i], sh.fmt(shape)), _PARSE_EXAMPLE)
            errors.append((i, 1, e))
        _first_error(errors)
        values = _flat_values(lists, int(counts[present].sum()), dtype)
        if scalar:
            return values.reshape((-1,) + inner)
        return _pad_rows(values, np.where(present, counts // stride, 0), inner, default.reshape(()), _NP[dtype])
    shape = tuple(shape)
    expected = _size(shape)
    n, n_missing = len(counts), counts.count(-1)
    if counts.count(expected) + n_missing != n:  # some record has the wrong number of values
        i = next(i for i, c in enumerate(counts) if c >= 0 and c != expected)
        if scalar:
            what = ("Parsing bytes_list failed" if field == "bytes_list" and counts[i] > expected
                    else "Some %s slice was not parsed" % field)
            e = _invalid("Key: %s.  Can't parse serialized Example: %s." % (key, what), _PARSE_EXAMPLE)
        else:
            e = _invalid("Name: %s, Key: %s, Index: %d.  Number of %s values != expected.  Values size: %d but output "
                         "shape: %s" % (_name(names, i), key, i, _FIELD_WORD[field], counts[i], sh.fmt(shape)),
                         _PARSE_EXAMPLE)
        errors.append((i, 1, e))
    if n_missing and default.size == 0:
        i = counts.index(-1)
        errors.append((i, 2, _required_missing("" if scalar else "Name: %s, " % _name(names, i), key, dtype)))
    _first_error(errors)
    values = _flat_values(lists, expected * (n - n_missing), dtype)
    if not n_missing:
        return values.reshape(shape if scalar else (n,) + shape)
    if scalar:
        return default.reshape(shape)
    return _fill_rows(values, np.asarray(counts) >= 0, n, shape, default, _NP[dtype])


def _example_varlen(maps, names, scalar, key, dtype):
    """(values, counts) of a VarLen/ragged feature (missing: no values)."""
    lists, counts, bad = _lists(maps, key, _FIELD[dtype])
    if bad is not None:
        raise _RecordError(bad[0], _type_mismatch(scalar, names, bad[0], key, bad[1], dtype, False))
    counts = np.maximum(np.asarray(counts, np.int64), 0)
    return _flat_values(lists, int(counts.sum()), dtype), counts


def _sparse_outputs(values, counts, scalar):
    if scalar:
        n = len(values)
        return np.arange(n, dtype=np.int64).reshape(n, 1), values, np.array([n], np.int64)
    rows, pos = _ragged_layout(counts)
    longest = int(counts.max()) if len(counts) else 0
    return np.stack([rows, pos], axis=1), values, np.array([len(counts), longest], np.int64)


def _parse_example_kernel(xp, serialized, names, *dense_defaults, sparse_keys, sparse_types, dense_keys, dense_types,
                          dense_shapes, ragged_keys, ragged_value_types, ragged_split_types):
    serialized, names = _strs(serialized), _strs(names)
    dense_defaults = [_arr(d) for d in dense_defaults]
    if serialized.ndim > 1:
        raise _invalid("Expected serialized to be a scalar or vector, got shape: %s" % sh.fmt(serialized.shape),
                       _PARSE_EXAMPLE)
    scalar = serialized.ndim == 0
    names = _names_list(names, serialized, _PARSE_EXAMPLE)
    maps, malformed = _parse_examples(_record_list(serialized))
    if malformed is not None and malformed[0] == 0:
        raise malformed[2]
    errors = [] if malformed is None else [malformed]  # records before it may hold an earlier error
    sp_idx, sp_val, sp_shape, dense, rg_val, rg_splits = [], [], [], [], [], []
    rank = 0
    for key, dtype in zip(sparse_keys, sparse_types):
        rank += 1
        try:
            i, v, s = _sparse_outputs(*_example_varlen(maps, names, scalar, key, dtype), scalar)
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
            continue
        sp_idx.append(i)
        sp_val.append(v)
        sp_shape.append(s)
    for key, dtype, shape, default in zip(dense_keys, dense_types, dense_shapes, dense_defaults):
        rank += 1
        try:
            dense.append(_example_dense(maps, names, scalar, key, dtype, shape, default))
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
    for key, dtype, split_dtype in zip(ragged_keys, ragged_value_types, ragged_split_types):
        rank += 1
        try:
            values, counts = _example_varlen(maps, names, scalar, key, dtype)
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
            continue
        rg_val.append(values)
        rg_splits.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(counts, split_dtype))
    if errors:  # the first bad record's error (a malformed record stops the parse there)
        raise min(errors, key=lambda c: (c[0], c[1]))[2]
    return tuple(sp_idx + sp_val + sp_shape + dense + rg_val + rg_splits)


def _batch_rank(api, op_name, spec):
    """(rank, batch size) of a serialized input: rank None when unknown, batch None when unknown."""
    d = sh.dims(spec)
    if d is None:
        return None, None
    if len(d) > 1:
        raise _invalid("%s: Expected serialized to be a scalar or vector, got shape: %s" % (api, sh.fmt(d)), op_name)
    return len(d), (d[0] if d else None)


def _check_defaults(api, op_name, defaults, types, shapes, index0):
    if len(defaults) != len(types):
        raise _invalid("%s: expected %d dense defaults, got %d" % (api, len(types), len(defaults)), op_name)
    for j, (spec, dtype, shape) in enumerate(zip(defaults, types, shapes)):
        if spec.dtype is not dtype:
            raise _invalid("%s: cannot compute %s as input #%d(zero-based) was expected to be a %s tensor but is a %s "
                           "tensor" % (api, op_name, index0 + j, _tf_name(dtype), _tf_name(spec.dtype)), op_name)
        d = sh.dims(spec)
        if d is None or d == shape or d == (0,):
            continue
        if shape and shape[0] is None:
            if d != ():
                raise _invalid("%s: Padding value for a variable-length dense feature must be a scalar, got shape %s"
                               % (api, sh.fmt(d)), op_name)
        elif not (TensorShape(d).is_compatible_with(tuple(shape)) or TensorShape(d).is_compatible_with((0,))):
            raise _invalid("%s: dense_defaults[%d] must be empty (required) or of shape %s, got shape %s"
                           % (api, j, sh.fmt(shape), sh.fmt(d)), op_name)


def _exact_shapes(kernel, specs, attrs, inferred):
    """`inferred`, with each shape replaced by the kernel's when every input's value is known now."""
    values = [_static(spec) for spec in specs]
    if any(v is None for v in values):
        return inferred
    try:
        outs = kernel(np, *values, **attrs)
    except Exception:  # noqa: BLE001 - the error belongs to run time
        return inferred
    outs = outs if isinstance(outs, tuple) else (outs,)
    return [(o.shape, dtype) for o, (_, dtype) in zip(outs, inferred)]


def _parse_example_check(specs, attrs):
    api = "tf.io.parse_example"
    ser, names = specs[0], specs[1]
    _check_string_input(api, _PARSE_EXAMPLE, ser, 0, "serialized")
    _check_string_input(api, _PARSE_EXAMPLE, names, 1, "names")
    _check_types(api, _PARSE_EXAMPLE, "sparse_types", attrs["sparse_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "Tdense", attrs["dense_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "ragged_value_types", attrs["ragged_value_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "ragged_split_types", attrs["ragged_split_types"], _SPLIT_TYPES)
    _check_defaults(api, _PARSE_EXAMPLE, specs[2:], attrs["dense_types"], attrs["dense_shapes"], 2)
    return _batch_rank(api, _PARSE_EXAMPLE, ser)


def _parse_example_infer(specs, attrs):
    rank, batch = _parse_example_check(specs, attrs)
    ns = len(attrs["sparse_keys"])
    idx_rank = None if rank is None else rank + 1
    out = [((None, idx_rank), _I64)] * ns
    out += [((None,), t) for t in attrs["sparse_types"]]
    out += [((idx_rank,), _I64)] * ns
    outer = () if rank == 0 else (batch,)
    out += [(None if rank is None else outer + tuple(s), t) for s, t in zip(attrs["dense_shapes"], attrs["dense_types"])]
    out += [((None,), t) for t in attrs["ragged_value_types"]]
    splits = (0,) if rank == 0 else ((batch + 1,) if batch is not None else (None,))
    out += [(splits, t) for t in attrs["ragged_split_types"]]
    return _exact_shapes(_parse_example_kernel, specs, attrs, out)


def _example_record(features: Mapping[str, tuple]) -> bytes:
    ex = example_pb2.Example()
    for key, (field, values) in features.items():
        getattr(ex.features.feature[key], field).value.extend(values)
    return ex.SerializeToString()


def _parse_example_samples():
    r1 = _example_record({"a": ("float_list", [1.0, 2.0, 3.0]), "b": ("int64_list", [4, 5]),
                          "c": ("bytes_list", [b"x"]), "s": ("float_list", [1.0, 2.0, 3.0, 4.0])})
    r2 = _example_record({"b": ("int64_list", [6]), "c": ("bytes_list", [b"y", b"z"]), "s": ("float_list", [5.0, 6.0])})
    attrs = {"sparse_keys": ("b",), "sparse_types": (_I64,), "dense_keys": ("a", "s"), "dense_types": (_F32, _F32),
             "dense_shapes": ((3,), (None, 2)), "ragged_keys": ("c",), "ragged_value_types": (_STR,),
             "ragged_split_types": (_I64,)}
    defaults = [np.array([7.0, 8.0, 9.0], np.float32), np.array(-1.0, np.float32)]
    single = dict(attrs, dense_keys=("a",), dense_types=(_F32,), dense_shapes=((3,),), ragged_split_types=(_I32,))
    return [([_str_array(r1, r2), _str_array(b"first", b"second")] + defaults, attrs),
            ([np.array(r1, object), np.zeros(0, object), np.zeros(0, np.float32)], single)]


register(_PARSE_EXAMPLE, kernel=_parse_example_kernel, infer=_parse_example_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.parse_example", num_outputs=-1, args=("serialized", "names"), samples=_parse_example_samples)


def _names_tensor(names):
    if names is None:
        return Tensor(np.zeros(0, object), _STR)
    return _string_tensor(names)


def _prepend_none_dimension(features):
    out = dict(features)
    for key, feature in features.items():
        if isinstance(feature, FixedLenSequenceFeature):
            if not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
            out[key] = FixedLenSequenceFeature([None] + list(as_shape(feature.shape).as_list()), feature.dtype,
                                               feature.allow_missing, feature.default_value)
    return out


def parse_example(serialized, features: Mapping[str, Any], example_names=None, name=None) -> dict:
    """Parses a batch of serialized `tf.train.Example` protos (tf.io.parse_example).

    Each feature config gives one output: `FixedLenFeature` a dense Tensor of shape
    [batch] + shape (the default filled in where an example lacks it), `FixedLenSequenceFeature`
    (allow_missing=True) a dense [batch, None] + shape Tensor padded with its default,
    `VarLenFeature` a SparseTensor with indices [example, position] and dense_shape
    [batch, longest], `SparseFeature` a SparseTensor of dense_shape [batch] + size, and
    `RaggedFeature` a RaggedTensor with the batch as its outer dimension.

    Args:
      serialized: a 1-D string tensor (a scalar parses one example, without the batch dimension).
      features: a dict mapping feature keys to feature configurations.
      example_names: optional string tensor of the same shape, used in error messages.
      name: unused.

    Returns:
      A dict mapping feature keys to Tensor, SparseTensor and RaggedTensor values.

    Raises:
      ValueError: if a feature configuration is invalid.
      InvalidArgumentError: for a malformed record, a missing required feature, a value count
        or type that does not match the configuration.
    """
    if not features:
        raise ValueError("Argument `features` cannot be None or falsy. Got %s" % (features,))
    features = _prepend_none_dimension(features)
    params = _ParseOpParams.from_features(features, [VarLenFeature, SparseFeature, FixedLenFeature,
                                                     FixedLenSequenceFeature, RaggedFeature])
    serialized = _string_tensor(serialized)
    outputs = _parse_example_raw(serialized, example_names, params)
    return _construct_composites(features, outputs, serialized.shape.rank != 0)


def _parse_example_raw(serialized, names, params) -> dict:
    if params.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    serialized = _string_tensor(serialized)
    if params.ragged_keys and serialized.shape.rank is None:
        raise ValueError("serialized must have statically-known rank to parse ragged features.")
    defaults = params.dense_default_tensors()
    outs = _checked_bind(_PARSE_EXAMPLE, [serialized, _names_tensor(names)] + defaults, params.attrs(),
                         _parse_example_check)
    ns, nd, nr = len(params.sparse_keys), len(params.dense_keys), len(params.ragged_keys)
    idx, vals, shapes = outs[:ns], outs[ns:2 * ns], outs[2 * ns:3 * ns]
    dense = outs[3 * ns:3 * ns + nd]
    rvals, rsplits = outs[3 * ns + nd:3 * ns + nd + nr], outs[3 * ns + nd + nr:]
    rank = serialized.shape.rank
    batch = serialized.shape[0] if rank == 1 else None
    sparse = [_sparse_tensor(i, v, s, (batch, None) if rank == 1 else ((None,) if rank == 0 else None))
              for i, v, s in zip(idx, vals, shapes)]
    ragged = [v if rank == 0 else _ragged_rows(v, s) for v, s in zip(rvals, rsplits)]
    return dict(zip(params.sparse_keys + params.dense_keys + params.ragged_keys, sparse + list(dense) + ragged))


def _sparse_tensor(indices, values, dense_shape, static_shape=None):
    from ..ops import sparse_ops
    if type(dense_shape) is Tensor:
        static_shape = tuple(int(d) for d in dense_shape._value)
    return sparse_ops._wrap(indices, values, dense_shape, None if static_shape is None else TensorShape(static_shape))


def _ragged_rows(values, splits):
    from ..ops import ragged_ops
    return ragged_ops.RaggedTensor.from_row_splits(values, splits, validate=False)


def parse_single_example(serialized, features: Mapping[str, Any], example_names=None, name=None) -> dict:
    """Parses one serialized `tf.train.Example` proto (tf.io.parse_single_example).

    Like `parse_example` without the batch dimension: dense features have exactly their
    configured shape, a VarLenFeature's SparseTensor has indices [position] and dense_shape
    [count], a RaggedFeature without partitions gives a 1-D Tensor.

    Args:
      serialized: a scalar string tensor (or bytes), one serialized Example.
      features: a dict mapping feature keys to feature configurations.
      example_names: optional scalar string, the record's name in error messages.
      name: unused.

    Returns:
      A dict mapping feature keys to Tensor, SparseTensor and RaggedTensor values.
    """
    if features is None:
        raise ValueError("Invalid argument: features cannot be None.")
    if not features:
        raise ValueError("Invalid argument: features cannot be empty.")
    serialized = _string_tensor(serialized)
    rank = serialized.shape.rank
    if rank is not None and rank != 0:
        raise ValueError("Input serialized must be a scalar")
    if rank is None:
        from ..ops import array_ops
        serialized = array_ops.reshape(serialized, [])
    return parse_example(serialized, features, example_names, name)


# ================================================================ composite features (SparseFeature, RaggedFeature)
def _construct_composites(features, tensors: dict, batched: bool) -> dict:
    tensors = dict(tensors)
    updates = {}
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, SparseFeature):
            updates[key] = _sparse_merge(feature, tensors, batched)
        elif isinstance(feature, RaggedFeature):
            value_key = key if feature.value_key is None else feature.value_key
            updates[key] = _ragged_feature(feature, tensors[value_key], tensors)
    tensors.update(updates)
    for key in set(tensors) - set(features):
        del tensors[key]
    return tensors


def _sparse_merge(feature: SparseFeature, tensors: dict, batched: bool):
    """TF's sparse_merge: the index features' values become the last index columns."""
    from ..ops import array_ops, sparse_ops
    single_key = isinstance(feature.index_key, str)
    index_keys = [feature.index_key] if single_key else list(feature.index_key)
    sizes = [feature.size] if single_key else list(feature.size)
    if len(sizes) != len(index_keys):
        raise ValueError("len(vocab_size) != len(sp_ids).")
    ids = [tensors[k] for k in index_keys]
    values = tensors[feature.value_key]
    n_val = values.values.shape[0]
    for sp in ids:
        n_id = sp.values.shape[0]
        if n_val is not None and n_id is not None and n_val != n_id:
            raise ValueError("Dimensions %d and %d are not compatible" % (n_id, n_val))
    keep = [array_ops.slice(ids[0].indices, [0, 0], [-1, 1])] if batched else []
    columns = keep + [array_ops.reshape(sp.values, [-1, 1]) for sp in ids]
    indices = array_ops.concat(columns, 1)
    size_t = Tensor(np.asarray([int(s) for s in sizes], np.int64), _I64)
    if batched:
        shape = array_ops.concat([array_ops.slice(ids[0].dense_shape, [0], [1]), size_t], 0)
        static = (tensors[feature.value_key].shape[0],) + tuple(int(s) for s in sizes)
    else:
        shape, static = size_t, tuple(int(s) for s in sizes)
    out = sparse_ops._wrap(indices, values.values, shape, TensorShape(static))
    if feature.already_sorted:
        return out
    out = sparse_ops.reorder(out)
    out._shape = TensorShape(static)
    return out


def _ragged_feature(feature: RaggedFeature, rt, tensors):
    from ..ops import array_ops, ragged_ops
    if not feature.partitions:
        return rt
    if isinstance(rt, ragged_ops.RaggedTensor):  # a batch: partition the rows of each example
        return _partition(feature, rt, tensors)
    # One Example: the same, as a batch of one example whose single row is then taken.
    n = array_ops.shape(rt, out_type=_I64)[:1]
    one = ragged_ops.RaggedTensor.from_row_splits(rt, array_ops.concat([array_ops.zeros([1], _I64), n], 0),
                                                  validate=False)
    return _partition(feature, one, tensors, single=True)


def _partition(feature: RaggedFeature, rt, tensors, single=False):
    """Groups the items (rows of `rt.values`) of each example into the rows the partitions describe.

    Partitions apply innermost first; each one turns the per-example item splits into inner row
    splits plus new per-example splits over the rows it made. Written with tensor ops, so that it
    runs the same eagerly and in graphs.
    """
    from ..ops import array_ops as A
    from ..ops import math_ops as M
    from ..ops import ragged_ops
    cls = ragged_ops.RaggedTensor
    outer = None
    if rt.ragged_rank > 1:  # a batch of SequenceExamples: examples -> steps -> values
        outer, rt = rt.row_splits, rt.values
    values = rt.values
    items = M.cast(rt.row_splits, _I64)
    zero = A.zeros([1], _I64)
    inner_splits = []  # (splits tensor or uniform length) per partition, innermost first
    for partition in reversed(feature.partitions):
        if isinstance(partition, RaggedFeature.UniformRowLength):
            length = int(partition.length)
            if not inner_splits and not isinstance(values, cls):  # the innermost: a dense dimension
                values = A.reshape(values, [-1, length] + values.shape.as_list()[1:])
            else:
                inner_splits.append(length)
            items = M.floordiv(items, length)
            continue
        p = tensors[partition.key]
        if single:
            pv = M.cast(p, _I64)
            ps = A.concat([zero, A.shape(pv, out_type=_I64)], 0)
        else:
            if isinstance(p.values, cls):
                p = p.values
            pv, ps = M.cast(p.values, _I64), M.cast(p.row_splits, _I64)
        counts = ps[1:] - ps[:-1]
        starts = A.repeat(items[:-1], counts)
        if isinstance(partition, RaggedFeature.RowLengths):
            inner, items = A.concat([zero, M.cumsum(pv)], 0), ps
        elif isinstance(partition, RaggedFeature.RowLimits):
            inner, items = A.concat([zero, pv + starts], 0), ps
        elif isinstance(partition, RaggedFeature.RowSplits):  # each example's splits start with 0: drop it
            position = A.range(A.shape(pv, out_type=_I64)[0], dtype=_I64) - A.repeat(ps[:-1], counts)
            inner = A.concat([zero, A.boolean_mask(pv + starts, position > 0)], 0)
            items = A.concat([zero, M.cumsum(M.maximum(counts - 1, 0))], 0)
        elif isinstance(partition, RaggedFeature.RowStarts):
            inner, items = A.concat([pv + starts, items[-1:]], 0), ps
        elif isinstance(partition, RaggedFeature.ValueRowIds):
            last = A.gather(A.concat([pv, zero], 0), M.maximum(ps[1:] - 1, 0))
            nrows = (last + 1) * M.cast(counts > 0, _I64)
            rowids = pv + A.repeat(M.cumsum(nrows, exclusive=True), counts)
            total = M.reduce_sum(nrows)
            inner = A.searchsorted(rowids, A.range(total + 1, dtype=_I64), side="left", out_type=_I64)
            items = A.concat([zero, M.cumsum(nrows)], 0)
        else:
            raise ValueError(f"Unhandled partition type {partition!r}")
        inner_splits.append(inner)
    split_dtype = feature.row_splits_dtype
    result = values
    for inner in inner_splits:
        if isinstance(inner, int):  # a uniform dimension over ragged rows
            nrows = result.nrows_static() if isinstance(result, cls) else result.shape[0]
            if nrows is not None:
                result = cls.from_uniform_row_length(result, inner, validate=feature.validate)
            else:
                n = (A.shape(result.row_splits, out_type=_I64)[0] - 1 if isinstance(result, cls)
                     else A.shape(result, out_type=_I64)[0])
                splits = A.range(0, n + 1, inner, dtype=_I64)
                result = cls.from_row_splits(result, M.cast(splits, split_dtype), validate=feature.validate)
            continue
        result = cls.from_row_splits(result, M.cast(inner, split_dtype), validate=feature.validate)
    if single:
        return result
    result = cls.from_row_splits(result, M.cast(items, split_dtype), validate=feature.validate)
    if outer is not None:
        result = cls.from_row_splits(result, outer, validate=feature.validate)
    return result


