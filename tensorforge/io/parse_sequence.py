"""ParseSequenceExampleV2: tf.io.parse_sequence_example and parse_single_sequence_example."""

from typing import Mapping

import numpy as np

from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, register
from ..protos import example_pb2
from .parse_example import (_batch_rank, _check_defaults, _construct_composites, _exact_shapes, _names_tensor, _ragged_rows,
    _required_missing, _sparse_outputs, _sparse_tensor)
from .parsing_config import FixedLenFeature, FixedLenSequenceFeature, RaggedFeature, VarLenFeature, _ParseOpParams
from .parsing_records import (_F32, _FIELD, _I32, _I64, _NP, _PARSE_TYPES, _SPLIT_TYPES, _STR, _arr, _check_string_input,
    _check_types, _checked_bind, _fill_rows, _flat_values, _invalid, _lists, _name, _names_list,
    _pad_rows, _ragged_layout, _record_list, _size, _splits, _str_array, _string_tensor, _strs, _tf_name)

__all__ = ["parse_sequence_example", "parse_single_sequence_example"]


# ================================================================ ParseSequenceExampleV2
_PARSE_SEQ = "ParseSequenceExampleV2"


def _parse_sequences(records, names) -> list:
    from_string = example_pb2.SequenceExample.FromString
    out = []
    for i, rec in enumerate(records):
        try:
            out.append(from_string(rec))
        except Exception:  # noqa: BLE001
            raise _invalid("Invalid protocol message input, example id: %s" % _name(names, i), _PARSE_SEQ) from None
    return out


def _context_lists(maps, names, key, dtype):
    lists, counts, bad = _lists(maps, key, _FIELD[dtype])
    if bad is not None:
        raise _invalid("Name: %s, Context feature: %s.  Data types don't match. Expected type: %s"
                       % (_name(names, bad[0]), key, _tf_name(dtype)), _PARSE_SEQ)
    return lists, np.asarray(counts, np.int64)


def _context_dense(maps, names, scalar, key, dtype, shape, default):
    lists, counts = _context_lists(maps, names, key, dtype)
    present = counts >= 0
    expected = _size(shape)
    required = default.size == 0
    if required:
        longest = int(counts[present].max()) if present.any() else 0
        if longest != expected:
            raise _invalid("Inconsistent max number of elements for feature %s: expected %d, but found %d"
                           % (key, expected, longest), _PARSE_SEQ)
    wrong = np.flatnonzero(present & (counts != expected))
    if len(wrong):
        raise _invalid("Unexpected number of elements in example %s" % _name(names, int(wrong[0])), _PARSE_SEQ)
    if required and not present.all():
        raise _required_missing("", key, dtype, _PARSE_SEQ)
    values = _flat_values(lists, expected * int(present.sum()), dtype)
    if present.all():
        out = values.reshape((len(maps),) + tuple(shape))
    else:
        out = _fill_rows(values, present, len(maps), tuple(shape), default, _NP[dtype])
    return out[0, ...] if scalar else out


def _context_varlen(maps, names, key, dtype):
    lists, counts = _context_lists(maps, names, key, dtype)
    counts = np.maximum(counts, 0)
    return _flat_values(lists, int(counts.sum()), dtype), counts


def _feature_list_steps(fl_maps, names, key, dtype):
    """Each step's list message of feature list `key`, flattened over the batch.

    Returns (lists, step_counts, steps_per_example, present): a step whose Feature has no kind
    holds no values; an example without the feature list has no steps and present False.
    """
    field = _FIELD[dtype]
    lists, step_counts, steps, present = [], [], [], []
    for i, m in enumerate(fl_maps):
        fl = m.get(key)
        if fl is None:
            steps.append(0)
            present.append(False)
            continue
        feats = fl.feature
        steps.append(len(feats))
        present.append(True)
        for j, f in enumerate(feats):
            kind = f.WhichOneof("kind")
            if kind == field:
                lst = getattr(f, field)
                lists.append(lst)
                step_counts.append(len(lst.value))
            elif kind is None:
                step_counts.append(0)
            else:
                raise _invalid("Name: %s, Feature list: %s, Index: %d.  Data types don't match. Expected type: %s"
                               % (_name(names, i), key, j, _tf_name(dtype)), _PARSE_SEQ)
    return lists, np.asarray(step_counts, np.int64), np.asarray(steps, np.int64), np.asarray(present, bool)


