"""tf.keras.ops: Keras 3's backend-agnostic ops, checked against NumPy and Keras' dtype rules."""
import numpy as np
import pytest

import tensorforge as tf

ops = tf.keras.ops
rng = np.random.RandomState(0)
A = rng.randn(3, 4).astype("float32")
B = rng.randn(4, 5).astype("float32")
P = (np.abs(rng.randn(3, 4)) + 0.1).astype("float32")
I = np.array([[1, 0, 3], [2, 5, 4]], "int32")
I8 = np.array([1, -2, 3], "int8")
U8 = np.array([1, 2, 3], "uint8")
BL = np.array([True, False, True])
SQ = (rng.randn(3, 3) + 3 * np.eye(3)).astype("float32")
X4 = rng.randn(2, 5, 5, 3).astype("float32")


def check(out, expected, dtype, rtol=1e-5, atol=1e-5):
    out = ops.convert_to_numpy(out)
    assert str(out.dtype) == dtype, (out.dtype, dtype)
    expected = np.asarray(expected)
    assert out.shape == expected.shape, (out.shape, expected.shape)
    if out.dtype.kind in "fc":
        np.testing.assert_allclose(out, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(out, expected)


# (name, args, kwargs, numpy expectation, Keras result dtype)
CASES = [
    ("abs", (I8,), {}, np.abs(I8), "int8"),
    ("sqrt", (I,), {}, np.sqrt(I), "float32"),
    ("exp", (U8,), {}, np.exp(U8.astype("float32")), "float32"),
    ("log1p", (P.astype("float64"),), {}, np.log1p(P.astype("float64")), "float64"),
    ("ceil", (I,), {}, I.astype("float32"), "float32"),
    ("square", (BL,), {}, BL.astype("int32"), "int32"),
    ("sign", (U8,), {}, np.sign(U8), "uint8"),
    ("log2", (P,), {}, np.log2(P), "float32"),
    ("log10", (I + 1,), {}, np.log10(I + 1.0), "float32"),
    ("round", (A * 10,), {"decimals": -1}, np.round(A * 10, -1), "float32"),
    ("round", (I * 17,), {"decimals": -1}, np.round(I * 17, -1), "int32"),
    ("sum", (I8,), {}, np.sum(I8), "int32"),
    ("sum", (U8,), {}, np.sum(U8), "uint32"),
    ("sum", (BL,), {}, 2, "int32"),
    ("sum", (A,), {"axis": 1, "keepdims": True}, A.sum(1, keepdims=True), "float32"),
    ("mean", (I,), {}, I.mean(), "float32"),
    ("mean", (I,), {"axis": 0}, I.mean(0), "float32"),
    ("prod", (I8,), {}, np.prod(I8), "int32"),
    ("std", (I,), {}, I.std(), "float32"),
    ("var", (A,), {"axis": 1, "keepdims": True}, A.var(1, keepdims=True), "float32"),
    ("max", (A,), {"initial": 0.5}, max(A.max(), 0.5), "float32"),
    ("min", (I,), {"axis": 1}, I.min(1), "int32"),
    ("argmax", (A,), {}, np.argmax(A), "int32"),
    ("argmin", (A,), {"axis": 1, "keepdims": True}, np.argmin(A, 1)[:, None], "int32"),
    ("argsort", (A,), {"axis": 0}, np.argsort(A, 0, kind="stable"), "int32"),
    ("sort", (A,), {"axis": None}, np.sort(A, None), "float32"),
    ("cumsum", (BL,), {}, np.cumsum(BL), "int32"),
    ("cumprod", (I,), {"axis": 1}, np.cumprod(I, 1), "int32"),
    ("count_nonzero", (I,), {"axis": 1}, np.count_nonzero(I, 1), "int32"),
    ("all", (I,), {"axis": 0}, I.all(0), "bool"),
    ("any", (A > 1,), {}, (A > 1).any(), "bool"),
    ("median", (A,), {"axis": 1}, np.median(A, 1), "float32"),
    ("median", (I,), {}, np.median(I), "float32"),
    ("quantile", (A, [0.1, 0.9]), {"axis": 1}, np.quantile(A, [0.1, 0.9], axis=1), "float32"),
    ("quantile", (A, 0.3), {"axis": 0, "keepdims": True, "method": "lower"},
     np.quantile(A, 0.3, axis=0, keepdims=True, method="lower"), "float32"),
    ("quantile", (A, 0.45), {"method": "midpoint"}, np.quantile(A, 0.45, method="midpoint"), "float32"),
    ("average", (A,), {"axis": 1, "weights": np.arange(4.0)}, np.average(A, 1, np.arange(4.0)), "float64"),
    ("add", (I, 2), {}, I + 2, "int32"),
    ("add", (I, 1.5), {}, I + 1.5, "float32"),
    ("add", (I8, U8), {}, I8.astype("int16") + U8, "int16"),
    ("multiply", (A.astype("float16"), 2.5), {}, (A.astype("float16") * 2.5), "float16"),
    ("subtract", (U8, 1), {}, U8 - 1, "uint8"),
    ("divide", (I, I + 1), {}, I / (I + 1), "float32"),
    ("true_divide", (I8, 2), {}, I8 / 2, "float32"),
    ("divide_no_nan", (A, np.zeros_like(A)), {}, np.zeros_like(A), "float32"),
    ("floor_divide", (I, 2), {}, I // 2, "int32"),
    ("mod", (I - 3, 2), {}, np.mod(I - 3, 2), "int32"),
    ("power", (I, 2), {}, I ** 2, "int32"),
    ("maximum", (I, 2.5), {}, np.maximum(I, 2.5), "float32"),
    ("minimum", (A, B[:3, :4]), {}, np.minimum(A, B[:3, :4]), "float32"),
    ("arctan2", (I, I + 1), {}, np.arctan2(I, I + 1), "float32"),
    ("logaddexp", (A, B[:3, :4]), {}, np.logaddexp(A, B[:3, :4]), "float32"),
    ("equal", (I, 3), {}, I == 3, "bool"),
    ("greater_equal", (A, 0.0), {}, A >= 0, "bool"),
    ("logical_xor", (I, BL), {}, np.logical_xor(I, BL), "bool"),
    ("isclose", (A, A + 1e-7), {}, np.ones_like(A, bool), "bool"),
    ("where", (A > 0, A, 0), {}, np.where(A > 0, A, 0), "float32"),
    ("where", (BL, 1, 2.5), {}, np.where(BL, 1, 2.5), "float32"),
    ("clip", (I, 1, 3), {}, np.clip(I, 1, 3), "int32"),
    ("nan_to_num", (np.array([np.nan, np.inf, -np.inf, 1.0], "float32"),), {"posinf": 9.0},
     np.nan_to_num(np.array([np.nan, np.inf, -np.inf, 1.0], "float32"), posinf=9.0), "float32"),
    ("zeros", ((2, 3),), {}, np.zeros((2, 3)), "float32"),
    ("ones", ((2,),), {"dtype": "int32"}, np.ones(2), "int32"),
    ("full", ((2, 2), 3), {}, np.full((2, 2), 3.0), "float32"),
    ("full_like", (I, 2.5), {}, np.full_like(I, 2), "int32"),
    ("zeros_like", (A,), {"dtype": "int64"}, np.zeros((3, 4)), "int64"),
    ("eye", (3, 4), {"k": 1}, np.eye(3, 4, 1), "float32"),
    ("identity", (2,), {"dtype": "int32"}, np.eye(2), "int32"),
    ("tri", (3, 5), {"k": -1}, np.tri(3, 5, -1), "float32"),
    ("tril", (A,), {"k": -1}, np.tril(A, -1), "float32"),
    ("triu", (X4,), {"k": 1}, np.triu(X4, 1), "float32"),
    ("arange", (5,), {}, np.arange(5), "int32"),
    ("arange", (0, 2, 0.5), {}, np.arange(0, 2, 0.5), "float32"),
    ("linspace", (0, 10, 4), {"endpoint": False}, np.linspace(0, 10, 4, endpoint=False), "float32"),
    ("linspace", (0, 10, 5), {"dtype": "int32"}, np.linspace(0, 10, 5).astype("int32"), "int32"),
    ("logspace", (0, 2, 3), {}, np.logspace(0, 2, 3), "float32"),
    ("reshape", (A, (-1,)), {}, A.reshape(-1), "float32"),
    ("expand_dims", (A, (0, 3)), {}, A[None, :, :, None], "float32"),
    ("squeeze", (A[:, None],), {"axis": 1}, A, "float32"),
    ("transpose", (X4, (0, 3, 1, 2)), {}, X4.transpose(0, 3, 1, 2), "float32"),
    ("swapaxes", (X4, 1, 3), {}, np.swapaxes(X4, 1, 3), "float32"),
    ("moveaxis", (X4, (0, 1), (-1, -2)), {}, np.moveaxis(X4, (0, 1), (-1, -2)), "float32"),
    ("broadcast_to", (A[0], (2, 4)), {}, np.broadcast_to(A[0], (2, 4)), "float32"),
    ("flip", (X4,), {"axis": (1, 2)}, np.flip(X4, (1, 2)), "float32"),
    ("roll", (A, 2), {}, np.roll(A, 2), "float32"),
    ("roll", (A, (1, 2)), {"axis": (0, 1)}, np.roll(A, (1, 2), (0, 1)), "float32"),
    ("tile", (I8, (2, 2)), {}, np.tile(I8, (2, 2)), "int8"),
    ("repeat", (I, [1, 2]), {"axis": 0}, np.repeat(I, [1, 2], 0), "int32"),
    ("concatenate", ([I, A[:2, :3]],), {}, np.concatenate([I, A[:2, :3]]), "float32"),
    ("append", (I, I8), {}, np.append(I, I8), "int32"),
    ("stack", ([A, A],), {"axis": 2}, np.stack([A, A], 2), "float32"),
    ("hstack", ([I, I],), {}, np.hstack([I, I]), "int32"),
    ("pad", (A, ((1, 1), (2, 2))), {"mode": "reflect"}, np.pad(A, ((1, 1), (2, 2)), "reflect"), "float32"),
    ("pad", (A, ((1, 0), (0, 2))), {"constant_values": 7}, np.pad(A, ((1, 0), (0, 2)), constant_values=7),
     "float32"),
    ("diag", (np.arange(3.0),), {"k": 1}, np.diag(np.arange(3.0), 1), "float64"),
    ("diag", (A,), {"k": -1}, np.diag(A, -1), "float32"),
    ("diagonal", (X4, 0, 1, 2), {}, np.diagonal(X4, 0, 1, 2), "float32"),
    ("trace", (I8.reshape(1, 3),), {}, np.trace(I8.reshape(1, 3)), "int32"),
    ("trace", (X4, 1, 1, 2), {}, np.trace(X4, 1, 1, 2), "float32"),
    ("diff", (I,), {"n": 2, "axis": 1}, np.diff(I, 2, 1), "int32"),
    ("take", (A, np.array([[0, -1], [1, 2]])), {"axis": 1}, np.take(A, [[0, -1], [1, 2]], 1), "float32"),
    ("take", (A, [0, 5]), {}, np.take(A, [0, 5]), "float32"),
    ("take_along_axis", (A, np.argsort(A, 1)), {"axis": 1}, np.sort(A, 1), "float32"),
    ("take_along_axis", (A, np.array([[0, 1, 2, 0]])), {"axis": 0},
     np.take_along_axis(A, np.array([[0, 1, 2, 0]]), 0), "float32"),
    ("get_item", (A, (slice(None), 2)), {}, A[:, 2], "float32"),
    ("matmul", (A, B), {}, A @ B, "float32"),
    ("matmul", (I8.reshape(3, 1), I8.reshape(1, 3)), {}, I8.reshape(3, 1).astype(int) * I8, "int32"),
    ("matmul", (X4, B[:3]), {}, X4 @ B[:3], "float32"),
    ("matmul", (I, np.ones((3, 2), "float16")), {}, I @ np.ones((3, 2)), "float16"),
    ("dot", (X4, np.ones((3, 2), "float32")), {}, np.dot(X4, np.ones((3, 2))), "float32"),
    ("vdot", (A, A), {}, np.vdot(A, A), "float32"),
    ("outer", (I8, U8), {}, np.outer(I8, U8), "int16"),
    ("tensordot", (X4, B[:3]), {"axes": ([3], [0])}, np.tensordot(X4, B[:3], ([3], [0])), "float32"),
    ("einsum", ("ij,jk->ik", A, B), {}, A @ B, "float32"),
    ("einsum", ("i,i->", I8, I8), {}, 14, "int32"),
    ("cross", (A[:, :3], B[:3, :3]), {}, np.cross(A[:, :3], B[:3, :3]), "float32"),
    ("cross", (np.array([1, 2]), np.array([3, 4])), {}, -2, "int64"),
    ("ravel", (I,), {}, I.ravel(), "int32"),
    ("isnan", (I,), {}, np.zeros_like(I, bool), "bool"),
    ("imag", (A,), {}, np.zeros_like(A), "float32"),
    ("arccosh", (P + 1,), {}, np.arccosh(P + 1), "float32"),
    ("arctanh", (A / 4,), {}, np.arctanh(A / 4), "float32"),
]


@pytest.mark.parametrize("name,args,kwargs,expected,dtype", CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(CASES)])
def test_numpy_ops(name, args, kwargs, expected, dtype):
    check(getattr(ops, name)(*args, **kwargs), expected, dtype, rtol=1e-3 if "16" in dtype else 1e-5)


def test_meshgrid_split_nonzero_unstack():
    xs, ys = ops.meshgrid(np.arange(3), np.arange(2.0), indexing="ij")
    ex, ey = np.meshgrid(np.arange(3), np.arange(2.0), indexing="ij")
    check(xs, ex, "int64")
    check(ys, ey, "float64")
    parts = ops.split(A, [1, 3], axis=1)
    for p, e in zip(parts, np.split(A, [1, 3], axis=1)):
        check(p, e, "float32")
    for p, e in zip(ops.nonzero(I), np.nonzero(I)):
        check(p, e, "int32")
    for p, e in zip(ops.unstack(A, axis=1), list(A.T)):
        check(p, e, "float32")


def test_core_properties_and_casts():
    assert ops.shape(A) == (3, 4)
    assert ops.ndim(X4) == 4
    check(ops.size(A), 12, "int32")
    assert ops.dtype(I) == "int32"
    assert ops.is_tensor(ops.convert_to_tensor(A)) and not ops.is_tensor(A)
    assert ops.convert_to_tensor(3).dtype == tf.int32
    assert ops.convert_to_tensor([1.5, 2]).dtype == tf.float32
    check(ops.cast(A, "int32"), A.astype("int32"), "int32")
    check(ops.convert_to_tensor([1.5, 2.5], dtype="int32"), [1, 2], "int32")
    assert isinstance(ops.convert_to_numpy(ops.ones((2,))), np.ndarray)
    assert ops.result_type("int8", "uint8") == "int16"
    assert ops.result_type("int32", float) == "float32"
    assert ops.result_type("float16", int) == "float16"
    assert ops.result_type("uint64", "uint64") == "uint32"


def test_scatter_and_slices():
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    expected = np.zeros((3, 4))
    np.add.at(expected, tuple(idx.T), [1.0, 2.0, 3.0])
    check(ops.scatter(idx, np.array([1.0, 2.0, 3.0]), (3, 4)), expected, "float64")
    upd = np.array([2.0, 3.0, 4.0], "float32")
    e = A.copy()
    np.multiply.at(e, tuple(idx.T), upd)
    check(ops.scatter_update(A, idx, upd, reduction="mul"), e, "float32")
    e = A.copy()
    np.add.at(e, tuple(idx.T), upd)
    check(ops.scatter_update(A, idx, upd, reduction="add"), e, "float32")
    e = A.copy()
    e[1] = 0
    check(ops.scatter_update(A, np.array([[1]]), np.zeros((1, 4), "float32")), e, "float32")
    check(ops.slice(A, (1, 1), (2, 2)), A[1:3, 1:3], "float32")
    e = X4.copy()
    e[0, 1:3, 1:3, :] = 0
    check(ops.slice_update(X4, (0, 1, 1, 0), np.zeros((1, 2, 2, 3), "float32")), e, "float32")


def _control_flow(x):
    out = {"cond": ops.cond(ops.sum(x) > 3, lambda: x * 2, lambda: x),
           "switch": ops.switch(5, [lambda a: a + 1, lambda a: a * 3], x),
           "while": ops.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2), (0, x))[1],
           "while1": ops.while_loop(lambda v: ops.sum(v) < 100, lambda v: v * 2, x),
           "fori": ops.fori_loop(0, 3, lambda i, v: v + ops.cast(i, "float32"), x),
           "map": ops.map(lambda r: ops.sum(r), ops.reshape(x, (2, 3))),
           "assoc": ops.associative_scan(lambda a, b: a + b, x),
           "assoc_r": ops.associative_scan(lambda a, b: a * b, ops.reshape(x, (2, 3)), reverse=True, axis=1),
           "vmap": ops.vectorized_map(lambda r: ops.sum(r * r), ops.reshape(x, (3, 2)))}
    out["scan_c"], out["scan_y"] = ops.scan(lambda c, v: (c + v, c * v), 0.0, x)
    out["scanr_c"], out["scanr_y"] = ops.scan(lambda c, v: (c + v, c), 1.0, x, reverse=True)
    out["scan_len"], _ = ops.scan(lambda c, _: (c * 2, None), 1.0, length=4)
    return out


