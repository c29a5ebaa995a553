"""tf.train.Example protos, tf.io.parse_*example, and the raw / CSV / compressed / base64 decoders.

Expected values are computed here in Python and NumPy; error messages are TF's key phrases.
"""
import base64
import gzip
import json
import os
import zlib

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.framework.errors import DataLossError, InvalidArgumentError
from tensorforge.protos import example_pb2, feature_pb2

FL, VL, RF, SF, FS = (tf.io.FixedLenFeature, tf.io.VarLenFeature, tf.io.RaggedFeature, tf.io.SparseFeature,
                      tf.io.FixedLenSequenceFeature)
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures")


def feature(values):
    """A tf.train.Feature: floats, ints, or bytes by the type of the first value (None: no kind)."""
    if isinstance(values, tf.train.Feature):
        return values
    if values is None:
        return tf.train.Feature()
    if values and isinstance(values[0], bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
    if values and isinstance(values[0], float):
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


def example(**features) -> bytes:
    return tf.train.Example(features=tf.train.Features(
        feature={k: feature(v) for k, v in features.items()})).SerializeToString()


def sequence_example(context=None, lists=None) -> bytes:
    return tf.train.SequenceExample(
        context=tf.train.Features(feature={k: feature(v) for k, v in (context or {}).items()}),
        feature_lists=tf.train.FeatureLists(feature_list={
            k: tf.train.FeatureList(feature=[feature(s) for s in steps]) for k, steps in (lists or {}).items()}),
    ).SerializeToString()


def strings(*values):
    """A 1-D string tensor (also an empty one)."""
    arr = np.empty(len(values), object)
    arr[:] = list(values)
    return tf.constant(arr) if values else tf.strings.as_string(tf.zeros([0], tf.int32))


def raises(cls, *phrases):
    class _Ctx:
        def __enter__(self):
            self._ctx = pytest.raises(cls)
            self.info = self._ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            out = self._ctx.__exit__(*exc)
            for p in phrases:
                assert p in str(self.info.value), "%r not in %r" % (p, str(self.info.value))
            return out
    return _Ctx()


# ---------------------------------------------------------------- tf.train protos
def test_train_classes_are_the_protobuf_messages():
    assert tf.train.Example is example_pb2.Example
    assert tf.train.SequenceExample is example_pb2.SequenceExample
    for name in ("Features", "Feature", "FeatureList", "FeatureLists", "BytesList", "FloatList", "Int64List"):
        assert getattr(tf.train, name) is getattr(feature_pb2, name)
    ex = tf.train.Example(features=tf.train.Features(feature={"a": feature([1.5, 2.5])}))
    data = ex.SerializeToString()
    # Example{features=1}{map entry=1}{key=1 "a", value=2 Feature{float_list=2{packed value=1}}}
    payload = np.array([1.5, 2.5], "<f4").tobytes()
    float_list = b"\x0a\x08" + payload
    feat = b"\x12\x0a" + float_list
    entry = b"\x0a\x01a\x12" + bytes([len(feat)]) + feat
    features = b"\x0a" + bytes([len(entry)]) + entry
    assert data == b"\x0a" + bytes([len(features)]) + features
    assert tf.train.Example.FromString(data) == ex


# ---------------------------------------------------------------- feature configurations
def test_feature_configs_are_namedtuples_with_tf_defaults():
    f = FL([2], tf.int64)
    assert f == (([2], tf.int64, None)) and f.default_value is None
    assert FS([3], tf.float32) == ([3], tf.float32, False, None)
    assert SF("i", "v", tf.float32, 10).already_sorted is False
    r = RF(tf.int64)
    assert (r.value_key, r.partitions, r.row_splits_dtype, r.validate) == (None, (), tf.int32, False)
    assert RF(tf.int64, partitions=[RF.RowLengths("l")]).partitions == (RF.RowLengths("l"),)
    assert repr(FL([2], tf.int64)).startswith("FixedLenFeature(shape=[2]")


@pytest.mark.parametrize("kwargs, cls, phrase", [
    ({"dtype": tf.int32}, ValueError, "Argument `dtype` must be int64, float32, or bytes"),
    ({"dtype": tf.int64, "row_splits_dtype": tf.float32}, ValueError, "Argument `row_splits_dtype` must be int32"),
    ({"dtype": tf.int64, "value_key": ""}, ValueError, "Argument `value_key` must not be empty"),
    ({"dtype": tf.int64, "value_key": 3}, ValueError, "Argument `value_key` must be a string"),
    ({"dtype": tf.int64, "partitions": 3}, TypeError, "Argument `partitions` must be a list or tuple"),
    ({"dtype": tf.int64, "partitions": [3]}, TypeError, "cannot be cast to any of the partition types"),
    ({"dtype": tf.int64, "validate": 1}, TypeError, "Argument `validate` must be a bool"),
])
def test_ragged_feature_checks(kwargs, cls, phrase):
    with raises(cls, phrase):
        RF(**kwargs)


@pytest.mark.parametrize("features, phrase", [
    ({"y": FL([None], tf.float32)}, "First dimension of shape for feature y unknown"),
    ({"y": FL([1, None], tf.float32)}, "All dimensions of shape for feature y need to be known"),
    ({"y": FL(None, tf.float32)}, "Missing shape for feature y"),
    ({"y": 3}, "Unsupported int 3 for key 'y'"),
    ({"y": FS([], tf.float32)}, "FixedLenSequenceFeature requires allow_missing to be True"),
    ({"y": VL(tf.float32), "z": SF("q", "y", tf.int64, 3)}, "Conflicting type <dtype: 'float32'> vs <dtype: 'int64'>"),
    ({"y": FL([], tf.float32), "z": SF("q", "y", tf.float32, 3)}, "Dense and sparse keys must not intersect"),
    (None, "features cannot be None"),
    ({}, "features cannot be empty"),
])
def test_feature_dict_checks(features, phrase):
    with raises(ValueError, phrase):
        tf.io.parse_single_example(example(y=[2.5]), features)


# ---------------------------------------------------------------- parse_single_example
def test_parse_single_example_every_kind():
    rng = np.random.default_rng(0)
    img = rng.standard_normal(6).astype(np.float32)
    rec = example(img=img.tolist(), label=[7], name=[b"cat"], tags=[b"a", b"b", b"c"], ids=[4, 1, 9],
                  seq=[1.0, 2.0, 3.0, 4.0], v=[0.5, -1.0, 2.0], i0=[3, 20, 3], i1=[1, 0, 0])
    out = tf.io.parse_single_example(rec, {
        "img": FL([2, 3], tf.float32), "label": FL([], tf.int64), "name": FL([], tf.string),
        "missing": FL([2], tf.int64, default_value=[5, 6]), "tags": VL(tf.string), "ids": RF(tf.int64),
        "seq": FS([2], tf.float32, allow_missing=True), "sp": SF(["i0", "i1"], "v", tf.float32, [100, 3])})
    assert sorted(out) == ["ids", "img", "label", "missing", "name", "seq", "sp", "tags"]
    np.testing.assert_array_equal(out["img"].numpy(), img.reshape(2, 3))
    assert out["img"].dtype is tf.float32 and out["img"].shape == (2, 3)
    assert out["label"].numpy() == 7 and out["label"].dtype is tf.int64 and out["label"].shape == ()
    assert out["name"].numpy() == b"cat"
    np.testing.assert_array_equal(out["missing"].numpy(), [5, 6])
    tags = out["tags"]
    assert isinstance(tags, tf.SparseTensor)
    np.testing.assert_array_equal(tags.indices.numpy(), [[0], [1], [2]])
    assert tags.indices.dtype is tf.int64 and tags.dense_shape.numpy().tolist() == [3]
    assert tags.values.numpy().tolist() == [b"a", b"b", b"c"]
    np.testing.assert_array_equal(out["ids"].numpy(), [4, 1, 9])  # a RaggedFeature of one example: a 1-D tensor
    np.testing.assert_array_equal(out["seq"].numpy(), [[1, 2], [3, 4]])
    sp = out["sp"]  # sorted by index, dense_shape = size
    order = np.lexsort(([1, 0, 0], [3, 20, 3]))
    np.testing.assert_array_equal(sp.indices.numpy(), np.stack([[3, 20, 3], [1, 0, 0]], 1)[order])
    np.testing.assert_array_equal(sp.values.numpy(), np.array([0.5, -1.0, 2.0], np.float32)[order])
    assert sp.dense_shape.numpy().tolist() == [100, 3] and sp.shape == (100, 3)


def test_sparse_feature_already_sorted_keeps_the_order():
    rec = example(v=[1.0, 2.0, 3.0], i=[5, 1, 3])
    unsorted = tf.io.parse_single_example(rec, {"sp": SF("i", "v", tf.float32, 10, already_sorted=True)})["sp"]
    assert unsorted.indices.numpy().ravel().tolist() == [5, 1, 3]
    dense = tf.sparse.to_dense(tf.io.parse_single_example(rec, {"sp": SF("i", "v", tf.float32, 10)})["sp"]).numpy()
    expected = np.zeros(10, np.float32)
    expected[[5, 1, 3]] = [1, 2, 3]
    np.testing.assert_array_equal(dense, expected)


def test_empty_record_and_empty_feature():
    out = tf.io.parse_single_example(b"", {"x": FL([3], tf.float32, default_value=[1, 2, 3]), "v": VL(tf.int64)})
    np.testing.assert_array_equal(out["x"].numpy(), [1, 2, 3])
    assert out["v"].indices.shape == (0, 1) and out["v"].dense_shape.numpy().tolist() == [0]
    # A Feature with no kind set counts as missing.
    rec = example(e=None)
    assert tf.io.parse_single_example(rec, {"e": FL([2], tf.float32, default_value=[5, 6])})["e"].numpy().tolist() \
        == [5, 6]
    with raises(InvalidArgumentError, "Feature: e (data type: float) is required but could not be found."):
        tf.io.parse_single_example(rec, {"e": FL([2], tf.float32)})


@pytest.mark.parametrize("rec, features, phrase", [
    (example(x=[1.0, 2.0, 3.0]), {"x": FL([4], tf.float32)},
     "Key: x.  Can't parse serialized Example: Some float_list slice was not parsed."),
    (example(x=[1, 2]), {"x": FL([1], tf.int64)}, "Some int64_list slice was not parsed"),
    (example(z=[b"a", b"b", b"c"]), {"z": FL([2], tf.string)}, "Parsing bytes_list failed"),
    (example(y=[1, 2]), {"y": FL([2], tf.float32)}, "Key: y.  Data types don't match. Data type: int64 but expected "
                                                    "type: float"),
    (example(y=[1, 2]), {"y": VL(tf.string)}, "Key: y.  Data types don't match. Expected type: string, Actual type: "
                                              "int64"),
    (example(y=[1, 2]), {"y": RF(tf.float32)}, "Expected type: float, Actual type: int64"),
    (example(), {"w": FL([2], tf.float32)}, "Feature: w (data type: float) is required but could not be found."),
    (b"garbage", {"x": FL([3], tf.float32)}, "Could not parse example input, value: 'garbage'"),
    (example(x=[1.0, 2.0, 3.0]), {"x": FS([2], tf.float32, allow_missing=True)},
     "Error while parsing feature with key x: number of elements should be divisible by 2, found 3 instead"),
])
def test_parse_single_example_errors(rec, features, phrase):
    with raises(InvalidArgumentError, phrase, "[Op:ParseExampleV2]"):
        tf.io.parse_single_example(rec, features)


def test_parse_single_example_needs_a_scalar():
    with raises(ValueError, "Input serialized must be a scalar"):
        tf.io.parse_single_example([example()], {"x": FL([], tf.float32, default_value=0.0)})


def test_op_attr_dtype_checks():
    with raises(InvalidArgumentError, "Value for attr 'Tdense' of int32 is not in the list of allowed values: "
                                      "float, int64, string"):
        tf.io.parse_single_example(example(), {"z": FL([1], tf.int32, default_value=[0])})
    with raises(InvalidArgumentError, "Value for attr 'sparse_types' of int32"):
        tf.io.parse_single_example(example(), {"z": VL(tf.int32)})
    with raises(InvalidArgumentError, "Expected serialized to be a scalar or vector, got shape: [1,1]"):
        tf.io.parse_example([[example()]], {"z": VL(tf.string)})


# ---------------------------------------------------------------- parse_example (batches)
def test_parse_example_batch_defaults_sparse_ragged():
    recs = [example(x=[1.0, 2.0, 3.0], y=[4, 5, 6], z=[b"a"]), example(y=[7], z=[b"b", b"c"]), example()]
    out = tf.io.parse_example(recs, {"x": FL([3], tf.float32, default_value=[9, 9, 9]), "y": VL(tf.int64),
                                     "z": RF(tf.string), "s": FS([], tf.string, allow_missing=True)})
    np.testing.assert_array_equal(out["x"].numpy(), [[1, 2, 3], [9, 9, 9], [9, 9, 9]])
    y = out["y"]
    np.testing.assert_array_equal(y.indices.numpy(), [[0, 0], [0, 1], [0, 2], [1, 0]])
    np.testing.assert_array_equal(y.values.numpy(), [4, 5, 6, 7])
    assert y.dense_shape.numpy().tolist() == [3, 3]  # [batch, longest]
    np.testing.assert_array_equal(tf.sparse.to_dense(y).numpy(), [[4, 5, 6], [7, 0, 0], [0, 0, 0]])
    z = out["z"]
    assert isinstance(z, tf.RaggedTensor) and z.to_list() == [[b"a"], [b"b", b"c"], []]
    assert z.row_splits.dtype is tf.int32  # RaggedFeature's default row_splits_dtype
    assert out["s"].shape == (3, 0)  # padded to the longest (none)


def test_parse_example_ragged_int64_splits_and_sequence_padding():
    recs = [example(x=[1.0, 2.0, 3.0, 4.0], r=[1.5]), example(x=[5.0, 6.0]), example()]
    out = tf.io.parse_example(recs, {"x": FS([2], tf.float32, allow_missing=True, default_value=-1),
                                     "r": RF(tf.float32, row_splits_dtype=tf.int64)})
    np.testing.assert_array_equal(out["x"].numpy(), [[[1, 2], [3, 4]], [[5, 6], [-1, -1]], [[-1, -1], [-1, -1]]])
    assert out["r"].row_splits.dtype is tf.int64 and out["r"].row_splits.numpy().tolist() == [0, 1, 1, 1]


def test_parse_example_large_values_take_the_bulk_paths():
    rng = np.random.default_rng(1)
    imgs = rng.standard_normal((4, 300)).astype(np.float32)
    ints = rng.integers(-2 ** 62, 2 ** 62, (4, 300))
    byts = [[bytes([i, j]) for j in range(40)] for i in range(4)]
    recs = [example(img=imgs[i].tolist(), ids=ints[i].tolist(), b=byts[i]) for i in range(4)]
    out = tf.io.parse_example(recs, {"img": FL([300], tf.float32), "ids": FL([300], tf.int64),
                                     "b": FL([40], tf.string)})
    np.testing.assert_array_equal(out["img"].numpy(), imgs)
    np.testing.assert_array_equal(out["ids"].numpy(), ints)
    assert out["b"].numpy().tolist() == byts


def test_parse_example_empty_batch():
    out = tf.io.parse_example(strings(), {"x": FL([3], tf.float32), "y": VL(tf.int64), "z": RF(tf.string)})
    assert out["x"].shape == (0, 3)
    assert out["y"].indices.shape == (0, 2) and out["y"].dense_shape.numpy().tolist() == [0, 0]
    assert out["z"].row_splits.numpy().tolist() == [0]


@pytest.mark.parametrize("recs, features, names, phrase", [
    ([example(x=[1.0, 2.0, 3.0, 4.0]), example(x=[1.0, 2.0, 3.0])], {"x": FL([4], tf.float32)}, None,
     "Name: <unknown>, Key: x, Index: 1.  Number of float values != expected.  Values size: 3 but output shape: [4]"),
    ([example(x=[1.0, 2.0, 3.0, 4.0]), example(x=[1.0])], {"x": FL([4], tf.float32)}, ["a", "b"],
     "Name: b, Key: x, Index: 1.  Number of float values != expected.  Values size: 1 but output shape: [4]"),
    ([example(x=[b"1"])], {"x": FL([2, 2], tf.string)}, None, "Number of bytes values != expected.  Values size: 1 "
                                                               "but output shape: [2,2]"),
    ([example(), example()], {"w": FL([2], tf.float32)}, ["a", "b"],
     "Name: a, Feature: w (data type: float) is required but could not be found."),
    ([example(y=[1.0]), example(y=[1])], {"y": FL([1], tf.float32, default_value=[0])}, None,
     "Name: <unknown>, Key: y, Index: 1.  Data types don't match. Data type: int64 but expected type: float"),
    ([example(y=[1.0]), example(y=[1])], {"y": VL(tf.float32)}, None,
     "Name: <unknown>, Key: y, Index: 1.  Data types don't match. Expected type: float, Actual type: int64"),
    ([example(x=[1.0, 2.0, 3.0])], {"x": FS([2], tf.float32, allow_missing=True)}, None,
     "Name: <unknown>, Key: x, Index: 0.  Number of float values is not a multiple of stride length. Saw 3 values "
     "but output shape is: [?,2]"),
    ([example(), example()], {"x": FL([], tf.float32, default_value=0.0)}, ["a"],
     "Expected names have the same shape as serialized: name.shape=[1], serialized.shape=[2]"),
    # The first bad record wins, whatever the kind of error.
    ([example(), example(x=[1.0])], {"x": FL([4], tf.float32)}, None,
     "Name: <unknown>, Feature: x (data type: float) is required"),
    ([example(x=[1.0]), example()], {"x": FL([4], tf.float32)}, None, "Key: x, Index: 0.  Number of float values"),
    ([example(x=[1.0, 2.0]), example(x=[1.0]), b"garbage"], {"x": FL([2], tf.float32)}, None,
     "Key: x, Index: 1.  Number of float values"),
    ([example(x=[1.0, 2.0]), b"garbage", example(x=[1.0])], {"x": FL([2], tf.float32)}, None,
     "Could not parse example input, value: 'garbage'"),
])
def test_parse_example_errors(recs, features, names, phrase):
    with raises(InvalidArgumentError, phrase):
        tf.io.parse_example(recs, features, example_names=names)


def test_sparse_feature_batch_and_length_mismatch():
    recs = [example(v=[0.5, -1.0, 2.0], i0=[3, 2, 3], i1=[1, 0, 0]), example()]
    sp = tf.io.parse_example(recs, {"sp": SF(["i0", "i1"], "v", tf.float32, [5, 2])})["sp"]
    assert sp.dense_shape.numpy().tolist() == [2, 5, 2]
    dense = np.zeros((2, 5, 2), np.float32)
    dense[0, [3, 2, 3], [1, 0, 0]] = [0.5, -1.0, 2.0]
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), dense)
    with raises(ValueError, "Dimensions 2 and 4 are not compatible"):
        tf.io.parse_example([example(v=[0.5, -1.0], i0=[3])] * 2, {"sp": SF("i0", "v", tf.float32, 100)})


