"""The fast code paths of convolution and pooling (tensorforge/ops/nn_ops.py) and the convolutional
fusions of the remapper (tensorforge/graph/passes/remapping.py): each agrees with a direct NumPy
reference and with the general path it stands in for, and keeps TF's semantics (ties and NaNs in
MaxPoolGrad go where TF's argmax sends them)."""
import itertools

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import config
from tensorforge.ops import nn_ops as N
from tensorforge.ops.registry import REGISTRY

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _restore_options():
    saved = dict(config._optimizer_options)
    yield
    config._optimizer_options.clear()
    config._optimizer_options.update(saved)


def kernel(name):
    return REGISTRY[name].kernel


# ---------------------------------------------------------------- NumPy references
def ref_conv(x, w, strides, dilations, pads):
    """Direct N-d convolution (channels last, TF's cross-correlation) of x [N, *S, C] with w [*K, C, O]."""
    nsp = x.ndim - 2
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    k = w.shape[:nsp]
    out_sp = [(xp.shape[i + 1] - (k[i] - 1) * dilations[i] - 1) // strides[i] + 1 for i in range(nsp)]
    out = np.zeros((x.shape[0],) + tuple(out_sp) + (w.shape[-1],))
    for tap in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, d, o, s in zip(tap, dilations, out_sp, strides))
        out += xp[(slice(None),) + sl + (slice(None),)].astype(np.float64) @ w[tap].astype(np.float64)
    return out


def ref_conv_grads(x, w, dy, strides, dilations, pads):
    """(dx, dw) of ref_conv, by the same loop transposed."""
    nsp = x.ndim - 2
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)]).astype(np.float64)
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    out_sp = dy.shape[1:-1]
    for tap in itertools.product(*[range(kk) for kk in w.shape[:nsp]]):
        sl = (slice(None),) + tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                                    for t, d, o, s in zip(tap, dilations, out_sp, strides)) + (slice(None),)
        dxp[sl] += dy.astype(np.float64) @ w[tap].T.astype(np.float64)
        dw[tap] = xp[sl].reshape(-1, x.shape[-1]).T @ dy.reshape(-1, dy.shape[-1]).astype(np.float64)
    inner = (slice(None),) + tuple(slice(b, b + n) for (b, _), n in zip(pads, x.shape[1:-1])) + (slice(None),)
    return dxp[inner], dw


def ref_max_pool_grad(x, g, k, relu=False):
    """TF's MaxPoolGrad for tiling windows, element by element: the first tap starts the scan and a tap
    takes over only when it is greater (so ties go to the first maximum and a later NaN never wins)."""
    dx = np.zeros(x.shape, g.dtype)
    nsp = len(k)
    for idx in np.ndindex(*g.shape):
        n, o, c = idx[0], idx[1:-1], idx[-1]
        best = arg = None
        for tap in itertools.product(*[range(kk) for kk in k]):
            pos = (n,) + tuple(oo * kk + t for oo, kk, t in zip(o, k, tap)) + (c,)
            if arg is None or x[pos] > best:
                best, arg = x[pos], pos
        if not relu or x[arg] > 0:
            dx[arg] += g[idx]
    assert len(k) == nsp
    return dx


