"""tf.SparseTensor and tf.sparse.*, checked against NumPy on the dense equivalents."""
import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(3)


def _random_sparse(shape, nnz, dtype=np.float32, sort=True):
    """A SparseTensor with `nnz` distinct random positions, and its dense NumPy value."""
    size = int(np.prod(shape))
    lin = RNG.choice(size, nnz, replace=False)
    if sort:
        lin = np.sort(lin)
    idx = np.stack(np.unravel_index(lin, shape), axis=1).astype(np.int64)
    vals = RNG.standard_normal(nnz).astype(dtype)
    dense = np.zeros(shape, dtype)
    dense[tuple(idx.T)] = vals
    return tf.sparse.SparseTensor(idx, vals, shape), dense


def _dense(sp):
    return tf.sparse.to_dense(sp).numpy()


# ---------------------------------------------------------------- the class
def test_components_and_properties():
    sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    assert tf.SparseTensor is tf.sparse.SparseTensor
    assert sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64
    assert sp.values.dtype == tf.float32 and sp.dtype == tf.float32
    assert sp.shape == tf.TensorShape([3, 4]) and sp.get_shape().as_list() == [3, 4]
    np.testing.assert_array_equal(sp.indices.numpy(), [[0, 0], [1, 2]])
    np.testing.assert_array_equal(sp.dense_shape.numpy(), [3, 4])
    assert tf.sparse.SparseTensor.from_value(sp) is sp


def test_repr_names_the_three_components():
    sp = tf.sparse.SparseTensor([[0, 1]], [5], [2, 2])
    text = repr(sp)
    assert text.startswith("SparseTensor(indices=tf.Tensor(")
    assert "values=tf.Tensor([5], shape=(1,), dtype=int32)" in text
    assert text.endswith("dense_shape=tf.Tensor([2 2], shape=(2,), dtype=int64))")
    assert str(sp) == text


@pytest.mark.parametrize("args, exc", [
    (([[0, 0]], [1.0, 2.0], [3, 4]), ValueError),            # 1 index, 2 values
    (([0, 0], [1.0], [3, 4]), ValueError),                   # indices not a matrix
    (([[0, 0]], [1.0], [3, 4, 5]), ValueError),              # rank mismatch
    (([[0.5, 0]], [1.0], [3, 4]), TypeError),                # float indices
])
def test_constructor_errors(args, exc):
    with pytest.raises(exc):
        tf.sparse.SparseTensor(*args)


def test_int32_tensor_components_are_refused_as_in_tf():
    with pytest.raises(ValueError, match="dense_shape"):
        tf.sparse.SparseTensor([[0, 0]], [1.0], tf.constant([3, 4], tf.int32))
    with pytest.raises(ValueError, match="indices"):
        tf.sparse.SparseTensor(tf.constant([[0, 0]]), [1.0], [3, 4])


def test_no_implicit_conversion_to_dense():
    sp = tf.sparse.SparseTensor([[0, 0]], [1.0], [2, 2])
    with pytest.raises(ValueError, match="unsupported type"):
        tf.convert_to_tensor(sp)


def test_with_values():
    sp = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4])
    sp2 = sp.with_values(tf.constant([7, 8]))
    assert sp2.dtype == tf.int32 and sp2.indices is sp.indices
    with pytest.raises(ValueError):
        sp.with_values(tf.constant([1, 2, 3]))


def test_empty_sparse_tensor():
    sp = tf.sparse.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [3, 4])
    np.testing.assert_array_equal(_dense(sp), np.zeros((3, 4), np.float32))


# ---------------------------------------------------------------- to_dense
def test_to_dense_matches_numpy():
    sp, dense = _random_sparse((4, 5, 3), 17)
    out = tf.sparse.to_dense(sp)
    assert out.dtype == tf.float32 and out.shape == (4, 5, 3)
    np.testing.assert_array_equal(out.numpy(), dense)


