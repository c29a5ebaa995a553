"""The rest of the Dataset API: counter, random, get_single_element, ignore_errors, sparse_batch,
rejection_resample, snapshot, and tf.data.experimental helpers."""
import numpy as np
import pytest

import tensorforge as tf

D = tf.data.Dataset
X = tf.data.experimental


def test_counter_and_random():
    assert list(D.counter(5, 3).take(3).as_numpy_iterator()) == [5, 8, 11]
    assert D.counter().cardinality() == tf.data.INFINITE_CARDINALITY
    assert list(X.Counter(dtype=tf.int32).take(2).as_numpy_iterator()) == [0, 1]
    a = list(D.random(seed=7).take(5).as_numpy_iterator())
    assert a == list(D.random(seed=7).take(5).as_numpy_iterator()) and len(set(a)) == 5
    assert all(v >= 0 for v in a) and D.random().element_spec == tf.TensorSpec([], tf.int64)


def test_get_single_element():
    assert int(D.range(4, 5).get_single_element()) == 4
    pair = X.get_single_element(D.from_tensors((1, "a")))
    assert int(pair[0]) == 1 and pair[1].numpy() == b"a"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset was empty"):
        D.range(0).get_single_element()
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than one element"):
        D.range(2).get_single_element()


@pytest.mark.parametrize("parallel", [None, 2])
def test_ignore_errors_drops_failing_elements_and_goes_on(parallel):
    base = D.from_tensor_slices([1.0, 0.0, 2.0, 0.0, 4.0])
    ds = base.map(lambda x: tf.debugging.check_numerics(1 / x, "bad"), num_parallel_calls=parallel)
    assert list(ds.ignore_errors().as_numpy_iterator()) == [1.0, 0.5, 0.25]
    with pytest.raises(tf.errors.InvalidArgumentError):
        list(ds)  # the original pipeline still raises: ignore_errors changed a copy
    filtered = base.filter(lambda x: tf.debugging.check_numerics(1 / x, "bad") > 0.3)
    assert list(filtered.apply(X.ignore_errors()).as_numpy_iterator()) == [1.0, 2.0]


def test_sparse_batch_as_tf_documents_it():
    ds = D.from_tensor_slices(tf.ragged.constant([["a", "b", "c"], ["a", "b"], ["a", "b", "c", "d"]]))
    first = next(iter(ds.sparse_batch(2, [6])))
    assert first.indices.numpy().tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]]
    assert first.values.numpy().tolist() == [b"a", b"b", b"c", b"a", b"b"]
    assert first.dense_shape.numpy().tolist() == [2, 6]
    numbers = D.range(4).map(lambda i: tf.range(i)).apply(X.dense_to_sparse_batch(2, [5]))
    assert numbers.element_spec == tf.SparseTensorSpec([None, 5], tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError, match="larger than the row shape"):
        list(D.range(8, 9).map(lambda i: tf.range(i)).sparse_batch(1, [5]))


def test_rejection_resample_moves_the_class_distribution():
    ds = D.range(4000).map(lambda x: x % 10)
    resampled = ds.rejection_resample(lambda x: tf.cast(tf.minimum(x, 1), tf.int32), [0.5, 0.5],
                                      initial_dist=[0.1, 0.9], seed=3)
    assert resampled.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int64))
    pairs = list(resampled.as_numpy_iterator())
    classes = np.array([c for c, _ in pairs])
    assert all(c == min(v, 1) for c, v in pairs)
    assert abs(classes.mean() - 0.5) < 0.05 and len(pairs) > 600  # ~800 expected
    estimated = list(ds.rejection_resample(lambda x: tf.cast(tf.minimum(x, 1), tf.int32), [0.5, 0.5],
                                           seed=3).as_numpy_iterator())
    assert abs(np.mean([c for c, _ in estimated]) - 0.5) < 0.08


def test_snapshot_writes_once_then_reads(tmp_path):
    runs = []

    def record(v):
        runs.append(int(v))
        return v

    ds = D.range(5).map(lambda x: tf.numpy_function(record, [x], tf.int64)).snapshot(str(tmp_path / "snap"))
    assert list(ds.as_numpy_iterator()) == [0, 1, 2, 3, 4]
    assert list(ds.as_numpy_iterator()) == [0, 1, 2, 3, 4]
    assert runs == [0, 1, 2, 3, 4]  # the second pass read the snapshot
    again = D.range(5).map(lambda x: x * 100).apply(X.snapshot(str(tmp_path / "snap")))
    assert list(again.as_numpy_iterator()) == [0, 1, 2, 3, 4]  # not keyed by the pipeline (documented)


def test_at_group_by_reducer_and_ragged_batch():
    assert int(X.at(D.range(10).map(lambda x: x * 3), 4)) == 12
    with pytest.raises(tf.errors.OutOfRangeError):
        X.at(D.range(3), 3)
    reducer = X.Reducer(init_func=lambda k: tf.constant(0, tf.int64), reduce_func=lambda s, x: s + x,
                        finalize_func=lambda s: s)
    sums = D.range(10).apply(X.group_by_reducer(lambda x: x % 2, reducer))
    assert sorted(sums.as_numpy_iterator()) == [20, 25]
    rb = D.range(4).map(lambda i: tf.range(i)).apply(X.dense_to_ragged_batch(2))
    assert [r.to_list() for r in rb] == [[[], [0]], [[0, 1], [0, 1, 2]]]


def test_parallel_interleave_and_device_helpers():
    make = lambda i: D.range(i * 10, i * 10 + 3)  # noqa: E731
    want = list(D.range(3).interleave(make, cycle_length=2).as_numpy_iterator())
    got = list(D.range(3).apply(X.parallel_interleave(make, cycle_length=2)).as_numpy_iterator())
    assert got == want
    assert list(D.range(3).apply(X.prefetch_to_device("/gpu:0")).apply(X.copy_to_device("/cpu:0"))
                .as_numpy_iterator()) == [0, 1, 2]


def test_make_batched_features_dataset(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        for i in range(6):
            ex = tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i, i + 0.5])),
                "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 2]))}))
            w.write(ex.SerializeToString())
    features = {"x": tf.io.FixedLenFeature([2], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64)}
    ds = X.make_batched_features_dataset(path, 4, features, label_key="y", num_epochs=1, shuffle=False)
    batches = list(ds)
    assert [b[0]["x"].shape.as_list() for b in batches] == [[4, 2], [2, 2]]
    assert np.concatenate([b[1].numpy() for b in batches]).tolist() == [0, 1, 0, 1, 0, 1]
    np.testing.assert_allclose(batches[0][0]["x"].numpy()[:, 0], [0, 1, 2, 3])