def _pad_pairs(padding, in_sp, k, s, d):
    if padding == "VALID":
        return [(0, 0)] * len(in_sp)
    out = []
    for n, kk, ss, dd in zip(in_sp, k, s, d):
        o = -(-n // ss)
        total = max((o - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        out.append((total // 2, total - total // 2))
    return out


# ---------------------------------------------------------------- one-channel convolutions (transposed patches)
CONV1 = [  # (x shape, filter spatial, strides, dilations, padding)
    ((3, 9, 8, 1), (3, 3), (1, 1), (1, 1), "VALID"),
    ((2, 9, 8, 1), (3, 2), (2, 1), (1, 1), "SAME"),
    ((2, 10, 9, 1), (3, 3), (1, 1), (2, 1), "SAME"),
    ((4, 7, 7, 1), (2, 2), (2, 3), (1, 1), "VALID"),
]


@pytest.mark.parametrize("xs,k,s,d,padding", CONV1)
@pytest.mark.parametrize("block_bytes", [1, 1 << 19])  # one image per block, or all in one
def test_one_channel_conv_and_filter_grad_match_reference(monkeypatch, xs, k, s, d, padding, block_bytes):
    monkeypatch.setattr(N, "_TAP_BLOCK_BYTES", block_bytes)
    x = RNG.standard_normal(xs).astype(np.float32)
    w = RNG.standard_normal(k + (1, 5)).astype(np.float32)
    attrs = dict(strides=(1,) + s + (1,), padding=padding, data_format="NHWC", dilations=(1,) + d + (1,))
    y = kernel("Conv2D")(np, x, w, **attrs)
    pads = _pad_pairs(padding, xs[1:-1], k, s, d)
    np.testing.assert_allclose(y, ref_conv(x, w, s, d, pads), rtol=1e-5, atol=1e-5)
    dy = RNG.standard_normal(y.shape).astype(np.float32)
    dw = kernel("Conv2DBackpropFilter")(np, x, dy, filter_sizes=w.shape, **attrs)
    assert dw.dtype == np.float32 and dw.shape == w.shape
    np.testing.assert_allclose(dw, ref_conv_grads(x, w, dy, s, d, pads)[1], rtol=1e-4, atol=1e-4)
    # the general (window) path gives the same: a 2-channel input whose second channel is zero
    x2 = np.concatenate([x, np.zeros_like(x)], axis=-1)
    w2 = np.concatenate([w, RNG.standard_normal(w.shape).astype(np.float32)], axis=-2)
    np.testing.assert_allclose(y, kernel("Conv2D")(np, x2, w2, **attrs), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, kernel("Conv2DBackpropFilter")(np, x2, dy, filter_sizes=w2.shape, **attrs)[..., :1, :],
                               rtol=1e-4, atol=1e-4)


def test_one_channel_conv3d_and_float64():
    x = RNG.standard_normal((2, 5, 6, 4, 1))
    w = RNG.standard_normal((2, 3, 2, 1, 3))
    attrs = dict(strides=(1, 1, 2, 1, 1), padding="SAME", data_format="NDHWC", dilations=(1, 1, 1, 1, 1))
    y = kernel("Conv3D")(np, x, w, **attrs)
    pads = _pad_pairs("SAME", x.shape[1:-1], w.shape[:3], (1, 2, 1), (1, 1, 1))
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, ref_conv(x, w, (1, 2, 1), (1, 1, 1), pads), rtol=1e-12)
    dy = RNG.standard_normal(y.shape)
    dw = kernel("Conv3DBackpropFilterV2")(np, x, dy, filter_sizes=w.shape, **attrs)
    np.testing.assert_allclose(dw, ref_conv_grads(x, w, dy, (1, 2, 1), (1, 1, 1), pads)[1], rtol=1e-12)


@pytest.mark.parametrize("xs,k,padding,d,dtype", [
    ((3, 9, 8, 5), (3, 3), "VALID", (1, 1), np.float32),  # dy much smaller than x: one product per tap
    ((2, 9, 9, 3), (3, 3), "VALID", (2, 1), np.float64),
    ((2, 8, 8, 2), (3, 3), ((1, 0), (0, 1)), (1, 1), np.float32),
    ((2, 9, 9, 2), (4, 4), "VALID", (1, 1), np.float16),
    ((2, 7, 6, 3), (3, 2), "SAME", (1, 2), np.float32),  # the convolution with the flipped filter
    ((2, 6, 6, 4), (2, 2), "SAME", (1, 1), np.float64)])
def test_conv_input_grad_matches_reference(xs, k, padding, d, dtype):
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal(k + (xs[-1], 6)).astype(dtype)
    attrs = dict(strides=(1, 1, 1, 1), padding=padding, data_format="NHWC", dilations=(1,) + d + (1,))
    if isinstance(padding, tuple):
        attrs.update(padding="EXPLICIT", explicit_paddings=(0, 0) + padding[0] + padding[1] + (0, 0))
        pads = list(padding)
    else:
        pads = _pad_pairs(padding, xs[1:-1], k, (1, 1), d)
    y = kernel("Conv2D")(np, x, w, **attrs)
    dy = RNG.standard_normal(y.shape).astype(dtype)
    dx = kernel("Conv2DBackpropInput")(np, w, dy, input_sizes=xs, **attrs)
    assert dx.shape == xs and dx.dtype == dtype
    tol = {np.float16: 2e-2, np.float32: 1e-4, np.float64: 1e-10}[dtype]
    np.testing.assert_allclose(dx, ref_conv_grads(x, w, dy, (1, 1), d, pads)[0], rtol=tol, atol=tol * 10)


# ---------------------------------------------------------------- MaxPoolGrad
POOLS = [((3, 6, 6, 2), (2, 2)), ((2, 7, 5, 3), (2, 2)), ((2, 6, 6, 2), (3, 3)), ((2, 6, 7, 2), (2, 3)),
         ((2, 4, 6, 2), (1, 2)), ((2, 6, 4, 2), (3, 1)), ((2, 4, 4, 4, 2), (2, 2, 2))]


@pytest.mark.parametrize("shape,k", POOLS)
@pytest.mark.parametrize("relu", [False, True])
def test_tiled_max_pool_grad_ties_and_nans_follow_tf(shape, k, relu):
    x = RNG.integers(-2, 3, shape).astype(np.float32)  # many ties, zeros and negatives
    out_sp = tuple(n // kk for n, kk in zip(shape[1:-1], k))
    g = RNG.standard_normal((shape[0],) + out_sp + (shape[-1],)).astype(np.float32)
    np.testing.assert_array_equal(N._tiled_max_grad(x, g, k, out_sp, relu=relu), ref_max_pool_grad(x, g, k, relu))
    xn = x.copy()
    xn.reshape(-1)[RNG.choice(xn.size, xn.size // 5, replace=False)] = np.nan
    np.testing.assert_array_equal(N._tiled_max_grad(xn, g, k, out_sp, relu=relu), ref_max_pool_grad(xn, g, k, relu))


def test_max_pool_grad_kernel_ties_go_to_the_first_maximum():
    x = np.array([1, 1, 1, 1, 0, 2, 2, 1, 3, 0, 0, 3, np.nan, 1, 2, 3], np.float32).reshape(4, 2, 2, 1)
    y = kernel("MaxPool")(np, x, ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID", data_format="NHWC")
    g = np.ones(y.shape, np.float32)
    dx = kernel("MaxPoolGrad")(np, x, y, g, ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID",
                               data_format="NHWC")
    # TF 2.21: [1,1,1,1] -> first; [0,2,2,1] -> second; [3,0,0,3] -> first; [nan,1,2,3] -> the NaN (first tap)
    np.testing.assert_array_equal(dx.reshape(4, 4), [[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])


def test_max_pool_grad_relu_equals_the_two_kernels():
    for shape, ksize, strides, padding, fmt in [((4, 8, 8, 3), 2, 2, "VALID", "NHWC"), ((2, 9, 7, 3), 2, 2, "VALID", "NHWC"),
                                                ((2, 7, 7, 3), 3, 2, "SAME", "NHWC"), ((2, 3, 6, 6), 2, 2, "VALID", "NCHW")]:
        x = np.maximum(RNG.standard_normal(shape), 0).astype(np.float32)
        full = (1, 1, ksize, ksize) if fmt == "NCHW" else (1, ksize, ksize, 1)
        st = (1, 1, strides, strides) if fmt == "NCHW" else (1, strides, strides, 1)
        attrs = dict(ksize=full, strides=st, padding=padding, data_format=fmt)
        y = kernel("MaxPool")(np, x, **attrs)
        g = RNG.standard_normal(y.shape).astype(np.float32)
        want = kernel("ReluGrad")(np, kernel("MaxPoolGrad")(np, x, y, g, **attrs), x)
        np.testing.assert_array_equal(N.max_pool_grad_relu(x, y, g, **attrs), want)


# ---------------------------------------------------------------- BiasAdd, BiasAddGrad, Relu wide-row paths
@pytest.mark.parametrize("shape", [(16, 26, 26, 32), (70001, 5), (3, 5000, 3), (4100, 1), (5, 7, 1000)])
def test_bias_add_relu_and_bias_grad_fast_paths(shape):
    for dtype in (np.float32, np.float64):
        x = RNG.standard_normal(shape).astype(dtype)
        x.reshape(-1)[:4] = [-0.0, np.nan, np.inf, -np.inf]
        b = RNG.standard_normal(shape[-1]).astype(dtype)
        got = kernel("BiasAdd")(np, x, b, data_format="NHWC")
        np.testing.assert_array_equal(got.view(np.uint8), (x + b).view(np.uint8))
        relu = kernel("Relu")(np, x)
        np.testing.assert_array_equal(relu.view(np.uint8), np.maximum(x, dtype(0)).view(np.uint8))
        x[np.isnan(x) | np.isinf(x)] = 1.0
        grad = kernel("BiasAddGrad")(np, x, data_format="NHWC")
        assert grad.dtype == dtype and grad.shape == (shape[-1],)
        np.testing.assert_allclose(grad, x.astype(np.float64).reshape(-1, shape[-1]).sum(0),
                                   rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-3)


def test_fused_conv2d_equals_the_three_kernels():
    for xs, k, padding, s, relu in [((5, 12, 12, 1), (3, 3), "VALID", 1, True), ((3, 9, 9, 8), (3, 3), "SAME", 1, True),
                                    ((2, 9, 9, 4), (1, 1), "VALID", 1, False), ((2, 10, 10, 6), (3, 3), "SAME", 2, True),
                                    ((0, 5, 5, 2), (3, 3), "SAME", 1, True)]:
        for dtype in (np.float32, np.float64):
            x = RNG.standard_normal(xs).astype(dtype)
            w = RNG.standard_normal(k + (xs[-1], 7)).astype(dtype)
            b = RNG.standard_normal(7).astype(dtype)
            attrs = dict(strides=(1, s, s, 1), padding=padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                         explicit_paddings=())
            want = kernel("BiasAdd")(np, kernel("Conv2D")(np, x, w, **attrs), b, data_format="NHWC")
            if relu:
                want = kernel("Relu")(np, want)
            got = N.fused_conv2d(x, w, b, relu, **attrs)
            assert got.dtype == dtype
            np.testing.assert_array_equal(got, want)
            for ksize, strides, padding_ in ((2, 2, "VALID"), (3, 3, "VALID"), (3, 2, "SAME")):
                pool = dict(ksize=(1, ksize, ksize, 1), strides=(1, strides, strides, 1), padding=padding_)
                got, pooled = N.fused_conv2d(x, w, b, relu, pool=pool, **attrs)
                np.testing.assert_array_equal(got, want)
                np.testing.assert_array_equal(pooled, kernel("MaxPool")(np, want, data_format="NHWC", **pool))


def test_fused_conv2d_pools_blocks_of_rows_too(monkeypatch):
    monkeypatch.setattr(N, "_BLOCK_BYTES", 4096)  # blocks of a few rows of one image: pooled afterwards
    x = RNG.standard_normal((2, 15, 14, 3)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 5)).astype(np.float32)
    b = RNG.standard_normal(5).astype(np.float32)
    attrs = dict(strides=(1, 1, 1, 1), padding="SAME", data_format="NHWC", dilations=(1, 1, 1, 1))
    pool = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    want = kernel("Relu")(np, kernel("BiasAdd")(np, kernel("Conv2D")(np, x, w, **attrs), b, data_format="NHWC"))
    got, pooled = N.fused_conv2d(x, w, b, True, pool=pool, **attrs)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(pooled, kernel("MaxPool")(np, want, data_format="NHWC", **pool))


# ---------------------------------------------------------------- the remapper's convolutional fusions
def _types(concrete):
    return [n.type for n in concrete.graph.nodes]


def _cnn_step(remapping):
    tf.config.optimizer.set_experimental_options({"remapping": remapping})
    rng = np.random.default_rng(3)
    w1 = tf.Variable(rng.standard_normal((3, 3, 1, 4)).astype(np.float32) * 0.5)
    b1 = tf.Variable(rng.standard_normal(4).astype(np.float32) * 0.1)
    w2 = tf.Variable(rng.standard_normal((3, 3, 4, 6)).astype(np.float32) * 0.3)
    b2 = tf.Variable(rng.standard_normal(6).astype(np.float32) * 0.1)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w1, 1, "VALID"), b1))
            h = tf.nn.max_pool2d(h, 2, 2, "VALID")
            h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, w2, 1, "SAME"), b2))
            h = tf.nn.max_pool2d(h, 2, 2, "VALID")
            loss = tf.reduce_sum(h * h)
        grads = tape.gradient(loss, [w1, b1, w2, b2])
        for v, gr in zip([w1, b1, w2, b2], grads):
            v.assign_sub(0.01 * gr)
        return loss, grads
    x = tf.constant(rng.standard_normal((3, 11, 11, 1)).astype(np.float32))
    return step, x


def test_remapper_fuses_conv_bias_relu_and_pool_grad_relu_grad():
    on, x = _cnn_step(True)
    types = _types(on.get_concrete_function(x))
    assert types.count("_FusedConv2D") == 2 and types.count("_FusedMaxPoolGrad") == 2
    assert not {"BiasAdd", "Relu", "MaxPool", "ReluGrad", "MaxPoolGrad"} & set(types)
    off, _ = _cnn_step(False)
    assert "_FusedConv2D" not in _types(off.get_concrete_function(x))
    for _ in range(2):  # the same losses and gradients, steps after step (the variables move)
        (la, ga), (lb, gb) = on(x), off(x)
        np.testing.assert_array_equal(la.numpy(), lb.numpy())
        for a, b in zip(ga, gb):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_remapper_leaves_shared_or_returned_intermediates():
    w = tf.constant(RNG.standard_normal((3, 3, 2, 3)).astype(np.float32))
    b = tf.constant([0.5, -0.5, 0.0], tf.float32)
    spec = tf.TensorSpec([2, 6, 6, 2], tf.float32)
    xv = tf.constant(RNG.standard_normal((2, 6, 6, 2)).astype(np.float32))

    def shared(x):
        c = tf.nn.conv2d(x, w, 1, "SAME")
        return tf.nn.relu(tf.nn.bias_add(c, b)) + c  # the conv's output has two readers

    def returned(x):
        z = tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b)
        return tf.nn.relu(z), z

    def no_relu(x):
        return tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b) * 2.0

    for fn, fused_ops in ((shared, None), (returned, ("BiasAdd",)), (no_relu, ("BiasAdd",))):
        c = tf.function(fn).get_concrete_function(spec)
        fused = [n for n in c.graph.nodes if n.type == "_FusedConv2D"]
        assert [n.attrs["fused_ops"] for n in fused] == ([fused_ops] if fused_ops else [])
        tf.config.optimizer.set_experimental_options({"remapping": False})
        plain = tf.function(fn).get_concrete_function(spec)
        config._optimizer_options.clear()
        for a, p in zip(tf.nest.flatten(c(xv)), tf.nest.flatten(plain(xv))):
            np.testing.assert_array_equal(a.numpy(), p.numpy())


