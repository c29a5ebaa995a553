"""tf.experimental.Optional / tf.OptionalSpec, get_next_as_optional (eager and in tf.function),
tf.data.IteratorSpec / NumpyIterator, the tf.data.experimental helpers added with them, the
TensorArraySpec / NoneTensorSpec / IndexedSlicesSpec specs, and tf.compat's helpers."""
import os
import pathlib

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.data import functions as data_functions

E = tf.data.experimental


# ---------------------------------------------------------------- Optional
def test_optional_from_value_and_empty():
    value = (np.int32(1), {"a": np.array([1.0, 2.0], np.float32)})
    o = tf.experimental.Optional.from_value(value)
    assert isinstance(o, tf.experimental.Optional)
    assert tf.data.experimental.Optional is tf.experimental.Optional
    assert bool(o.has_value().numpy()) is True
    got = o.get_value()
    assert int(got[0]) == 1 and np.array_equal(got[1]["a"].numpy(), value[1]["a"])
    assert o.element_spec == (tf.TensorSpec([], tf.int32), {"a": tf.TensorSpec([2], tf.float32)})
    e = tf.experimental.Optional.empty(tf.TensorSpec([], tf.int32))
    assert not bool(e.has_value().numpy())
    assert e.element_spec == tf.TensorSpec([], tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not have a value"):
        e.get_value()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.experimental.Optional.from_value(None)
    with pytest.raises(TypeError):
        tf.experimental.Optional()


def test_optional_spec():
    s = tf.OptionalSpec(tf.TensorSpec([], tf.int32))
    assert repr(s) == "OptionalSpec(%r,)" % (tf.TensorSpec([], tf.int32),)
    assert s == tf.OptionalSpec(tf.TensorSpec([], tf.int32)) and hash(s) == hash(tf.OptionalSpec(tf.TensorSpec([], tf.int32)))
    assert s.is_compatible_with(tf.experimental.Optional.empty(tf.TensorSpec([], tf.int32)))
    assert not s.is_compatible_with(tf.OptionalSpec(tf.TensorSpec([], tf.int64)))
    a, b = tf.OptionalSpec(tf.TensorSpec([3], tf.int32)), tf.OptionalSpec(tf.TensorSpec([4], tf.int32))
    assert a.most_specific_common_supertype([b]) == tf.OptionalSpec(tf.TensorSpec([None], tf.int32))
    assert a.is_subtype_of(tf.OptionalSpec(tf.TensorSpec([None], tf.int32)))
    assert not tf.OptionalSpec(tf.TensorSpec([None], tf.int32)).is_subtype_of(a)
    assert a.most_specific_common_supertype([tf.OptionalSpec(tf.TensorSpec([3], tf.int64))]) is None
    o = tf.experimental.Optional.from_value(tf.constant([1, 2, 3]))
    assert tf.OptionalSpec.from_value(o) == a == o._type_spec


def test_get_next_as_optional_eager():
    n = 3
    it = iter(tf.data.Dataset.range(n))
    seen = []
    for _ in range(n + 2):
        o = tf.data.experimental.get_next_as_optional(it) if len(seen) % 2 else it.get_next_as_optional()
        seen.append(int(o.get_value()) if o.has_value() else None)
    assert seen == list(range(n)) + [None, None]
    assert o.element_spec == tf.TensorSpec([], tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError):
        o.get_value()


def test_get_next_as_optional_in_function_with_cond():
    n = 4
    it = iter(tf.data.Dataset.range(n).map(lambda x: x * 3))

    @tf.function
    def step(iterator):
        o = iterator.get_next_as_optional()
        return tf.cond(o.has_value(), lambda: o.get_value(), lambda: tf.constant(-1, tf.int64))

    got = [int(step(it)) for _ in range(n + 2)]
    assert got == [3 * i for i in range(n)] + [-1, -1]


def test_get_next_as_optional_in_function_batched_static_shape():
    data = np.arange(7)
    it = iter(tf.data.Dataset.from_tensor_slices(data).batch(3))
    shapes = []

    @tf.function
    def step():
        o = tf.data.experimental.get_next_as_optional(it)
        shapes.append(o.get_value().shape.as_list())
        return tf.cond(o.has_value(), lambda: tf.reduce_sum(o.get_value()), lambda: tf.constant(-1, tf.int64))

    got = [int(step()) for _ in range(4)]
    assert got == [int(data[i:i + 3].sum()) for i in range(0, 7, 3)] + [-1]
    assert shapes == [[None]]  # traced once, with the element spec's shape


def test_optional_in_function_from_value_empty_and_runtime_error():
    @tf.function
    def f():
        o = tf.experimental.Optional.from_value(tf.constant(3.0))
        e = tf.experimental.Optional.empty(tf.TensorSpec([], tf.float32))
        return o.has_value(), e.has_value(), o.get_value(), tf.cond(e.has_value(), e.get_value, lambda: 7.0)

    has, empty_has, v, w = f()
    assert bool(has) and not bool(empty_has) and float(v) == 3.0 and float(w) == 7.0

    @tf.function
    def bad():
        return tf.experimental.Optional.empty(tf.TensorSpec([2], tf.float32)).get_value()

    with pytest.raises(tf.errors.InvalidArgumentError, match="does not have a value"):
        bad()


def test_optional_passed_to_function():
    @tf.function
    def f(o):
        return tf.cond(o.has_value(), lambda: o.get_value(), lambda: tf.constant(0.0))

    assert float(f(tf.experimental.Optional.from_value(tf.constant(5.0)))) == 5.0
    assert float(f(tf.experimental.Optional.empty(tf.TensorSpec([], tf.float32)))) == 0.0


def test_optional_get_value_gradient_passes_through():
    x = tf.Variable(2.0)

    @tf.function
    def f():
        with tf.GradientTape() as tape:
            o = tf.experimental.Optional.empty(tf.TensorSpec([], tf.float32))
            y = tf.cond(o.has_value(), lambda: o.get_value(), lambda: x * x)
        return tape.gradient(y, x)

    assert float(f()) == 4.0


# ---------------------------------------------------------------- iterators
def test_iterator_spec_and_numpy_iterator():
    ds = tf.data.Dataset.range(3)
    it = iter(ds)
    s = tf.data.IteratorSpec(tf.TensorSpec([], tf.int64))
    assert repr(s) == "IteratorSpec(%r,)" % (tf.TensorSpec([], tf.int64),)
    assert tf.data.IteratorSpec.from_value(it) == s and s.is_compatible_with(it)
    assert not s.is_compatible_with(tf.data.IteratorSpec(tf.TensorSpec([], tf.int32)))
    ni = ds.as_numpy_iterator()
    assert type(ni) is tf.data.NumpyIterator
    assert repr(ni).startswith("NumpyIterator(iterator=")
    assert next(ni) == 0 and ni.next() == 1 and list(ni) == [2]
    assert E.get_structure(ds) == ds.element_spec == E.get_structure(iter(ds))
    with pytest.raises(TypeError, match="dataset_or_iterator"):
        E.get_structure(3)


def test_numpy_iterator_checkpoint_roundtrip():
    ds = tf.data.Dataset.range(10)
    ni = ds.as_numpy_iterator()
    [next(ni) for _ in range(4)]
    state = ni._serialize_to_tensors()
    ni2 = ds.as_numpy_iterator()
    ni2._restore_from_tensors(state)
    assert list(ni2) == list(range(4, 10))


# ---------------------------------------------------------------- experimental helpers
def test_from_list():
    d = E.from_list([(1, "a"), (2, "b")])
    assert d.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.string))
    assert list(d.as_numpy_iterator()) == [(1, b"a"), (2, b"b")] and int(d.cardinality()) == 2
    assert E.from_list([[1, 2], [3, 4]]).element_spec == tf.TensorSpec([2], tf.int32)
    assert [x["a"] for x in E.from_list([{"a": 1}, {"a": 2}]).as_numpy_iterator()] == [1, 2]
    with pytest.raises(ValueError, match="should not be empty"):
        E.from_list([])
    with pytest.raises(ValueError):
        E.from_list([1, (1, 2)])
    with pytest.raises(ValueError):
        E.from_list([[1, 2], [3]])