def _feature_list_dense(fl_maps, names, scalar, key, dtype, shape, missing_ok):
    lists, step_counts, steps, present = _feature_list_steps(fl_maps, names, key, dtype)
    shape = tuple(shape)
    stride = _size(shape)
    example_of_step = np.repeat(np.arange(len(steps)), steps)
    totals = np.bincount(example_of_step, weights=step_counts, minlength=len(steps)).astype(np.int64) \
        if len(step_counts) else np.zeros(len(steps), np.int64)
    bad_total = np.flatnonzero(totals % max(stride, 1) != 0) if stride else np.zeros(0, np.int64)
    if len(bad_total):
        raise _invalid("Feature list '%s' has an unexpected number of values.  Total values size: %d is not consistent "
                       "with output shape: %s" % (key, totals[bad_total[0]], sh.fmt((None,) + shape)), _PARSE_SEQ)
    bad_step = np.flatnonzero(step_counts != stride)
    if len(bad_step):
        s = int(bad_step[0])
        i = int(example_of_step[s])
        j = s - int(np.sum(steps[:i]))
        raise _invalid("Name: %s, Key: %s, Index: %d.  Number of values != expected.  values size: %d but output "
                       "shape: %s" % (_name(names, i), key, j, step_counts[s], sh.fmt(shape)), _PARSE_SEQ)
    if not missing_ok and not present.all():
        i = int(np.flatnonzero(~present)[0])
        raise _invalid("Name: %s, Feature list '%s' is required but could not be found.  Did you mean to include it in "
                       "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?" % (_name(names, i), key),
                       _PARSE_SEQ)
    values = _flat_values(lists, int(step_counts.sum()), dtype)
    if scalar:
        return values.reshape((-1,) + shape), np.asarray(steps[0], np.int64)
    pad = b"" if dtype is _STR else 0
    return _pad_rows(values, steps, shape, pad, _NP[dtype]), steps


def _feature_list_sparse(fl_maps, names, scalar, key, dtype):
    lists, step_counts, steps, _ = _feature_list_steps(fl_maps, names, key, dtype)
    values = _flat_values(lists, int(step_counts.sum()), dtype)
    step_rows, pos = _ragged_layout(step_counts)
    example_of_step = np.repeat(np.arange(len(steps), dtype=np.int64), steps)
    step_in_example = np.arange(len(step_counts), dtype=np.int64) - np.repeat(np.cumsum(steps) - steps, steps)
    longest = int(step_counts.max()) if len(step_counts) else 0
    max_steps = int(steps.max()) if len(steps) else 0
    if scalar:
        return (np.stack([step_in_example[step_rows], pos], axis=1), values,
                np.array([max_steps, longest], np.int64))
    return (np.stack([example_of_step[step_rows], step_in_example[step_rows], pos], axis=1), values,
            np.array([len(steps), max_steps, longest], np.int64))


