"""Array ops: __getitem__ against NumPy, gather/scatter semantics, IndexedSlices gradients,
shape-manipulation ops, and TF's error types and messages."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops import array_ops, math_ops

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)

needs_math = pytest.mark.skipif(
    not all(hasattr(math_ops, f) for f in ("less", "maximum", "minimum", "equal", "reduce_max")),
    reason="needs math_ops.less/maximum/minimum/equal/reduce_max (math helper)")


def _np(t):
    return np.asarray(tf.convert_to_tensor(t)._value)


# ---------------------------------------------------------------- __getitem__
GETITEM_KEYS = [
    1, -1, -3, np.int64(2), slice(1, 3), slice(None, None, -1), slice(None, None, -2), slice(-1, None, -1),
    slice(1, -1, 2), slice(5, 1), slice(5, 1, -1), slice(-10, 10), slice(10, -10, -1), slice(None, None, 3),
    (Ellipsis, 1), (None,), (None, Ellipsis, None), (1, Ellipsis, None, 2), (slice(None), None, 2),
    (Ellipsis, slice(None, None, -1), slice(1, None)), (2, 3, 4), (1, 2), (slice(None, None, 3), slice(None, None, -3)),
    (0, -1, slice(None, None, 2)), (None, None, 1), (slice(None), slice(None), slice(None), None), Ellipsis, (),
    (slice(1, None), None), (Ellipsis, 0), (-1, slice(3, 0, -2), Ellipsis), (0, slice(None), -2),
]


@pytest.mark.parametrize("key", GETITEM_KEYS, ids=[repr(k) for k in GETITEM_KEYS])
def test_getitem_matches_numpy(key):
    got = tf.constant(X)[key]
    want = X[key]
    assert got.dtype is tf.float32
    assert got.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(_np(got), want)


def test_getitem_scalar_tensor_indices():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(x[tf.constant(1)]), X[1])
    np.testing.assert_array_equal(_np(x[tf.constant(-2, tf.int64)]), X[-2])
    np.testing.assert_array_equal(_np(x[:, tf.constant(3)]), X[:, 3])
    np.testing.assert_array_equal(_np(x[tf.constant(1):tf.constant(3), ..., tf.constant(0, tf.int16)]), X[1:3, ..., 0])
    np.testing.assert_array_equal(_np(x[np.array(2)]), X[2])


def test_getitem_list_is_a_tuple_of_indices_like_tf():
    np.testing.assert_array_equal(_np(tf.constant(X)[[0, 1]]), X[0, 1])


def test_getitem_scalar_and_string_tensors():
    s = tf.constant(3.0)
    assert _np(s[...]) == 3.0 and s[None].shape.as_list() == [1]
    t = tf.constant(["a", "bc", "d"])
    assert t[1].numpy() == b"bc"
    assert list(t[::-1].numpy()) == [b"d", b"bc", b"a"]
    i = tf.constant([1, 2, 3], tf.int64)
    assert i[1].dtype is tf.int64 and int(i[1]) == 2


def test_getitem_bool_mask_key_is_boolean_mask():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(x[tf.constant([True, False, True])]), X[[True, False, True]])
    np.testing.assert_array_equal(_np(x[np.array([False, True, False])]), X[np.array([False, True, False])])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        x[True]


@pytest.mark.parametrize("key,index,dim", [(5, 5, 0), (-5, -2, 0), ((1, 7), 7, 1), ((0, 0, 5), 5, 2)])
def test_getitem_out_of_range_raises_invalid_argument(key, index, dim):
    with pytest.raises(tf.errors.InvalidArgumentError, match="slice index %d of dimension %d out of bounds" % (index, dim)):
        tf.constant(X)[key]


def test_getitem_slice_index_5_of_dimension_0():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.constant(np.zeros((4, 5), np.float32))[5]
    assert "slice index 5 of dimension 0 out of bounds" in str(e.value)


@pytest.mark.parametrize("key", [1.0, "a", tf.constant([1]), tf.constant(1.0), (0, [0, 1])],
                         ids=["float", "str", "vector", "float-tensor", "nested-list"])
def test_getitem_bad_index_types_raise_type_error(key):
    with pytest.raises(TypeError, match="Only integers, slices"):
        tf.constant(X)[key]


def test_getitem_spec_errors():
    x = tf.constant(X)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Multiple ellipses"):
        x[..., ...]
    with pytest.raises(tf.errors.InvalidArgumentError, match="strides\\[0\\] must be non-zero"):
        x[1:2:0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Index out of range using input dim 3"):
        x[0, 0, 0, 0]


def test_getitem_gradient():
    x = tf.constant(X)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(x[::2, ::-1, 1] * 3.0) + tf.reduce_sum(x[None, 1:, :2])
    want = np.zeros_like(X)
    want[::2, ::-1, 1] += 3.0
    want[1:, :2] += 1.0
    np.testing.assert_array_equal(_np(g.gradient(y, x)), want)


@needs_math
def test_dynamic_index_path_matches_static():
    # The path used when indices are symbolic (inside tf.function), exercised with eager tensors.
    x = tf.constant(X)
    for spec in [(tf.constant(1),), (slice(None), tf.constant(-1)), (slice(tf.constant(1), tf.constant(-1)),),
                 (Ellipsis, slice(tf.constant(4), None, -2)), (None, slice(tf.constant(-7), tf.constant(2)))]:
        static = x[tuple(int(v) if isinstance(v, tf.Tensor) else
                         slice(*(None if a is None else int(a) for a in (v.start, v.stop, v.step)))
                         if isinstance(v, slice) else v for v in spec)]
        dynamic = [(i, s) for i, s in enumerate(spec) if isinstance(s, tf.Tensor) or isinstance(s, slice)]
        base = [slice(None) if (i, s) in [(j, t) for j, t in dynamic] else s for i, s in enumerate(spec)]
        out = array_ops._dynamic_slices(x[tuple(base)], spec, dynamic, 3)
        np.testing.assert_array_equal(_np(out), _np(static))


# ---------------------------------------------------------------- strided_slice / slice
def test_strided_slice_masks():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(tf.strided_slice(x, [0, 1], [3, 4], [2, 2])), X[0:3:2, 1:4:2])
    np.testing.assert_array_equal(_np(tf.strided_slice(x, [-1, 0], [0, 0], [-1, 1], end_mask=1, shrink_axis_mask=2)),
                                  X[::-1, 0])
    np.testing.assert_array_equal(_np(tf.strided_slice(x, [1, 0, 1], [0, 0, 2], [1, 1, 1], ellipsis_mask=2,
                                                       new_axis_mask=1)), X[None, ..., 1:2])
    np.testing.assert_array_equal(_np(tf.strided_slice(x, [0, 1], [2, 3], [1, 1], new_axis_mask=1, shrink_axis_mask=1)),
                                  X[None, 1:3])


def test_slice():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(tf.slice(x, [1, 0, 2], [-1, 2, -1])), X[1:, 0:2, 2:])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected size\\[0\\] in \\[0, 2\\], but got 3"):
        tf.slice(x, [1, 0, 2], [3, 2, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected begin\\[0\\] in \\[0, 3\\], but got 4"):
        tf.slice(x, [4, 0, 0], [-1, 2, -1])


# ---------------------------------------------------------------- gather / gather_nd
P = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def test_gather_matches_numpy():
    p = tf.constant(P)
    np.testing.assert_array_equal(_np(tf.gather(p, [1, 0, 1])), P[[1, 0, 1]])
    np.testing.assert_array_equal(_np(tf.gather(p, [[3, 0], [1, 1]], axis=2)), np.take(P, [[3, 0], [1, 1]], axis=2))
    np.testing.assert_array_equal(_np(tf.gather(p, [[3, 0], [1, 1]], axis=-1)), np.take(P, [[3, 0], [1, 1]], axis=2))
    np.testing.assert_array_equal(_np(tf.gather(p, 1, axis=1)), P[:, 1])
    idx = np.array([[0, 2], [1, 1]])
    want = np.stack([P[b][idx[b]] for b in range(2)])
    np.testing.assert_array_equal(_np(tf.gather(p, idx, axis=1, batch_dims=1)), want)
    idx = np.array([[0, 3, 3], [1, 1, 0]], np.int64)
    want = np.stack([P[b][:, idx[b]] for b in range(2)])
    np.testing.assert_array_equal(_np(tf.gather(p, tf.constant(idx), axis=2, batch_dims=1)), want)
    assert tf.gather(tf.constant(["a", "b", "c"]), [2, 0]).numpy().tolist() == [b"c", b"a"]


def test_gather_out_of_range_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.gather(tf.constant([1.0, 2.0, 3.0, 4.0]), [1, 7])
    assert "indices[1] = 7 is not in [0, 4)" in str(e.value)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1,1\] = 9 is not in \[0, 4\)"):
        tf.gather(tf.zeros([2, 4]), [[1, 0], [2, 9]], axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 2\)"):
        tf.gather(tf.constant(P), [-1])


def test_gather_gradient_is_indexed_slices_on_axis_0():
    x = tf.constant(P)
    idx = tf.constant([2 - 1, 0, 1])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(tf.gather(x, idx) * tf.constant(np.arange(36, dtype=np.float32).reshape(3, 3, 4)))
    grad = g.gradient(y, x)
    assert isinstance(grad, tf.IndexedSlices)
    assert grad.values.shape.as_list() == [3, 3, 4]
    np.testing.assert_array_equal(_np(grad.indices), [1, 0, 1])
    np.testing.assert_array_equal(_np(grad.dense_shape), [2, 3, 4])
    want = np.zeros_like(P)
    np.add.at(want, [1, 0, 1], np.arange(36, dtype=np.float32).reshape(3, 3, 4))
    np.testing.assert_array_equal(_np(tf.convert_to_tensor(grad)), want)


def test_gather_gradient_is_dense_off_axis_0():
    x = tf.constant(P)
    w = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(tf.gather(x, [[0, 3, 3], [1, 1, 0]], axis=2, batch_dims=1) * tf.constant(w))
    grad = g.gradient(y, x)
    assert isinstance(grad, tf.Tensor)
    want = np.zeros_like(P)
    for b, row in enumerate([[0, 3, 3], [1, 1, 0]]):
        for j, i in enumerate(row):
            want[b, :, i] += w[b, :, j]
    np.testing.assert_array_equal(_np(grad), want)


def test_gather_nd_matches_numpy():
    p = tf.constant(P)
    np.testing.assert_array_equal(_np(tf.gather_nd(p, [[1, 2], [0, 0]])), P[[1, 0], [2, 0]])
    np.testing.assert_array_equal(_np(tf.gather_nd(p, [[1, 2, 3], [0, 0, 1]])), P[[1, 0], [2, 0], [3, 1]])
    np.testing.assert_array_equal(_np(tf.gather_nd(p, [[1], [0]], batch_dims=1)), np.stack([P[0, 1], P[1, 0]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[2, 0\] does not index into param shape"):
        tf.gather_nd(p, [[2, 0]])


# ---------------------------------------------------------------- scatter
def test_scatter_nd_sums_duplicates():
    out = tf.scatter_nd([[1], [3], [1]], tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), [5, 2])
    want = np.zeros((5, 2), np.float32)
    np.add.at(want, [1, 3, 1], [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(_np(out), want)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[7\] does not index into shape \[3\]"):
        tf.scatter_nd([[1], [7]], [1.0, 2.0], [3])


def test_tensor_scatter_ops_match_numpy():
    t = np.arange(12, dtype=np.float32).reshape(4, 3)
    x = tf.constant(t)
    u = np.array([[9.0, 9, 9], [8, 8, 8]], np.float32)
    want = t.copy()
    want[[0, 2]] = u
    np.testing.assert_array_equal(_np(tf.tensor_scatter_nd_update(x, [[0], [2]], u)), want)
    want = t.copy()
    np.add.at(want, [1, 1], 1.0)
    np.testing.assert_array_equal(_np(tf.tensor_scatter_nd_add(x, [[1], [1]], tf.ones([2, 3]))), want)
    want = t.copy()
    want[1, 1] -= 5
    np.testing.assert_array_equal(_np(tf.tensor_scatter_nd_sub(x, [[1, 1]], [5.0])), want)
    want = t.copy()
    want[0, 0], want[3, 2] = max(t[0, 0], 100), min(t[3, 2], 100)
    np.testing.assert_array_equal(_np(tf.tensor_scatter_nd_max(x, [[0, 0]], [100.0]))[0, 0], 100)
    np.testing.assert_array_equal(_np(tf.tensor_scatter_nd_min(x, [[3, 2]], [-1.0]))[3, 2], -1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        tf.tensor_scatter_nd_update(x, [[4]], [[1.0, 2, 3]])


def test_scatter_gradients():
    u = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = np.arange(10, dtype=np.float32).reshape(5, 2)
    with tf.GradientTape() as g:
        g.watch(u)
        y = tf.reduce_sum(tf.scatter_nd([[1], [3], [1]], u, [5, 2]) * tf.constant(w))
    np.testing.assert_array_equal(_np(g.gradient(y, u)), w[[1, 3, 1]])


# ---------------------------------------------------------------- reshape errors
def test_reshape_error_names_call_and_both_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.reshape(tf.range(6.0), [4, 5])
    msg = str(e.value)
    assert "tf.reshape" in msg and "[6]" in msg and "[4,5]" in msg
    assert "Input to reshape is a tensor with 6 values, but the requested shape has 20" in msg


# ---------------------------------------------------------------- shape manipulation
def test_size_rank_shape_n():
    x = tf.zeros([3, 4, 1])
    assert tf.size(x).dtype is tf.int32 and int(tf.size(x)) == 12
    assert tf.size(x, out_type=tf.int64).dtype is tf.int64
    assert tf.rank(x).dtype is tf.int32 and int(tf.rank(x)) == 3
    assert [s.numpy().tolist() for s in tf.shape_n([x, tf.zeros([2])])] == [[3, 4, 1], [2]]


def test_transpose_squeeze_expand():
    a = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(_np(tf.transpose(a)), a.T)
    np.testing.assert_array_equal(_np(tf.transpose(a, [1, 0, 2])), a.transpose(1, 0, 2))
    c = np.array([[1 + 2j, 3j]])
    np.testing.assert_array_equal(_np(tf.transpose(c, conjugate=True)), c.conj().T)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"2 is out of range \[0 .. 2\)"):
        tf.transpose(tf.zeros([2, 3]), [0, 2])
    z = tf.zeros([1, 3, 1, 2])
    assert tf.squeeze(z).shape.as_list() == [3, 2]
    assert tf.squeeze(z, [0, -2]).shape.as_list() == [3, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Can not squeeze dim\\[1\\], expected a dimension of 1"):
        tf.squeeze(tf.zeros([1, 3]), 1)
    assert tf.expand_dims(tf.zeros([2, 3]), -1).shape.as_list() == [2, 3, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tried to expand dim index 3"):
        tf.expand_dims(tf.zeros([2, 3]), 3)


@pytest.mark.parametrize("mode,np_mode", [("CONSTANT", "constant"), ("reflect", "reflect"), ("SYMMETRIC", "symmetric")])
def test_pad_matches_numpy(mode, np_mode):
    t = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(_np(tf.pad(t, [[1, 2], [2, 1]], mode=mode)), np.pad(t, [[1, 2], [2, 1]], mode=np_mode))


def test_pad_constant_values_and_errors():
    t = np.arange(6, dtype=np.int32).reshape(2, 3)
    np.testing.assert_array_equal(_np(tf.pad(t, [[1, 0], [0, 1]], constant_values=7)),
                                  np.pad(t, [[1, 0], [0, 1]], constant_values=7))
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings must be less than the dimension size"):
        tf.pad(tf.zeros([4, 3]), [[4, 0], [0, 0]], mode="REFLECT")
    with pytest.raises(ValueError, match="Value of argument `mode`"):
        tf.pad(tf.zeros([4, 3]), [[1, 0], [0, 0]], mode="foo")


def test_mirror_pad_gradient():
    t = tf.constant(np.arange(12, dtype=np.float64).reshape(3, 4))
    w = np.random.default_rng(0).standard_normal((6, 7))
    for mode in ("REFLECT", "SYMMETRIC"):
        with tf.GradientTape() as g:
            g.watch(t)
            y = tf.reduce_sum(tf.pad(t, [[1, 2], [2, 1]], mode=mode) * tf.constant(w))
        # d/dt of sum(pad(t) * w) is w folded back onto the source positions.
        idx = np.pad(np.arange(12).reshape(3, 4), [[1, 2], [2, 1]], mode=mode.lower())
        want = np.zeros(12)
        np.add.at(want, idx.ravel(), w.ravel())
        np.testing.assert_allclose(_np(g.gradient(y, t)), want.reshape(3, 4))


def test_reverse_roll():
    t = np.arange(12).reshape(4, 3)
    np.testing.assert_array_equal(_np(tf.reverse(t, [-1, 0])), t[::-1, ::-1])
    np.testing.assert_array_equal(_np(tf.roll(t, [1, -5], [0, 1])), np.roll(t, [1, -5], [0, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="axis 1 specified more than once"):
        tf.reverse(t, [1, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shift and axis must have the same size"):
        tf.roll(t, [1, 2], 0)


def test_where():
    c = np.array([[True, False, True], [False, False, True]])
    out = tf.where(c, tf.constant([1.0, 2.0, 3.0]), 0.0)
    np.testing.assert_array_equal(_np(out), np.where(c, [1.0, 2.0, 3.0], 0.0))
    assert out.dtype is tf.float32
    coords = tf.where(c)
    assert coords.dtype is tf.int64
    np.testing.assert_array_equal(_np(coords), np.argwhere(c))
    with pytest.raises(tf.errors.InvalidArgumentError, match="input #2"):
        tf.where([True, False], tf.constant([1.0, 2.0]), tf.constant([1, 2]))
    with pytest.raises(ValueError, match="x and y must both be non-None"):
        tf.where([True], 1.0)


def test_range_dtype_inference():
    assert tf.range(5).dtype is tf.int32
    assert tf.range(0.0, 1.0, 0.25).dtype is tf.float32
    assert tf.range(1, 5.0).dtype is tf.float32
    assert tf.range(5, dtype=tf.int64).dtype is tf.int64
    assert tf.range(tf.constant(1, tf.int64), 5).dtype is tf.int64
    assert tf.range(np.float64(1), 5).dtype is tf.float64
    np.testing.assert_array_equal(_np(tf.range(10, 1, -3)), [10, 7, 4])
    np.testing.assert_allclose(_np(tf.range(0.0, -1.0, -0.3)), np.arange(0.0, -1.0, -0.3, dtype=np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        tf.range(1, 5, 0)


def test_linspace():
    np.testing.assert_allclose(_np(tf.linspace(-2.0, 3.0, 7)), np.linspace(-2, 3, 7, dtype=np.float32), rtol=1e-6)
    assert tf.linspace(0, 1, 5).dtype is tf.float64
    np.testing.assert_allclose(_np(tf.linspace([0.0, 1.0], [1.0, 2.0], 3, axis=1)), [[0, 0.5, 1], [1, 1.5, 2]])
    assert tf.linspace(0.0, 1.0, 0).shape.as_list() == [0]


def test_stop_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(x * tf.stop_gradient(x))
    np.testing.assert_array_equal(_np(g.gradient(y, x)), [1.0, 2.0])


def test_boolean_mask():
    x = np.arange(24.0).reshape(2, 3, 4)
    m = np.array([[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(_np(tf.boolean_mask(x, m)), x[m])
    np.testing.assert_array_equal(_np(tf.boolean_mask(x, [True, False, True, True], axis=2)),
                                  x[:, :, [True, False, True, True]])
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(tf.zeros([4, 5]), [True, False])


def test_top_k_sort_argsort():
    x = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [5.0, 4.0, 3.0, 2.0, 1.0]], np.float32)
    v, i = tf.math.top_k(x, 3)
    np.testing.assert_array_equal(_np(i), [[1, 2, 4], [0, 1, 2]])  # ties: lower index first
    np.testing.assert_array_equal(_np(v), [[3, 3, 3], [5, 4, 3]])
    assert i.dtype is tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must have at least k columns"):
        tf.math.top_k(tf.constant([1.0, 2.0]), 3)
    rng = np.random.default_rng(1)
    for dt in (np.float32, np.int32, np.uint8):
        a = rng.integers(0, 5, (3, 7)).astype(dt)
        np.testing.assert_array_equal(_np(tf.sort(a)), np.sort(a))
        np.testing.assert_array_equal(_np(tf.argsort(a)), np.argsort(a, kind="stable"))
        np.testing.assert_array_equal(_np(tf.sort(a, axis=0, direction="DESCENDING")), -np.sort(-a.astype(np.int64), 0))
    big = rng.standard_normal((4, 600)).astype(np.float32)
    v, i = tf.math.top_k(big, 10)
    np.testing.assert_array_equal(_np(i), np.argsort(-big, axis=-1, kind="stable")[:, :10])


def test_top_k_gradient():
    x = tf.constant([[1.0, 3.0, 2.0, 5.0], [4.0, 0.0, 6.0, 1.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        v, _ = tf.math.top_k(x, 2)
        y = tf.reduce_sum(v * tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(_np(g.gradient(y, x)), [[0, 2, 0, 1], [4, 0, 3, 0]])


def test_unique():
    y, idx = tf.unique(tf.constant([3, 1, 3, 2, 1]))
    np.testing.assert_array_equal(_np(y), [3, 1, 2])
    np.testing.assert_array_equal(_np(idx), [0, 1, 0, 2, 1])
    assert tf.unique(tf.constant([3, 1]), out_idx=tf.int64).idx.dtype is tf.int64
    y, idx, count = tf.unique_with_counts(tf.constant([3, 1, 3, 2, 1, 3]))
    np.testing.assert_array_equal(_np(count), [3, 2, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="unique expects a 1D vector"):
        tf.unique(tf.zeros([2, 2]))


def test_repeat_meshgrid():
    x = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(_np(tf.repeat(x, 2)), np.repeat(x, 2))
    np.testing.assert_array_equal(_np(tf.repeat(x, 3, axis=1)), np.repeat(x, 3, axis=1))
    np.testing.assert_array_equal(_np(tf.repeat(x, [1, 0], axis=0)), np.repeat(x, [1, 0], axis=0))
    for indexing in ("xy", "ij"):
        got = tf.meshgrid([1, 2, 3], [4, 5], indexing=indexing)
        for g, w in zip(got, np.meshgrid([1, 2, 3], [4, 5], indexing=indexing)):
            np.testing.assert_array_equal(_np(g), w)


@needs_math
def test_sequence_mask():
    np.testing.assert_array_equal(_np(tf.sequence_mask([1, 3, 2], 5)), np.arange(5) < np.array([[1], [3], [2]]))
    m = tf.sequence_mask(tf.constant([[1, 3], [2, 0]]))
    assert m.shape.as_list() == [2, 2, 3]
    assert tf.sequence_mask([1, 2], 3, dtype=tf.float32).dtype is tf.float32


def test_reverse_sequence_searchsorted():
    x = np.arange(20).reshape(4, 5)
    got = _np(tf.reverse_sequence(x, [1, 2, 3, 4], seq_axis=1, batch_axis=0))
    want = x.copy()
    for b, n in enumerate([1, 2, 3, 4]):
        want[b, :n] = x[b, :n][::-1]
    np.testing.assert_array_equal(got, want)
    s = np.array([[1.0, 2, 3], [2, 4, 6]])
    v = np.array([[2.5, 2.0], [4.0, 9.0]])
    for side in ("left", "right"):
        want = np.stack([np.searchsorted(s[r], v[r], side=side) for r in range(2)])
        np.testing.assert_array_equal(_np(tf.searchsorted(s, v, side=side)), want)


def test_broadcast_shapes_and_ensure_shape():
    np.testing.assert_array_equal(_np(tf.broadcast_dynamic_shape([2, 1, 3], [4, 1])), [2, 4, 3])
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1, 3]), tf.TensorShape([4, 1])).as_list() == [2, 4, 3]
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        tf.broadcast_static_shape(tf.TensorShape([2, 1, 3]), tf.TensorShape([4, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        tf.broadcast_dynamic_shape([2, 1, 3], [4, 2])
    x = tf.zeros([3, 4])
    assert tf.ensure_shape(x, [3, None]).shape.as_list() == [3, 4]
    with pytest.raises(tf.errors.InvalidArgumentError, match="is not compatible with expected shape"):
        tf.ensure_shape(x, [3, 5])


def test_indexed_slices_convert_to_dense():
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([2, 2]), tf.constant([3, 2]))
    np.testing.assert_array_equal(_np(tf.convert_to_tensor(s)), [[0, 0], [0, 0], [4, 6]])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "uint8"])
def test_where_bit_select_is_exact_for_special_values(dtype):
    # Large same-shaped inputs take the bit-mask select path; it must equal np.where bit for bit.
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((80, 80)) * 10).astype(dtype)
    y = (rng.standard_normal((80, 80)) * 10).astype(dtype)
    if np.dtype(dtype).kind == "f":
        x.flat[:4] = [np.nan, np.inf, -0.0, -np.inf]
        y.flat[4:8] = [np.nan, -0.0, np.inf, 1.0]
    c = rng.random((80, 80)) > 0.3
    for other in (y, np.zeros((), dtype)):
        got = tf.where(tf.constant(c), tf.constant(x), tf.constant(other)).numpy()
        want = np.where(c, x, other).astype(dtype)
        assert got.dtype == want.dtype
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8))


def test_slice_pad_and_lists_with_run_time_values_in_graphs():
    x = tf.constant(np.arange(20, dtype=np.float32).reshape(4, 5))

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32), tf.TensorSpec([], tf.int32)])
    def f(v, b):
        with tf.GradientTape() as tape:
            tape.watch(v)
            y = tf.slice(v, [b, 1], [2, -1])  # begin known only at run time
            loss = tf.reduce_sum(y * y)
        padded = tf.pad(v, [[b, 0], [0, b]])  # a list holding a run-time value is packed, as TF does
        return y, tape.gradient(loss, v), padded, tf.convert_to_tensor([b, 2 * b])

    y, g, padded, packed = f(x, tf.constant(1))
    np.testing.assert_array_equal(y.numpy(), x.numpy()[1:3, 1:])
    want = np.zeros((4, 5), np.float32)
    want[1:3, 1:] = 2 * x.numpy()[1:3, 1:]
    np.testing.assert_array_equal(g.numpy(), want)
    np.testing.assert_array_equal(padded.numpy(), np.pad(x.numpy(), [[1, 0], [0, 1]]))
    assert packed.numpy().tolist() == [1, 2]
    crops = tf.data.Dataset.from_tensor_slices(tf.zeros([3, 30, 30, 1])).map(
        lambda img: tf.image.random_crop(img, [28, 28, 1]))
    assert crops.element_spec.shape.as_list() == [28, 28, 1] and len(list(crops)) == 3