def test_fused_nodes_replay_under_an_outer_tape():
    w = tf.Variable(RNG.standard_normal((3, 3, 1, 2)).astype(np.float32))
    b = tf.Variable([0.1, -0.1], dtype=tf.float32)
    f = tf.function(lambda x: tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "VALID"), b)), 2, 2,
                                               "VALID"))
    x = tf.constant(RNG.standard_normal((2, 8, 8, 1)).astype(np.float32))
    assert "_FusedConv2D" in _types(f.get_concrete_function(x))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(f(x) ** 2)
    g = tape.gradient(y, [w, b])
    with tf.GradientTape() as tape:
        c = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "VALID"), b))
        y2 = tf.reduce_sum(tf.nn.max_pool2d(c, 2, 2, "VALID") ** 2)
    for a, e in zip(g, tape.gradient(y2, [w, b])):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-6)


@pytest.mark.parametrize("s,padding", [((1, 1), "VALID"), ((2, 1), "SAME")])
def test_conv_grads_skip_trailing_zero_gradient_rows(s, padding):
    """An odd-sized map pooled 2x2 leaves the last row and column of dy zero: the gradients skip them."""
    x = RNG.standard_normal((3, 11, 11, 4)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 4, 5)).astype(np.float32)
    attrs = dict(strides=(1,) + s + (1,), padding=padding, data_format="NHWC", dilations=(1, 1, 1, 1))
    dy = RNG.standard_normal(kernel("Conv2D")(np, x, w, **attrs).shape).astype(np.float32)
    dy[:, -1] = 0
    dy[:, :, -2:] = 0
    pads = _pad_pairs(padding, x.shape[1:-1], (3, 3), s, (1, 1))
    rdx, rdw = ref_conv_grads(x, w, dy, s, (1, 1), pads)
    dx = kernel("Conv2DBackpropInput")(np, w, dy, input_sizes=x.shape, **attrs)
    dw = kernel("Conv2DBackpropFilter")(np, x, dy, filter_sizes=w.shape, **attrs)
    np.testing.assert_allclose(dx, rdx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw, rdw, rtol=1e-4, atol=1e-4)
    trimmed, out_sp = N._trim_zero_tail(dy, dy.shape[1:-1])
    assert out_sp == (dy.shape[1] - 1, dy.shape[2] - 2) and trimmed.shape[1:-1] == out_sp
    w[2, 2, 0, 0] = np.inf  # 0 * inf is NaN, as in TF: nothing skipped then
    dx = kernel("Conv2DBackpropInput")(np, w, dy, input_sizes=x.shape, **attrs)
    want = ref_conv_grads(x, w, dy, s, (1, 1), pads)[0]
    np.testing.assert_array_equal(np.isnan(dx), np.isnan(want))


