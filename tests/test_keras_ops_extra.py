"""Tests for the keras.ops functions added from Keras 3.15 (numpy, nn, math, linalg, core extras)."""
import math
import warnings

import numpy as np
import pytest

import tensorforge as tf

ops = tf.keras.ops
rng = np.random.RandomState(0)


def f32(*shape):
    return rng.randn(*shape).astype("float32")


def ints(*shape, lo=-5, hi=6, dtype="int32"):
    return rng.randint(lo, hi, size=shape).astype(dtype)


UNARY_FLOAT = [
    ("cbrt", np.cbrt), ("deg2rad", np.deg2rad), ("rad2deg", np.rad2deg), ("exp2", np.exp2),
    ("fabs", np.fabs), ("i0", np.i0), ("sinc", np.sinc), ("trunc", np.trunc), ("signbit", np.signbit),
]


@pytest.mark.parametrize("name,ref", UNARY_FLOAT)
def test_unary_matches_numpy(name, ref):
    x = f32(3, 4) * 3
    np.testing.assert_allclose(getattr(ops, name)(x).numpy(), ref(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,dtype,expected", [
    ("cbrt", "int32", "float32"), ("cbrt", "int64", "float64"), ("deg2rad", "int64", "float64"),
    ("exp2", "int32", "float32"), ("fabs", "int8", "float32"), ("sinc", "int64", "float32"),
    ("trunc", "int32", "int32"), ("angle", "int32", "float32"), ("i0", "int64", "float64")])
def test_unary_dtypes(name, dtype, expected):
    assert ops.dtype(getattr(ops, name)(np.array([1, 2], dtype))) == expected


BINARY = [
    ("fmax", np.fmax), ("fmin", np.fmin), ("fmod", np.fmod), ("hypot", np.hypot),
    ("logaddexp2", np.logaddexp2), ("heaviside", np.heaviside), ("nextafter", np.nextafter),
]


@pytest.mark.parametrize("name,ref", BINARY)
def test_binary_matches_numpy(name, ref):
    a, b = f32(4, 3), f32(4, 3)
    if name != "heaviside":  # Keras' heaviside maps a NaN x1 to x2 (NumPy: NaN)
        a[0, 0] = np.nan
        b[1, 1] = np.nan
    a[2, 0] = 0.0
    np.testing.assert_allclose(getattr(ops, name)(a, b).numpy(), ref(a, b), rtol=1e-5, atol=1e-6)


def test_integer_binary_ops():
    a, b = ints(6, lo=-30, hi=30), ints(6, lo=-30, hi=30)
    assert np.array_equal(ops.gcd(a, b).numpy(), np.gcd(a, b))
    assert np.array_equal(ops.lcm(a[:4] % 12, b[:4] % 12).numpy(), np.lcm(a[:4] % 12, b[:4] % 12))
    pos = np.abs(b) + 1
    assert np.array_equal(ops.fmod(a, pos).numpy(), np.fmod(a, pos))
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        assert np.array_equal(getattr(ops, name)(a, b).numpy(), getattr(np, name)(a, b))
    assert np.array_equal(ops.bitwise_invert(a).numpy(), np.invert(a))
    assert np.array_equal(ops.bitwise_not(a).numpy(), np.invert(a))
    sh = np.abs(b) % 4
    assert np.array_equal(ops.left_shift(np.abs(a), sh).numpy(), np.left_shift(np.abs(a), sh))
    assert np.array_equal(ops.bitwise_right_shift(a, 2).numpy(), np.right_shift(a, 2))
    x, e = f32(4), ints(4)
    np.testing.assert_allclose(ops.ldexp(x, e).numpy(), np.ldexp(x, e), rtol=1e-6)
    with pytest.raises(TypeError):
        ops.gcd(f32(2), f32(2))


def test_predicates():
    x = np.array([1.0, -np.inf, np.inf, np.nan], "float32")
    assert np.array_equal(ops.isneginf(x).numpy(), np.isneginf(x))
    assert np.array_equal(ops.isposinf(x).numpy(), np.isposinf(x))
    c = np.array([1 + 0j, 1 + 1j], "complex64")
    assert np.array_equal(ops.isreal(c).numpy(), np.isreal(c))
    assert bool(ops.allclose(x[:1], x[:1] + 1e-7).numpy())
    assert not bool(ops.allclose(x, x).numpy())
    assert bool(ops.allclose(x, x, equal_nan=True).numpy())
    a, b = ints(3, 4), ints(5)
    assert np.array_equal(ops.isin(a, b).numpy(), np.isin(a, b))
    assert np.array_equal(ops.isin(a, b, invert=True).numpy(), np.isin(a, b, invert=True))