@pytest.mark.parametrize("graph", [False, True])
def test_control_flow(graph):
    x = np.arange(1.0, 7.0, dtype="float32")
    out = tf.function(_control_flow)(x) if graph else _control_flow(x)
    prefix = np.concatenate([[0.0], np.cumsum(x)[:-1]])
    rprefix = 1 + np.concatenate([np.cumsum(x[::-1])[:-1][::-1], [0.0]])
    expected = {"cond": x * 2, "switch": x * 3, "while": x * 16, "while1": x * 8, "fori": x + 3,
                "map": x.reshape(2, 3).sum(1), "assoc": np.cumsum(x),
                "assoc_r": np.cumprod(x.reshape(2, 3)[:, ::-1], 1)[:, ::-1],
                "vmap": (x.reshape(3, 2) ** 2).sum(1), "scan_c": x.sum(), "scan_y": prefix * x,
                "scanr_c": 1 + x.sum(), "scanr_y": rprefix, "scan_len": 16.0}
    for k, v in expected.items():
        check(out[k], v, "float32")


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


NN_CASES = [
    ("relu", (A,), {}, np.maximum(A, 0)),
    ("relu6", (A * 5,), {}, np.clip(A * 5, 0, 6)),
    ("sigmoid", (A,), {}, _sigmoid(A)),
    ("softplus", (A,), {}, np.log1p(np.exp(A))),
    ("softsign", (A,), {}, A / (1 + np.abs(A))),
    ("silu", (A,), {}, A * _sigmoid(A)),
    ("swish", (A,), {}, A * _sigmoid(A)),
    ("log_sigmoid", (A,), {}, np.log(_sigmoid(A))),
    ("leaky_relu", (A,), {}, np.where(A > 0, A, 0.2 * A)),
    ("hard_sigmoid", (A * 4,), {}, np.clip(A * 4 + 3, 0, 6) / 6),
    ("hard_silu", (A * 4,), {}, A * 4 * np.clip(A * 4 + 3, 0, 6) / 6),
    ("elu", (A,), {"alpha": 0.5}, np.where(A > 0, A, 0.5 * np.expm1(A))),
    ("selu", (A,), {}, 1.0507009873554805 * np.where(A > 0, A, 1.6732632423543772 * np.expm1(A))),
    ("gelu", (A,), {}, 0.5 * A * (1 + np.tanh(np.sqrt(2 / np.pi) * (A + 0.044715 * A ** 3)))),
    ("softmax", (A,), {"axis": 0}, np.exp(A) / np.exp(A).sum(0)),
    ("softmax", (A,), {"axis": None}, np.exp(A) / np.exp(A).sum()),
    ("log_softmax", (A,), {}, A - np.log(np.exp(A).sum(-1, keepdims=True))),
    ("logsumexp", (A,), {"axis": 1, "keepdims": True}, np.log(np.exp(A).sum(1, keepdims=True))),
    ("rsqrt", (P,), {}, 1 / np.sqrt(P)),
    ("normalize", (A,), {}, A / np.linalg.norm(A, axis=-1, keepdims=True)),
    ("normalize", (A,), {"axis": 0, "order": 1}, A / np.abs(A).sum(0)),
    ("binary_crossentropy", ((A > 0).astype("float32"), A), {"from_logits": True},
     -((A > 0) * np.log(_sigmoid(A)) + (A <= 0) * np.log(1 - _sigmoid(A)))),
    ("categorical_crossentropy", (np.eye(4, dtype="float32")[[0, 1, 3]], P), {},
     -np.log((P / P.sum(1, keepdims=True))[[0, 1, 2], [0, 1, 3]])),
    ("sparse_categorical_crossentropy", (np.array([0, 3, 1]), A), {"from_logits": True},
     -(A - np.log(np.exp(A).sum(1, keepdims=True)))[[0, 1, 2], [0, 3, 1]]),
    ("segment_sum", (A, np.array([0, 0, 2]), 3), {}, np.stack([A[0] + A[1], np.zeros(4), A[2]])),
    ("segment_max", (A, np.array([1, 0, 1])), {}, np.stack([A[1], np.maximum(A[0], A[2])])),
    ("det", (SQ,), {}, np.linalg.det(SQ)),
    ("inv", (SQ,), {}, np.linalg.inv(SQ)),
    ("solve", (SQ, B[:3, 0]), {}, np.linalg.solve(SQ, B[:3, 0])),
    ("cholesky", (SQ @ SQ.T,), {"upper": True}, np.linalg.cholesky(SQ @ SQ.T).T),
    ("norm", (A,), {"ord": 1, "axis": 1}, np.linalg.norm(A, 1, axis=1)),
    ("norm", (A,), {"ord": "nuc", "axis": (0, 1)}, np.linalg.norm(A, "nuc")),
    ("norm", (A,), {"ord": -1, "axis": (1, 0)}, np.linalg.norm(A, -1, axis=(1, 0))),
    ("svd", (A,), {"compute_uv": False}, np.linalg.svd(A, compute_uv=False)),
]