def test_map_and_batch_shuffle_and_repeat_unbatch():
    n, b = 10, 4
    d = tf.data.Dataset.range(n).apply(E.map_and_batch(lambda x: x * 2, b))
    want = np.arange(n) * 2
    got = list(d.as_numpy_iterator())
    assert all(np.array_equal(g, want[i:i + b]) for g, i in zip(got, range(0, n, b))) and len(got) == 3
    assert d.element_spec == tf.TensorSpec([None], tf.int64)
    d = tf.data.Dataset.range(n).apply(E.map_and_batch(lambda x: x, b, drop_remainder=True))
    assert d.element_spec == tf.TensorSpec([b], tf.int64) and int(d.cardinality()) == n // b
    with pytest.raises(ValueError, match="only one of"):
        E.map_and_batch(lambda x: x, 2, num_parallel_batches=1, num_parallel_calls=2)
    d = tf.data.Dataset.range(3).apply(E.shuffle_and_repeat(3, 2, seed=1))
    vals = list(d.as_numpy_iterator())
    assert sorted(vals) == [0, 0, 1, 1, 2, 2] and sorted(vals[:3]) == [0, 1, 2]
    assert int(d.cardinality()) == 6
    assert int(tf.data.Dataset.range(3).apply(E.shuffle_and_repeat(3)).cardinality()) == tf.data.INFINITE_CARDINALITY
    m = np.arange(6).reshape(3, 2)
    d = tf.data.Dataset.from_tensors(m).apply(E.unbatch())
    assert [r.tolist() for r in d.as_numpy_iterator()] == m.tolist()


