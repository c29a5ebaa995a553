"""New LinearOperators, SparseTensor serialisation and tf.ragged.cross / stack_dynamic_partitions,
checked against NumPy references and properties."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.io import sparse_serialization as ss
from tensorforge.ops import sparse_cross

RNG = np.random.default_rng(7)


def _check_operator(op, dense, x, solve=True):
    """Compares the operator's methods with the NumPy matrix `dense`."""
    np.testing.assert_allclose(op.to_dense().numpy(), dense, atol=1e-6)
    adj = np.conj(np.swapaxes(dense, -1, -2))
    np.testing.assert_allclose(op.matmul(x).numpy(), dense @ x, atol=1e-6)
    np.testing.assert_allclose(op.matmul(x, adjoint=True).numpy(), adj @ x, atol=1e-6)
    xa = np.conj(np.swapaxes(x, -1, -2))
    np.testing.assert_allclose(op.matmul(xa, adjoint_arg=True).numpy(), dense @ x, atol=1e-6)
    np.testing.assert_allclose(op.matvec(x[..., 0]).numpy(), (dense @ x)[..., 0], atol=1e-6)
    np.testing.assert_allclose(op.diag_part().numpy(), np.diagonal(dense, axis1=-2, axis2=-1), atol=1e-6)
    np.testing.assert_allclose(op.trace().numpy(), np.trace(dense, axis1=-2, axis2=-1), atol=1e-6)
    assert op.shape.as_list() == list(dense.shape)
    if solve:
        np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(dense, x), atol=1e-6)
        np.testing.assert_allclose(op.solve(x, adjoint=True).numpy(), np.linalg.solve(adj, x), atol=1e-6)
        np.testing.assert_allclose(op.solve(xa, adjoint_arg=True).numpy(), np.linalg.solve(dense, x), atol=1e-6)
        np.testing.assert_allclose(op.determinant().numpy(), np.linalg.det(dense), rtol=1e-6)
        np.testing.assert_allclose(np.real(op.log_abs_determinant().numpy()), np.linalg.slogdet(dense)[1], rtol=1e-6, atol=1e-9)


def _tridiag_dense(d):
    n = d.shape[-1]
    out = np.zeros(d.shape[:-2] + (n, n), d.dtype)
    i = np.arange(n)
    out[..., i, i] = d[..., 1, :]
    out[..., i[:-1], i[1:]] = d[..., 0, :-1]
    out[..., i[1:], i[:-1]] = d[..., 2, 1:]
    return out


# ---------------------------------------------------------------- LinearOperators
@pytest.mark.parametrize("fmt", ["compact", "sequence", "matrix"])
def test_tridiag_formats(fmt):
    d = RNG.normal(size=(2, 3, 5))
    d[:, 1] += 4
    dense = _tridiag_dense(d)
    arg = {"compact": d, "sequence": [d[:, 0], d[:, 1], d[:, 2]], "matrix": dense}[fmt]
    op = tf.linalg.LinearOperatorTridiag(arg, diagonals_format=fmt)
    assert op.diagonals_format == fmt
    _check_operator(op, dense, RNG.normal(size=(2, 5, 3)))


def test_tridiag_complex_and_broadcast():
    d = RNG.normal(size=(3, 4)) + 1j * RNG.normal(size=(3, 4))
    d[1] += 4
    op = tf.linalg.LinearOperatorTridiag(d)
    _check_operator(op, _tridiag_dense(d), RNG.normal(size=(4, 2)) + 1j * RNG.normal(size=(4, 2)))
    batched = tf.linalg.LinearOperatorTridiag(np.stack([d.real, d.real + 1]))
    rhs = RNG.normal(size=(4, 2))
    np.testing.assert_allclose(batched.solve(rhs).numpy(), np.linalg.solve(_tridiag_dense(np.stack([d.real, d.real + 1])), rhs),
                               atol=1e-8)
    with pytest.raises(ValueError, match="diagonals_format"):
        tf.linalg.LinearOperatorTridiag(d, diagonals_format="banded")


def test_householder():
    v = RNG.normal(size=(2, 4))
    u = v / np.linalg.norm(v, axis=-1, keepdims=True)
    dense = np.eye(4) - 2 * u[..., :, None] * u[..., None, :]
    op = tf.linalg.LinearOperatorHouseholder(v)
    _check_operator(op, dense, RNG.normal(size=(4, 3)))
    assert op.is_self_adjoint and op.is_positive_definite is False and op.inverse() is op
    np.testing.assert_allclose(np.sort(op.eigvals().numpy(), axis=-1), np.sort(np.linalg.eigvalsh(dense), axis=-1),
                               atol=1e-8)
    with pytest.raises(ValueError, match="always self adjoint"):
        tf.linalg.LinearOperatorHouseholder(v, is_self_adjoint=False)
    with pytest.raises(ValueError, match="non-positive definite"):
        tf.linalg.LinearOperatorHouseholder(v, is_positive_definite=True)
    with pytest.raises(tf.errors.InvalidArgumentError):
        op.assert_positive_definite()