@pytest.mark.parametrize("name,ref", [("bartlett", np.bartlett), ("blackman", np.blackman),
                                      ("hamming", np.hamming), ("hanning", np.hanning)])
@pytest.mark.parametrize("n", [1, 6, 7])
def test_windows(name, ref, n):
    np.testing.assert_allclose(getattr(ops, name)(n).numpy(), ref(n), atol=1e-6)


def test_kaiser():
    np.testing.assert_allclose(ops.kaiser(9, 3.0).numpy(), np.kaiser(9, 3.0), rtol=1e-5)


def test_splitting_and_stacking():
    x = f32(7, 4, 6)
    for got, want in [(ops.array_split(x, 3), np.array_split(x, 3)),
                      (ops.hsplit(x, 2), np.hsplit(x, 2)), (ops.vsplit(x, [2, 5]), np.vsplit(x, [2, 5])),
                      (ops.dsplit(x, 3), np.dsplit(x, 3))]:
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.numpy(), w)
    a, b = f32(2, 3), ints(2, 3)
    out = ops.dstack([a, b])
    np.testing.assert_allclose(out.numpy(), np.dstack([a, b]))
    assert ops.dtype(out) == "float32"
    np.testing.assert_array_equal(ops.dstack([f32(3), f32(3)]).shape, (1, 3, 2))
    with pytest.raises(TypeError):
        ops.array_split(x, [1, 2])


def test_flip_rot_diag_kron():
    x = f32(2, 3, 4)
    np.testing.assert_array_equal(ops.fliplr(x).numpy(), np.fliplr(x))
    np.testing.assert_array_equal(ops.flipud(x).numpy(), np.flipud(x))
    for k in (-1, 0, 1, 2, 3, 5):
        for axes in ((0, 1), (1, 2), (0, 2), (2, 0)):
            np.testing.assert_array_equal(ops.rot90(x, k=k, axes=axes).numpy(), np.rot90(x, k, axes))
    with pytest.raises(ValueError):
        ops.rot90(f32(3))
    np.testing.assert_array_equal(ops.diagflat(f32(2, 2) * 0 + 1, k=1).numpy(), np.diagflat(np.ones((2, 2)), 1))
    a, b = f32(2, 2), f32(3)
    np.testing.assert_allclose(ops.kron(a, b).numpy(), np.kron(a, b), rtol=1e-6)
    a, b = f32(2, 3), f32(4, 3)
    np.testing.assert_allclose(ops.inner(a, b).numpy(), np.inner(a, b), rtol=1e-5)
    v = f32(4)
    np.testing.assert_allclose(ops.vander(v).numpy(), np.vander(v), rtol=1e-5)
    np.testing.assert_allclose(ops.vander(v, N=3, increasing=True).numpy(), np.vander(v, 3, True), rtol=1e-5)


def test_signal_style_numpy_ops():
    a, v = f32(9), f32(4)
    for mode in ("valid", "same", "full"):
        np.testing.assert_allclose(ops.correlate(a, v, mode=mode).numpy(), np.correlate(a, v, mode),
                                   rtol=1e-5, atol=1e-5)
    y, xs = f32(3, 5), np.sort(f32(5))
    np.testing.assert_allclose(ops.trapezoid(y).numpy(), np.trapezoid(y), rtol=1e-5)
    np.testing.assert_allclose(ops.trapezoid(y, x=xs).numpy(), np.trapezoid(y, x=xs), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.trapezoid(y, dx=0.5, axis=0).numpy(), np.trapezoid(y, dx=0.5, axis=0), rtol=1e-5)
    np.testing.assert_allclose(ops.geomspace(1.0, 1000.0, num=4).numpy(), np.geomspace(1, 1000, 4), rtol=1e-5)
    np.testing.assert_allclose(ops.geomspace(-2.0, -32.0, 5, endpoint=False).numpy(),
                               np.geomspace(-2, -32, 5, endpoint=False), rtol=1e-5)
    m = f32(3, 6)
    np.testing.assert_allclose(ops.corrcoef(m).numpy(), np.corrcoef(m), rtol=1e-5, atol=1e-6)