def test_pad_to_cardinality():
    d = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "s": ["x", "y"]}).apply(E.pad_to_cardinality(4))
    rows = list(d.as_numpy_iterator())
    assert [r["valid"] for r in rows] == [True, True, False, False]
    assert [r["a"] for r in rows] == [1, 2, 0, 0] and [r["s"] for r in rows] == [b"x", b"y", b"", b""]
    assert d.element_spec["valid"] == tf.TensorSpec([], tf.bool) and int(d.cardinality()) == 4
    with pytest.raises(ValueError, match="less than the target"):
        tf.data.Dataset.from_tensor_slices({"a": np.arange(5)}).apply(E.pad_to_cardinality(3))
    with pytest.raises(ValueError, match="known cardinalty"):
        tf.data.Dataset.from_tensor_slices({"a": np.arange(5)}).filter(lambda x: True).apply(E.pad_to_cardinality(8))
    with pytest.raises(ValueError, match="dictionary"):
        tf.data.Dataset.range(2).apply(E.pad_to_cardinality(3))


def test_random_dataset():
    r = E.RandomDataset(seed=3)
    assert isinstance(r, tf.data.Dataset) and r.element_spec == tf.TensorSpec([], tf.int64)
    assert int(r.cardinality()) == tf.data.INFINITE_CARDINALITY
    a = list(r.take(5).as_numpy_iterator())
    assert a == list(E.RandomDataset(seed=3).take(5).as_numpy_iterator()) and min(a) >= 0


@pytest.mark.parametrize("compression", [None, "GZIP", "ZLIB"])
def test_tfrecord_writer(tmp_path, compression):
    path = str(tmp_path / "r.tfrecord")
    records = [b"ab", b"", b"c" * 1000]
    E.TFRecordWriter(path, compression).write(tf.data.Dataset.from_tensor_slices(records))
    assert list(tf.data.TFRecordDataset(path, compression).as_numpy_iterator()) == records
    with pytest.raises(TypeError, match="scalar `tf.string`"):
        E.TFRecordWriter(path).write(tf.data.Dataset.range(2))
    with pytest.raises(TypeError, match="scalar `tf.string`"):
        E.TFRecordWriter(path).write(tf.data.Dataset.from_tensors(["a", "b"]))
    with pytest.raises(TypeError, match="tf.data.Dataset"):
        E.TFRecordWriter(path).write([b"a"])