# ---------------------------------------------------------------- RaggedFeature partitions
def _nested(values, *splits):
    """Python lists of `values` partitioned by row_splits vectors (innermost last)."""
    out = list(values)
    for s in reversed(splits):
        out = [out[s[i]:s[i + 1]] for i in range(len(s) - 1)]
    return out


PARTITIONS = [  # (partition, the partition feature's values, the row splits they describe)
    (RF.RowLengths("p"), [2, 0, 3], [0, 2, 2, 5]),
    (RF.RowSplits("p"), [0, 2, 2, 5], [0, 2, 2, 5]),
    (RF.RowLimits("p"), [2, 2, 5], [0, 2, 2, 5]),
    (RF.RowStarts("p"), [0, 2, 2], [0, 2, 2, 5]),
    (RF.ValueRowIds("p"), [0, 0, 2, 2, 2], [0, 2, 2, 5]),
]


@pytest.mark.parametrize("partition, pvalues, splits", PARTITIONS, ids=lambda p: type(p).__name__)
def test_ragged_partitions_single_and_batch(partition, pvalues, splits):
    values = [1, 2, 3, 4, 5]
    spec = {"r": RF(tf.int64, value_key="v", partitions=[partition])}
    rec = example(v=values, p=pvalues)
    single = tf.io.parse_single_example(rec, spec)["r"]
    assert single.to_list() == _nested(values, splits)
    other = example(v=[6], p={RF.RowLengths: [0, 1], RF.RowSplits: [0, 0, 1], RF.RowLimits: [0, 1],
                              RF.RowStarts: [0, 0], RF.ValueRowIds: [1]}[type(partition)])
    batch = tf.io.parse_example([rec, other], spec)["r"]
    assert batch.to_list() == [_nested(values, splits), [[], [6]]]
    assert batch.row_splits.dtype is tf.int32