def _parse_sequence_kernel(xp, serialized, debug_name, *context_dense_defaults, context_sparse_keys,
                           context_sparse_types, context_dense_keys, context_dense_types, context_dense_shapes,
                           context_ragged_keys, context_ragged_value_types, context_ragged_split_types,
                           feature_list_sparse_keys, feature_list_sparse_types, feature_list_dense_keys,
                           feature_list_dense_types, feature_list_dense_shapes, feature_list_ragged_keys,
                           feature_list_ragged_value_types, feature_list_ragged_split_types,
                           feature_list_dense_missing_assumed_empty):
    serialized, debug_name = _strs(serialized), _strs(debug_name)
    context_dense_defaults = [_arr(d) for d in context_dense_defaults]
    if serialized.ndim > 1:
        raise _invalid("Expected serialized to be a scalar or vector, got shape: %s" % sh.fmt(serialized.shape),
                       _PARSE_SEQ)
    scalar = serialized.ndim == 0
    names = _names_list(debug_name, serialized, _PARSE_SEQ)
    seqs = _parse_sequences(_record_list(serialized), names)
    cmaps = [s.context.feature for s in seqs]
    fmaps = [s.feature_lists.feature_list for s in seqs]
    c_idx, c_val, c_shape = [], [], []
    for key, dtype in zip(context_sparse_keys, context_sparse_types):
        i, v, s = _sparse_outputs(*_context_varlen(cmaps, names, key, dtype), scalar)
        c_idx.append(i)
        c_val.append(v)
        c_shape.append(s)
    c_dense = [_context_dense(cmaps, names, scalar, key, dtype, shape, default) for key, dtype, shape, default
               in zip(context_dense_keys, context_dense_types, context_dense_shapes, context_dense_defaults)]
    c_rval, c_rsplits = [], []
    for key, dtype, split_dtype in zip(context_ragged_keys, context_ragged_value_types, context_ragged_split_types):
        values, counts = _context_varlen(cmaps, names, key, dtype)
        c_rval.append(values)
        c_rsplits.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(counts, split_dtype))
    f_idx, f_val, f_shape = [], [], []
    for key, dtype in zip(feature_list_sparse_keys, feature_list_sparse_types):
        i, v, s = _feature_list_sparse(fmaps, names, scalar, key, dtype)
        f_idx.append(i)
        f_val.append(v)
        f_shape.append(s)
    f_dense, f_len = [], []
    for key, dtype, shape, missing_ok in zip(feature_list_dense_keys, feature_list_dense_types,
                                             feature_list_dense_shapes, feature_list_dense_missing_assumed_empty):
        v, n = _feature_list_dense(fmaps, names, scalar, key, dtype, shape, missing_ok)
        f_dense.append(v)
        f_len.append(n)
    f_rval, f_outer, f_inner = [], [], []
    for key, dtype, split_dtype in zip(feature_list_ragged_keys, feature_list_ragged_value_types,
                                       feature_list_ragged_split_types):
        lists, step_counts, steps, _ = _feature_list_steps(fmaps, names, key, dtype)
        f_rval.append(_flat_values(lists, int(step_counts.sum()), dtype))
        f_outer.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(steps, split_dtype))
        f_inner.append(_splits(step_counts, split_dtype))
    return tuple(c_idx + c_val + c_shape + c_dense + c_rval + c_rsplits + f_idx + f_val + f_shape + f_dense + f_len
                 + f_rval + f_outer + f_inner)


