"""tf.nn: convolutions, pooling and softmax against straightforward NumPy references,
gradients (dilated ones included) against finite differences, and TF's error messages."""
import itertools

import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(42)


def normal(*shape):
    return RNG.standard_normal(shape)


# ---------------------------------------------------------------- references (loops, written from the definitions)
def same_pads(n, k, s, d):
    """TF's SAME padding: output ceil(n / s), the padding split with the extra element after."""
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def ref_pads(x_shape, k_shape, strides, dilations, padding):
    if padding == "VALID":
        return [(0, 0), (0, 0)]
    if padding == "SAME":
        return [same_pads(x_shape[1 + i], k_shape[i], strides[i], dilations[i]) for i in range(2)]
    return [tuple(p) for p in padding[1:3]]


def ref_conv2d(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    """out[n, i, j, o] = sum_{a, b, c} xpad[n, i*sh + a*dh, j*sw + b*dw, c] * w[a, b, c, o]."""
    (pt, pb), (pl, pr) = ref_pads(x.shape, w.shape, strides, dilations, padding)
    xp = np.pad(x, [(0, 0), (pt, pb), (pl, pr), (0, 0)])
    kh, kw, _, o = w.shape
    sh, sw = strides
    dh, dw = dilations
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, o))
    for i, j in itertools.product(range(oh), range(ow)):
        for a, b in itertools.product(range(kh), range(kw)):
            out[:, i, j, :] += xp[:, i * sh + a * dh, j * sw + b * dw, :] @ w[a, b]
    return out


def ref_depthwise(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    c, m = w.shape[2:]
    outs = [ref_conv2d(x[..., ci:ci + 1], w[:, :, ci:ci + 1, :], strides, padding, dilations) for ci in range(c)]
    return np.concatenate(outs, axis=-1)  # channel ci * m + mi


def ref_conv3d(x, w, strides, padding):
    kd, kh, kw, _, o = w.shape
    if padding == "SAME":
        pads = [same_pads(x.shape[1 + i], w.shape[i], strides[i], 1) for i in range(3)]
    else:
        pads = [(0, 0)] * 3
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [(xp.shape[1 + i] - w.shape[i]) // strides[i] + 1 for i in range(3)]
    out = np.zeros((x.shape[0],) + tuple(outs) + (o,))
    for p in itertools.product(*[range(v) for v in outs]):
        win = xp[:, p[0] * strides[0]:p[0] * strides[0] + kd, p[1] * strides[1]:p[1] * strides[1] + kh,
                 p[2] * strides[2]:p[2] * strides[2] + kw, :]
        out[(slice(None),) + p] = np.tensordot(win, w, axes=([1, 2, 3, 4], [0, 1, 2, 3]))
    return out


def ref_pool(x, k, s, padding, kind):
    """Max/avg pooling; SAME windows only count the real elements (padding is ignored)."""
    n, h, w, c = x.shape
    if padding == "SAME":
        (pt, _), (pl, _) = same_pads(h, k[0], s[0], 1), same_pads(w, k[1], s[1], 1)
        oh, ow = -(-h // s[0]), -(-w // s[1])
    else:
        pt = pl = 0
        oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * s[0] - pt, j * s[1] - pl
        win = x[:, max(r0, 0):r0 + k[0], max(c0, 0):c0 + k[1], :]
        out[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


def numeric_grad(f, arrays, index, cot, eps=1e-6):
    g = np.zeros_like(arrays[index])
    for j in np.ndindex(g.shape):
        plus = [a.copy() for a in arrays]
        minus = [a.copy() for a in arrays]
        plus[index][j] += eps
        minus[index][j] -= eps
        g[j] = (np.sum(f(*plus) * cot) - np.sum(f(*minus) * cot)) / (2 * eps)
    return g


def tape_grads(fn, arrays, cot):
    ts = [tf.constant(a) for a in arrays]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        loss = tf.reduce_sum(fn(*ts) * tf.constant(cot))
    return [np.asarray(g) for g in tape.gradient(loss, ts)]


# ---------------------------------------------------------------- conv2d
CONV_CASES = [
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, "SAME", 1),
    ((2, 7, 6, 3), (3, 3, 3, 4), 1, "VALID", 1),
    ((2, 8, 9, 3), (3, 2, 3, 2), 2, "SAME", 1),
    ((2, 8, 9, 3), (3, 2, 3, 2), (2, 3), "VALID", 1),
    ((1, 9, 9, 2), (3, 3, 2, 3), 1, "SAME", 2),
    ((1, 9, 10, 2), (2, 3, 2, 3), 1, "VALID", (3, 2)),
    ((1, 9, 9, 2), (3, 3, 2, 3), 2, "SAME", 2),
    ((1, 7, 6, 2), (3, 3, 2, 3), (2, 1), [[0, 0], [1, 2], [0, 1], [0, 0]], 1),
    ((1, 7, 6, 2), (3, 3, 2, 3), 1, [[0, 0], [2, 2], [3, 0], [0, 0]], 2),
    ((3, 5, 5, 4), (1, 1, 4, 6), 1, "SAME", 1),
    ((3, 6, 6, 4), (1, 1, 4, 6), 2, "VALID", 1),
]


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("xs,ws,strides,padding,dilations", CONV_CASES)
def test_conv2d_matches_reference(xs, ws, strides, padding, dilations):
    x, w = normal(*xs), normal(*ws)
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides, padding, dilations=dilations)
    want = ref_conv2d(x, w, _pair(strides), padding, _pair(dilations))
    assert got.dtype == tf.float64
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)


def test_conv2d_float32_and_nchw():
    x, w = normal(2, 7, 6, 3), normal(3, 3, 3, 4)
    got = tf.nn.conv2d(tf.constant(x, tf.float32), tf.constant(w, tf.float32), 2, "SAME")
    assert got.dtype == tf.float32
    want = ref_conv2d(x, w, (2, 2), "SAME")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-4)
    nchw = tf.nn.conv2d(tf.constant(x.transpose(0, 3, 1, 2)), tf.constant(w), 2, "SAME", data_format="NCHW")
    np.testing.assert_allclose(nchw.numpy(), want.transpose(0, 3, 1, 2), rtol=1e-10, atol=1e-10)


