"""tf.RaggedTensor and tf.ragged.*, checked against Python lists and NumPy."""
import numpy as np
import pytest

import tensorforge as tf

ROWS = [[1, 2], [3], [], [4, 5, 6]]
NESTED = [[[1, 2], [3]], [[4]]]


def _pad(rows, fill=0):
    width = max((len(r) for r in rows), default=0)
    return np.array([list(r) + [fill] * (width - len(r)) for r in rows])


# ---------------------------------------------------------------- construction
def test_constant_structure():
    rt = tf.ragged.constant(ROWS)
    assert isinstance(rt, tf.RaggedTensor)
    assert rt.dtype == tf.int32 and rt.ragged_rank == 1
    assert rt.shape.as_list() == [4, None]
    assert rt.row_splits.dtype == tf.int64
    np.testing.assert_array_equal(rt.row_splits.numpy(), [0, 2, 3, 3, 6])
    np.testing.assert_array_equal(rt.values.numpy(), [1, 2, 3, 4, 5, 6])
    assert rt.to_list() == ROWS


def test_constant_nested_and_options():
    r3 = tf.ragged.constant(NESTED)
    assert r3.ragged_rank == 2 and r3.shape.as_list() == [2, None, None]
    assert [s.numpy().tolist() for s in r3.nested_row_splits] == [[0, 2, 3], [0, 2, 3, 4]]
    assert r3.flat_values.numpy().tolist() == [1, 2, 3, 4]
    assert r3.to_list() == NESTED
    r2 = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert r2.shape.as_list() == [2, None, 2] and r2.flat_values.shape == (3, 2)
    assert tf.ragged.constant([[1, 2], [3]], dtype=tf.float64).dtype == tf.float64
    assert tf.ragged.constant([[1.5, 2], [3]]).to_list() == [[1.5, 2.0], [3.0]]
    assert tf.ragged.constant([["a", "bc"], ["d"]]).to_list() == [[b"a", b"bc"], [b"d"]]
    assert tf.ragged.constant([[1], [2, 3]], row_splits_dtype=tf.int32).row_splits.dtype == tf.int32
    assert tf.ragged.constant([[[1, 2]], [[3, 4]]], inner_shape=(2,)).shape.as_list() == [2, None, 2]


def test_constant_without_ragged_dimension_is_a_tensor():
    t = tf.ragged.constant([1, 2])
    assert isinstance(t, tf.Tensor) and t.numpy().tolist() == [1, 2]
    e = tf.ragged.constant([])
    assert isinstance(e, tf.Tensor) and e.dtype == tf.float32 and e.shape == (0,)
    assert tf.ragged.constant([[], []]).shape.as_list() == [2, None]


def test_constant_errors():
    with pytest.raises(ValueError, match="same nesting depth"):
        tf.ragged.constant([[1, [2]], [3]])
    with pytest.raises(ValueError):
        tf.ragged.constant([[1, 2], [3]], ragged_rank=2)
    with pytest.raises(TypeError):
        tf.ragged.constant([[1, 2], [3.5]], dtype=tf.int32)


def test_from_row_splits_lengths_rowids_agree():
    vals = [1, 2, 3, 4, 5, 6]
    a = tf.RaggedTensor.from_row_splits(vals, [0, 2, 3, 3, 6])
    b = tf.RaggedTensor.from_row_lengths(vals, [2, 1, 0, 3])
    c = tf.RaggedTensor.from_value_rowids(vals, [0, 0, 1, 3, 3, 3])
    d = tf.RaggedTensor.from_row_starts(vals, [0, 2, 3, 3])
    e = tf.RaggedTensor.from_row_limits(vals, [2, 3, 3, 6])
    for rt in (a, b, c, d, e):
        assert rt.to_list() == ROWS
        assert rt.row_splits.dtype == tf.int64
    assert tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=5).to_list() == [[1, 2], [], [3], [], []]