def _parse_sequence_check(specs, attrs):
    api = "tf.io.parse_sequence_example"
    ser, names = specs[0], specs[1]
    _check_string_input(api, _PARSE_SEQ, ser, 0, "serialized")
    _check_string_input(api, _PARSE_SEQ, names, 1, "debug_name")
    for prefix in ("context_", "feature_list_"):
        _check_types(api, _PARSE_SEQ, prefix + "sparse_types", attrs[prefix + "sparse_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "dense_types", attrs[prefix + "dense_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "ragged_value_types", attrs[prefix + "ragged_value_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "ragged_split_types", attrs[prefix + "ragged_split_types"],
                     _SPLIT_TYPES)
    _check_defaults(api, _PARSE_SEQ, specs[2:], attrs["context_dense_types"], attrs["context_dense_shapes"], 2)
    if len(attrs["feature_list_dense_missing_assumed_empty"]) != len(attrs["feature_list_dense_keys"]):
        raise _invalid("%s: feature_list_dense_missing_assumed_empty must have one entry per feature_list_dense_key"
                       % api, _PARSE_SEQ)
    return _batch_rank(api, _PARSE_SEQ, ser)


def _parse_sequence_infer(specs, attrs):
    rank, batch = _parse_sequence_check(specs, attrs)
    outer = () if rank == 0 else (batch,)
    splits = (0,) if rank == 0 else ((batch + 1,) if batch is not None else (None,))
    out = []
    for prefix, extra in (("context_", 1), ("feature_list_", 2)):
        ns = len(attrs[prefix + "sparse_keys"])
        idx_rank = None if rank is None else rank + extra
        out += [((None, idx_rank), _I64)] * ns
        out += [((None,), t) for t in attrs[prefix + "sparse_types"]]
        out += [((idx_rank,), _I64)] * ns
        if prefix == "context_":
            out += [(None if rank is None else outer + tuple(s), t)
                    for s, t in zip(attrs["context_dense_shapes"], attrs["context_dense_types"])]
            out += [((None,), t) for t in attrs["context_ragged_value_types"]]
            out += [(splits, t) for t in attrs["context_ragged_split_types"]]
        else:
            out += [(None if rank is None else outer + (None,) + tuple(s), t)
                    for s, t in zip(attrs["feature_list_dense_shapes"], attrs["feature_list_dense_types"])]
            out += [(None if rank is None else outer, _I64)] * len(attrs["feature_list_dense_keys"])
            out += [((None,), t) for t in attrs["feature_list_ragged_value_types"]]
            out += [(splits, t) for t in attrs["feature_list_ragged_split_types"]]
            out += [((None,), t) for t in attrs["feature_list_ragged_split_types"]]
    return _exact_shapes(_parse_sequence_kernel, specs, attrs, out)


def _sequence_record(context: Mapping[str, tuple], feature_lists: Mapping[str, list]) -> bytes:
    se = example_pb2.SequenceExample()
    for key, (field, values) in context.items():
        getattr(se.context.feature[key], field).value.extend(values)
    for key, steps in feature_lists.items():
        fl = se.feature_lists.feature_list[key]
        for field, values in steps:
            getattr(fl.feature.add(), field).value.extend(values)
    return se.SerializeToString()


def _parse_sequence_samples():
    r1 = _sequence_record({"len": ("int64_list", [3]), "tags": ("bytes_list", [b"a", b"b"])},
                          {"tok": [("int64_list", [1, 2]), ("int64_list", [3, 4]), ("int64_list", [5, 6])],
                           "w": [("float_list", [1.0]), ("float_list", [2.0, 3.0]), ("float_list", [])]})
    r2 = _sequence_record({"len": ("int64_list", [1])}, {"tok": [("int64_list", [7, 8])], "w": [("float_list", [9.0])]})
    attrs = {"context_sparse_keys": ("tags",), "context_sparse_types": (_STR,), "context_dense_keys": ("len",),
             "context_dense_types": (_I64,), "context_dense_shapes": ((),), "context_ragged_keys": ("tags2",),
             "context_ragged_value_types": (_F32,), "context_ragged_split_types": (_I64,),
             "feature_list_sparse_keys": ("w",), "feature_list_sparse_types": (_F32,),
             "feature_list_dense_keys": ("tok",), "feature_list_dense_types": (_I64,),
             "feature_list_dense_shapes": ((2,),), "feature_list_ragged_keys": ("w2",),
             "feature_list_ragged_value_types": (_F32,), "feature_list_ragged_split_types": (_I32,),
             "feature_list_dense_missing_assumed_empty": (False,)}
    single = dict(attrs, feature_list_ragged_keys=("w",), feature_list_sparse_keys=("tok",),
                  feature_list_sparse_types=(_I64,), feature_list_dense_keys=(), feature_list_dense_types=(),
                  feature_list_dense_shapes=(), feature_list_dense_missing_assumed_empty=())
    return [([_str_array(r1, r2), _str_array(b"n1", b"n2"), np.zeros(0, np.int64)], attrs),
            ([np.array(r1, object), np.zeros(0, object), np.array(0, np.int64)], single)]


register(_PARSE_SEQ, kernel=_parse_sequence_kernel, infer=_parse_sequence_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.parse_sequence_example", num_outputs=-1, args=("serialized", "debug_name"),
         samples=_parse_sequence_samples)


def _sequence_params(context_features, sequence_features):
    context = _ParseOpParams.from_features(context_features, [VarLenFeature, FixedLenFeature, RaggedFeature])
    feature_list = _ParseOpParams.from_features(sequence_features,
                                                [VarLenFeature, FixedLenSequenceFeature, RaggedFeature])
    return context, feature_list


def _parse_sequence_raw(serialized, names, context, feature_list):
    if context.num_features + feature_list.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    for k, v in feature_list.dense_defaults.items():
        if v is not None:
            raise ValueError("Value feature_list.dense_defaults[%s] must be None" % k)
    serialized = _string_tensor(serialized)
    if (context.ragged_keys or feature_list.ragged_keys) and serialized.shape.rank is None:
        raise ValueError("serialized must have statically-known rank to parse ragged features.")
    attrs = context.attrs("context_")
    fl = feature_list.attrs("feature_list_")
    attrs.update(fl)
    attrs["feature_list_dense_missing_assumed_empty"] = tuple(k in feature_list.dense_defaults
                                                              for k in feature_list.dense_keys)
    outs = _checked_bind(_PARSE_SEQ, [serialized, _names_tensor(names)] + context.dense_default_tensors(), attrs,
                         _parse_sequence_check)
    outs = list(outs)
    rank = serialized.shape.rank
    batch = serialized.shape[0] if rank == 1 else None

    def take(n):
        taken = outs[:n]
        del outs[:n]
        return taken

    def sparse(params, extra):
        n = len(params.sparse_keys)
        idx, val, shp = take(n), take(n), take(n)
        static = None if rank is None else ((batch,) if rank == 1 else ()) + (None,) * extra
        return [_sparse_tensor(i, v, s, static) for i, v, s in zip(idx, val, shp)]

    c_sparse = sparse(context, 1)
    c_dense = take(len(context.dense_keys))
    nr = len(context.ragged_keys)
    c_rval, c_rsplits = take(nr), take(nr)
    c_ragged = [v if rank == 0 else _ragged_rows(v, s) for v, s in zip(c_rval, c_rsplits)]
    f_sparse = sparse(feature_list, 2)
    nd = len(feature_list.dense_keys)
    f_dense, f_len = take(nd), take(nd)
    nr = len(feature_list.ragged_keys)
    f_rval, f_outer, f_inner = take(nr), take(nr), take(nr)
    f_ragged = []
    for v, o, i in zip(f_rval, f_outer, f_inner):
        rt = _ragged_rows(v, i)
        f_ragged.append(rt if rank == 0 else _ragged_rows(rt, o))
    context_out = dict(zip(context.sparse_keys + context.dense_keys + context.ragged_keys,
                           c_sparse + c_dense + c_ragged))
    feature_list_out = dict(zip(feature_list.sparse_keys + feature_list.dense_keys + feature_list.ragged_keys,
                                f_sparse + f_dense + f_ragged))
    lengths = dict(zip(feature_list.dense_keys, f_len))
    return context_out, feature_list_out, lengths


def parse_sequence_example(serialized, context_features=None, sequence_features=None, example_names=None,
                           name=None) -> tuple:
    """Parses a batch of serialized `tf.train.SequenceExample` protos (tf.io.parse_sequence_example).

    Args:
      serialized: a 1-D string tensor of serialized SequenceExamples.
      context_features: dict of FixedLenFeature / VarLenFeature / RaggedFeature for the context.
      sequence_features: dict of FixedLenSequenceFeature / VarLenFeature / RaggedFeature for the
        feature lists.
      example_names: optional string tensor of the records' names (for error messages).
      name: unused.

    Returns:
      (context, feature_lists, lengths): dicts of Tensor / SparseTensor / RaggedTensor values;
      `lengths` gives each dense feature list's number of steps per example.
    """
    if not (context_features or sequence_features):
        raise ValueError("Both `context_features` and `sequence_features` argument are None, but at least one should "
                         "have values.")
    context, feature_list = _sequence_params(context_features, sequence_features)
    ctx_out, fl_out, lengths = _parse_sequence_raw(serialized, example_names, context, feature_list)
    batched = _string_tensor(serialized).shape.rank != 0
    if context.ragged_keys:
        ctx_out = _construct_composites(context_features, ctx_out, batched)
    if feature_list.ragged_keys:
        fl_out = _construct_composites(sequence_features, fl_out, True)
    return ctx_out, fl_out, lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None, example_name=None,
                                  name=None) -> tuple:
    """Parses one serialized `tf.train.SequenceExample` proto (tf.io.parse_single_sequence_example).

    Context features parse as in `parse_single_example`; a FixedLenSequenceFeature gives a
    [steps] + shape Tensor, a VarLenFeature a SparseTensor with indices [step, position], a
    RaggedFeature a RaggedTensor [steps, None].

    Args:
      serialized: a scalar string tensor, one serialized SequenceExample.
      context_features: dict of FixedLenFeature / VarLenFeature / RaggedFeature.
      sequence_features: dict of FixedLenSequenceFeature / VarLenFeature / RaggedFeature.
      example_name: optional scalar string, the record's name in error messages.
      name: unused.

    Returns:
      (context, feature_lists): two dicts of Tensor / SparseTensor / RaggedTensor values.
    """
    if not (context_features or sequence_features):
        raise ValueError("Both context_features and sequence_features are None, but at least one should have values.")
    context, feature_list = _sequence_params(context_features, sequence_features)
    serialized = _string_tensor(serialized)
    rank = serialized.shape.rank
    if rank is not None and rank != 0:
        raise ValueError("Input serialized must be a scalar")
    if rank is None:
        from ..ops import array_ops
        serialized = array_ops.reshape(serialized, [])
    ctx_out, fl_out, _ = _parse_sequence_raw(serialized, example_name, context, feature_list)
    if context.ragged_keys:
        ctx_out = _construct_composites(context_features, ctx_out, False)
    if feature_list.ragged_keys:
        fl_out = _construct_composites(sequence_features, fl_out, True)
    return ctx_out, fl_out