def test_conv2d_grouped():
    x, w = normal(2, 5, 5, 6), normal(3, 3, 2, 9)  # 3 groups of 2 input and 3 output channels
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), 1, "SAME").numpy()
    want = np.concatenate([ref_conv2d(x[..., 2 * g:2 * g + 2], w[..., 3 * g:3 * g + 3], padding="SAME")
                           for g in range(3)], axis=-1)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_conv2d_batch_dims_and_conv1d():
    x, w = normal(2, 3, 6, 5, 2), normal(3, 3, 2, 4)
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), 1, "VALID").numpy()
    want = ref_conv2d(x.reshape(6, 6, 5, 2), w).reshape(2, 3, 4, 3, 4)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    x1, w1 = normal(2, 9, 3), normal(3, 3, 4)
    got1 = tf.nn.conv1d(tf.constant(x1), tf.constant(w1), 2, "SAME").numpy()
    want1 = ref_conv2d(x1[:, None], w1[None], (1, 2), [[0, 0], [0, 0], [1, 1], [0, 0]])[:, 0]
    np.testing.assert_allclose(got1, want1, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("strides,padding,dilations", [(1, "SAME", 2), (1, "VALID", (2, 3)), (2, "SAME", 2),
                                                       ((1, 2), [[0, 0], [1, 0], [2, 1], [0, 0]], (2, 1))])
def test_dilated_conv2d_gradients_match_finite_differences(strides, padding, dilations):
    # TF 2.21 cannot take these gradients on CPU; tensorforge must.
    x, w = normal(2, 7, 8, 2), normal(3, 2, 2, 3)

    def f(a, b):
        return ref_conv2d(a, b, _pair(strides), padding, _pair(dilations))
    cot = normal(*f(x, w).shape)
    gx, gw = tape_grads(lambda a, b: tf.nn.conv2d(a, b, strides, padding, dilations=dilations), [x, w], cot)
    np.testing.assert_allclose(gx, numeric_grad(f, [x, w], 0, cot), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, numeric_grad(f, [x, w], 1, cot), rtol=1e-6, atol=1e-7)


def test_conv2d_second_order_gradient():
    x, w = normal(1, 5, 5, 2), normal(3, 3, 2, 2)
    tx, tw = tf.constant(x), tf.constant(w)

    def grad_norm(xv):
        xt = tf.constant(xv)
        with tf.GradientTape() as t1:
            t1.watch(xt)
            y = tf.nn.conv2d(xt, tw, 2, "SAME", dilations=1)
            loss = tf.reduce_sum(y * y * y)
        g = t1.gradient(loss, xt)
        return float(tf.reduce_sum(g * g).numpy())

    with tf.GradientTape() as t2:
        t2.watch(tx)
        with tf.GradientTape() as t1:
            t1.watch(tx)
            y = tf.nn.conv2d(tx, tw, 2, "SAME")
            loss = tf.reduce_sum(y * y * y)
        g = t1.gradient(loss, tx)
        s = tf.reduce_sum(g * g)
    hx = t2.gradient(s, tx).numpy()
    eps = 1e-6
    num = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[j] += eps
        m[j] -= eps
        num[j] = (grad_norm(p) - grad_norm(m)) / (2 * eps)
    np.testing.assert_allclose(hx, num, rtol=1e-5, atol=1e-6)


def test_conv2d_transpose_is_the_input_gradient():
    x, w = normal(2, 7, 7, 3), normal(3, 3, 3, 4)
    cot = normal(2, 4, 4, 4)
    (gx,) = tape_grads(lambda a: tf.nn.conv2d(a, tf.constant(w), 2, "SAME"), [x], cot)
    got = tf.nn.conv2d_transpose(tf.constant(cot), tf.constant(w), [2, 7, 7, 3], 2, "SAME").numpy()
    np.testing.assert_allclose(got, gx, rtol=1e-10, atol=1e-10)
    # Its own gradients, w.r.t. both inputs, by finite differences.
    y0, w0 = normal(1, 3, 3, 4), normal(3, 3, 2, 4)

    def f(a, b):
        return tf.nn.conv2d_transpose(tf.constant(a), tf.constant(b), [1, 6, 6, 2], 2, "SAME", dilations=1).numpy()
    c2 = normal(1, 6, 6, 2)
    gy, gw = tape_grads(lambda a, b: tf.nn.conv2d_transpose(a, b, [1, 6, 6, 2], 2, "SAME"), [y0, w0], c2)
    np.testing.assert_allclose(gy, numeric_grad(f, [y0, w0], 0, c2), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, numeric_grad(f, [y0, w0], 1, c2), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("strides,padding,dilations", [(1, "SAME", 1), (2, "VALID", 1), (1, "SAME", 2)])
def test_depthwise_conv2d(strides, padding, dilations):
    x, w = normal(2, 7, 6, 3), normal(3, 3, 3, 2)
    s4 = [1, strides, strides, 1]
    got = tf.nn.depthwise_conv2d(tf.constant(x), tf.constant(w), s4, padding, dilations=[dilations] * 2)
    want = ref_depthwise(x, w, (strides,) * 2, padding, (dilations,) * 2)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)

    def f(a, b):
        return ref_depthwise(a, b, (strides,) * 2, padding, (dilations,) * 2)
    cot = normal(*want.shape)
    gx, gw = tape_grads(lambda a, b: tf.nn.depthwise_conv2d(a, b, s4, padding, dilations=[dilations] * 2),
                        [x, w], cot)
    np.testing.assert_allclose(gx, numeric_grad(f, [x, w], 0, cot), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, numeric_grad(f, [x, w], 1, cot), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("strides,padding", [((1, 1, 1), "SAME"), ((2, 1, 2), "VALID"), ((1, 2, 2), "SAME")])
def test_conv3d(strides, padding):
    x, w = normal(2, 5, 4, 5, 2), normal(2, 3, 2, 2, 3)
    got = tf.nn.conv3d(tf.constant(x), tf.constant(w), [1, *strides, 1], padding).numpy()
    np.testing.assert_allclose(got, ref_conv3d(x, w, strides, padding), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- pooling
POOL_CASES = [((2, 7, 7, 3), 3, 2, "SAME"), ((2, 7, 7, 3), 3, 2, "VALID"), ((2, 6, 8, 2), 2, 2, "SAME"),
              ((1, 7, 8, 2), (3, 2), (1, 3), "SAME"), ((1, 5, 5, 2), 5, 3, "SAME"), ((2, 8, 7, 3), (2, 3), 1, "VALID")]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("xs,k,s,padding", POOL_CASES)
def test_pooling_matches_reference(kind, xs, k, s, padding):
    x = RNG.permutation(int(np.prod(xs))).reshape(xs) * 0.37 - 3.0  # distinct values: no ties
    fn = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    got = fn(tf.constant(x), k, s, padding)
    want = ref_pool(x, _pair(k), _pair(s), padding, kind)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    cot = normal(*want.shape)
    (g,) = tape_grads(lambda a: fn(a, k, s, padding), [x], cot)
    num = numeric_grad(lambda a: ref_pool(a, _pair(k), _pair(s), padding, kind), [x], 0, cot)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-6)  # |x| ~ 100: finite differences round at ~1e-7


def test_max_pool_gradient_routes_to_the_first_maximum():
    x = np.array([[1.0, 5.0, 5.0], [2.0, 0.0, 5.0], [1.0, 1.0, 1.0]]).reshape(1, 3, 3, 1)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.nn.max_pool2d(t, 2, 1, "VALID")
    g = tape.gradient(y, t).numpy().reshape(3, 3)
    # Windows: [1,5,2,0] -> (0,1); [5,5,0,5] -> (0,1) again (first max); [2,0,1,1] -> (1,0); [0,5,1,1] -> (1,2).
    np.testing.assert_array_equal(g, [[0, 2, 0], [1, 0, 1], [0, 0, 0]])


def test_avg_pool_same_divides_by_real_elements():
    x = np.ones((1, 3, 3, 1))
    y = tf.nn.avg_pool2d(tf.constant(x), 2, 2, "SAME").numpy()
    np.testing.assert_array_equal(y, np.ones((1, 2, 2, 1)))  # corner windows hold 1 or 2 real elements
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.nn.avg_pool2d(t, 2, 2, "SAME")
    g = tape.gradient(y, t).numpy().reshape(3, 3)
    np.testing.assert_allclose(g, [[0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.5, 0.5, 1.0]])


def test_pool_1d_3d_and_generic():
    x1 = normal(2, 9, 3)
    want1 = ref_pool(x1[:, None], (1, 3), (1, 2), "SAME", "max")[:, 0]
    np.testing.assert_allclose(tf.nn.max_pool1d(tf.constant(x1), 3, 2, "SAME").numpy(), want1)
    np.testing.assert_allclose(tf.nn.max_pool(tf.constant(x1), 3, 2, "SAME").numpy(), want1)
    x3 = normal(1, 4, 4, 4, 2)
    got3 = tf.nn.avg_pool3d(tf.constant(x3), 2, 2, "VALID").numpy()
    np.testing.assert_allclose(got3, x3.reshape(1, 2, 2, 2, 2, 2, 2, 2).mean(axis=(2, 4, 6)), rtol=1e-12)
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        tf.nn.max_pool2d(tf.constant(normal(1, 4, 4, 1)), [2, 2, 2], 2, "SAME")


# ---------------------------------------------------------------- softmax and friends
@pytest.mark.parametrize("shape,axis", [((3, 5), None), ((3, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), -3), ((6,), 0)])
def test_softmax_matches_reference(shape, axis):
    x = normal(*shape) * 3
    ax = -1 if axis is None else axis
    e = np.exp(x - x.max(axis=ax, keepdims=True))
    want = e / e.sum(axis=ax, keepdims=True)
    np.testing.assert_allclose(tf.nn.softmax(tf.constant(x), axis=axis).numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant(x), axis=axis).numpy(), np.log(want), rtol=1e-10,
                               atol=1e-12)
    cot = normal(*shape)
    (g,) = tape_grads(lambda a: tf.nn.softmax(a, axis=axis), [x], cot)
    num = numeric_grad(lambda a: tf.nn.softmax(tf.constant(a), axis=axis).numpy(), [x], 0, cot)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_softmax_large_logits_are_stable():
    y = tf.nn.softmax(tf.constant([1000.0, 0.0, -1000.0])).numpy()
    np.testing.assert_allclose(y, [1.0, 0.0, 0.0])
    assert np.isfinite(tf.nn.log_softmax(tf.constant([1000.0, 0.0])).numpy()).all()


def test_sparse_softmax_cross_entropy():
    x = normal(4, 5)
    labels = np.array([0, 4, 2, 2], np.int32)
    got = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.constant(x)).numpy()
    lse = np.log(np.exp(x).sum(-1))
    np.testing.assert_allclose(got, lse - x[np.arange(4), labels], rtol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 7 which is outside the valid range of \[0, 5\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([7, 1]), logits=tf.constant(normal(2, 5)))
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([[1]]), logits=tf.constant(normal(2, 5)))


