"""Sparse and ragged tensors in tf.data: slicing, batching, unbatching, and traced functions
taking and returning them (element specs as TF 2.21 gives them)."""
import numpy as np
import pytest

import tensorforge as tf

D = tf.data.Dataset


def _rows(ds):
    return [v.numpy().tolist() if isinstance(v, tf.Tensor) else v.to_list() for v in ds]


def test_spec_classes_as_tf():
    assert repr(tf.RaggedTensorSpec([None, None], tf.int32)) == \
        "RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)"
    assert tf.RaggedTensorSpec([2, None, 3], tf.float32).ragged_rank == 2
    assert repr(tf.SparseTensorSpec([None, 4], tf.float32)) == "SparseTensorSpec(TensorShape([None, 4]), tf.float32)"
    assert tf.RaggedTensorSpec([None, None], tf.int32) == tf.RaggedTensorSpec([None, None], tf.int32, 1, tf.int64)
    with pytest.raises(ValueError, match="Must specify ragged_rank or a shape with a known rank"):
        tf.RaggedTensorSpec(None, tf.int32)
    rt = tf.ragged.constant([[1, 2], [3]])
    assert tf.RaggedTensorSpec([None, None], tf.int32).is_compatible_with(rt)
    assert not tf.RaggedTensorSpec([None, None], tf.float32).is_compatible_with(rt)


def test_ragged_slices_batch_and_unbatch():
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    ds = D.from_tensor_slices(rt)
    assert ds.element_spec == tf.RaggedTensorSpec([None], tf.int32, 0, tf.int64)
    rows = list(ds)
    assert all(isinstance(r, tf.Tensor) for r in rows)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3], [4, 5, 6]]
    b = ds.batch(2)
    assert b.element_spec == tf.RaggedTensorSpec([None, None], tf.int32, 1, tf.int64)
    assert _rows(b) == [[[1, 2], [3]], [[4, 5, 6]]]
    assert b.unbatch().element_spec == ds.element_spec
    assert _rows(b.unbatch()) == [[1, 2], [3], [4, 5, 6]]


def test_deeper_ragged_slices_and_batches_keep_their_rows():
    nested = [[[1], [2, 3]], [[4]], [[], [5, 6, 7], [8]]]
    ds = D.from_tensor_slices(tf.ragged.constant(nested))
    assert ds.element_spec == tf.RaggedTensorSpec([None, None], tf.int32, 1, tf.int64)
    assert _rows(ds) == nested
    batched = ds.batch(2)
    assert batched.element_spec.ragged_rank == 2
    assert _rows(batched) == [nested[:2], nested[2:]]
    assert _rows(batched.unbatch()) == nested


def test_sparse_slices_and_batches():
    st = tf.sparse.SparseTensor([[0, 0], [1, 2], [2, 1], [0, 3]], [1.0, 2.0, 3.0, 4.0], [3, 4])
    ds = D.from_tensor_slices(st)
    assert ds.element_spec == tf.SparseTensorSpec([4], tf.float32)
    dense = [tf.sparse.to_dense(tf.sparse.reorder(s)).numpy().tolist() for s in ds]
    assert dense == tf.sparse.to_dense(tf.sparse.reorder(st)).numpy().tolist()
    b = ds.batch(2)
    assert b.element_spec == tf.SparseTensorSpec([None, 4], tf.float32)
    first = next(iter(b))
    assert first.dense_shape.numpy().tolist() == [2, 4]
    np.testing.assert_array_equal(tf.sparse.to_dense(tf.sparse.reorder(first)).numpy(),
                                  tf.sparse.to_dense(tf.sparse.reorder(st)).numpy()[:2])


def test_map_takes_sparse_and_ragged_elements_traced_once():
    calls = []
    st = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4])

    def densify(s):
        calls.append(1)
        return tf.sparse.to_dense(s)

    ds = D.from_tensors(st).repeat(3).map(densify)
    assert ds.element_spec == tf.TensorSpec([3, 4], tf.float32)
    outs = [o.numpy() for o in ds]
    assert len(outs) == 3 and outs[0][1, 2] == 2.0 and calls == [1]
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    doubled = D.from_tensors(rt).map(lambda r: r.flat_values * 2)
    assert [v.numpy().tolist() for v in doubled] == [[2, 4, 6, 8, 10, 12]]
    plus = D.from_tensor_slices(rt).batch(2).map(lambda r: r + 1)
    assert plus.element_spec == tf.RaggedTensorSpec([None, None], tf.int32, 1, tf.int64)
    assert _rows(plus) == [[[2, 3], [4]], [[5, 6, 7]]]