@pytest.mark.parametrize("shape", [(5, 6, 8, 3), (4, 7, 5, 2)])
def test_argmax_codes_route_like_tf(shape):
    """A 2x2 pooling fused into the convolution records each window's first maximum; the backward routes
    by it (and reads the input again only for chunks with a NaN window)."""
    x = np.maximum(RNG.integers(-2, 3, shape), 0).astype(np.float32)  # relu outputs with many ties
    out_sp = (shape[1] // 2, shape[2] // 2)
    g = RNG.standard_normal((shape[0],) + out_sp + (shape[-1],)).astype(np.float32)
    pooled = np.empty(g.shape, np.float32)
    code = np.empty(g.shape, np.uint8)
    N._pool_code(N._tile_view(x, (2, 2), out_sp), pooled, code)
    attrs = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID", data_format="NHWC")
    np.testing.assert_array_equal(pooled, kernel("MaxPool")(np, x, **attrs))
    assert code.max() < 8
    np.testing.assert_array_equal(N.max_pool_grad_relu(x, pooled, g, code=code, **attrs),
                                  ref_max_pool_grad(x, g, (2, 2), relu=True))
    xn = x.copy()
    xn[1, 0, 0, 0] = np.nan
    N._pool_code(N._tile_view(xn, (2, 2), out_sp), pooled, code)
    assert (code == N._NAN_CODE).all()
    np.testing.assert_array_equal(N.max_pool_grad_relu(xn, pooled, g, code=code, **attrs),
                                  ref_max_pool_grad(xn, g, (2, 2), relu=True))


def test_fused_conv2d_codes_match_the_pooling():
    x = RNG.standard_normal((6, 12, 11, 3)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 4)).astype(np.float32)
    b = RNG.standard_normal(4).astype(np.float32)
    attrs = dict(strides=(1, 1, 1, 1), padding="VALID", data_format="NHWC", dilations=(1, 1, 1, 1))
    pool = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    out, pooled, code = N.fused_conv2d(x, w, b, True, pool=pool, code=True, **attrs)
    np.testing.assert_array_equal(pooled, kernel("MaxPool")(np, out, data_format="NHWC", **pool))
    g = RNG.standard_normal(pooled.shape).astype(np.float32)
    want = kernel("ReluGrad")(np, kernel("MaxPoolGrad")(np, out, pooled, g, data_format="NHWC", **pool), out)
    np.testing.assert_array_equal(N.max_pool_grad_relu(out, pooled, g, data_format="NHWC", code=code, **pool), want)
    _, _, code3 = N.fused_conv2d(x, w, b, True, pool=dict(pool, ksize=(1, 3, 3, 1), strides=(1, 3, 3, 1)),
                                 code=True, **attrs)
    assert (code3 == N._NAN_CODE).all()  # no codes for 3x3 windows: the backward reads the input