def _example(i):
    feature = {"x": tf.train.Feature(int64_list=tf.train.Int64List(value=[i, i + 1])),
               "s": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"q"] * (i % 2 + 1)))}
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def test_parse_example_dataset():
    n = 5
    ds = tf.data.Dataset.from_tensor_slices([_example(i) for i in range(n)]).batch(2)
    feats = {"x": tf.io.FixedLenFeature([2], tf.int64), "s": tf.io.VarLenFeature(tf.string)}
    d = ds.apply(E.parse_example_dataset(feats))
    assert d.element_spec["x"] == tf.TensorSpec([None, 2], tf.int64)
    assert d.element_spec["s"] == tf.SparseTensorSpec([None, None], tf.string)
    xs = np.concatenate([b["x"].numpy() for b in d])
    assert np.array_equal(xs, np.stack([np.arange(n), np.arange(n) + 1], axis=1))
    counts = np.concatenate([np.bincount(b["s"].indices.numpy()[:, 0], minlength=b["x"].shape[0]) for b in d])
    assert np.array_equal(counts, np.arange(n) % 2 + 1)
    with pytest.raises(TypeError, match="vectors of strings"):
        tf.data.Dataset.from_tensor_slices([_example(0)]).apply(E.parse_example_dataset(feats))
    with pytest.raises(ValueError, match="features"):
        E.parse_example_dataset(None)


def test_table_from_dataset_and_index_table():
    n = 6
    keys = tf.data.Dataset.range(n)
    values = keys.map(lambda x: tf.strings.as_string(x * 2))
    table = E.table_from_dataset(tf.data.Dataset.zip((keys, values)), default_value="n/a", key_dtype=tf.int64)
    got = table.lookup(tf.constant([0, 1, n + 3], tf.int64)).numpy().tolist()
    assert got == [b"0", b"2", b"n/a"]
    vocab = ["a", "b", "c"]
    t = E.index_table_from_dataset(tf.data.Dataset.from_tensor_slices(vocab))
    assert t.lookup(tf.constant(["c", "a", "zz"])).numpy().tolist() == [2, 0, -1]
    oov = 2
    t = E.index_table_from_dataset(tf.data.Dataset.from_tensor_slices(vocab), num_oov_buckets=oov)
    words = tf.constant(["c", "zz", "q"])
    ids = t.lookup(words).numpy()
    want_oov = tf.strings.to_hash_bucket_fast(words, oov).numpy() + len(vocab)
    assert ids[0] == 2 and np.array_equal(ids[1:], want_oov[1:]) and int(t.size()) == len(vocab) + oov
    t = E.index_table_from_dataset(tf.data.Dataset.from_tensor_slices(vocab), vocab_size=2)
    assert t.lookup(tf.constant(["b", "c"])).numpy().tolist() == [1, -1]
    with pytest.raises(ValueError, match="default_value"):
        E.table_from_dataset(tf.data.Dataset.zip((keys, values)))
    with pytest.raises(ValueError, match="pairs"):
        E.table_from_dataset(keys)
    with pytest.raises(ValueError, match="num_oov_buckets"):
        E.index_table_from_dataset(keys, num_oov_buckets=-1)
    init = E.DatasetInitializer(tf.data.Dataset.zip((keys, keys.map(lambda x: x * x))))
    sq = tf.lookup.StaticHashTable(init, -1)
    assert sq.lookup(tf.constant([3, 9], tf.int64)).numpy().tolist() == [9, -1]


