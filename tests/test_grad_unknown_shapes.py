"""Gradients inside tf.function when static shapes are unknown (input_signature with None dims).

Each case's gradient, traced with every dimension unknown (and with only the batch dimension
unknown), must equal the eager gradient on the same inputs, for several batch sizes (1 and an
empty batch included where the op supports them).
"""
import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(0)


def _normal(*shape):
    return RNG.standard_normal(shape)


def _distinct(*shape):
    n = int(np.prod(shape))
    return (RNG.permutation(n).reshape(shape) * 0.37 + 0.1).astype(np.float64)


def _positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _spd(b, n):
    a = RNG.standard_normal((b, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


IDX = tf.constant([1, 0, 1])

# name -> (function of the float inputs, inputs for batch size b, batch sizes)
CASES = {
    # reductions
    "reduce_sum_axis": (lambda x: tf.reduce_sum(x * x, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reduce_sum_all": (lambda x: tf.reduce_sum(x), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reduce_sum_keepdims": (lambda x: tf.reduce_sum(x, axis=[0, 2], keepdims=True), lambda b: [_normal(b, 3, 2)],
                            (2, 1, 0)),
    "reduce_mean": (lambda x: tf.reduce_mean(x, axis=0), lambda b: [_normal(b, 3)], (3, 1)),
    "reduce_mean_inner": (lambda x: tf.reduce_mean(x, axis=-1), lambda b: [_normal(b, 4)], (3, 1, 0)),
    "reduce_mean_all": (lambda x: tf.reduce_mean(x), lambda b: [_normal(b, 4)], (3, 1)),
    "reduce_max": (lambda x: tf.reduce_max(x, axis=1), lambda b: [_distinct(b, 3)], (2, 1, 0)),
    "reduce_min_all": (lambda x: tf.reduce_min(x), lambda b: [_distinct(b, 3)], (2, 1)),
    "reduce_prod": (lambda x: tf.reduce_prod(x + 1, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reduce_prod_all": (lambda x: tf.reduce_prod(x), lambda b: [_positive(b, 3)], (2, 1)),
    "reduce_logsumexp": (lambda x: tf.reduce_logsumexp(x, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reduce_euclidean_norm": (lambda x: tf.math.reduce_euclidean_norm(x, axis=1), lambda b: [_normal(b, 3)], (2, 1)),
    "reduce_std": (lambda x: tf.math.reduce_std(x, axis=0), lambda b: [_normal(b, 3)], (3, 2)),
    "cumsum": (lambda x: tf.cumsum(x, axis=1, reverse=True), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "cumprod": (lambda x: tf.math.cumprod(x, axis=1, exclusive=True), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "cumprod_batch": (lambda x: tf.math.cumprod(x, axis=0), lambda b: [_normal(b, 3)], (3, 1, 0)),
    "cumulative_logsumexp": (lambda x: tf.math.cumulative_logsumexp(x, axis=1), lambda b: [_normal(b, 3)], (2, 1)),
    # elementwise broadcasting
    "broadcast_add": (lambda x, y: x + y, lambda b: [_normal(b, 3), _normal(1, 3)], (2, 1, 0)),
    "broadcast_mul_rank": (lambda x, y: x * y, lambda b: [_normal(b, 3), _normal(3)], (2, 1, 0)),
    "broadcast_div": (lambda x, y: x / y, lambda b: [_normal(b, 1), _positive(b, 4)], (2, 1, 0)),
    "broadcast_pow": (lambda x, y: tf.pow(x, y), lambda b: [_positive(b, 3), _normal(1, 3)], (2, 1)),
    "broadcast_maximum": (lambda x, y: tf.maximum(x, y), lambda b: [_distinct(b, 3), _distinct(1, 3)], (2, 1)),
    "squared_difference": (lambda x, y: tf.math.squared_difference(x, y), lambda b: [_normal(b, 3), _normal(3)],
                           (2, 1)),
    "clip_by_value": (lambda x, lo: tf.clip_by_value(x, lo, 1.0), lambda b: [_normal(b, 3), _normal(1, 3) - 1],
                      (2, 1, 0)),
    "where_broadcast": (lambda x, y: tf.where(x > 0.0, x, y), lambda b: [_normal(b, 3), _normal(1, 3)], (2, 1, 0)),
    "select_scalar": (lambda x: tf.where(x > 0.0, x * 2.0, 0.0), lambda b: [_normal(b, 3)], (2, 1, 0)),
    # segments
    "segment_sum": (lambda x: tf.math.segment_sum(x, [0, 0, 2]), lambda b: [_normal(3, b)], (2, 1, 0)),
    "segment_mean": (lambda x: tf.math.segment_mean(x, [0, 0, 2]), lambda b: [_normal(3, b)], (2, 1)),
    "segment_max": (lambda x: tf.math.segment_max(x, [0, 0, 1]), lambda b: [_distinct(3, b)], (2, 1)),
    "segment_prod": (lambda x: tf.math.segment_prod(x, [0, 0, 1]), lambda b: [_normal(3, b)], (2, 1)),
    "unsorted_segment_sum": (lambda x: tf.math.unsorted_segment_sum(x, [0, 2, 0], 3), lambda b: [_normal(3, b)],
                             (2, 1, 0)),
    "unsorted_segment_max": (lambda x: tf.math.unsorted_segment_max(x, [0, 1, 0], 2), lambda b: [_distinct(3, b)],
                             (2, 1)),
    "unsorted_segment_prod": (lambda x: tf.math.unsorted_segment_prod(x, [0, 1, 0], 2), lambda b: [_normal(3, b)],
                              (2, 1)),
    "unsorted_segment_mean": (lambda x: tf.math.unsorted_segment_mean(x, [0, 1, 0], 2), lambda b: [_normal(3, b)],
                              (2, 1)),
    "unsorted_segment_sqrt_n": (lambda x: tf.math.unsorted_segment_sqrt_n(x, [0, 1, 0], 2), lambda b: [_normal(3, b)],
                                (2, 1)),
    # nn
    "softmax": (lambda x: tf.nn.softmax(x), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "log_softmax_axis0": (lambda x: tf.nn.log_softmax(x, axis=0), lambda b: [_normal(b, 3)], (2, 1)),
    "softmax_xent": (lambda x, y: tf.nn.softmax_cross_entropy_with_logits(tf.nn.softmax(y), x),
                     lambda b: [_normal(b, 4), _normal(b, 4)], (2, 1, 0)),
    "sparse_softmax_xent": (lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.zeros([tf.shape(x)[0]],
                                                                                              tf.int32), x),
                            lambda b: [_normal(b, 4)], (2, 1, 0)),
    "sigmoid_xent": (lambda x, y: tf.nn.sigmoid_cross_entropy_with_logits(tf.sigmoid(y), x),
                     lambda b: [_normal(b, 3), _normal(b, 3)], (2, 1, 0)),
    "l2_normalize": (lambda x: tf.math.l2_normalize(x, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "l2_normalize_all": (lambda x: tf.math.l2_normalize(x), lambda b: [_normal(b, 3)], (2, 1)),
    "l2_loss": (lambda x: tf.nn.l2_loss(x), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "moments": (lambda x: tf.add_n(list(tf.nn.moments(x, axes=[0]))), lambda b: [_normal(b, 3)], (3, 1)),
    "batch_normalization": (lambda x, m, v: tf.nn.batch_normalization(x, m, v, None, None, 1e-3),
                            lambda b: [_normal(b, 3), _normal(3), _positive(3)], (2, 1, 0)),
    "bias_add": (lambda x, bias: tf.nn.bias_add(x, bias), lambda b: [_normal(b, 2, 3), _normal(3)], (2, 1, 0)),
    "relu6_elu": (lambda x: tf.nn.elu(tf.nn.relu6(x * 4.0)), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "gelu": (lambda x: tf.nn.gelu(x), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "conv2d": (lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"), lambda b: [_normal(b, 5, 5, 2), _normal(3, 3, 2, 4)],
               (2, 1, 0)),
    "conv2d_valid_strided": (lambda x, w: tf.nn.conv2d(x, w, 2, "VALID"),
                             lambda b: [_normal(b, 6, 6, 2), _normal(3, 3, 2, 3)], (2, 1)),
    "conv1d": (lambda x, w: tf.nn.conv1d(x, w, 1, "SAME"), lambda b: [_normal(b, 7, 2), _normal(3, 2, 3)], (2, 1)),
    "depthwise_conv2d": (lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
                         lambda b: [_normal(b, 5, 5, 2), _normal(3, 3, 2, 2)], (2, 1)),
    "conv2d_transpose": (lambda x, w: tf.nn.conv2d_transpose(x, w, tf.stack([tf.shape(x)[0], 8, 8, 2]), 2, "SAME"),
                         lambda b: [_normal(b, 4, 4, 3), _normal(3, 3, 2, 3)], (2, 1)),
    "max_pool": (lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"), lambda b: [_distinct(b, 4, 4, 2)], (2, 1, 0)),
    "avg_pool": (lambda x: tf.nn.avg_pool2d(x, 3, 1, "SAME"), lambda b: [_normal(b, 4, 4, 2)], (2, 1, 0)),
    "avg_pool_strided": (lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), lambda b: [_normal(b, 6, 6, 2)], (2, 1, 0)),
    "conv2d_strided_same": (lambda x, w: tf.nn.conv2d(x, w, 2, "SAME"),
                            lambda b: [_normal(b, 6, 6, 2), _normal(3, 3, 2, 3)], (2, 1)),
    "max_pool1d": (lambda x: tf.nn.max_pool1d(x, 2, 2, "SAME"), lambda b: [_distinct(b, 5, 2)], (2, 1)),
    "embedding_lookup": (lambda x: tf.nn.embedding_lookup(x, [[1, 0], [1, 1]]), lambda b: [_normal(3, b)], (2, 1)),
    # linalg
    "matmul": (lambda x, y: tf.matmul(x, y, transpose_b=True), lambda b: [_normal(b, 3), _normal(4, 3)], (2, 1, 0)),
    "matmul_self": (lambda x: tf.matmul(x, x, transpose_a=True), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "batch_matmul_broadcast": (lambda x, y: tf.matmul(x, y), lambda b: [_normal(b, 2, 3), _normal(3, 4)], (2, 1, 0)),
    "batch_matmul_broadcast_b": (lambda x, y: tf.matmul(x, y), lambda b: [_normal(1, 2, 3), _normal(b, 3, 4)],
                                 (2, 1, 0)),
    "einsum": (lambda x, y: tf.einsum("bij,jk->bik", x, y), lambda b: [_normal(b, 2, 3), _normal(3, 4)], (2, 1, 0)),
    "einsum_reduce": (lambda x: tf.einsum("bij->j", x), lambda b: [_normal(b, 2, 3)], (2, 1, 0)),
    "einsum_diag": (lambda x, y: tf.einsum("bii,bj->bij", x, y), lambda b: [_normal(b, 3, 3), _normal(b, 2)], (2, 1)),
    "einsum_outer": (lambda x, y: tf.einsum("bi,bj->bij", x, y), lambda b: [_normal(b, 3), _normal(b, 2)], (2, 1, 0)),
    "tensordot_axes2": (lambda x, y: tf.tensordot(x, y, [[1, 2], [0, 1]]), lambda b: [_normal(b, 2, 3), _normal(2, 3, b)],
                        (2, 1)),
    "tensordot": (lambda x, y: tf.tensordot(x, y, axes=1), lambda b: [_normal(b, 3), _normal(3, 2)], (2, 1, 0)),
    "norm_axis": (lambda x: tf.norm(x, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "norm_all": (lambda x: tf.norm(x), lambda b: [_normal(b, 3)], (2, 1)),
    "norm_ord1": (lambda x: tf.norm(x, ord=1, axis=-1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "norm_fro_matrix": (lambda x: tf.norm(x, ord="fro", axis=[-2, -1]), lambda b: [_normal(b, 2, 3)], (2, 1, 0)),
    "matrix_inverse": (lambda x: tf.linalg.inv(x), lambda b: [_spd(b, 3)], (2, 1)),
    "matrix_det": (lambda x: tf.linalg.det(x), lambda b: [_spd(b, 3)], (2, 1)),
    "cholesky": (lambda x: tf.linalg.cholesky(x), lambda b: [_spd(b, 3)], (2, 1)),
    "solve": (lambda a, r: tf.linalg.solve(a, r), lambda b: [_spd(b, 3), _normal(b, 3, 2)], (2, 1)),
    "triangular_solve": (lambda a, r: tf.linalg.triangular_solve(tf.linalg.band_part(a, -1, 0), r),
                         lambda b: [_spd(b, 3), _normal(b, 3, 2)], (2, 1)),
    "trace_diag": (lambda x: tf.linalg.trace(x) + tf.reduce_sum(tf.linalg.diag_part(x)), lambda b: [_normal(b, 3, 3)],
                   (2, 1, 0)),
    "band_part": (lambda x: tf.linalg.band_part(x, 1, 0), lambda b: [_normal(b, 3, 3)], (2, 1, 0)),
    "matrix_transpose": (lambda x: tf.linalg.matrix_transpose(x), lambda b: [_normal(b, 2, 3)], (2, 1, 0)),
    "diag": (lambda x: tf.linalg.diag(x), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "eigh": (lambda x: tf.linalg.eigh(x)[0], lambda b: [_spd(b, 3)], (2, 1)),
    "qr": (lambda x: tf.linalg.qr(x)[1], lambda b: [_normal(b, 3, 3)], (2, 1)),
    "svd": (lambda x: tf.linalg.svd(x, compute_uv=False), lambda b: [_normal(b, 3, 2)], (2, 1)),
    "logdet": (lambda x: tf.linalg.logdet(x), lambda b: [_spd(b, 3)], (2, 1)),
    # array
    "concat": (lambda x: tf.concat([x, x * 2], axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "concat_batch": (lambda x, y: tf.concat([x, y], axis=0), lambda b: [_normal(b, 3), _normal(b + 1, 3)], (2, 1, 0)),
    "stack": (lambda x: tf.stack([x, x * 3], axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "unstack": (lambda x: tf.unstack(x, num=3, axis=1)[1] * 2.0, lambda b: [_normal(b, 3)], (2, 1, 0)),
    "split": (lambda x: tf.split(x, [1, 2], axis=1)[1], lambda b: [_normal(b, 3)], (2, 1, 0)),
    "split_even": (lambda x: tf.split(x, 3, axis=1)[2] * 2.0, lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reshape": (lambda x: tf.reshape(x, [-1]), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "reshape_dynamic": (lambda x: tf.reshape(x, tf.stack([tf.shape(x)[1], -1])), lambda b: [_normal(b, 3)], (2, 1)),
    "expand_squeeze": (lambda x: tf.squeeze(tf.expand_dims(x, 0) * 2.0, 0), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "squeeze_axis": (lambda x: tf.squeeze(x, axis=1), lambda b: [_normal(b, 1, 3)], (2, 1, 0)),
    "transpose": (lambda x: tf.transpose(x * tf.range(3.0, dtype=tf.float64), [1, 2, 0]),
                  lambda b: [_normal(b, 2, 3)], (2, 1, 0)),
    "reverse": (lambda x: tf.reverse(x, [0]) * tf.range(3.0, dtype=tf.float64), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "roll": (lambda x: tf.roll(x, 1, axis=0) * tf.range(3.0, dtype=tf.float64), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "tile": (lambda x: tf.tile(x, [2, 1]), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "broadcast_to": (lambda x: tf.broadcast_to(x, tf.stack([2, tf.shape(x)[0], 3])), lambda b: [_normal(b, 1)],
                     (2, 1, 0)),
    "slice_getitem": (lambda x: x[:, 1:], lambda b: [_normal(b, 3)], (2, 1, 0)),
    "strided_getitem": (lambda x: x[::-2, 0], lambda b: [_normal(b, 3)], (3, 1, 0)),
    "tf_slice": (lambda x: tf.slice(x, [0, 1], [-1, 2]), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "pad": (lambda x: tf.pad(x, [[1, 0], [0, 2]]), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "pad_constant": (lambda x, c: tf.pad(x, [[1, 2], [0, 1]], constant_values=tf.reduce_sum(c)),
                     lambda b: [_normal(b, 3), _normal(2)], (2, 1, 0)),
    "pad_reflect": (lambda x: tf.pad(x, [[0, 0], [1, 1]], mode="REFLECT"), lambda b: [_normal(b, 3)], (2, 1)),
    "gather": (lambda x: tf.gather(x, [1, 0, 1]), lambda b: [_normal(2 + b, 3)], (2, 1, 0)),
    "gather_gather": (lambda x: tf.gather(tf.gather(x, [1, 0]), [0]), lambda b: [_normal(2 + b, 3)], (2, 1, 0)),
    "gather_axis1": (lambda x: tf.gather(x, [2, 0, 2], axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "gather_batch_dims": (lambda x: tf.gather(x, tf.zeros([tf.shape(x)[0], 2], tf.int32), axis=1, batch_dims=1),
                          lambda b: [_normal(b, 3)], (2, 1, 0)),
    "gather_nd": (lambda x: tf.gather_nd(x, [[0, 1], [1, 2]]), lambda b: [_normal(2 + b, 3)], (2, 1, 0)),
    "gather_nd_batch": (lambda x: tf.gather_nd(x, tf.zeros([tf.shape(x)[0], 1, 1], tf.int32), batch_dims=1),
                        lambda b: [_normal(b, 3)], (2, 1, 0)),
    "boolean_mask": (lambda x: tf.boolean_mask(x, x > 0.0), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "boolean_mask_rows": (lambda x: tf.boolean_mask(x, x[:, 0] > 0.0), lambda b: [_normal(b, 3)], (4, 1, 0)),
    "sort": (lambda x: tf.sort(x, axis=1), lambda b: [_distinct(b, 3)], (2, 1, 0)),
    "sort_batch_axis": (lambda x: tf.sort(x, axis=0, direction="DESCENDING"), lambda b: [_distinct(b, 3)], (3, 1, 0)),
    "top_k": (lambda x: tf.math.top_k(x, 2).values, lambda b: [_distinct(b, 3)], (2, 1, 0)),
    "repeat": (lambda x: tf.repeat(x, 2, axis=1), lambda b: [_normal(b, 3)], (2, 1, 0)),
    "scatter_nd": (lambda u: tf.scatter_nd([[1], [0], [1]], u, tf.stack([3, tf.shape(u)[1]])),
                   lambda b: [_normal(3, b)], (2, 1, 0)),
    "tensor_scatter_update": (lambda x, u: tf.tensor_scatter_nd_update(x, [[0], [2]], u),
                              lambda b: [_normal(3, b), _normal(2, b)], (2, 1, 0)),
    "tensor_scatter_add": (lambda x, u: tf.tensor_scatter_nd_add(x, [[0], [0]], u),
                           lambda b: [_normal(3, b), _normal(2, b)], (2, 1, 0)),
    "tensor_scatter_max": (lambda x, u: tf.tensor_scatter_nd_max(x, [[0], [2]], u),
                           lambda b: [_distinct(3, b), _distinct(2, b) + 0.05], (2, 1)),
    "dynamic_partition": (lambda x: tf.dynamic_partition(x, [0, 1, 0], 2)[0] * 2.0, lambda b: [_normal(3, b)], (2, 1)),
    "dynamic_stitch": (lambda x, y: tf.dynamic_stitch([[0, 2], [1]], [x, y]),
                       lambda b: [_normal(2, b), _normal(1, b)], (2, 1)),
    "one_hot_matmul": (lambda x: tf.one_hot(tf.argmax(x, axis=1), 3, dtype=tf.float64) * x,
                       lambda b: [_distinct(b, 3)], (2, 1, 0)),
    "sequence_mask": (lambda x: tf.where(tf.sequence_mask([1, 2, 3][:1], 3), x, 0.0), lambda b: [_normal(b, 3)],
                      (2, 1)),
}


def _grads(fn, xs):
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
        target = tf.reduce_sum(tf.sin(tf.cast(y, tf.float64)))
    gs = tape.gradient(target, xs)
    return [tf.zeros_like(x) if g is None else tf.convert_to_tensor(g) for x, g in zip(xs, gs)]


@pytest.mark.parametrize("mode", ["all_unknown", "batch_unknown"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_with_unknown_dims_matches_eager(name, mode):
    fn, make, batches = CASES[name]
    if name == "qr" and mode == "all_unknown":
        pytest.skip("TF raises too: QrGrad not implemented with dynamic shapes (matrix dims unknown)")
    shapes = [a.shape for a in make(1)]
    if mode == "all_unknown":
        sig = [tf.TensorSpec([None] * len(s), tf.float64) for s in shapes]
    else:  # only the dimensions that change with the batch size are unknown
        sig = [tf.TensorSpec([None if d != e else d for d, e in zip(s, a.shape)], tf.float64)
               for s, a in zip(shapes, make(2))]
    graph_grads = tf.function(lambda *xs: _grads(fn, list(xs)), input_signature=sig)
    for b in batches:
        xs = [tf.constant(a) for a in make(b)]
        want = _grads(fn, xs)
        got = graph_grads(*xs)
        for w, g in zip(want, got):
            assert g.shape == w.shape
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-9, atol=1e-10, err_msg="%s batch %d" % (name, b))


def test_static_shapes_of_gradients_stay_precise():
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.reduce_max(x, axis=1)) + tf.reduce_sum(tf.concat([x, x], 1)) + tf.reduce_sum(x[:, 1:])
            y += tf.reduce_sum(tf.pad(x, [[1, 0], [0, 1]])) + tf.reduce_sum(tf.tile(x, [2, 1]))
        g = tape.gradient(y, x)
        assert g.shape.as_list() == [None, 3], g.shape
        return g

    np.testing.assert_allclose(f(tf.constant([[1.0, 2.0, 3.0], [6.0, 5.0, 4.0]])).numpy(),
                               [[5.0, 6.0, 7.0], [6.0, 6.0, 6.0]])


def test_indexed_slices_gradient_with_unknown_rows():
    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.gather(x, [0, 0, 1]))
        g = tape.gradient(y, x)
        assert isinstance(g, tf.IndexedSlices)
        return g.values, g.indices, g.dense_shape, tf.convert_to_tensor(g)

    values, indices, dense_shape, dense = f(tf.ones([3, 2]))
    assert dense_shape.numpy().tolist() == [3, 2] and indices.numpy().tolist() == [0, 0, 1]
    np.testing.assert_allclose(dense.numpy(), [[2, 2], [1, 1], [0, 0]])


def test_dynamic_num_segments_and_top_k():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.int32)])
    def f(x, n):
        return tf.math.unsorted_segment_sum(x, tf.zeros_like(x, tf.int32), n), tf.math.top_k(x, n).values

    s, t = f(tf.constant([3.0, 1.0, 2.0]), tf.constant(2))
    assert s.numpy().tolist() == [6.0, 0.0] and t.numpy().tolist() == [3.0, 2.0]


def test_unknown_rank_raises_clear_error():
    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.tile(x, [2, 1])
        return tape.gradient(y, x)

    with pytest.raises(ValueError, match="tf.tile's gradient needs a tensor of known rank"):
        f(tf.ones([2, 3]))


def test_second_order_gradient_with_unknown_dims():
    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float64)])
    def f(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.reduce_max(x, axis=1) ** 2) + tf.reduce_sum(tf.pad(x, [[1, 0], [0, 1]]) ** 3)
            g = t1.gradient(y, x)
            z = tf.reduce_sum(g * g)
        return t2.gradient(z, x)

    x = np.array([[1.0, 3.0, 2.0], [0.5, -1.0, 0.25]])
    xt = tf.constant(x)
    with tf.GradientTape() as t2:
        t2.watch(xt)
        with tf.GradientTape() as t1:
            t1.watch(xt)
            y = tf.reduce_sum(tf.reduce_max(xt, axis=1) ** 2) + tf.reduce_sum(tf.pad(xt, [[1, 0], [0, 1]]) ** 3)
        g = t1.gradient(y, xt)
        z = tf.reduce_sum(g * g)
    np.testing.assert_allclose(f(xt).numpy(), t2.gradient(z, xt).numpy())