def test_map_returns_ragged_tensors():
    lines = D.from_tensor_slices(["a b c", "d e", "f"])
    words = lines.batch(2).map(tf.strings.split)
    assert words.element_spec == tf.RaggedTensorSpec([None, None], tf.string, 1, tf.int64)
    assert _rows(words) == [[[b"a", b"b", b"c"], [b"d", b"e"]], [[b"f"]]]
    per_line = lines.map(tf.strings.split)  # a scalar's split is a dense vector, as in TF
    assert per_line.element_spec == tf.TensorSpec([None], tf.string)
    ranged = D.range(4).batch(4).map(lambda i: tf.RaggedTensor.from_row_lengths(tf.range(6, dtype=tf.int64), i))
    assert _rows(ranged) == [[[], [0], [1, 2], [3, 4, 5]]]


def test_filter_and_parallel_map_over_ragged_rows():
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6], [], [7]])
    ds = D.from_tensor_slices(rt)
    long_rows = ds.filter(lambda r: tf.size(r) >= 2)
    assert _rows(long_rows) == [[1, 2], [4, 5, 6]]
    sums = ds.map(lambda r: tf.reduce_sum(r), num_parallel_calls=2)
    assert [int(v) for v in sums] == [3, 3, 15, 0, 7]


def test_dict_elements_mix_ragged_and_dense():
    ds = D.from_tensor_slices({"tokens": tf.ragged.constant([[1, 2], [3]]), "label": [0, 1]})
    assert ds.element_spec == {"tokens": tf.RaggedTensorSpec([None], tf.int32, 0, tf.int64),
                               "label": tf.TensorSpec([], tf.int32)}
    b = next(iter(ds.batch(2)))
    assert b["tokens"].to_list() == [[1, 2], [3]] and b["label"].numpy().tolist() == [0, 1]


def test_from_generator_with_ragged_signature():
    def gen():
        yield tf.ragged.constant([[1], [2, 3]])
        yield [[4, 5, 6]]  # a nested list converts to the signature's ragged type

    ds = D.from_generator(gen, output_signature=tf.RaggedTensorSpec([None, None], tf.int32))
    assert _rows(ds) == [[[1], [2, 3]], [[4, 5, 6]]]
    bad = D.from_generator(lambda: iter([tf.ragged.constant([[1.5]])]),
                           output_signature=tf.RaggedTensorSpec([None, None], tf.int32))
    with pytest.raises(TypeError, match="did not match the expected type"):
        list(bad)


def test_for_loop_over_sparse_and_ragged_elements_inside_tf_function():
    st = tf.sparse.SparseTensor([[0, 0], [1, 2], [2, 1]], [1.0, 2.0, 3.0], [3, 4])
    sparse_rows = D.from_tensor_slices(st)
    ragged_batches = D.from_tensor_slices(tf.ragged.constant([[1, 2], [3], [4, 5, 6]])).batch(2)

    @tf.function
    def total():
        s = tf.constant(0.0)
        for row in sparse_rows:
            s += tf.reduce_sum(tf.sparse.to_dense(row)) * 10.0
        n = tf.constant(0)
        for batch in ragged_batches:
            n += tf.reduce_sum(batch.flat_values) + tf.cast(batch.nrows(), tf.int32) * 100
        return s, n

    s, n = total()
    assert float(s) == 60.0 and int(n) == (1 + 2 + 3 + 200) + (4 + 5 + 6 + 100)


def test_padded_batch_rejects_ragged_elements_as_tf():
    ds = tf.data.Dataset.from_tensor_slices(tf.ragged.constant([[1, 2], [3]]))
    with pytest.raises(TypeError, match="not a subclass of TensorSpec: `RaggedTensorSpec"):
        ds.padded_batch(2)