@pytest.mark.parametrize("partition, pvalues, splits", PARTITIONS + [(RF.UniformRowLength(1), None, None)],
                         ids=lambda p: type(p).__name__)
def test_ragged_partitions_in_tf_function(partition, pvalues, splits):
    spec = {"r": RF(tf.int64, value_key="v", partitions=[RF.RowLengths("q"), partition])}
    recs = [example(v=[1, 2, 3, 4, 5], p=pvalues or [0], q=[1, 2]), example(v=[6], p=pvalues[:1] if pvalues else [0],
                                                                                q=[0, 0])]
    if isinstance(partition, RF.UniformRowLength):
        recs = [example(v=[1, 2, 3], q=[1, 2]), example(v=[4, 5], q=[2, 0])]
    if isinstance(partition, (RF.ValueRowIds, RF.RowSplits)):
        recs[1] = example(v=[6], p=[0] if isinstance(partition, RF.ValueRowIds) else [0, 1], q=[1])
    if isinstance(partition, (RF.RowStarts, RF.RowLimits, RF.RowLengths)):
        recs[1] = example(v=[6], p=[0] if isinstance(partition, RF.RowStarts) else [1], q=[1])

    @tf.function
    def batch(s):
        r = tf.io.parse_example(s, spec)["r"]
        return (r.flat_values,) + tuple(r.nested_row_splits)

    @tf.function
    def single(s):
        r = tf.io.parse_single_example(s, spec)["r"]
        return (r.flat_values,) + tuple(r.nested_row_splits)

    eager = tf.io.parse_example(recs, spec)["r"]
    got = batch(strings(*recs))
    for a, b in zip(got, (eager.flat_values,) + tuple(eager.nested_row_splits)):
        assert a.numpy().tolist() == b.numpy().tolist()
    eager1 = tf.io.parse_single_example(recs[0], spec)["r"]
    got1 = single(tf.constant(recs[0]))
    for a, b in zip(got1, (eager1.flat_values,) + tuple(eager1.nested_row_splits)):
        assert a.numpy().tolist() == b.numpy().tolist()
    assert eager1.to_list() == eager.to_list()[0]