def _nan_data():
    x = f32(4, 5)
    x[0, 1] = x[1, 3] = np.nan
    x[3, :] = np.nan
    return x


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd",
                                  "nanmedian"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), (0, True)])
def test_nan_reductions(name, axis, keepdims):
    x = _nan_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    got = getattr(ops, name)(x, axis=axis, keepdims=keepdims).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_nan_arg_and_cumulative():
    x = _nan_data()[:3]
    np.testing.assert_array_equal(ops.nanargmax(x, axis=1).numpy(), np.nanargmax(x, axis=1))
    np.testing.assert_array_equal(ops.nanargmin(x).numpy(), np.nanargmin(x))
    assert ops.nanargmax(np.full((2, 2), np.nan, "float32"), axis=1).numpy().tolist() == [-1, -1]
    np.testing.assert_allclose(ops.nancumsum(x, axis=1).numpy(), np.nancumsum(x, axis=1), rtol=1e-5)
    np.testing.assert_allclose(ops.nancumprod(x).numpy(), np.nancumprod(x), rtol=1e-5)
    assert ops.dtype(ops.nansum(ints(3, dtype="int8"))) == "int32"
    assert ops.dtype(ops.nanmean(ints(3))) == "float32"


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
def test_quantile_family(method):
    x = _nan_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.nanquantile(x, [0.2, 0.7], axis=1, method=method)
        want_p = np.nanpercentile(x, 35.0, method=method)
    np.testing.assert_allclose(ops.nanquantile(x, [0.2, 0.7], axis=1, method=method).numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(ops.nanpercentile(x, 35.0, method=method).numpy(), want_p, rtol=1e-5)
    y = f32(3, 5)
    np.testing.assert_allclose(ops.percentile(y, [10.0, 90.0], axis=1, method=method).numpy(),
                               np.percentile(y, [10.0, 90.0], axis=1, method=method), rtol=1e-5)


def test_counting_and_searching():
    x = ints(12, lo=0, hi=5)
    w = f32(12)
    np.testing.assert_array_equal(ops.bincount(x).numpy(), np.bincount(x))
    np.testing.assert_allclose(ops.bincount(x, w, minlength=7).numpy(), np.bincount(x, w, 7), rtol=1e-5)
    v = f32(10)
    np.testing.assert_array_equal(ops.digitize(v, [-1.0, 0.0, 1.0]).numpy(), np.digitize(v, [-1.0, 0.0, 1.0]))
    s = np.sort(f32(6))
    for side in ("left", "right"):
        np.testing.assert_array_equal(ops.searchsorted(s, v, side=side).numpy(), np.searchsorted(s, v, side))
    counts, edges = ops.histogram(v, bins=4)
    wc, we = np.histogram(v, bins=4)
    np.testing.assert_allclose(counts.numpy(), wc)
    np.testing.assert_allclose(edges.numpy(), we, rtol=1e-6)
    y = f32(3, 4)
    np.testing.assert_allclose(ops.ptp(y, axis=1).numpy(), np.ptp(y, axis=1))
    idx = np.array([3, 7, 11], "int32")
    for g, w2 in zip(ops.unravel_index(idx, (3, 4)), np.unravel_index(idx, (3, 4))):
        np.testing.assert_array_equal(g.numpy(), w2)


def test_argpartition_property():
    x = ints(3, 8, lo=0, hi=100)
    for kth in (0, 3, 7):
        idx = ops.argpartition(x, kth).numpy()
        part = np.take_along_axis(x, idx, axis=-1)
        srt = np.sort(x, axis=-1)
        np.testing.assert_array_equal(part[:, kth], srt[:, kth])
        assert (part[:, :kth] <= part[:, kth:kth + 1]).all() and (part[:, kth + 1:] >= part[:, kth:kth + 1]).all()
        np.testing.assert_array_equal(np.sort(idx, -1), np.tile(np.arange(8), (3, 1)))


def test_unique():
    x = ints(12, lo=0, hi=5)
    u, ind, inv, cnt = ops.unique(x, return_index=True, return_inverse=True, return_counts=True)
    wu, wind, winv, wcnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for g, w in ((u, wu), (ind, wind), (inv, winv), (cnt, wcnt)):
        np.testing.assert_array_equal(g.numpy(), w)
    m = np.array([[1, 2], [3, 4], [1, 2], [0, 9]], "int32")
    u, inv = ops.unique(m, axis=0, return_inverse=True)
    wu, winv = np.unique(m, axis=0, return_inverse=True)
    np.testing.assert_array_equal(u.numpy(), wu)
    np.testing.assert_array_equal(inv.numpy(), winv.ravel())
    padded = ops.unique(x, size=8, fill_value=-1).numpy()
    np.testing.assert_array_equal(padded[:len(wu := np.unique(x))], wu)
    assert (padded[len(wu):] == -1).all()


def test_select_view_slogdet():
    c1, c2 = f32(5) > 0, f32(5) > 0.5
    a, b = f32(5), f32(5)
    np.testing.assert_allclose(ops.select([c1, c2], [a, b], 7.0).numpy(), np.select([c1, c2], [a, b], 7.0))
    x = f32(2, 4)
    np.testing.assert_array_equal(ops.view(x, "int32").numpy(), x.view("int32"))
    np.testing.assert_array_equal(ops.view(x, "int16").numpy(), x.view("int16"))
    i16 = ints(2, 4, dtype="int16")
    np.testing.assert_array_equal(ops.view(i16, "int32").numpy(), i16.view("int32"))
    m = f32(3, 3)
    sign, logabs = ops.slogdet(m)
    ws, wl = np.linalg.slogdet(m)
    np.testing.assert_allclose([sign.numpy(), logabs.numpy()], [ws, wl], rtol=1e-5)


def test_vectorize():
    a, b = f32(3, 1), f32(4)
    np.testing.assert_allclose(ops.vectorize(lambda u, v: u * 2 + v)(a, b).numpy(), a * 2 + b, rtol=1e-6)
    m, v = f32(3, 4), f32(4)
    out = ops.vectorize(lambda u, w: ops.sum(u * w), signature="(n),(n)->()")(m, v)
    np.testing.assert_allclose(out.numpy(), m @ v, rtol=1e-5)


# ---------------------------------------------------------------- nn


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_activations():
    x = f32(4, 6) * 2
    cases = {
        "celu": (ops.celu(x, alpha=0.5), np.maximum(x, 0) + 0.5 * np.expm1(np.minimum(x, 0) / 0.5)),
        "hard_tanh": (ops.hard_tanh(x), np.clip(x, -1, 1)),
        "hard_shrink": (ops.hard_shrink(x), np.where(np.abs(x) > 0.5, x, 0)),
        "soft_shrink": (ops.soft_shrink(x, 0.3), np.sign(x) * np.maximum(np.abs(x) - 0.3, 0)),
        "tanh_shrink": (ops.tanh_shrink(x), x - np.tanh(x)),
        "threshold": (ops.threshold(x, 0.1, -2.0), np.where(x > 0.1, x, -2.0)),
        "sparse_plus": (ops.sparse_plus(x), np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x))),
        "sparse_sigmoid": (ops.sparse_sigmoid(x), np.clip((x + 1) / 2, 0, 1)),
        "squareplus": (ops.squareplus(x, 2), (x + np.sqrt(x * x + 2)) / 2),
        "glu": (ops.glu(x), x[:, :3] * _sigmoid(x[:, 3:])),
    }
    for name, (got, want) in cases.items():
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=name)