def test_constants_and_enum():
    assert E.SHARD_HINT == -1
    algos = list(E.AutotuneAlgorithm)
    assert [a.name for a in algos] == ["DEFAULT", "HILL_CLIMB", "GRADIENT_DESCENT", "MAX_PARALLELISM", "STAGE_BASED"]
    assert [a.value for a in algos] == list(range(5))


@pytest.fixture
def debug_mode_reset():
    yield
    data_functions.DEBUG_MODE = False


def test_enable_debug_mode_runs_map_eagerly(debug_mode_reset):
    kinds = []

    def f(x):
        kinds.append(type(x).__name__)
        return tf.where(x > 1, x * 10, x)

    E.enable_debug_mode()
    got = list(tf.data.Dataset.range(4).map(f, num_parallel_calls=tf.data.AUTOTUNE).as_numpy_iterator())
    assert got == [0, 1, 20, 30]
    assert kinds[0] == "SymbolicTensor" and kinds[1:] == ["Tensor"] * 4  # traced once, then run eagerly

    @tf.function
    def inside():
        E.enable_debug_mode()

    with pytest.raises(ValueError, match="eager mode"):
        inside()


# ---------------------------------------------------------------- specs
def test_tensor_array_spec():
    s = tf.TensorArraySpec([2], tf.float32)
    assert repr(s) == "TensorArraySpec(TensorShape([2]), tf.float32, False, True)"
    assert repr(tf.TensorArraySpec()) == "TensorArraySpec(TensorShape(None), tf.float32, False, True)"
    a = tf.TensorArraySpec([2], tf.float32, dynamic_size=True)
    b = tf.TensorArraySpec([None], tf.float32, dynamic_size=True)
    assert a.is_compatible_with(b) and b.is_compatible_with(a)
    assert not a.is_compatible_with(tf.TensorArraySpec([2], tf.float32))
    assert not a.is_compatible_with(tf.TensorArraySpec([2], tf.int32, dynamic_size=True))
    c = tf.TensorArraySpec([3], tf.float32, dynamic_size=True, infer_shape=False)
    assert a.most_specific_common_supertype([c]) == tf.TensorArraySpec([None], tf.float32, True, False)
    assert a.most_specific_common_supertype([tf.TensorArraySpec([3], tf.int32)]) is None
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[3])
    assert tf.TensorArraySpec.from_value(ta) == tf.TensorArraySpec([3], tf.float32)
    assert tf.TensorArraySpec([None], tf.float32).is_compatible_with(ta)
    assert s.value_type is type(ta)


def test_none_tensor_spec():
    n = tf.NoneTensorSpec()
    assert repr(n) == "NoneTensorSpec()" and n == tf.NoneTensorSpec() and hash(n) == hash(tf.NoneTensorSpec())
    assert n.is_compatible_with(None) and n.is_compatible_with(tf.NoneTensorSpec())
    assert not n.is_compatible_with(tf.TensorSpec([]))
    assert n.most_specific_common_supertype([tf.NoneTensorSpec()]) == n
    assert n.most_specific_common_supertype([tf.TensorSpec([])]) is None
    assert tf.NoneTensorSpec.from_value(None) == n


def test_indexed_slices_spec():
    d = tf.IndexedSlicesSpec()
    assert repr(d) == "IndexedSlicesSpec(TensorShape(None), tf.float32, tf.int64, None, TensorShape([None]))"
    a = tf.IndexedSlicesSpec([None, 3], tf.float32, tf.int64, tf.int64, [None])
    b = tf.IndexedSlicesSpec([5, 3], tf.float32, tf.int64, tf.int64, [None])
    assert a.is_compatible_with(b) and b.is_compatible_with(a)
    assert b.most_specific_common_supertype([tf.IndexedSlicesSpec([4, 3], tf.float32, tf.int64, tf.int64)]) == a
    assert b.most_specific_common_supertype([tf.IndexedSlicesSpec([5, 3])]) is None  # dense_shape dtype differs
    assert a.is_subtype_of(a) and b.is_subtype_of(a) and not a.is_subtype_of(b)
    values = np.ones([2, 3], np.float32)
    x = tf.IndexedSlices(tf.constant(values), tf.constant([0, 2]), tf.constant([5, 3]))
    assert tf.IndexedSlicesSpec.from_value(x) == tf.IndexedSlicesSpec([5, 3], tf.float32, tf.int32, tf.int32, [2])
    assert not a.is_compatible_with(x)  # indices are int32 there
    y = tf.IndexedSlices(tf.constant(values), tf.constant([0, 2]))
    assert tf.IndexedSlicesSpec.from_value(y) == tf.IndexedSlicesSpec([None, 3], tf.float32, tf.int32, None, [2])
    with pytest.raises(ValueError):
        tf.IndexedSlicesSpec(indices_shape=[2, 2])


