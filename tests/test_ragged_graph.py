"""tf.RaggedTensor with symbolic row partitions: the same results inside tf.function as eagerly."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops import ragged_ops

V = np.array([1., 2., 3., 4., 5., 6.], np.float32)
S = np.array([0, 2, 3, 3, 6], np.int64)
ROWS = [[1., 2.], [3.], [], [4., 5., 6.]]
V2 = np.arange(10, dtype=np.float32)
S_OUT = np.array([0, 2, 3, 5], np.int64)
S_IN = np.array([0, 2, 3, 3, 7, 10], np.int64)
UNK = [tf.TensorSpec([None], tf.float32), tf.TensorSpec([None], tf.int64)]
KNOWN = [tf.TensorSpec([6], tf.float32), tf.TensorSpec([5], tf.int64)]
UNK2 = UNK + [tf.TensorSpec([None], tf.int64)]


def _value(x):
    if isinstance(x, tf.RaggedTensor):
        return ("ragged", x.to_list())
    if isinstance(x, tf.SparseTensor):
        return ("sparse", x.indices.numpy().tolist(), x.values.numpy().tolist(), x.dense_shape.numpy().tolist())
    if isinstance(x, (list, tuple)):
        return [_value(y) for y in x]
    return ("dense", x.dtype, np.asarray(x.numpy()).tolist())


def _static(x):
    if isinstance(x, tf.RaggedTensor):
        return x.shape.as_list()
    return x.shape.as_list() if x.shape.rank is not None else None


def _traced(fn, build, seen):
    def g(*a):
        out = fn(build(*a))
        seen.append(_static(out) if not isinstance(out, (tuple, list, tf.SparseTensor)) else None)
        return out
    return g


def _check(fn, nested=False, signatures=None):
    """fn(rt) inside tf.function (symbolic splits) == fn(rt) eagerly; returns the static shapes seen."""
    build = (lambda v, o, i: tf.RaggedTensor.from_nested_row_splits(v, [o, i])) if nested else (
        lambda v, s: tf.RaggedTensor.from_row_splits(v, s))
    args = (V2, S_OUT, S_IN) if nested else (V, S)
    eager = fn(build(*[tf.constant(a) for a in args]))
    statics = []
    for sig in signatures or ([UNK2] if nested else [UNK, KNOWN]):
        seen = []
        g = _traced(fn, build, seen)
        got = tf.function(g, input_signature=sig)(*[tf.constant(a) for a in args])
        ev, gv = _value(eager), _value(got)
        assert gv == ev or np.allclose(np.asarray(ev[-1], float), np.asarray(gv[-1], float), equal_nan=True), (gv, ev)
        statics.append(seen[0])
    return eager, statics


@pytest.mark.parametrize("key, expect, shapes", [
    (0, [1., 2.], [[None], [None]]),
    (2, [], [[None], [None]]),
    (-1, [4., 5., 6.], [[None], [None]]),
])
def test_getitem_row(key, expect, shapes):
    eager, statics = _check(lambda rt: rt[key])
    assert eager.numpy().tolist() == expect
    assert statics == shapes


def test_getitem_tensor_index():
    eager, _ = _check(lambda rt: rt[tf.constant(3)])
    assert eager.numpy().tolist() == [4., 5., 6.]

    @tf.function(input_signature=UNK + [tf.TensorSpec([], tf.int32)])
    def f(v, s, i):
        return tf.RaggedTensor.from_row_splits(v, s)[i]
    assert f(tf.constant(V), tf.constant(S), tf.constant(-4)).numpy().tolist() == [1., 2.]
    assert f(tf.constant(V), tf.constant(S), tf.constant(1)).numpy().tolist() == [3.]


@pytest.mark.parametrize("key", [slice(1, 3), slice(-2, None), slice(None, None, 2), slice(None, None, -1),
                                 slice(3, 1), slice(None, -1)])
def test_getitem_row_slices(key):
    eager, statics = _check(lambda rt: rt[key])
    assert eager.to_list() == ROWS[key]
    n = len(ROWS[key])
    assert statics == [[None, None], [n, None]]


@pytest.mark.parametrize("key", [slice(1, None), slice(None, 2), slice(-2, None), slice(None, None, 2),
                                 slice(None, None, -1), slice(-1, 0, -1), slice(5, None)])
def test_getitem_inner_slices(key):
    eager, _ = _check(lambda rt: rt[:, key])
    assert eager.to_list() == [r[key] for r in ROWS]


def test_getitem_mixed_keys():
    assert _check(lambda rt: rt[3, 1:])[0].numpy().tolist() == [5., 6.]
    assert _check(lambda rt: rt[3, 1])[0].numpy().tolist() == 5.
    assert _check(lambda rt: rt[..., 1:])[0].to_list() == [r[1:] for r in ROWS]
    eager, statics = _check(lambda rt: rt[tf.newaxis])
    assert eager.to_list() == [ROWS] and statics[0] == [1, None, None]


def test_getitem_nested():
    nested = [[[0., 1.], [2.]], [[]], [[3., 4., 5., 6.], [7., 8., 9.]]]
    for key in (0, 1, -1):
        assert _check(lambda rt, key=key: rt[key], nested=True)[0].to_list() == nested[key]
    assert _check(lambda rt: rt[0, 1], nested=True)[0].numpy().tolist() == [2.]
    assert _check(lambda rt: rt[1:], nested=True)[0].to_list() == nested[1:]
    assert _check(lambda rt: rt[::2], nested=True)[0].to_list() == nested[::2]
    assert _check(lambda rt: rt[:, 1:], nested=True)[0].to_list() == [r[1:] for r in nested]
    assert _check(lambda rt: rt[:, :, :1], nested=True)[0].to_list() == [[x[:1] for x in r] for r in nested]


def test_getitem_uniform_inner_values():
    vm = np.arange(12, dtype=np.float32).reshape(6, 2)

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)])
    def f(v, s):
        rt = tf.RaggedTensor.from_row_splits(v, s)
        return rt[1], rt[:, :, 1], rt[3, 0]
    a, b, c = f(tf.constant(vm), tf.constant(S))
    assert a.numpy().tolist() == [[4., 5.]]
    assert b.to_list() == [[1., 3.], [5.], [], [7., 9., 11.]]
    assert c.numpy().tolist() == [6., 7.]


def test_partition_queries():
    assert _check(lambda rt: rt.row_lengths())[0].numpy().tolist() == [2, 1, 0, 3]
    eager, statics = _check(lambda rt: rt.nrows())
    assert eager.numpy() == 4 and eager.dtype == tf.int64 and statics == [[], []]
    assert _check(lambda rt: rt.nrows(out_type=tf.int32))[0].dtype == tf.int32
    assert _check(lambda rt: rt.value_rowids())[0].numpy().tolist() == [0, 0, 1, 3, 3, 3]
    eager, statics = _check(lambda rt: rt.bounding_shape())
    assert eager.numpy().tolist() == [4, 3] and statics == [[2], [2]]
    assert _check(lambda rt: rt.bounding_shape(axis=1))[0].numpy() == 3
    assert _check(lambda rt: rt.row_starts())[0].numpy().tolist() == [0, 2, 3, 3]
    assert _check(lambda rt: rt.row_limits())[0].numpy().tolist() == [2, 3, 3, 6]
    assert _check(lambda rt: rt.value_rowids(), nested=True)[0].numpy().tolist() == [0, 0, 1, 2, 2]
    assert _check(lambda rt: rt.bounding_shape(), nested=True)[0].numpy().tolist() == [3, 2, 4]
    assert _check(lambda rt: rt.row_lengths(axis=2), nested=True)[0].to_list() == [[2, 1], [0], [4, 3]]
    assert _check(lambda rt: tf.ragged.row_splits_to_segment_ids(rt.row_splits))[0].numpy().tolist() == [0, 0, 1, 3, 3, 3]
    assert _check(lambda rt: tf.ragged.segment_ids_to_row_splits(rt.value_rowids()))[0].numpy().tolist() == S.tolist()


def test_to_tensor_and_to_sparse():
    eager, statics = _check(lambda rt: rt.to_tensor())
    assert eager.numpy().tolist() == [[1., 2., 0.], [3., 0., 0.], [0., 0., 0.], [4., 5., 6.]]
    assert statics == [[None, None], [4, None]]
    eager, statics = _check(lambda rt: rt.to_tensor(shape=[3, 2]))
    assert statics == [[3, 2], [3, 2]]
    _, statics = _check(lambda rt: rt.to_tensor(shape=[None, 5]))
    assert statics == [[None, 5], [4, 5]]
    st, _ = _check(lambda rt: rt.to_sparse())
    assert st.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0], [3, 0], [3, 1], [3, 2]]
    st, _ = _check(lambda rt: rt.to_sparse(), nested=True)
    assert st.dense_shape.numpy().tolist() == [3, 2, 4]

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)])
    def f(v, s):
        return tf.RaggedTensor.from_row_splits(v, s).to_sparse()
    vm = np.arange(12, dtype=np.float32).reshape(6, 2)
    got = f(tf.constant(vm), tf.constant(S))
    want = tf.RaggedTensor.from_row_splits(vm, S).to_sparse()
    assert got.indices.numpy().tolist() == want.indices.numpy().tolist()
    assert got.dense_shape.numpy().tolist() == [4, 3, 2]


def test_factories_and_merge_dims():
    for fn in (lambda rt: tf.RaggedTensor.from_row_starts(rt.values, rt.row_starts()),
               lambda rt: tf.RaggedTensor.from_row_limits(rt.values, rt.row_limits()),
               lambda rt: tf.RaggedTensor.from_row_lengths(rt.values, rt.row_lengths()),
               lambda rt: tf.RaggedTensor.from_value_rowids(rt.values, rt.value_rowids(), rt.nrows()),
               lambda rt: tf.RaggedTensor.from_tensor(rt.to_tensor(), lengths=rt.row_lengths()),
               lambda rt: tf.RaggedTensor.from_tensor(rt.to_tensor(), padding=0.)):
        assert _check(fn)[0].to_list() == ROWS
    assert _check(lambda rt: tf.RaggedTensor.from_tensor(rt.to_tensor()))[0].shape.as_list() == [4, 3]
    assert _check(lambda rt: rt.merge_dims(0, 1))[0].numpy().tolist() == V.tolist()
    nested = _check(lambda rt: rt.merge_dims(1, 2), nested=True)[0]
    assert nested.to_list() == [[0., 1., 2.], [], [3., 4., 5., 6., 7., 8., 9.]]
    assert _check(lambda rt: rt.merge_dims(0, 1), nested=True)[0].row_lengths().numpy().tolist() == [2, 1, 0, 4, 3]


def test_elementwise_and_map_flat_values():
    assert _check(lambda rt: rt + rt)[0].to_list() == [[2 * x for x in r] for r in ROWS]
    assert _check(lambda rt: rt * 2.0)[0].to_list() == [[2 * x for x in r] for r in ROWS]
    col = tf.constant([[1.], [2.], [3.], [4.]])
    assert _check(lambda rt: rt + col)[0].to_list() == [[x + i + 1 for x in r] for i, r in enumerate(ROWS)]
    assert _check(lambda rt: rt.with_values(rt.values * 2))[0].to_list() == [[2 * x for x in r] for r in ROWS]
    assert _check(lambda rt: tf.ragged.map_flat_values(tf.math.negative, rt))[0].to_list() == [
        [-x for x in r] for r in ROWS]


@pytest.mark.parametrize("op, axis, expect", [
    ("Sum", 1, [3., 3., 0., 15.]), ("Sum", -1, [3., 3., 0., 15.]), ("Mean", 1, [1.5, 3., np.nan, 5.]),
    ("Max", 1, [2., 3., np.finfo(np.float32).min, 6.]), ("Min", 1, [1., 3., np.finfo(np.float32).max, 4.]),
    ("Prod", 1, [2., 3., 1., 120.]), ("Sum", 0, [8., 7., 6.]), ("Max", 0, [4., 5., 6.]), ("Sum", None, 21.),
    ("Sum", [0, 1], 21.),
])
def test_reductions(op, axis, expect):
    eager, _ = _check(lambda rt: ragged_ops.reduce(op, rt, axis))
    np.testing.assert_allclose(eager.numpy(), expect)


def test_bool_and_nested_reductions():
    assert _check(lambda rt: ragged_ops.reduce("Any", rt > 2., 1))[0].numpy().tolist() == [False, True, False, True]
    assert _check(lambda rt: ragged_ops.reduce("All", rt > 2., 1))[0].numpy().tolist() == [False, True, True, True]
    assert _check(lambda rt: ragged_ops.reduce("Sum", rt, 2), nested=True)[0].to_list() == [[1., 2.], [0.], [18., 24.]]
    assert _check(lambda rt: ragged_ops.reduce("Sum", rt, 1), nested=True)[0].to_list() == [
        [2., 1.], [], [10., 12., 14., 6.]]
    assert _check(lambda rt: ragged_ops.reduce("Sum", rt, [1, 2]), nested=True)[0].numpy().tolist() == [3., 0., 42.]
    keep = _check(lambda rt: ragged_ops.reduce("Sum", rt, 1, keepdims=True))[0]
    assert keep.numpy().tolist() == [[3.], [3.], [0.], [15.]]


def test_stack_concat_boolean_mask_range():
    assert _check(lambda rt: tf.ragged.stack([rt, rt]))[0].to_list() == [ROWS, ROWS]
    assert _check(lambda rt: tf.ragged.stack([rt, rt], axis=1))[0].to_list() == [[r, r] for r in ROWS]
    assert _check(lambda rt: ragged_ops.concat([rt, rt], 0))[0].to_list() == ROWS + ROWS
    assert _check(lambda rt: ragged_ops.concat([rt, rt], 1))[0].to_list() == [r + r for r in ROWS]
    assert _check(lambda rt: tf.ragged.boolean_mask(rt, rt > 2.))[0].to_list() == [[x for x in r if x > 2] for r in ROWS]
    assert _check(lambda rt: tf.ragged.range(rt.row_lengths()))[0].to_list() == [[0, 1], [0], [], [0, 1, 2]]


def _dense(g):
    if isinstance(g, tf.IndexedSlices):  # gather's gradient: sum its rows into a dense vector
        out = np.zeros(len(V), np.float32)
        np.add.at(out, g.indices.numpy(), g.values.numpy())
        return out
    return g.numpy()


def _grad_in_function(fn):
    results = []
    for sig in (UNK, KNOWN):
        @tf.function(input_signature=sig)
        def f(v, s):
            with tf.GradientTape() as tape:
                tape.watch(v)
                out = fn(tf.RaggedTensor.from_row_splits(v, s))
                out = out.flat_values if isinstance(out, tf.RaggedTensor) else out
            # d/dv of sum(out ** 2), given as the output cotangent 2 * out
            g = tape.gradient(out, v, output_gradients=2 * out)
            return (g.indices, g.values) if isinstance(g, tf.IndexedSlices) else g
        g = f(tf.constant(V), tf.constant(S))
        results.append(_dense(tf.IndexedSlices(g[1], g[0]) if isinstance(g, tuple) else g))
    v = tf.constant(V)
    with tf.GradientTape() as tape:  # and eagerly
        tape.watch(v)
        out = fn(tf.RaggedTensor.from_row_splits(v, S))
        out = out.flat_values if isinstance(out, tf.RaggedTensor) else out
    eager = _dense(tape.gradient(out, v, output_gradients=2 * out))
    for r in results:
        np.testing.assert_allclose(r, eager)
    return eager


def test_gradients_inside_tf_function():
    np.testing.assert_allclose(_grad_in_function(lambda rt: rt[3]), [0, 0, 0, 8, 10, 12])
    np.testing.assert_allclose(_grad_in_function(lambda rt: rt[1:3]), [0, 0, 6, 0, 0, 0])
    np.testing.assert_allclose(_grad_in_function(lambda rt: rt[:, 1:]), [0, 4, 0, 0, 10, 12])
    np.testing.assert_allclose(_grad_in_function(lambda rt: ragged_ops.reduce("Sum", rt, 1)),
                               [6, 6, 6, 30, 30, 30])
    np.testing.assert_allclose(_grad_in_function(lambda rt: ragged_ops.reduce("Max", rt, 1)), [0, 4, 6, 0, 0, 12])
    np.testing.assert_allclose(_grad_in_function(lambda rt: rt.to_tensor()), 2 * V)


def test_symbolic_errors_are_clear():
    @tf.function(input_signature=UNK)
    def f(v, s):
        return tf.RaggedTensor.from_row_splits(v, s)[1]
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError, IndexError)):
        f(tf.constant(V), tf.constant(np.array([0, 2], np.int64)))


def test_tf_reductions_concat_and_stack_dispatch_ragged_inputs():
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    assert tf.reduce_sum(rt, axis=1).numpy().tolist() == [3, 3, 15]
    assert tf.reduce_max(rt, axis=0).numpy().tolist() == [4, 5, 6]
    assert int(tf.reduce_sum(rt)) == 21
    np.testing.assert_allclose(tf.reduce_mean(rt, axis=1).numpy(), [1.5, 3.0, 5.0])
    assert tf.concat([rt, rt], axis=1).to_list() == [[1, 2, 1, 2], [3, 3], [4, 5, 6, 4, 5, 6]]
    assert tf.stack([rt, rt], axis=0).to_list() == [rt.to_list(), rt.to_list()]

    @tf.function
    def row_sums(v, s):
        return tf.reduce_sum(tf.RaggedTensor.from_row_splits(v, s), axis=1)

    got = row_sums(tf.constant([1, 2, 3, 4, 5, 6]), tf.constant([0, 2, 3, 6], tf.int64))
    assert got.numpy().tolist() == [3, 3, 15]
    batches = tf.data.Dataset.from_tensor_slices(rt).batch(2).map(lambda r: tf.reduce_sum(r, axis=1))
    assert [b.numpy().tolist() for b in batches] == [[3, 3], [15]]