def test_sparsemax_is_simplex_projection():
    x = f32(5, 7) * 2
    p = ops.sparsemax(x).numpy()
    np.testing.assert_allclose(p.sum(-1), 1, rtol=1e-5)
    assert (p >= 0).all()
    # On the support, p = x - tau for a per-row constant tau.
    tau = np.where(p > 0, x - p, np.nan)
    np.testing.assert_allclose(np.nanmax(tau, -1), np.nanmin(tau, -1), atol=1e-5)


def test_normalizations_and_polar_psnr():
    x, g, b = f32(2, 3, 4), f32(3, 4), f32(3, 4)
    mu = x.mean((1, 2), keepdims=True)
    var = x.var((1, 2), keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-7) * g + b
    np.testing.assert_allclose(ops.layer_normalization(x, g, b, axis=(1, 2)).numpy(), want, rtol=1e-4, atol=1e-5)
    s = f32(4)
    want = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-7) * s
    np.testing.assert_allclose(ops.rms_normalization(x, s, epsilon=1e-7).numpy(), want, rtol=1e-4, atol=1e-5)
    h = ops.layer_normalization(x.astype("float16"))
    assert ops.dtype(h) == "float16"
    r, a = np.abs(f32(4)), f32(4)
    np.testing.assert_allclose(ops.polar(r, a).numpy(), r * np.exp(1j * a), rtol=1e-5, atol=1e-6)
    p, q = rng.rand(2, 4, 4).astype("float32"), rng.rand(2, 4, 4).astype("float32")
    np.testing.assert_allclose(ops.psnr(p, q, 1.0).numpy(), 10 * np.log10(1 / np.mean((p - q) ** 2)), rtol=1e-5)