def test_ragged_uniform_and_nested_partitions():
    out = tf.io.parse_single_example(example(v=[1, 2, 3, 4]), {"r": RF(tf.int64, value_key="v",
                                                                       partitions=[RF.UniformRowLength(2)])})["r"]
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [3, 4]])  # a uniform partition of a vector: dense
    recs = [example(v=[1, 2, 3, 4, 5, 6], a=[2, 1], b=[1, 2, 3])]
    r = tf.io.parse_example(recs, {"r": RF(tf.int64, value_key="v", partitions=[RF.RowLengths("a"),
                                                                                RF.RowLengths("b")],
                                           row_splits_dtype=tf.int64)})["r"]
    assert r.to_list() == [[[[1], [2, 3]], [[4, 5, 6]]]]
    assert all(s.dtype is tf.int64 for s in r.nested_row_splits)
    u = tf.io.parse_example([example(v=[1, 2, 3, 4]), example(v=[5, 6])],
                            {"r": RF(tf.int64, value_key="v", partitions=[RF.UniformRowLength(2)])})["r"]
    assert u.to_list() == [[[1, 2], [3, 4]], [[5, 6]]]


# ---------------------------------------------------------------- sequence examples
NO_FLOATS = tf.train.Feature(float_list=tf.train.FloatList())
S1 = sequence_example({"len": [3], "title": [b"t1"]},
                      {"tok": [[1, 2], [3, 4], [5, 6]], "w": [[1.0], [2.0, 3.0], NO_FLOATS], "ss": [[b"a"], [b"b", b"c"]]})