@pytest.mark.parametrize("name,args,kwargs,expected", NN_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(NN_CASES)])
def test_nn_math_linalg(name, args, kwargs, expected):
    check(getattr(ops, name)(*args, **kwargs), np.asarray(expected, "float32"), "float32", rtol=1e-4,
          atol=1e-5)


def test_gelu_exact_erf_erfinv():
    from math import erf

    e = np.vectorize(erf)(A / np.sqrt(2))
    check(ops.gelu(A, approximate=False), 0.5 * A * (1 + e), "float32", rtol=1e-4)
    check(ops.erf(A), np.vectorize(erf)(A), "float32", rtol=1e-4)
    check(ops.erf(ops.erfinv(A / 4)), A / 4, "float32", rtol=1e-4)


def test_one_hot_multi_hot_top_k_moments():
    check(ops.one_hot(np.array([0, 2, -1, 1]), 3), np.eye(3)[[0, 2, 0, 1]] * [[1], [1], [0], [1]], "float32")
    check(ops.one_hot(I, 6, axis=0, dtype="int32"), np.moveaxis(np.eye(6)[I], -1, 0), "int32")
    check(ops.multi_hot(np.array([[0, 2], [1, 1]]), 4), [[1, 0, 1, 0], [0, 1, 0, 0]], "float32")
    check(ops.multi_hot(np.array([0, 2]), 3, dtype="bool"), [True, False, True], "bool")
    values, indices = ops.top_k(A, 2)
    check(values, -np.sort(-A, 1)[:, :2], "float32")
    check(indices, np.argsort(-A, 1)[:, :2], "int32")
    check(ops.in_top_k(np.array([0, 1, 3]), A, 2), [np.argsort(-A[i])[:2].__contains__(t) for i, t in
                                                     enumerate([0, 1, 3])], "bool")
    mean, var = ops.moments(X4, (0, 1, 2))
    check(mean, X4.mean((0, 1, 2)), "float32")
    check(var, X4.var((0, 1, 2)), "float32", rtol=1e-4)
    m16, v16 = ops.moments(A.astype("float16"), [0])
    check(m16, A.astype("float16").astype("float32").mean(0), "float16", rtol=1e-2, atol=1e-2)
    assert str(ops.convert_to_numpy(v16).dtype) == "float16"
    out = ops.batch_normalization(np.transpose(X4, (0, 3, 1, 2)), np.full(3, 0.1, "float32"),
                                  np.full(3, 2.0, "float32"), 1, scale=np.full(3, 0.5, "float32"))
    check(out, np.transpose((X4 - 0.1) / np.sqrt(2.001) * 0.5, (0, 3, 1, 2)), "float32", rtol=1e-4)