def _attention_ref(q, k, v, bias=None, mask=None, causal=False, scale=None):
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask
    if causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -1e30)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", p, v)


def test_dot_product_attention():
    q, k, v = f32(2, 4, 3, 5), f32(2, 6, 3, 5), f32(2, 6, 3, 5)
    np.testing.assert_allclose(ops.dot_product_attention(q, k, v).numpy(), _attention_ref(q, k, v), rtol=1e-4, atol=1e-5)
    bias, mask = f32(1, 3, 4, 6), rng.rand(2, 1, 4, 6) > 0.3
    mask[..., 0] = True
    np.testing.assert_allclose(ops.dot_product_attention(q, k, v, bias=bias, mask=mask, scale=0.3).numpy(),
                               _attention_ref(q, k, v, bias, mask, scale=0.3), rtol=1e-4, atol=1e-5)
    q2, k2 = f32(2, 4, 4, 5), f32(2, 4, 2, 5)
    v2 = f32(2, 4, 2, 5)
    want = _attention_ref(q2, np.repeat(k2, 2, 2), np.repeat(v2, 2, 2), causal=True)
    np.testing.assert_allclose(ops.dot_product_attention(q2, k2, v2, is_causal=True).numpy(), want, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError):
        ops.dot_product_attention(f32(2, 3, 4), f32(2, 3, 4), f32(2, 3, 4))


def test_space_depth_roundtrip():
    x = f32(2, 4, 6, 3)
    y = ops.space_to_depth(x, 2)
    assert y.shape == (2, 2, 3, 12)
    np.testing.assert_array_equal(ops.depth_to_space(y, 2).numpy(), x)
    want = x.reshape(2, 2, 2, 3, 2, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 2, 3, 12)
    np.testing.assert_array_equal(y.numpy(), want)
    xc = np.transpose(x, (0, 3, 1, 2))
    np.testing.assert_array_equal(ops.space_to_depth(xc, 2, data_format="channels_first").numpy(),
                                  np.transpose(want, (0, 3, 1, 2)))
    with pytest.raises(ValueError):
        ops.depth_to_space(x, 1)


def _unfold_ref(x, k, d, p, s):
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    nh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    nw = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c, k[0], k[1], nh, nw), x.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            out[:, :, i, j] = xp[:, :, i * d[0]:i * d[0] + s[0] * nh:s[0], j * d[1]:j * d[1] + s[1] * nw:s[1]]
    return out.reshape(n, c * k[0] * k[1], nh * nw)


def test_unfold_and_fold():
    x = f32(2, 3, 7, 7)
    k, d, p, s = (3, 2), (1, 2), (1, 1), (2, 1)
    cols = ops.unfold(x, k, dilation=d, padding=p, stride=s)
    np.testing.assert_allclose(cols.numpy(), _unfold_ref(x, k, d, p, s), rtol=1e-6)
    # fold is the adjoint of unfold: <unfold(x), y> == <x, fold(y)>.
    y = f32(*cols.shape)
    back = ops.fold(y, (7, 7), k, dilation=d, padding=p, stride=s).numpy()
    np.testing.assert_allclose((cols.numpy() * y).sum(), (x * back).sum(), rtol=1e-4)


def _adaptive_ref(x, out, fn):
    size = x.shape[1]
    rows = []
    for i in range(out):
        a, b = (i * size) // out, -((-(i + 1) * size) // out)
        rows.append(fn(x[:, a:b], axis=1))
    return np.stack(rows, 1)


@pytest.mark.parametrize("kind,fn", [("adaptive_average_pool", np.mean), ("adaptive_max_pool", np.max)])
def test_adaptive_pool(kind, fn):
    x = f32(2, 7, 5, 3)
    want = _adaptive_ref(x, 3, fn)
    want = np.swapaxes(_adaptive_ref(np.swapaxes(want, 1, 2), 2, fn), 1, 2)
    np.testing.assert_allclose(getattr(ops, kind)(x, (3, 2)).numpy(), want, rtol=1e-5, atol=1e-6)
    x1 = f32(2, 3, 10)
    want = np.swapaxes(_adaptive_ref(np.swapaxes(x1, 1, 2), 4, fn), 1, 2)
    np.testing.assert_allclose(getattr(ops, kind)(x1, 4, data_format="channels_first").numpy(), want,
                               rtol=1e-5, atol=1e-6)