S2 = sequence_example({"len": [1]}, {"tok": [[7, 8]], "w": [[9.0]]})
CONTEXT = {"len": FL([], tf.int64), "title": FL([], tf.string, default_value="none"), "cv": VL(tf.int64)}


def test_parse_single_sequence_example():
    ctx, fl = tf.io.parse_single_sequence_example(S1, CONTEXT, {"tok": FS([2], tf.int64), "w": VL(tf.float32),
                                                                 "ss": RF(tf.string)})
    assert ctx["len"].numpy() == 3 and ctx["title"].numpy() == b"t1"
    assert ctx["cv"].indices.shape == (0, 1)
    np.testing.assert_array_equal(fl["tok"].numpy(), [[1, 2], [3, 4], [5, 6]])
    w = fl["w"]
    np.testing.assert_array_equal(w.indices.numpy(), [[0, 0], [1, 0], [1, 1]])  # [step, position]
    assert w.dense_shape.numpy().tolist() == [3, 2]
    assert fl["ss"].to_list() == [[b"a"], [b"b", b"c"]]


def test_parse_sequence_example_batch():
    ctx, fl, lengths = tf.io.parse_sequence_example(
        [S1, S2], CONTEXT, {"tok": FS([2], tf.int64, allow_missing=True), "w": VL(tf.float32), "ss": RF(tf.string)})
    np.testing.assert_array_equal(ctx["len"].numpy(), [3, 1])
    assert ctx["title"].numpy().tolist() == [b"t1", b"none"]
    np.testing.assert_array_equal(fl["tok"].numpy(), [[[1, 2], [3, 4], [5, 6]], [[7, 8], [0, 0], [0, 0]]])
    np.testing.assert_array_equal(lengths["tok"].numpy(), [3, 1])
    w = fl["w"]
    np.testing.assert_array_equal(w.indices.numpy(), [[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 0, 0]])
    assert w.dense_shape.numpy().tolist() == [2, 3, 2]
    assert fl["ss"].to_list() == [[[b"a"], [b"b", b"c"]], []]
    assert sorted(lengths) == ["tok"]


@pytest.mark.parametrize("call, phrase", [
    (lambda: tf.io.parse_single_sequence_example(S2, None, {"ss": FS([], tf.string)}),
     "Name: <unknown>, Feature list 'ss' is required but could not be found.  Did you mean to include it in "
     "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?"),
    (lambda: tf.io.parse_sequence_example([S1], None, {"w": FS([], tf.float32)}, example_names=["s1"]),
     "Name: s1, Key: w, Index: 1.  Number of values != expected.  values size: 2 but output shape: []"),
    (lambda: tf.io.parse_single_sequence_example(S1, None, {"tok": FS([4], tf.int64)}),
     "Feature list 'tok' has an unexpected number of values.  Total values size: 6 is not consistent with output "
     "shape: [?,4]"),
    (lambda: tf.io.parse_single_sequence_example(S1, None, {"w": VL(tf.int64)}),
     "Name: <unknown>, Feature list: w, Index: 0.  Data types don't match. Expected type: int64"),
    (lambda: tf.io.parse_single_sequence_example(S1, {"len": FL([], tf.float32)}),
     "Name: <unknown>, Context feature: len.  Data types don't match. Expected type: float"),
    (lambda: tf.io.parse_single_sequence_example(S1, {"len": FL([2], tf.int64)}),
     "Inconsistent max number of elements for feature len: expected 2, but found 1"),
    (lambda: tf.io.parse_sequence_example([S1, S2], {"title": FL([], tf.string)}),
     "Feature: title (data type: string) is required but could not be found."),
    (lambda: tf.io.parse_sequence_example([S1, S2], {"len": FL([2], tf.int64, default_value=[0, 0])},
                                          example_names=["a", "b"]),
     "Unexpected number of elements in example a"),
    (lambda: tf.io.parse_sequence_example([S1, b"garbage"], {"len": FL([], tf.int64)}, example_names=["a", "b"]),
     "Invalid protocol message input, example id: b"),
])
def test_sequence_example_errors(call, phrase):
    with raises(InvalidArgumentError, phrase, "[Op:ParseSequenceExampleV2]"):
        call()


def test_sequence_example_config_errors():
    with raises(ValueError, "Both context_features and sequence_features are None"):
        tf.io.parse_single_sequence_example(S1)
    with raises(ValueError, "Unsupported FixedLenSequenceFeature"):
        tf.io.parse_single_sequence_example(S1, {"len": FS([], tf.int64)})
    with raises(ValueError, "Value feature_list.dense_defaults[len] must be None"):
        tf.io.parse_single_sequence_example(S1, None, {"len": FS([], tf.int64, default_value=3)})