def test_from_row_splits_keeps_int32_and_strings():
    rt = tf.RaggedTensor.from_row_splits([1, 2, 3], tf.constant([0, 2, 3], tf.int32))
    assert rt.row_splits.dtype == tf.int32
    s = tf.RaggedTensor.from_row_splits(tf.constant(["a", "b", "c"]), [0, 2, 3])
    assert s.dtype == tf.string and s.to_list() == [[b"a", b"b"], [b"c"]]
    m = tf.RaggedTensor.from_row_splits(tf.constant([[1, 2], [3, 4], [5, 6]]), [0, 1, 3])
    assert m.shape.as_list() == [2, None, 2]


@pytest.mark.parametrize("make, exc, pattern", [
    (lambda: tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 4]), tf.errors.InvalidArgumentError, "valid RaggedTensor"),
    (lambda: tf.RaggedTensor.from_row_splits([1, 2, 3], [1, 2, 3]), tf.errors.InvalidArgumentError, "zero"),
    (lambda: tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 3, 2, 3]), tf.errors.InvalidArgumentError, "monotonic"),
    (lambda: tf.RaggedTensor.from_row_splits([1, 2, 3], []), ValueError, "may not be empty"),
    (lambda: tf.RaggedTensor.from_row_splits([1, 2], [0, 2.0]), ValueError, "int32 or int64"),
    (lambda: tf.RaggedTensor.from_row_splits([1, 2], [[0, 2]]), ValueError, "rank 1"),
    (lambda: tf.RaggedTensor.from_row_lengths([1, 2], [3, -1]), tf.errors.InvalidArgumentError, "x >= 0"),
    (lambda: tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 2, 1]), tf.errors.InvalidArgumentError, "RowPartition"),
    (lambda: tf.RaggedTensor.from_value_rowids([1, 2], [0, 5], nrows=3), ValueError, "Expected nrows"),
    (lambda: tf.RaggedTensor([1], None), ValueError, "private"),
])
def test_factory_errors(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


def test_from_tensor_padding_lengths_and_ragged_rank():
    x = [[1, 0, 0], [2, 3, 0]]
    assert tf.RaggedTensor.from_tensor(x, padding=0).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_tensor(x, lengths=[1, 3]).to_list() == [[1], [2, 3, 0]]
    assert tf.RaggedTensor.from_tensor(x).to_list() == x
    y = [[[1, 0], [0, 0]], [[2, 3], [0, 0]]]
    assert tf.RaggedTensor.from_tensor(y, padding=0, ragged_rank=2).to_list() == [[[1], []], [[2, 3], []]]
    assert tf.RaggedTensor.from_tensor(y, padding=[0, 0]).to_list() == [[[1, 0]], [[2, 3]]]
    with pytest.raises(ValueError, match="not both"):
        tf.RaggedTensor.from_tensor(x, lengths=[1, 1], padding=0)
    with pytest.raises(ValueError, match="greater than 1"):
        tf.RaggedTensor.from_tensor([1, 0])
    with pytest.raises(ValueError, match="greater than 0"):
        tf.RaggedTensor.from_tensor(x, ragged_rank=0)


def test_nested_factories():
    a = tf.RaggedTensor.from_nested_row_splits([1, 2, 3, 4], [[0, 2, 3], [0, 1, 3, 4]])
    b = tf.RaggedTensor.from_nested_row_lengths([1, 2, 3, 4], [[2, 1], [1, 2, 1]])
    c = tf.RaggedTensor.from_nested_value_rowids([1, 2, 3, 4], [[0, 0, 1], [0, 1, 1, 2]])
    for rt in (a, b, c):
        assert rt.to_list() == [[[1], [2, 3]], [[4]]]
    u = tf.RaggedTensor.from_uniform_row_length([1, 2, 3, 4, 5, 6], 2)
    assert u.shape.as_list() == [3, 2] and u.to_list() == [[1, 2], [3, 4], [5, 6]]
    assert int(u.uniform_row_length) == 2 and tf.ragged.constant(ROWS).uniform_row_length is None


# ---------------------------------------------------------------- partition queries
def test_row_queries():
    rt = tf.ragged.constant(ROWS)
    assert rt.row_lengths().numpy().tolist() == [len(r) for r in ROWS]
    assert rt.value_rowids().numpy().tolist() == [i for i, r in enumerate(ROWS) for _ in r]
    assert int(rt.nrows()) == 4 and rt.nrows().dtype == tf.int64
    assert rt.nrows(out_type=tf.int32).dtype == tf.int32
    assert rt.row_starts().numpy().tolist() == [0, 2, 3, 3]
    assert rt.row_limits().numpy().tolist() == [2, 3, 3, 6]
    assert rt.bounding_shape().numpy().tolist() == [4, 3]
    r3 = tf.ragged.constant(NESTED)
    assert r3.row_lengths(axis=2).to_list() == [[2, 1], [1]]
    assert [x.numpy().tolist() for x in r3.nested_row_lengths()] == [[2, 1], [2, 1, 1]]
    assert [x.numpy().tolist() for x in r3.nested_value_rowids()] == [[0, 0, 1], [0, 0, 1, 2]]
    assert r3.bounding_shape().numpy().tolist() == [2, 2, 2]


def test_with_values_and_splits_dtype():
    rt = tf.ragged.constant([[1, 2], [3]])
    f = rt.with_values(tf.constant([1.0, 2.0, 3.0]))
    assert f.dtype == tf.float32 and f.to_list() == [[1.0, 2.0], [3.0]]
    assert rt.with_row_splits_dtype(tf.int32).row_splits.dtype == tf.int32
    r3 = tf.ragged.constant(NESTED)
    assert r3.with_flat_values(r3.flat_values * 10).to_list() == [[[10, 20], [30]], [[40]]]


def test_merge_dims():
    r3 = tf.ragged.constant(NESTED)
    assert r3.merge_dims(0, 1).to_list() == [[1, 2], [3], [4]]
    assert r3.merge_dims(1, 2).to_list() == [[1, 2, 3], [4]]
    assert r3.merge_dims(0, -1).numpy().tolist() == [1, 2, 3, 4]


# ---------------------------------------------------------------- to_tensor / to_list / numpy / repr
def test_to_tensor_matches_padding_reference():
    rt = tf.ragged.constant(ROWS)
    out = rt.to_tensor()
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), _pad(ROWS))
    wide = np.full((2, 5), -1)
    for i, r in enumerate(ROWS[:2]):
        wide[i, :len(r)] = r
    np.testing.assert_array_equal(rt.to_tensor(default_value=-1, shape=[2, 5]).numpy(), wide)
    np.testing.assert_array_equal(rt.to_tensor(shape=[None, 2]).numpy(), _pad(ROWS)[:, :2])
    np.testing.assert_array_equal(rt.to_tensor(shape=[5, None]).numpy(), np.vstack([_pad(ROWS), [[0, 0, 0]]]))