def test_separable_conv_equals_depthwise_then_pointwise():
    x, dk, pk = f32(2, 6, 6, 3), f32(3, 3, 3, 2), f32(1, 1, 6, 4)
    want = ops.conv(ops.depthwise_conv(x, dk), pk)
    np.testing.assert_allclose(ops.separable_conv(x, dk, pk).numpy(), want.numpy(), rtol=1e-5)
    assert ops.separable_conv(f32(2, 9, 3), f32(3, 3, 2), f32(1, 6, 4), strides=2, padding="same").shape == (2, 5, 4)


def test_ctc():
    logits = f32(2, 6, 4)
    target = np.array([[1, 2, 0], [2, 2, 1]], "int32")
    loss = ops.ctc_loss(target, logits, np.array([2, 3], "int32"), np.array([6, 5], "int32"))
    want = tf.nn.ctc_loss(target, logits, np.array([2, 3]), np.array([6, 5]), logits_time_major=False,
                          blank_index=0)
    np.testing.assert_allclose(loss.numpy(), want.numpy(), rtol=1e-5)
    decoded, scores = ops.ctc_decode(logits, np.array([6, 5], "int32"))
    assert decoded.shape == (1, 2, 6) and ops.dtype(decoded) == "int32"
    best = logits.argmax(-1)
    for b, n in enumerate((6, 5)):
        path = [c for i, c in enumerate(best[b, :n]) if c != 0 and (i == 0 or c != best[b, i - 1])]
        got = decoded.numpy()[0, b]
        np.testing.assert_array_equal(got[:len(path)], path)
        assert (got[len(path):] == -1).all()
    beam, _ = ops.ctc_decode(logits, np.array([6, 5], "int32"), strategy="beam_search", beam_width=5, top_paths=2)
    assert beam.shape == (2, 2, 6)


# ---------------------------------------------------------------- math / linalg / core


def test_math_extras():
    x, y = f32(3, 4), f32(5, 4)
    np.testing.assert_allclose(ops.cdist(x, y).numpy(), np.linalg.norm(x[:, None] - y[None], axis=-1), rtol=1e-5)
    v = f32(5)
    np.testing.assert_allclose(ops.erfc(v).numpy(), [math.erfc(t) for t in v], rtol=1e-5)
    s = f32(2, 10)
    frames = ops.extract_sequences(s, 4, 3).numpy()
    np.testing.assert_array_equal(frames, np.stack([s[:, i:i + 4] for i in (0, 3, 6)], 1))
    re, im = f32(2, 4, 4), f32(2, 4, 4)
    r2, i2 = ops.ifft2((re, im))
    want = np.fft.ifft2(re + 1j * im)
    np.testing.assert_allclose(r2.numpy() + 1j * i2.numpy(), want, rtol=1e-4, atol=1e-5)
    a = f32(3, 3)
    spd = a @ a.T + 3 * np.eye(3, dtype="float32")
    np.testing.assert_allclose(ops.logdet(spd).numpy(), np.log(np.linalg.det(spd)), rtol=1e-5)
    c = ops.view_as_complex(f32(3, 2))
    assert ops.dtype(c) == "complex64"
    np.testing.assert_allclose(ops.view_as_real(c).numpy(), np.stack([c.numpy().real, c.numpy().imag], -1))


def test_stft_roundtrip_and_reference():
    x = f32(2, 40)
    re, im = ops.stft(x, 8, 4, 16)
    padded = np.pad(x, [(0, 0), (8, 8)], mode="reflect")
    win = np.pad(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 8), (4, 4))
    frames = np.stack([padded[:, i:i + 16] * win for i in range(0, padded.shape[1] - 15, 4)], 1)
    want = np.fft.rfft(frames, 16)
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), want, rtol=1e-4, atol=1e-4)
    back = ops.istft((re, im), 8, 4, 16)
    np.testing.assert_allclose(back.numpy()[:, 8:32], x[:, 8:32], rtol=1e-4, atol=1e-4)
    back = ops.istft(ops.stft(x, 10, 3, 16, window="hamming"), 10, 3, 16, length=40, window="hamming")
    np.testing.assert_allclose(back.numpy()[:, 8:32], x[:, 8:32], rtol=1e-4, atol=1e-4)