def test_sequence_ragged_partitions_and_missing_lists():
    rec = sequence_example(None, {"v": [[1, 2, 3], [4]], "l": [[1, 2], [1]]})
    spec = {"r": RF(tf.int64, value_key="v", partitions=[RF.RowLengths("l")])}
    assert tf.io.parse_single_sequence_example(rec, None, spec)[1]["r"].to_list() == [[[1], [2, 3]], [[4]]]
    assert tf.io.parse_sequence_example([rec], None, spec)[1]["r"].to_list() == [[[[1], [2, 3]], [[4]]]]
    empty = sequence_example()
    _, fl, lengths = tf.io.parse_sequence_example([S1, empty], None, {"w": RF(tf.float32), "v": VL(tf.float32),
                                                                      "t": FS([2], tf.int64, allow_missing=True)})
    assert fl["w"].to_list() == [[[1.0], [2.0, 3.0], []], []]
    assert fl["v"].dense_shape.numpy().tolist() == [2, 0, 0]
    assert fl["t"].shape == (2, 0, 2) and lengths["t"].numpy().tolist() == [0, 0]


# ---------------------------------------------------------------- graphs: tf.function and static shapes
def test_parse_inside_tf_function_and_static_shapes():
    feats = {"x": FL([3], tf.float32, default_value=[0, 0, 0]), "y": VL(tf.int64), "z": RF(tf.string),
             "q": FS([2], tf.float32, allow_missing=True)}
    shapes = {}

    @tf.function
    def batch(s):
        out = tf.io.parse_example(s, feats)
        shapes["batch"] = (out["x"].shape, out["y"].indices.shape, out["y"].dense_shape.shape, out["q"].shape,
                           out["z"].row_splits.shape)
        return out["x"], tf.sparse.to_dense(out["y"]), out["z"].flat_values, out["z"].row_splits

    recs = [example(x=[1.0, 2.0, 3.0], y=[4, 5], z=[b"a"]), example(y=[6], z=[b"b", b"c"])]
    x, y, zv, zs = batch(strings(*recs))
    assert shapes["batch"] == ((2, 3), (None, 2), (2,), (2, None, 2), (3,))
    np.testing.assert_array_equal(x.numpy(), [[1, 2, 3], [0, 0, 0]])
    np.testing.assert_array_equal(y.numpy(), [[4, 5], [6, 0]])
    assert zv.numpy().tolist() == [b"a", b"b", b"c"] and zs.numpy().tolist() == [0, 1, 3]

    @tf.function
    def single(s):
        out = tf.io.parse_single_example(s, feats)
        shapes["single"] = (out["x"].shape, out["y"].indices.shape, out["q"].shape, out["z"].shape)
        return out["x"], out["y"].values, out["z"]

    x, yv, z = single(tf.constant(recs[1]))
    assert shapes["single"] == ((3,), (None, 1), (None, 2), (None,))
    np.testing.assert_array_equal(x.numpy(), [0, 0, 0])
    assert yv.numpy().tolist() == [6] and z.numpy().tolist() == [b"b", b"c"]
    with raises(InvalidArgumentError, "Key: x.  Can't parse serialized Example"):
        single(tf.constant(example(x=[1.0])))


def test_sequence_example_inside_tf_function():
    @tf.function
    def f(s):
        ctx, fl, lengths = tf.io.parse_sequence_example(s, {"len": FL([], tf.int64)},
                                                        {"tok": FS([2], tf.int64, allow_missing=True)})
        assert fl["tok"].shape.as_list() == [2, None, 2] and lengths["tok"].shape.as_list() == [2]
        return ctx["len"], fl["tok"], lengths["tok"]

    length, tok, n = f(tf.constant(np.array([S1, S2], object)))
    assert length.numpy().tolist() == [3, 1] and n.numpy().tolist() == [3, 1]
    assert tok.numpy()[1].tolist() == [[7, 8], [0, 0], [0, 0]]


def test_sparse_and_ragged_from_graph_tensors_compose():
    @tf.function
    def f(s):
        out = tf.io.parse_example(s, {"y": VL(tf.float32), "r": RF(tf.float32, row_splits_dtype=tf.int64)})
        return tf.sparse.reduce_sum(out["y"], axis=1), out["r"].row_lengths()

    sums, lens = f(strings(example(y=[1.0, 2.0], r=[1.0]), example(y=[3.0])))
    np.testing.assert_allclose(sums.numpy(), [3.0, 3.0])
    assert lens.numpy().tolist() == [1, 0]


# ---------------------------------------------------------------- the TFRecord fixture written by TF
def test_parse_tfrecord_fixture_written_by_tf():
    from tensorforge.io.tfrecord import iter_tfrecords
    manifest = json.load(open(os.path.join(FIXTURES, "MANIFEST.json")))
    assert "record i: image=[0, .5i, i, 1.5i], label=i%3, name=b'item-i'" in manifest["files"]["examples.tfrecord"][
        "expect"]
    for name, compression in (("examples.tfrecord", ""), ("examples.tfrecord.gz", "GZIP")):
        records = list(iter_tfrecords(os.path.join(FIXTURES, name), compression))
        assert len(records) == 10
        spec = {"image": FL([4], tf.float32), "label": FL([], tf.int64), "name": FL([], tf.string)}
        for i, rec in enumerate(records):
            out = tf.io.parse_single_example(rec, spec)
            np.testing.assert_array_equal(out["image"].numpy(), np.array([0, 0.5 * i, i, 1.5 * i], np.float32))
            assert out["label"].numpy() == i % 3 and out["name"].numpy() == b"item-%d" % i
        batch = tf.io.parse_example(records, spec)
        np.testing.assert_array_equal(batch["label"].numpy(), np.arange(10) % 3)
        np.testing.assert_array_equal(batch["image"].numpy(), np.arange(10)[:, None] * np.array([0, .5, 1, 1.5]))