def _np_conv2d_valid(x, k, stride=1):
    kh, kw = k.shape[:2]
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, k.shape[-1]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j] = np.tensordot(patch, k, ([1, 2, 3], [0, 1, 2]))
    return out


def test_conv_pool():
    k = rng.randn(3, 3, 3, 4).astype("float32")
    check(ops.conv(X4, k), _np_conv2d_valid(X4, k), "float32", rtol=1e-4, atol=1e-4)
    check(ops.conv(X4, k, strides=2), _np_conv2d_valid(X4, k, 2), "float32", rtol=1e-4, atol=1e-4)
    first = ops.conv(np.transpose(X4, (0, 3, 1, 2)), k, data_format="channels_first")
    check(first, np.transpose(_np_conv2d_valid(X4, k), (0, 3, 1, 2)), "float32", rtol=1e-4, atol=1e-4)
    dk = rng.randn(3, 3, 3, 2).astype("float32")
    dw = np.concatenate([_np_conv2d_valid(X4[..., c:c + 1], dk[:, :, c:c + 1, :]) for c in range(3)], -1)
    check(ops.depthwise_conv(X4, dk), dw, "float32", rtol=1e-4, atol=1e-4)
    tk = rng.randn(3, 3, 2, 3).astype("float32")
    assert ops.conv_transpose(X4, tk, strides=2, padding="same").shape == (2, 10, 10, 2)
    assert ops.conv_transpose(X4, tk, strides=2, output_padding=1).shape == (2, 12, 12, 2)
    # conv_transpose is the adjoint of conv: <conv_t(x), y> == <x, conv(y)>
    y = rng.randn(2, 11, 11, 2).astype("float32")
    lhs = np.sum(ops.convert_to_numpy(ops.conv_transpose(X4, tk, strides=2)) * y)
    rhs = np.sum(X4 * ops.convert_to_numpy(ops.conv(y, tk, strides=2)))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)
    pooled = X4[:, :4, :4].reshape(2, 2, 2, 2, 2, 3)
    check(ops.max_pool(X4, 2), pooled.max((2, 4)), "float32")
    check(ops.average_pool(X4, 2), pooled.mean((2, 4)), "float32")
    check(ops.max_pool(np.transpose(X4, (0, 3, 1, 2)), 2, data_format="channels_first"),
          np.transpose(pooled.max((2, 4)), (0, 3, 1, 2)), "float32")
    assert ops.average_pool(X4, 3, strides=1, padding="same").shape == (2, 5, 5, 3)