def test_linalg_extras():
    a = f32(3, 3)
    spd = a @ a.T + 3 * np.eye(3, dtype="float32")
    low = np.linalg.cholesky(spd)
    np.testing.assert_allclose(ops.cholesky_inverse(low).numpy(), np.linalg.inv(spd), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.cholesky_inverse(low.T.copy(), upper=True).numpy(), np.linalg.inv(spd),
                               rtol=1e-4, atol=1e-5)
    m, b = f32(5, 3), f32(5, 2)
    np.testing.assert_allclose(ops.lstsq(m, b).numpy(), np.linalg.lstsq(m, b, rcond=None)[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.lstsq(m, b[:, 0]).numpy(), np.linalg.lstsq(m, b[:, 0], rcond=None)[0],
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.pinv(m).numpy(), np.linalg.pinv(m), rtol=1e-4, atol=1e-5)
    assert int(ops.matrix_rank(f32(4, 2) @ f32(2, 5)).numpy()) == 2
    sq = f32(4, 4)
    lu, piv = ops.lu_factor(sq)
    lu = lu.numpy()
    lower, upper = np.tril(lu, -1) + np.eye(4), np.triu(lu)
    # Keras returns the inverse of tf.linalg.lu's permutation p, where x[p] == L @ U.
    np.testing.assert_allclose(sq[np.argsort(piv.numpy())], lower @ upper, rtol=1e-4, atol=1e-5)


def test_jvp_matches_finite_differences():
    a, t = f32(3).astype("float64"), f32(3).astype("float64")

    def fn(v):
        return ops.sin(v) * v[0]

    out, tan = ops.jvp(fn, (tf.constant(a),), (tf.constant(t),))
    eps = 1e-6
    fd = (np.sin(a + eps * t) * (a[0] + eps * t[0]) - np.sin(a - eps * t) * (a[0] - eps * t[0])) / (2 * eps)
    np.testing.assert_allclose(out.numpy(), np.sin(a) * a[0])
    np.testing.assert_allclose(tan.numpy(), fd, rtol=1e-5)
    out, tan, aux = ops.jvp(lambda u: (u * u, "aux"), (tf.constant(a),), (tf.constant(t),), has_aux=True)
    np.testing.assert_allclose(tan.numpy(), 2 * a * t)
    assert aux == "aux"


def test_custom_gradient_and_saturate_cast():
    @ops.custom_gradient
    def double(v):
        def grad(upstream):
            return upstream * 3.0
        return v * 2.0, grad

    v = tf.constant(f32(3))
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = double(v)
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), np.full(3, 3.0))
    x = np.array([-5.0, 3.7, 300.0, 1e10], "float32")
    np.testing.assert_array_equal(ops.saturate_cast(x, "uint8").numpy(), np.clip(x, 0, 255).astype("uint8"))
    i = np.array([-1000, 5, 1000], "int32")
    np.testing.assert_array_equal(ops.saturate_cast(i, "int8").numpy(), np.clip(i, -128, 127).astype("int8"))


def test_work_in_tf_function_and_under_tape():
    x = tf.constant(f32(3, 4))

    @tf.function
    def g(v):
        return ops.nanmean(v, axis=1), ops.hypot(v, v), ops.rot90(v), ops.celu(v), ops.cdist(v, v)

    eager = (ops.nanmean(x, axis=1), ops.hypot(x, x), ops.rot90(x), ops.celu(x), ops.cdist(x, x))
    for a, b in zip(g(x), eager):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = ops.sum(ops.layer_normalization(x)) + ops.sum(ops.sparse_plus(x)) + ops.sum(ops.cbrt(x + 5.0))
    grad = tape.gradient(loss, x).numpy()
    want = 1 / (3 * np.cbrt(x.numpy() + 5.0) ** 2) + np.where(x.numpy() <= -1, 0, np.where(x.numpy() < 1, (x.numpy() + 1) / 2, 1))
    np.testing.assert_allclose(grad, want, rtol=1e-3, atol=1e-4)


def test_namespaces():
    assert ops.numpy.nanmean is ops.nanmean and ops.nn.celu is ops.celu
    assert ops.linalg.pinv is ops.pinv and ops.math.stft is ops.stft and ops.core.saturate_cast is ops.saturate_cast