# ---------------------------------------------------------------- decode_raw
def test_decode_raw_endianness_and_shapes():
    data = np.arange(8, dtype=np.int16)
    out = tf.io.decode_raw([data[:4].tobytes(), data[4:].tobytes()], tf.int16)
    np.testing.assert_array_equal(out.numpy(), data.reshape(2, 4))
    big = tf.io.decode_raw(data.astype(">i2").tobytes(), tf.int16, little_endian=False)
    np.testing.assert_array_equal(big.numpy(), data)
    f = np.array([1.5, -2.25, np.pi], np.float64)
    np.testing.assert_array_equal(tf.io.decode_raw(f.astype(">f8").tobytes(), tf.float64, little_endian=False).numpy(),
                                  f)
    c = np.array([1 + 2j, -3.5j], np.complex64)
    np.testing.assert_array_equal(tf.io.decode_raw(c.astype(">c8").tobytes(), tf.complex64,
                                                   little_endian=False).numpy(), c)
    assert tf.io.decode_raw([[b"ab"], [b"cd"]], tf.uint8).shape == (2, 1, 2)
    assert tf.io.decode_raw(b"\x01\x00\x02", tf.bool).numpy().tolist() == [True, False, True]
    assert tf.io.decode_raw([b"", b""], tf.int16).shape == (2, 0)


def test_decode_raw_fixed_length():
    out = tf.io.decode_raw([[b"1"], [b"23"]], tf.uint8, fixed_length=4)
    np.testing.assert_array_equal(out.numpy(), [[[49, 0, 0, 0]], [[50, 51, 0, 0]]])
    # Truncation happens before the byte order is applied.
    assert tf.io.decode_raw(b"\x01\x02\x03\x04", tf.uint16, fixed_length=2, little_endian=False).numpy().tolist() \
        == [0x0102]
    assert tf.io.decode_raw(b"\x01\x02\x03\x04", tf.uint16, fixed_length=tf.constant(4)).numpy().tolist() \
        == [0x0201, 0x0403]


@pytest.mark.parametrize("call, phrase", [
    (lambda: tf.io.decode_raw([b"ab", b"abc"], tf.uint8),
     "DecodeRaw requires input strings to all be the same size, but element 1 has size 2 != 3"),
    (lambda: tf.io.decode_raw([b"abc"], tf.int16),
     "Input to DecodeRaw has length 3 that is not a multiple of 2, the size of int16"),
    (lambda: tf.io.decode_raw([b"abc"], tf.int16, fixed_length=3),
     "fixed_length (3) must be a multiple of the size of out_type (2)"),
    (lambda: tf.io.decode_raw([b"abc"], tf.int16, fixed_length=0), "fixed_length (0) must be greater than zero."),
    (lambda: tf.io.decode_raw([b"ab"], tf.uint32), "Value for attr 'out_type' of uint32 is not in the list"),
    (lambda: tf.io.decode_raw([b"ab"], tf.bool, fixed_length=2), "Value for attr 'out_type' of bool"),
])
def test_decode_raw_errors(call, phrase):
    with raises(InvalidArgumentError, phrase):
        call()


# ---------------------------------------------------------------- decode_csv
def test_decode_csv_types_quotes_defaults():
    records = ['1,2.5,abc,4,5.5', ' 7 , 1e3 ,"q,""x",8,nan', ',,,,', '"12",0x10,"",-9,-inf']
    out = tf.io.decode_csv(records, [[0], [0.5], ["d"], [tf.constant(3, tf.int64)], [tf.constant(4.0, tf.float64)]])
    assert [t.dtype for t in out] == [tf.int32, tf.float32, tf.string, tf.int64, tf.float64]
    assert out[0].numpy().tolist() == [1, 7, 0, 12]
    np.testing.assert_array_equal(out[1].numpy(), np.array([2.5, 1000, 0.5, 16], np.float32))
    assert out[2].numpy().tolist() == [b"abc", b'q,"x', b"d", b"d"]
    assert out[3].numpy().tolist() == [4, 8, 3, -9]
    np.testing.assert_array_equal(out[4].numpy(), [5.5, np.nan, 4.0, -np.inf])


def test_decode_csv_options():
    assert [t.numpy().tolist() for t in tf.io.decode_csv(["1,2,3,4,5"], [[0], [0]], select_cols=[1, 3])] \
        == [[2], [4]]
    # Fields after the last selected column are not parsed at all.
    assert tf.io.decode_csv(['1,"x,3'], [[0]], select_cols=[0])[0].numpy().tolist() == [1]
    out = tf.io.decode_csv(['"a,b",2'], [[""], [""], [0]], use_quote_delim=False)
    assert [t.numpy().tolist() for t in out] == [[b'"a'], [b'b"'], [2]]
    assert [t.numpy().tolist() for t in tf.io.decode_csv(["a\tb"], [[""], [""]], field_delim="\t")] == [[b"a"], [b"b"]]
    out = tf.io.decode_csv(["NA,NA,x"], [[1], [2.0], ["s"]], na_value="NA")
    assert [t.numpy().tolist() for t in out] == [[1], [2.0], [b"x"]]
    scalar = tf.io.decode_csv("1,2", [[0], [0]])
    assert scalar[0].shape == () and scalar[1].numpy() == 2
    assert tf.io.decode_csv([["1,2"], ["3,4"]], [[0], [0]])[1].numpy().tolist() == [[2], [4]]
    assert tf.io.decode_csv(['"a\nb",1'], [[""], [0]])[0].numpy().tolist() == [b"a\nb"]