def test_dropout():
    x = tf.ones([200, 50])
    assert tf.nn.dropout(x, rate=0.0) is x
    y = tf.nn.dropout(x, rate=0.25, seed=1).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < (y == 0).mean() < 0.3
    z = tf.nn.dropout(x, rate=0.5, noise_shape=[1, 50]).numpy()
    assert (z == z[0]).all()  # one draw per column
    with pytest.raises(ValueError, match="rate"):
        tf.nn.dropout(x, rate=1.0)


# ---------------------------------------------------------------- error messages
def test_conv2d_channel_mismatch_names_the_call_and_both_shapes():
    x, w = tf.constant(normal(1, 5, 5, 3)), tf.constant(normal(3, 3, 2, 4))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.nn.conv2d(x, w, 1, "SAME")
    msg = str(e.value)
    assert msg.startswith("tf.nn.conv2d: input depth must be evenly divisible by filter depth: 3 vs 2")
    assert "[1,5,5,3]" in msg and "[3,3,2,4]" in msg and "[Op:Conv2D]" in msg


def test_conv_errors():
    x = tf.constant(normal(1, 5, 5, 3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Computed output size would be negative"):
        tf.nn.conv2d(x, tf.constant(normal(7, 3, 3, 2)), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="filter must be 4-dimensional"):
        tf.nn.conv2d(x, tf.constant(normal(3, 3, 3)), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float64 tensor but is a float32 tensor"):
        tf.nn.conv2d(x, tf.constant(normal(3, 3, 3, 2), tf.float32), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input and filter must have the same depth: 3 vs 4"):
        tf.nn.depthwise_conv2d(x, tf.constant(normal(3, 3, 4, 2)), [1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Size of out_backprop doesn't match computed"):
        tf.nn.conv2d_transpose(tf.constant(normal(1, 5, 5, 3)), tf.constant(normal(3, 3, 2, 3)), [1, 8, 8, 2], 2,
                               "SAME")
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4"):
        tf.nn.conv2d(x, tf.constant(normal(3, 3, 3, 2)), [1, 1, 1], "SAME")


def test_bias_add_errors_and_nchw():
    x, b = normal(2, 3, 4, 5), normal(3)
    got = tf.nn.bias_add(tf.constant(x), tf.constant(b), data_format="NCHW").numpy()
    np.testing.assert_allclose(got, x + b[:, None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Must provide as many biases as the last dimension"):
        tf.nn.bias_add(tf.constant(x), tf.constant(b))


@pytest.mark.parametrize("block_bytes", [1, 3000, 40000])
def test_conv2d_cache_blocks(monkeypatch, block_bytes):
    """The patch matrix is processed in blocks (rows of one image, or several images); results must not change."""
    from tensorforge.ops import nn_ops
    monkeypatch.setattr(nn_ops, "_BLOCK_BYTES", block_bytes)
    x, w = normal(3, 9, 8, 2), normal(3, 3, 2, 4)
    cot = normal(3, 5, 4, 4)
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), 2, "SAME").numpy()
    np.testing.assert_allclose(got, ref_conv2d(x, w, (2, 2), "SAME"), rtol=1e-10, atol=1e-10)
    gx, gw = tape_grads(lambda a, b: tf.nn.conv2d(a, b, 2, "SAME"), [x, w], cot)
    monkeypatch.setattr(nn_ops, "_BLOCK_BYTES", 1 << 30)
    gx1, gw1 = tape_grads(lambda a, b: tf.nn.conv2d(a, b, 2, "SAME"), [x, w], cot)
    np.testing.assert_allclose(gx, gx1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gw, gw1, rtol=1e-12, atol=1e-12)


def test_max_pool_with_argmax_indexes_the_maxima():
    x = RNG.permutation(2 * 7 * 6 * 3).reshape(2, 7, 6, 3).astype(np.float64)
    y, arg = tf.nn.max_pool_with_argmax(tf.constant(x), 3, 2, "SAME", include_batch_in_index=True)
    assert arg.dtype == tf.int64
    np.testing.assert_array_equal(y.numpy(), ref_pool(x, (3, 3), (2, 2), "SAME", "max"))
    np.testing.assert_array_equal(x.reshape(-1)[arg.numpy()], y.numpy())
    _, arg0 = tf.nn.max_pool_with_argmax(tf.constant(x), 3, 2, "SAME")
    np.testing.assert_array_equal(arg0.numpy(), arg.numpy() % (7 * 6 * 3))


def test_local_response_normalization():
    x = normal(2, 3, 3, 8)
    r, bias, alpha, beta = 2, 0.5, 0.3, 0.75
    sq = np.pad(x ** 2, [(0, 0)] * 3 + [(r, r)])
    sqr_sum = sum(sq[..., i:i + 8] for i in range(2 * r + 1))
    want = x / (bias + alpha * sqr_sum) ** beta
    got = tf.nn.local_response_normalization(tf.constant(x), r, bias, alpha, beta).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


# ---------------------------------------------------------------- tiled max pooling (stride == ksize fast path)
def ref_max_pool_grad_first_max(x, g, k):
    """Loop reference: each window's gradient goes to its first maximum in row-major order (TF's argmax)."""
    n, h, w, c = x.shape
    dx = np.zeros_like(x, dtype=g.dtype)
    y = np.zeros(g.shape, x.dtype)
    for b, i, j, ch in itertools.product(range(n), range(g.shape[1]), range(g.shape[2]), range(c)):
        win = x[b, i * k[0]:(i + 1) * k[0], j * k[1]:(j + 1) * k[1], ch]
        r, s = np.unravel_index(np.argmax(win), win.shape)  # np.argmax also takes the first maximum
        y[b, i, j, ch] = win[r, s]
        dx[b, i * k[0] + r, j * k[1] + s, ch] += g[b, i, j, ch]
    return y, dx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs,k,padding", [((3, 6, 8, 2), (2, 2), "VALID"), ((2, 7, 9, 3), (2, 2), "VALID"),
                                          ((2, 6, 9, 2), (3, 3), "SAME"), ((2, 5, 6, 2), (1, 3), "VALID"),
                                          ((40, 11, 11, 4), (2, 2), "VALID")])
def test_tiled_max_pool_ties_remainders_and_dtype(dtype, xs, k, padding):
    x = np.maximum(RNG.integers(-2, 3, size=xs), 0).astype(dtype)  # relu-like: many ties, all-zero windows
    out_sp = tuple(d // kk for d, kk in zip(xs[1:3], k))
    g = RNG.standard_normal((xs[0],) + out_sp + (xs[3],)).astype(dtype)
    want_y, want_dx = ref_max_pool_grad_first_max(x, g, k)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.nn.max_pool2d(t, k, k, padding)
    assert y.dtype == t.dtype
    np.testing.assert_array_equal(y.numpy(), want_y)
    dx = tape.gradient(y, t, output_gradients=tf.constant(g)).numpy()
    assert dx.dtype == dtype
    np.testing.assert_array_equal(dx, want_dx)


def test_tiled_max_pool_nchw_and_3d_agree_with_nhwc():
    x = np.maximum(RNG.integers(-2, 3, size=(2, 6, 4, 3)), 0).astype(np.float32)
    g = RNG.standard_normal((2, 3, 2, 3)).astype(np.float32)
    want_y, want_dx = ref_max_pool_grad_first_max(x, g, (2, 2))
    from tensorforge.ops.registry import bind
    args = [tf.constant(a.transpose(0, 3, 1, 2)) for a in (x, want_y, g)]
    dx = bind("MaxPoolGrad", args, dict(ksize=(1, 1, 2, 2), strides=(1, 1, 2, 2), padding="VALID",
                                        data_format="NCHW")).numpy()
    np.testing.assert_array_equal(dx, want_dx.transpose(0, 3, 1, 2))
    x3 = x[:, :, :, None, :]  # a 3-D pool whose last spatial window is 1 matches the 2-D one
    y3 = tf.nn.max_pool3d(tf.constant(x3), [2, 2, 1], [2, 2, 1], "VALID").numpy()
    np.testing.assert_array_equal(y3[:, :, :, 0], want_y)


def test_embedding_lookup_sparse_and_safe_variant():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    params = tf.constant(table)
    ids = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, 3, 2], tf.int64), [4, 2])
    w = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1.0, 2.0, 3.0]), [4, 2])
    weighted = 1.0 * table[1] + 2.0 * table[3]
    got = {c: tf.nn.embedding_lookup_sparse(params, ids, w, combiner=c).numpy() for c in ("sum", "mean", "sqrtn")}
    np.testing.assert_allclose(got["sum"], [weighted, np.zeros(3), 3.0 * table[2]])  # rows up to the last id
    np.testing.assert_allclose(got["mean"][0], weighted / 3.0)
    np.testing.assert_allclose(got["sqrtn"][0], weighted / np.sqrt(5.0), rtol=1e-6)
    safe = tf.nn.safe_embedding_lookup_sparse(params, ids, w).numpy()
    assert safe.shape == (4, 3) and not safe[3].any()  # one row per input row, zeros when empty
    pruned = tf.sparse.SparseTensor([[0, 0], [1, 0]], tf.constant([1, -1], tf.int64), [3, 1])
    np.testing.assert_allclose(tf.nn.safe_embedding_lookup_sparse(params, pruned, None, default_id=2).numpy(),
                               [table[1], table[2], table[2]])
    clipped = tf.nn.embedding_lookup_sparse(params, ids, None, max_norm=5.0).numpy()[0]
    rows = [table[i] * min(1.0, 5.0 / np.linalg.norm(table[i])) for i in (1, 3)]
    np.testing.assert_allclose(clipped, np.mean(rows, axis=0), rtol=1e-5)
    var = tf.Variable(table)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.embedding_lookup_sparse(var, ids, w, combiner="sum"))
    grad = tf.convert_to_tensor(tape.gradient(loss, var)).numpy()
    np.testing.assert_allclose(grad, np.array([0, 1, 3, 2], np.float32)[:, None] * np.ones((4, 3)))