def test_fft_qr_eigh():
    re, im = ops.fft((A, B[:3, :4]))
    e = np.fft.fft(A + 1j * B[:3, :4])
    check(re, e.real, "float32", rtol=1e-4, atol=1e-4)
    check(im, e.imag, "float32", rtol=1e-4, atol=1e-4)
    re, im = ops.rfft(A, fft_length=8)
    e = np.fft.rfft(A, 8)
    check(re, e.real, "float32", rtol=1e-4, atol=1e-4)
    check(im, e.imag, "float32", rtol=1e-4, atol=1e-4)
    q, r = ops.qr(A.T, mode="complete")
    assert q.shape == (4, 4) and r.shape == (4, 3)
    check(ops.matmul(q, r), A.T, "float32", rtol=1e-4, atol=1e-4)
    spd = SQ @ SQ.T
    w, v = ops.eigh(spd)
    check(w, np.linalg.eigvalsh(spd), "float32", rtol=1e-4)
    check(ops.matmul(v * w, ops.transpose(v)), spd, "float32", rtol=1e-4, atol=1e-3)
    u, s, vh = ops.svd(A, full_matrices=False)
    check(ops.matmul(u * s, vh), A, "float32", rtol=1e-4, atol=1e-4)


def test_image_resize_and_namespaces():
    out = ops.image.resize(X4, (10, 10), interpolation="nearest")
    check(out, X4.repeat(2, 1).repeat(2, 2), "float32")
    first = ops.image.resize(np.transpose(X4, (0, 3, 1, 2)), (10, 10), interpolation="nearest",
                             data_format="channels_first")
    check(first, np.transpose(X4.repeat(2, 1).repeat(2, 2), (0, 3, 1, 2)), "float32")
    assert ops.nn.relu is ops.relu and ops.numpy.mean is ops.mean and ops.linalg.inv is ops.inv
    assert ops.math.logsumexp is ops.logsumexp and ops.core.scan is ops.scan
    assert not hasattr(ops, "tf") and not hasattr(ops, "builtins")