@pytest.mark.parametrize("records, defaults, kwargs, phrase", [
    (["1,"], [[1], []], {}, "Field 1 is required but missing in record 0!"),
    (["1,2", "3"], [[1], [2]], {}, "Expect 2 fields but have 1 in record 1"),
    (["1,2,"], [[1], [2]], {}, "Expect 2 fields but have 3 in record 0"),
    ([""], [[5]], {}, "Expect 1 fields but have 0 in record 0"),
    (["1.5,2"], [[1], [2]], {}, "Field 0 in record 0 is not a valid int32: 1.5"),
    (["99999999999"], [[1]], {}, "Field 0 in record 0 is not a valid int32: 99999999999"),
    (["9223372036854775808"], [[tf.constant(0, tf.int64)]], {}, "is not a valid int64: 9223372036854775808"),
    (["1,abc"], [[1], [2.0]], {}, "Field 1 in record 0 is not a valid float: abc"),
    (["1_0"], [[tf.constant(0.0, tf.float64)]], {}, "is not a valid double: 1_0"),
    (['a"b,2'], [[""], [2]], {}, "Unquoted fields cannot have quotes/CRLFs inside"),
    (["a\nb,2"], [[""], [2]], {"use_quote_delim": False}, "Unquoted fields cannot have quotes/CRLFs inside"),
    (['"ab,2'], [[""], [2]], {}, "Quoted field has to end with quote followed by delim or end"),
    (['"ab"c,2'], [[""], [2]], {}, "Quote inside a string has to be escaped by another quote"),
    (["1,2"], [[1, 2], [1]], {}, "There should only be 1 default per field but field 0 has 2"),
    (["1"], [[[0]]], {}, "Each record default should be at most rank 1"),
    (["1"], [[1]], {"field_delim": "ab"}, "field_delim should be only 1 char"),
    (["1"], [[True]], {}, "Value for attr 'OUT_TYPE' of bool is not in the list of allowed values"),
])
def test_decode_csv_errors(records, defaults, kwargs, phrase):
    with raises(InvalidArgumentError, phrase, "[Op:DecodeCSV]"):
        tf.io.decode_csv(records, defaults, **kwargs)


def test_decode_csv_select_cols_checks():
    for cols, phrase in (([3, 1], "select_cols is not strictly increasing."),
                         ([-1, 1], "select_cols contains negative values."),
                         ([1], "Length of select_cols and record_defaults do not match.")):
        with raises(ValueError, phrase):
            tf.io.decode_csv(["1,2,3,4"], [[0], [0]], select_cols=cols)


def test_decode_csv_inside_tf_function():
    @tf.function
    def f(lines):
        a, b = tf.io.decode_csv(lines, [[0.0], [""]])
        return a * 2, b

    a, b = f(tf.constant(["1.5,x", '2,"y,z"']))
    np.testing.assert_array_equal(a.numpy(), np.array([3.0, 4.0], np.float32))
    assert b.numpy().tolist() == [b"x", b"y,z"]


# ---------------------------------------------------------------- decode_compressed, base64, JSON
def test_decode_compressed():
    out = tf.io.decode_compressed([zlib.compress(b"hello"), zlib.compress(b"")], compression_type="ZLIB")
    assert out.numpy().tolist() == [b"hello", b""]
    assert tf.io.decode_compressed(gzip.compress(b"he") + gzip.compress(b"llo"), "GZIP").numpy() == b"hello"
    assert tf.io.decode_compressed(b"raw").numpy() == b"raw"
    with raises(DataLossError, "inflate() failed with error -3: incorrect header check"):
        tf.io.decode_compressed(b"hello", compression_type="ZLIB")
    with raises(InvalidArgumentError, "Only ZLIB, ZSTD, GZIP or NONE are supported compressions"):
        tf.io.decode_compressed(b"hello", compression_type="BZ2")


def test_base64_web_safe_round_trip():
    data = [b"hello?>", b"\xff\xfe", b"", bytes(range(256))]
    enc = tf.io.encode_base64(data)
    assert enc.numpy().tolist() == [base64.urlsafe_b64encode(d).rstrip(b"=") for d in data]
    assert tf.io.encode_base64(data, pad=True).numpy().tolist() == [base64.urlsafe_b64encode(d) for d in data]
    assert tf.io.decode_base64(enc).numpy().tolist() == data
    assert tf.io.decode_base64(tf.io.encode_base64(data, pad=True)).numpy().tolist() == data
    with raises(InvalidArgumentError, "Base64 string length cannot be 1 modulo 4."):
        tf.io.decode_base64(["aGVsb"])
    for bad in ("a+b/", "ab=c", "aG Vs", "aGVsbG8==", "===="):
        with raises(InvalidArgumentError, "Invalid character found in base64."):
            tf.io.decode_base64([bad])


def test_decode_json_example():
    text = json.dumps({"features": {"feature": {"x": {"floatList": {"value": [1.5, 2]}},
                                                "z": {"bytesList": {"value": [base64.b64encode(b"abc").decode()]}}}}})
    out = tf.io.parse_single_example(tf.io.decode_json_example(text), {"x": FL([2], tf.float32),
                                                                       "z": FL([], tf.string)})
    assert out["x"].numpy().tolist() == [1.5, 2.0] and out["z"].numpy() == b"abc"
    with raises(InvalidArgumentError, "Error while parsing JSON"):
        tf.io.decode_json_example('{"features": 3}')


def test_dataset_map_parse_single_example():
    dataset = getattr(tf.data, "Dataset", None)
    if dataset is None or not hasattr(dataset, "from_tensor_slices"):
        pytest.skip("tf.data is not available")
    recs = [example(x=[float(i), i + 0.5], n=[i] * i) for i in range(4)]
    ds = dataset.from_tensor_slices(recs).map(
        lambda r: tf.io.parse_single_example(r, {"x": FL([2], tf.float32), "n": VL(tf.int64)}))
    out = list(ds)
    for i, o in enumerate(out):
        np.testing.assert_array_equal(o["x"].numpy(), [i, i + 0.5])
        assert o["n"].values.numpy().tolist() == [i] * i and o["n"].dense_shape.numpy().tolist() == [i]
    lines = dataset.from_tensor_slices(["1,a", "2,"]).map(lambda r: tuple(tf.io.decode_csv(r, [[0], ["z"]])))
    assert [(int(a), b.numpy()) for a, b in lines] == [(1, b"a"), (2, b"z")]