# ---------------------------------------------------------------- tf.compat
def test_compat_strings_and_paths():
    text = "h\u00e9llo"
    assert tf.compat.as_bytes(text) == text.encode("utf-8")
    assert tf.compat.as_bytes(text, "latin-1") == text.encode("latin-1")
    assert tf.compat.as_bytes(bytearray(b"ab")) == b"ab" and tf.compat.as_bytes(b"x") == b"x"
    assert tf.compat.as_text(text.encode()) == text == tf.compat.as_str(text.encode())
    for bad in (1, None):
        with pytest.raises(TypeError, match="Expected binary or unicode string"):
            tf.compat.as_bytes(bad)
        with pytest.raises(TypeError, match="Expected binary or unicode string"):
            tf.compat.as_text(bad)
    assert tf.compat.as_str_any(5) == "5" and tf.compat.as_str_any(text.encode()) == text
    p = pathlib.Path("/a/b")
    assert tf.compat.path_to_str(p) == os.fspath(p) and tf.compat.path_to_str(b"y") == b"y"
    assert tf.compat.path_to_str(3) == 3
    assert tf.compat.bytes_or_text_types == (bytes, str)
    assert isinstance(np.int8(1), tf.compat.integral_types) and not isinstance(1.5, tf.compat.integral_types)
    assert isinstance(np.float16(1), tf.compat.real_types) and isinstance(1j, tf.compat.complex_types)


def test_compat_dimensions_and_v2():
    s = tf.TensorShape([3, None])
    assert tf.compat.dimension_value(s[0]) == 3 and tf.compat.dimension_value(s[1]) is None
    assert tf.compat.dimension_value(4) == 4 and tf.compat.dimension_value(None) is None
    assert tf.compat.dimension_at_index(s, 0) == 3 and tf.compat.dimension_at_index(s, 1) is None
    assert tf.compat.dimension_at_index(tf.TensorShape(None), 5) is None
    with pytest.raises(IndexError):
        tf.compat.dimension_at_index(tf.TensorShape([3]), 4)
    assert tf.compat.v2 is tf and tf.compat.v2.constant is tf.constant


def test_forward_compatibility_horizon():
    import datetime
    far = datetime.date.today() + datetime.timedelta(days=365 * 50)
    assert not tf.compat.forward_compatible(far.year, far.month, far.day)
    assert tf.compat.forward_compatible(2000, 1, 1)
    with tf.compat.forward_compatibility_horizon(far.year, far.month, far.day):
        day_before = far - datetime.timedelta(days=1)
        assert tf.compat.forward_compatible(day_before.year, day_before.month, day_before.day)
        assert not tf.compat.forward_compatible(far.year, far.month, far.day)
    assert not tf.compat.forward_compatible(far.year - 1, far.month, far.day)


def test_next_inside_tf_function_pulls_at_run_time():
    it = iter(tf.data.Dataset.range(4))

    @tf.function
    def times_ten():
        return it.get_next() * 10

    @tf.function
    def plus_100():
        return next(it) + 100

    assert [int(times_ten()) for _ in range(2)] == [0, 10]
    assert [int(plus_100()) for _ in range(2)] == [102, 103]
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
        times_ten()