def test_to_tensor_nested_and_inner_dims():
    r3 = tf.ragged.constant(NESTED)
    expect = np.zeros((2, 2, 2), np.int32)
    for i, row in enumerate(NESTED):
        for j, sub in enumerate(row):
            expect[i, j, :len(sub)] = sub
    np.testing.assert_array_equal(r3.to_tensor().numpy(), expect)
    r2 = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    np.testing.assert_array_equal(r2.to_tensor(default_value=9).numpy(), [[[1, 2], [3, 4]], [[5, 6], [9, 9]]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible"):
        tf.ragged.constant(ROWS).to_tensor(shape=[2, 3, 4])


def test_to_tensor_gradient():
    v = tf.constant([1.0, 2.0, 3.0, 4.0])
    d = tf.constant(0.5)
    w = np.array([[1.0], [2.0], [3.0]], np.float32)
    with tf.GradientTape() as tape:
        tape.watch([v, d])
        dense = tf.RaggedTensor.from_row_splits(v, [0, 2, 2, 4]).to_tensor(default_value=d, shape=[3, 1])
        loss = tf.reduce_sum(dense * tf.constant(w))
    gv, gd = tape.gradient(loss, [v, d])
    # dense = [[v0], [d], [v2]]: v1 and v3 are cut off by the shape
    np.testing.assert_allclose(tf.convert_to_tensor(gv).numpy(), [1.0, 0.0, 3.0, 0.0])
    np.testing.assert_allclose(gd.numpy(), 2.0)


def test_numpy_and_repr():
    rt = tf.ragged.constant(ROWS)
    arr = rt.numpy()
    assert arr.dtype == object and [a.tolist() for a in arr] == ROWS
    uniform = tf.ragged.constant([[1, 2], [3, 4]]).numpy()
    assert uniform.dtype == np.int32 and uniform.shape == (2, 2)
    assert repr(rt) == "<tf.RaggedTensor [[1, 2], [3], [], [4, 5, 6]]>"
    assert str(rt) == repr(rt)
    assert repr(tf.ragged.constant([["a"], []])) == "<tf.RaggedTensor [[b'a'], []]>"


def test_not_a_tensor():
    rt = tf.ragged.constant(ROWS)
    with pytest.raises(ValueError):
        tf.convert_to_tensor(rt)
    with pytest.raises(TypeError):
        len(rt)
    with pytest.raises(TypeError):
        hash(rt)
    with pytest.raises(TypeError):
        bool(rt)


# ---------------------------------------------------------------- __getitem__
def test_getitem_rows():
    rt = tf.ragged.constant(ROWS)
    assert rt[0].numpy().tolist() == ROWS[0]
    assert isinstance(rt[0], tf.Tensor)
    assert rt[-1].numpy().tolist() == ROWS[-1]
    assert rt[tf.constant(1)].numpy().tolist() == ROWS[1]
    for key in (slice(1, 3), slice(None, None, 2), slice(None, None, -1), slice(1, 100), slice(3, 1)):
        assert rt[key].to_list() == ROWS[key]
    with pytest.raises(IndexError):
        rt[5]
    assert [r.numpy().tolist() for r in rt] == ROWS


def test_getitem_inner():
    rt = tf.ragged.constant(ROWS)
    assert int(rt[0, 1]) == 2 and int(rt[3, -1]) == 6
    for key in (slice(1, None), slice(-1, None), slice(None, None, 2), slice(None, None, -1), slice(1, 2)):
        assert rt[:, key].to_list() == [r[key] for r in ROWS]
    with pytest.raises(ValueError, match="inner ragged dimension"):
        rt[:, 0]
    assert rt[tf.newaxis].to_list() == [ROWS]
    r3 = tf.ragged.constant(NESTED)
    assert r3[0].to_list() == NESTED[0]
    assert r3[0, 1].numpy().tolist() == NESTED[0][1]
    assert r3[:, :1].to_list() == [r[:1] for r in NESTED]
    assert int(r3[1, 0, 0]) == 4
    r2 = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert r2[:, :, 1].to_list() == [[2, 4], [6]]
    assert r2[..., 0].to_list() == [[1, 3], [5]]


def test_getitem_gradient_reaches_values():
    v = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        rt = tf.RaggedTensor.from_row_splits(v, [0, 2, 2, 4])
        loss = tf.reduce_sum(rt[2]) + 7.0 * tf.reduce_sum(rt[:, 1:].flat_values)
    np.testing.assert_allclose(tf.convert_to_tensor(tape.gradient(loss, v)).numpy(), [0.0, 7.0, 1.0, 8.0])


# ---------------------------------------------------------------- elementwise
def test_map_flat_values_and_operators():
    rt = tf.ragged.constant(ROWS)
    assert tf.ragged.map_flat_values(tf.multiply, rt, 2).to_list() == [[2 * x for x in r] for r in ROWS]
    assert (rt + 1).to_list() == [[x + 1 for x in r] for r in ROWS]
    assert (2 - rt).to_list() == [[2 - x for x in r] for r in ROWS]
    assert (rt * rt).to_list() == [[x * x for x in r] for r in ROWS]
    assert (-rt).to_list() == [[-x for x in r] for r in ROWS]
    col = tf.constant([[1], [2], [3], [4]])
    assert (rt + col).to_list() == [[x + i + 1 for x in r] for i, r in enumerate(ROWS)]
    f = tf.ragged.constant([[1.5, 2.0], [3.0]])
    assert (f / 2).to_list() == [[0.75, 1.0], [1.5]]
    assert tf.ragged.map_flat_values(lambda x: x, [1]) == [1]
    with pytest.raises(ValueError, match="same outer-dimension size"):
        tf.ragged.map_flat_values(tf.add, rt, rt[:2])


def test_elementwise_gradient():
    v = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        rt = tf.RaggedTensor.from_row_splits(v, [0, 2, 3])
        loss = tf.reduce_sum((rt * rt).flat_values)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), [2.0, 4.0, 6.0])