def test_permutation():
    perm = np.array([[2, 0, 1, 3], [3, 2, 1, 0]], np.int32)
    dense = (np.arange(4)[None, None, :] == perm[..., None]).astype(np.float64)
    op = tf.linalg.LinearOperatorPermutation(perm, dtype=tf.float64)
    _check_operator(op, dense, RNG.normal(size=(4, 2)))
    np.testing.assert_allclose(op.log_abs_determinant().numpy(), [0.0, 0.0])
    with pytest.raises(ValueError, match="unique integers from 0 to 2"):
        tf.linalg.LinearOperatorPermutation([0, 0, 1])
    with pytest.raises(TypeError, match="integer dtype"):
        tf.linalg.LinearOperatorPermutation([0.0, 1.0])
    with pytest.raises(ValueError, match="always non-singular"):
        tf.linalg.LinearOperatorPermutation([0, 1], is_non_singular=False)


def test_zeros():
    op = tf.linalg.LinearOperatorZeros(3, batch_shape=[2], dtype=tf.float64)
    x = RNG.normal(size=(3, 2))
    assert op.shape.as_list() == [2, 3, 3]
    np.testing.assert_array_equal(op.to_dense().numpy(), np.zeros((2, 3, 3)))
    np.testing.assert_array_equal(op.matmul(x).numpy(), np.zeros((2, 3, 2)))
    np.testing.assert_array_equal(op.determinant().numpy(), np.zeros(2))
    np.testing.assert_array_equal(op.add_to_tensor(x[:, :1] * np.ones((3, 3))).numpy(),
                                  np.broadcast_to(x[:, :1] * np.ones((3, 3)), (2, 3, 3)))
    rect = tf.linalg.LinearOperatorZeros(3, 2, is_square=False, is_self_adjoint=False, dtype=tf.float64)
    assert rect.matmul(np.ones((2, 4))).shape.as_list() == [3, 4]
    assert rect.matmul(np.ones((3, 4)), adjoint=True).shape.as_list() == [2, 4]
    assert rect.diag_part().shape.as_list() == [2]
    with pytest.raises(ValueError, match="not compatible"):
        rect.matmul(np.ones((3, 4)))
    with pytest.raises(NotImplementedError, match="singular"):
        op.solve(x)
    with pytest.raises(ValueError, match="always singular"):
        tf.linalg.LinearOperatorZeros(3, is_non_singular=True)
    with pytest.raises(ValueError, match=r"num_rows\(3\) != num_columns\(2\)"):
        tf.linalg.LinearOperatorZeros(3, 2)
    with pytest.raises(ValueError, match="self-adjoint matrix is always square"):
        tf.linalg.LinearOperatorZeros(3, 2, is_square=False)
    with pytest.raises(TypeError, match="integer type"):
        tf.linalg.LinearOperatorZeros(2.0)
    assert tf.linalg.LinearOperatorZeros(2).matmul(tf.linalg.LinearOperatorIdentity(2)).to_dense().numpy().sum() == 0


def test_block_lower_triangular():
    a, c = RNG.normal(size=(2, 2)) + 3 * np.eye(2), RNG.normal(size=(3, 3)) + 3 * np.eye(3)
    b = RNG.normal(size=(3, 2))
    ops = [[tf.linalg.LinearOperatorFullMatrix(a)],
           [tf.linalg.LinearOperatorFullMatrix(b), tf.linalg.LinearOperatorFullMatrix(c)]]
    op = tf.linalg.LinearOperatorBlockLowerTriangular(ops)
    dense = np.block([[a, np.zeros((2, 3))], [b, c]])
    x = RNG.normal(size=(5, 2))
    _check_operator(op, dense, x)
    blocks = op.solve([x[:2], x[2:]])
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in blocks]), np.linalg.solve(dense, x), atol=1e-8)
    blocks = op.matmul([x[:2], x[2:]], adjoint=True)
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in blocks]), dense.T @ x, atol=1e-8)
    with pytest.raises(ValueError, match=r"`operators\[1\]` must contain `2` blocks"):
        tf.linalg.LinearOperatorBlockLowerTriangular([ops[0], ops[1][:1]])
    with pytest.raises(ValueError, match="must be square"):
        tf.linalg.LinearOperatorBlockLowerTriangular(ops, is_square=False)


@pytest.mark.parametrize("cls,block", [(tf.linalg.LinearOperatorCirculant2D, (3, 4)),
                                       (tf.linalg.LinearOperatorCirculant3D, (2, 2, 3))])