def test_inside_tf_function():
    @tf.function
    def f(x, i):
        return (ops.mean(ops.square(x), axis=1), ops.argmax(x, axis=-1), ops.take(x, i, axis=1),
                ops.quantile(x, 0.5, axis=1), ops.shape(x)[0] * 1, ops.tril(x),
                ops.take_along_axis(x, ops.argsort(x, axis=1), axis=1))

    m, a, t, q, n, lo, s = f(A, np.array([0, 3]))
    check(m, (A ** 2).mean(1), "float32")
    check(a, A.argmax(-1), "int32")
    check(t, A[:, [0, 3]], "float32")
    check(q, np.median(A, 1), "float32")
    check(lo, np.tril(A), "float32")
    check(s, np.sort(A, 1), "float32")
    assert int(n) == 3


def test_gradients():
    x = tf.Variable(A)
    with tf.GradientTape() as tape:
        y = ops.sum(ops.softmax(x) * ops.arange(4.0)) + ops.mean(ops.square(ops.clip(x, -0.5, 0.5)))
        y = y + ops.sum(ops.take_along_axis(x, np.array([[0], [1], [2]]), axis=1) * 3.0)
        y = y + ops.logsumexp(ops.matmul(x, B))
    g = ops.convert_to_numpy(tape.gradient(y, x))
    # numerical check by central differences in float64
    def f(v):
        sm = np.exp(v) / np.exp(v).sum(-1, keepdims=True)
        r = (sm * np.arange(4.0)).sum() + (np.clip(v, -0.5, 0.5) ** 2).mean()
        r += 3 * (v[0, 0] + v[1, 1] + v[2, 2])
        return r + np.log(np.exp(v @ B.astype("float64")).sum())
    num = np.zeros_like(A, dtype="float64")
    base = A.astype("float64")
    for idx in np.ndindex(*A.shape):
        d = np.zeros_like(base)
        d[idx] = 1e-6
        num[idx] = (f(base + d) - f(base - d)) / 2e-6
    np.testing.assert_allclose(g, num, rtol=1e-3, atol=1e-3)


def test_gradients_through_scan_and_where():
    x = tf.Variable(np.array([1.0, 2.0, 3.0], "float32"))
    with tf.GradientTape() as tape:
        c, ys = ops.scan(lambda c, v: (c * v, c), 1.0, x)
        z = c + ops.sum(ops.where(x > 1.5, x * x, 0.0))
    np.testing.assert_allclose(ops.convert_to_numpy(tape.gradient(z, x)), [6.0, 3.0 + 4.0, 2.0 + 6.0],
                               rtol=1e-5)