# ---------------------------------------------------------------- range / stack / concat / sparse
def test_range_matches_python():
    assert tf.ragged.range([3, 5]).to_list() == [list(range(3)), list(range(5))]
    assert tf.ragged.range([0, 5], [3, 8], 2).to_list() == [list(range(0, 3, 2)), list(range(5, 8, 2))]
    assert tf.ragged.range([5], [0], -2).to_list() == [list(range(5, 0, -2))]
    assert tf.ragged.range(3).to_list() == [[0, 1, 2]]
    f = tf.ragged.range([0.5, 5.0], [3.0, 8.0])
    assert f.dtype == tf.float32 and f.to_list() == [[0.5, 1.5, 2.5], [5.0, 6.0, 7.0]]
    assert tf.ragged.range([3, 5], dtype=tf.float64).dtype == tf.float64
    with pytest.raises(tf.errors.InvalidArgumentError, match="delta != 0"):
        tf.ragged.range([0, 5], [3, 8], 0)


def test_stack_and_concat():
    rt = tf.ragged.constant(ROWS)
    assert tf.ragged.stack([rt, rt]).to_list() == [ROWS, ROWS]
    assert tf.ragged.stack([rt, rt], axis=1).to_list() == [[r, r] for r in ROWS]
    other = [[1], [2], [3], [4]]
    assert tf.ragged.stack([rt, other], axis=1).to_list() == [[r, o] for r, o in zip(ROWS, other)]
    assert tf.ragged.stack([tf.constant([1, 2]), tf.constant([3])]).to_list() == [[1, 2], [3]]
    r3 = tf.ragged.constant(NESTED)
    assert tf.ragged.stack([r3, r3], axis=2).to_list() == [[[s, s] for s in r] for r in NESTED]
    from tensorforge.ops import ragged_ops
    assert ragged_ops.concat([rt, rt], axis=0).to_list() == ROWS + ROWS
    assert ragged_ops.concat([rt, rt], axis=1).to_list() == [r + r for r in ROWS]


def test_segment_id_helpers():
    assert tf.ragged.row_splits_to_segment_ids([0, 2, 3]).numpy().tolist() == [0, 0, 1]
    assert tf.ragged.segment_ids_to_row_splits([0, 0, 2]).numpy().tolist() == [0, 2, 2, 3]
    assert tf.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=4).numpy().tolist() == [0, 2, 2, 3, 3]


def test_sparse_round_trip():
    rt = tf.ragged.constant(ROWS)
    sp = rt.to_sparse()
    assert sp.indices.numpy().tolist() == [[i, j] for i, r in enumerate(ROWS) for j in range(len(r))]
    assert sp.dense_shape.numpy().tolist() == [4, 3]
    assert tf.RaggedTensor.from_sparse(sp).to_list() == ROWS