def test_to_dense_default_value_and_strings():
    sp = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [2, 3])
    expect = np.full((2, 3), 7.0, np.float32)
    expect[0, 0], expect[1, 2] = 1.0, 2.0
    np.testing.assert_array_equal(tf.sparse.to_dense(sp, default_value=7).numpy(), expect)
    st = tf.sparse.SparseTensor([[0], [2]], ["a", "b"], [3])
    assert tf.sparse.to_dense(st).numpy().tolist() == [b"a", b"", b"b"]


@pytest.mark.parametrize("indices, validate, pattern", [
    ([[1, 2], [0, 0]], True, r"indices\[1\] = \[0,0\] is out of order"),
    ([[0, 0], [0, 0]], True, r"indices\[1\] = \[0,0\] is repeated"),
    ([[0, 0], [5, 0]], True, r"indices\[1\] = \[5,0\] is out of bounds: need 0 <= index < \[3,4\]"),
    ([[0, 0], [-1, 0]], True, r"indices\[1\] = \[-1,0\] is out of bounds"),
    ([[0, 0], [5, 0]], False, r"Indices are not valid \(out of bounds\)"),
])
def test_to_dense_validation_errors(indices, validate, pattern):
    sp = tf.sparse.SparseTensor(indices, [1.0, 2.0], [3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
        tf.sparse.to_dense(sp, validate_indices=validate)


def test_to_dense_unvalidated_allows_any_order():
    sp = tf.sparse.SparseTensor([[1, 2], [0, 0]], [1.0, 2.0], [3, 4])
    out = tf.sparse.to_dense(sp, validate_indices=False).numpy()
    assert out[1, 2] == 1.0 and out[0, 0] == 2.0 and out.sum() == 3.0


def test_to_dense_gradient_wrt_values_and_default():
    v = tf.constant([1.0, 2.0, 3.0])
    d = tf.constant(0.5)
    w = RNG.standard_normal((3, 4)).astype(np.float32)
    idx = [[0, 1], [1, 3], [2, 0]]
    with tf.GradientTape() as tape:
        tape.watch([v, d])
        out = tf.sparse.to_dense(tf.sparse.SparseTensor(idx, v, [3, 4]), default_value=d)
        loss = tf.reduce_sum(out * tf.constant(w))
    gv, gd = tape.gradient(loss, [v, d])
    np.testing.assert_allclose(gv.numpy(), [w[0, 1], w[1, 3], w[2, 0]], rtol=1e-6)
    np.testing.assert_allclose(gd.numpy(), w.sum() - w[0, 1] - w[1, 3] - w[2, 0], rtol=1e-5)


# ---------------------------------------------------------------- reorder
def test_reorder_sorts_row_major_and_keeps_pairs():
    sp, dense = _random_sparse((5, 6), 12, sort=False)
    r = tf.sparse.reorder(sp)
    idx = r.indices.numpy()
    lin = np.ravel_multi_index(tuple(idx.T), (5, 6))
    assert np.all(np.diff(lin) > 0)
    np.testing.assert_array_equal(_dense(r), dense)


def test_reorder_gradient_follows_the_values():
    v = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        r = tf.sparse.reorder(tf.sparse.SparseTensor([[2, 0], [0, 1], [1, 3]], v, [3, 4]))
        loss = tf.reduce_sum(r.values * tf.constant([1.0, 10.0, 100.0]))
    # sorted order is [0,1] (v[1]), [1,3] (v[2]), [2,0] (v[0])
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), [100.0, 1.0, 10.0])


# ---------------------------------------------------------------- add
def test_sparse_plus_sparse_matches_dense_sum():
    a, da = _random_sparse((6, 7), 15)
    b, db = _random_sparse((6, 7), 15)
    s = tf.sparse.add(a, b)
    assert isinstance(s, tf.sparse.SparseTensor)
    np.testing.assert_allclose(_dense(s), da + db, rtol=1e-6)
    union = np.count_nonzero((da != 0) | (db != 0))
    assert s.indices.shape[0] == union