def test_nested_circulant(cls, block):
    kernel = RNG.normal(size=block)
    spectrum = np.fft.fftn(kernel)
    op = cls(spectrum, input_output_dtype=tf.float64)
    # column j of the operator is the kernel circularly shifted by the multi-index of j
    n = kernel.size
    idx = np.stack(np.unravel_index(np.arange(n), block), axis=1)
    dense = np.empty((n, n))
    for j in range(n):
        dense[:, j] = np.roll(kernel, tuple(idx[j]), axis=tuple(range(len(block)))).reshape(-1)
    x = RNG.normal(size=(n, 2))
    _check_operator(op, dense, x)
    np.testing.assert_allclose(op.convolution_kernel().numpy(), kernel, atol=1e-10)
    assert op.block_depth == len(block) and op.block_shape.as_list() == list(block)
    np.testing.assert_allclose(op.inverse().to_dense().numpy(), np.linalg.inv(dense), atol=1e-8)
    with pytest.raises(ValueError, match="at least %d dimensions" % len(block)):
        cls(np.ones((2,) * (len(block) - 1)))


# ---------------------------------------------------------------- sparse serialisation
def _parse_triple(row):
    return [ss._parse(v, "t", "T") for v in row]


def test_serialize_sparse_round_trip_and_format():
    st = tf.sparse.SparseTensor([[0, 1], [2, 3]], [1.5, 2.5], [3, 4])
    s = tf.io.serialize_sparse(st).numpy()
    assert s.shape == (3,)
    # each entry is a TensorProto with tensor_content, as tf.io.parse_tensor reads it
    np.testing.assert_array_equal(tf.io.parse_tensor(s[0], tf.int64).numpy(), [[0, 1], [2, 3]])
    np.testing.assert_array_equal(tf.io.parse_tensor(s[1], tf.float32).numpy(), np.float32([1.5, 2.5]))
    np.testing.assert_array_equal(tf.io.parse_tensor(s[2], tf.int64).numpy(), [3, 4])
    assert s[1] == tf.io.serialize_tensor(np.float32([1.5, 2.5])).numpy()


def test_string_values_use_tensor_content():
    vals = [b"a", b"", b"x" * 300]
    data = ss._serialize(np.array(vals, dtype=object))
    proto = tf.make_tensor_proto([0])  # a TensorProto class instance to parse with
    proto = type(proto)()
    proto.ParseFromString(data)
    assert not proto.string_val
    # varint lengths (300 takes two bytes) then the bytes
    assert proto.tensor_content == bytes([1, 0, 0xAC, 0x02]) + b"".join(vals)
    assert [bytes(v) for v in ss._parse(data, "t", "T")] == vals


def test_varints_match_a_reference():
    n = np.array([0, 1, 127, 128, 300, 2 ** 21, 2 ** 35 + 5], np.int64)

    def ref(v):
        out = bytearray()
        while True:
            b, v = v & 0x7F, v >> 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)
    enc = ss._varints(n)
    assert enc == b"".join(ref(int(v)) for v in n)
    vals, end = ss._read_varints(np.frombuffer(enc, np.uint8), len(n))
    np.testing.assert_array_equal(vals, n)
    assert end == len(enc)


def test_serialize_many_and_deserialize():
    st = tf.sparse.SparseTensor([[0, 0, 1], [0, 2, 3], [2, 1, 1]], ["a", "bb", "c"], [4, 3, 4])
    many = tf.io.serialize_many_sparse(st).numpy()
    assert many.shape == (4, 3)
    ind, val, shp = _parse_triple(many[0])
    np.testing.assert_array_equal(ind, [[0, 1], [2, 3]])
    assert list(val) == [b"a", b"bb"]
    np.testing.assert_array_equal(shp, [3, 4])
    assert _parse_triple(many[1])[0].shape == (0, 2)
    back = tf.io.deserialize_many_sparse(many, tf.string)
    np.testing.assert_array_equal(back.indices.numpy(), st.indices.numpy())
    assert list(back.values.numpy()) == [b"a", b"bb", b"c"]
    np.testing.assert_array_equal(back.dense_shape.numpy(), [4, 3, 4])