def test_sparse_add_threshold_only_drops_merged_entries():
    a = tf.sparse.SparseTensor([[0, 0], [1, 1]], [0.1, 2.0], [2, 3])
    b = tf.sparse.SparseTensor([[1, 1], [1, 2]], [-1.9, 0.2], [2, 3])
    s = tf.sparse.add(a, b, threshold=0.5)
    assert s.indices.numpy().tolist() == [[0, 0], [1, 2]]
    np.testing.assert_allclose(s.values.numpy(), [0.1, 0.2])


def test_sparse_add_gradient():
    va, vb = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch([va, vb])
        s = tf.sparse.add(tf.sparse.SparseTensor([[0, 0], [1, 1]], va, [2, 3]),
                          tf.sparse.SparseTensor([[0, 0], [1, 2]], vb, [2, 3]))
        loss = tf.reduce_sum(s.values * tf.constant([1.0, 2.0, 3.0]))
    ga, gb = tape.gradient(loss, [va, vb])
    np.testing.assert_allclose(ga.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(gb.numpy(), [1.0, 3.0])


def test_sparse_plus_dense_is_dense_either_order():
    a, da = _random_sparse((3, 4), 5)
    d = RNG.standard_normal((3, 4)).astype(np.float32)
    for out in (tf.sparse.add(a, tf.constant(d)), tf.sparse.add(tf.constant(d), a)):
        assert isinstance(out, tf.Tensor)
        np.testing.assert_allclose(out.numpy(), da + d, rtol=1e-6)


def test_sparse_add_errors():
    a = tf.sparse.SparseTensor([[0, 0]], [1.0], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shapes do not match"):
        tf.sparse.add(a, tf.sparse.SparseTensor([[0, 0]], [1.0], [2, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="no broadcasting"):
        tf.sparse.add(a, tf.ones([2, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.add(a, tf.sparse.SparseTensor([[0, 0]], [1], [2, 3]))
    with pytest.raises(TypeError):
        tf.sparse.add(tf.ones([2]), tf.ones([2]))


# ---------------------------------------------------------------- reduce_sum
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), (-1, True), ([0, 2], False), ([0, 1, 2], True)])
def test_reduce_sum_matches_numpy(axis, keepdims):
    sp, dense = _random_sparse((3, 4, 5), 20)
    out = tf.sparse.reduce_sum(sp, axis=axis, keepdims=keepdims)
    ref = np.sum(dense, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_reduce_sum_errors_and_gradient():
    sp, _ = _random_sparse((3, 4), 5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dimension 2"):
        tf.sparse.reduce_sum(sp, axis=2)
    v = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        s = tf.sparse.reduce_sum(tf.sparse.SparseTensor([[0, 1], [1, 3], [2, 0]], v, [3, 4]), axis=1)
        loss = tf.reduce_sum(s * tf.constant([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), [1.0, 2.0, 3.0])


# ---------------------------------------------------------------- sparse_dense_matmul
@pytest.mark.parametrize("adjoint_a, adjoint_b", [(False, False), (True, False), (False, True), (True, True)])
def test_sparse_dense_matmul_matches_numpy(adjoint_a, adjoint_b):
    sp, da = _random_sparse((5, 4), 9)
    opa = da.T if adjoint_a else da
    b = RNG.standard_normal((opa.shape[1], 3) if not adjoint_b else (3, opa.shape[1])).astype(np.float32)
    out = tf.sparse.sparse_dense_matmul(sp, tf.constant(b), adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    np.testing.assert_allclose(out.numpy(), opa @ (b.T if adjoint_b else b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape, nnz", [((300, 400), 50), ((2000, 3000), 9000), ((40, 30), 600)])
@pytest.mark.parametrize("adjoint_a", [False, True])
def test_sparse_dense_matmul_kernel_paths(shape, nnz, adjoint_a):
    # few nonzeros (scatter-add), many nonzeros (chunked row sums), dense enough (BLAS)
    sp, da = _random_sparse(shape, nnz)
    opa = da.T if adjoint_a else da
    b = RNG.standard_normal((opa.shape[1], 6)).astype(np.float32)
    out = tf.sparse.sparse_dense_matmul(sp, b, adjoint_a=adjoint_a).numpy()
    np.testing.assert_allclose(out, opa @ b, rtol=1e-4, atol=1e-4)


def test_dense_times_sparse():
    sp, da = _random_sparse((2, 3), 3)
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(tf.sparse.sparse_dense_matmul(tf.constant(x), sp).numpy(), x @ da, rtol=1e-5)


def test_sparse_dense_matmul_errors():
    a = tf.sparse.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="inner dimension does not match: 3 vs. 2"):
        tf.sparse.sparse_dense_matmul(a, tf.ones([2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.sparse_dense_matmul(a, tf.ones([3, 2], tf.float64))
    bad = tf.sparse.SparseTensor([[0, 0], [1, 5]], [1.0, 2.0], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"k \(5\) from index\[1,1\] out of bounds \(>=3\)"):
        tf.sparse.sparse_dense_matmul(bad, tf.ones([3, 2]))


@pytest.mark.parametrize("adjoint_a, adjoint_b", [(False, False), (True, True)])
def test_sparse_dense_matmul_gradients(adjoint_a, adjoint_b):
    idx = np.array([[0, 1], [1, 3], [2, 0], [2, 2]], np.int64)
    v = RNG.standard_normal(4)
    a = np.zeros((3, 4))
    a[tuple(idx.T)] = v
    opa = a.T if adjoint_a else a
    b = RNG.standard_normal((opa.shape[1], 2) if not adjoint_b else (2, opa.shape[1]))
    w = RNG.standard_normal((opa.shape[0], 2))
    tv, tb = tf.constant(v), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([tv, tb])
        out = tf.sparse.sparse_dense_matmul(tf.sparse.SparseTensor(idx, tv, [3, 4]), tb, adjoint_a, adjoint_b)
        loss = tf.reduce_sum(out * tf.constant(w))
    gv, gb = tape.gradient(loss, [tv, tb])
    opb = b.T if adjoint_b else b
    g_opa = w @ opb.T
    g_a = g_opa.T if adjoint_a else g_opa
    np.testing.assert_allclose(gv.numpy(), g_a[tuple(idx.T)], rtol=1e-10)
    g_opb = opa.T @ w
    np.testing.assert_allclose(gb.numpy(), g_opb.T if adjoint_b else g_opb, rtol=1e-10)


# ---------------------------------------------------------------- elementwise with dense
def test_sparse_times_and_over_dense():
    sp, da = _random_sparse((3, 4), 6)
    d = (RNG.uniform(1, 2, (3, 4))).astype(np.float32)
    prod = sp * tf.constant(d)
    assert isinstance(prod, tf.sparse.SparseTensor)
    np.testing.assert_allclose(_dense(prod), da * d, rtol=1e-6)
    np.testing.assert_allclose(_dense(sp / tf.constant(d[0])), da / d[0], rtol=1e-6)
    np.testing.assert_allclose(_dense(sp * 2.0), da * 2, rtol=1e-6)


# ---------------------------------------------------------------- composites
def test_from_dense_round_trip():
    x = np.array([[0, 1.5, 0], [2.0, 0, -3.0]], np.float32)
    sp = tf.sparse.from_dense(x)
    assert sp.indices.numpy().tolist() == [[0, 1], [1, 0], [1, 2]]
    np.testing.assert_array_equal(sp.values.numpy(), [1.5, 2.0, -3.0])
    np.testing.assert_array_equal(sp.dense_shape.numpy(), [2, 3])
    np.testing.assert_array_equal(_dense(sp), x)
    st = tf.sparse.from_dense(tf.constant(["", "x", ""]))
    assert st.indices.numpy().tolist() == [[1]] and st.values.numpy().tolist() == [b"x"]


def test_retain():
    sp = tf.sparse.SparseTensor([[0, 0], [1, 2], [2, 3]], [1.0, 2.0, 3.0], [3, 4])
    r = tf.sparse.retain(sp, [True, False, True])
    assert r.indices.numpy().tolist() == [[0, 0], [2, 3]]
    np.testing.assert_array_equal(r.values.numpy(), [1.0, 3.0])
    with pytest.raises(ValueError):
        tf.sparse.retain(sp, [True])


def test_reshape_matches_numpy():
    sp, dense = _random_sparse((3, 4), 5)
    r = tf.sparse.reshape(sp, [2, -1])
    assert r.shape == (2, 6)
    np.testing.assert_array_equal(_dense(r), dense.reshape(2, 6))
    with pytest.raises(tf.errors.InvalidArgumentError, match="multiple of 5"):
        tf.sparse.reshape(sp, [5, -1])


def test_slice_matches_numpy():
    sp, dense = _random_sparse((5, 6), 14)
    s = tf.sparse.slice(sp, [1, 2], [3, 10])
    assert s.shape == (3, 4)
    np.testing.assert_array_equal(_dense(s), dense[1:4, 2:12])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_matches_numpy(axis):
    a, da = _random_sparse((3, 4), 5)
    b, db = _random_sparse((3, 4), 6)
    c = tf.sparse.concat(axis, [a, b])
    np.testing.assert_array_equal(_dense(c), np.concatenate([da, db], axis=axis))
    lin = np.ravel_multi_index(tuple(c.indices.numpy().T), c.shape.as_list())
    assert np.all(np.diff(lin) > 0)


def test_concat_shape_checks_and_expansion():
    a = tf.sparse.SparseTensor([[0, 0]], [1.0], [3, 4])
    b = tf.sparse.SparseTensor([[1, 1]], [2.0], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input shapes must match"):
        tf.sparse.concat(1, [a, b])
    c = tf.sparse.concat(1, [a, b], expand_nonconcat_dims=True)
    assert c.shape == (3, 6)
    assert c.indices.numpy().tolist() == [[0, 0], [1, 5]]


def test_to_indicator():
    sp = tf.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], [3, 1, 2], [2, 3])
    out = tf.sparse.to_indicator(sp, 4).numpy()
    expect = np.zeros((2, 4), bool)
    expect[0, [3, 1]] = True
    expect[1, 2] = True
    np.testing.assert_array_equal(out, expect)


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_expand_dims_matches_numpy(axis):
    sp, dense = _random_sparse((3, 4), 5)
    e = tf.sparse.expand_dims(sp, axis)
    np.testing.assert_array_equal(_dense(e), np.expand_dims(dense, -1 if axis is None else axis))


def test_transpose_and_map_values():
    sp, dense = _random_sparse((3, 4, 2), 7)
    t = tf.sparse.transpose(sp, [2, 0, 1])
    np.testing.assert_array_equal(_dense(t), np.transpose(dense, [2, 0, 1]))
    m = tf.sparse.map_values(tf.multiply, sp, 3.0)
    np.testing.assert_allclose(_dense(m), dense * 3, rtol=1e-6)


def test_split_eye_reset_shape():
    sp, dense = _random_sparse((5, 7), 12)
    parts = tf.sparse.split(sp_input=sp, num_split=2, axis=1)
    np.testing.assert_array_equal(_dense(parts[0]), dense[:, :4])
    np.testing.assert_array_equal(_dense(parts[1]), dense[:, 4:])
    np.testing.assert_array_equal(_dense(tf.sparse.eye(2, 4, dtype=tf.int32)), np.eye(2, 4, dtype=np.int32))
    r = tf.sparse.reset_shape(tf.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [4, 9]))
    assert r.shape == (2, 3)
    with pytest.raises(ValueError):
        tf.sparse.reset_shape(r, [1, 3])