def test_deserialize_takes_the_largest_shape_and_checks():
    a = tf.io.serialize_sparse(tf.sparse.SparseTensor([[0, 1]], [1.0], [2, 3]))
    b = tf.io.serialize_sparse(tf.sparse.SparseTensor([[4, 0]], [2.0], [5, 1]))
    out = tf.io.deserialize_many_sparse(tf.stack([a, b]), tf.float32)
    np.testing.assert_array_equal(out.indices.numpy(), [[0, 0, 1], [1, 4, 0]])
    np.testing.assert_array_equal(out.dense_shape.numpy(), [2, 5, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requested SparseTensor of type int32"):
        tf.io.deserialize_many_sparse(tf.stack([a, b]), tf.int32)
    c = tf.io.serialize_sparse(tf.sparse.SparseTensor([[0, 1, 1]], [1.0], [2, 3, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Inconsistent shape across SparseTensors"):
        tf.io.deserialize_many_sparse(tf.stack([a, c]), tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse"):
        tf.io.deserialize_many_sparse(tf.constant([["x", "y", "z"]]), tf.float32)


def test_serialize_many_validates():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1,1\] is out of order"):
        tf.io.serialize_many_sparse(tf.sparse.SparseTensor([[1, 0, 1], [0, 1, 1]], [1, 2], [2, 3, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        tf.io.serialize_many_sparse(tf.sparse.SparseTensor([[0, 5]], [1.0], [2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="should be > 1"):
        tf.io.serialize_many_sparse(tf.sparse.SparseTensor([[1]], [1], [3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_type"):
        tf.io.serialize_sparse(tf.sparse.SparseTensor([[1]], [1], [3]), out_type=tf.int32)


# ---------------------------------------------------------------- ragged
def test_ragged_cross_strings():
    a = tf.ragged.constant([["a", "b"], [], ["c"]])
    b = tf.constant([[1], [2], [3]], tf.int64)
    out = tf.ragged.cross([a, b])
    assert out.to_list() == [[b"a_X_1", b"b_X_1"], [], [b"c_X_3"]]
    assert out.row_splits.dtype == tf.int64
    i32 = tf.ragged.constant([[1, 2], [3]], row_splits_dtype=tf.int32)
    assert tf.ragged.cross([i32, i32]).row_splits.dtype == tf.int32
    with pytest.raises(ValueError, match="rank=2"):
        tf.ragged.cross([tf.ragged.constant([[[1]]])])
    with pytest.raises(ValueError, match="Unexpected dtype for inputs"):
        tf.ragged.cross([tf.ragged.constant([[1.0]])])
    with pytest.raises(tf.errors.InvalidArgumentError, match="same batch dimension"):
        tf.ragged.cross([tf.ragged.constant([["a"], ["b"]]), tf.constant([["b"]])])


def test_ragged_cross_hashed_equals_sparse_cross_hashed():
    dense = tf.constant([["a", "b"], ["c", "d"]])
    ids = tf.constant([[1], [2]], tf.int64)
    for nb in (0, 100):
        r = tf.ragged.cross_hashed([tf.RaggedTensor.from_tensor(dense), ids], num_buckets=nb)
        s = tf.sparse.cross_hashed([dense, ids], num_buckets=nb)
        np.testing.assert_array_equal(r.flat_values.numpy(), s.values.numpy())
        np.testing.assert_array_equal(r.value_rowids().numpy(), s.indices.numpy()[:, 0])
    # the hash chain, computed here from its definition
    h = np.uint64(sparse_cross._DEFAULT_KEY)
    with np.errstate(over="ignore"):
        h = sparse_cross._fingerprint_cat64(np.array([h]), sparse_cross._feature_hashes(np.array([b"a"], object)))
        h = sparse_cross._fingerprint_cat64(h, np.array([1], np.int64).view(np.uint64))
    got = tf.ragged.cross_hashed([tf.ragged.constant([["a"]]), tf.constant([[1]], tf.int64)], num_buckets=1000)
    assert got.flat_values.numpy()[0] == int(h[0] % np.uint64(1000))


def test_stack_dynamic_partitions_matches_dynamic_partition():
    data = RNG.normal(size=(7, 2))
    parts = np.array([3, 0, 2, 2, 3, 1, 0])
    out = tf.ragged.stack_dynamic_partitions(data, parts, 5)
    assert out.shape.as_list()[0] == 5
    for p in range(5):
        np.testing.assert_array_equal(np.asarray(out[p].numpy()).reshape(-1, 2), data[parts == p])
    rt = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    got = tf.ragged.stack_dynamic_partitions(rt, tf.ragged.constant([[0, 1], [1], [0, 0, 2]]), 3)
    assert got.to_list() == [[1, 4, 5], [2, 3], [6]]
    assert tf.ragged.stack_dynamic_partitions(7, 1, 3).to_list() == [[], [7], []]
    with pytest.raises(tf.errors.InvalidArgumentError, match="less than num_partitions"):
        tf.ragged.stack_dynamic_partitions(tf.constant([1, 2]), tf.constant([0, 5]), 3)
    with pytest.raises(ValueError, match="incompatible"):
        tf.ragged.stack_dynamic_partitions(tf.constant([1, 2]), tf.constant([0, 1, 1]), 3)
