"""tf.sparse.cross / cross_hashed and the Keras HashedCrossing layer: TF's feature crosses and ids."""
import numpy as np

import tensorforge as tf
from tensorforge.ops.string_hashes import fingerprint64

MASK = (1 << 64) - 1


def _cat64(fp1, fp2):
    """TF's FingerprintCat64 (farmhash's 64-bit mixing), in Python integers."""
    mul = 0xC6A4A7935BD1E995

    def mix(v):
        return v ^ (v >> 47)

    r = fp1 ^ mul
    r ^= (mix((fp2 * mul) & MASK) * mul) & MASK
    r = (r * mul) & MASK
    r = (mix(r) * mul) & MASK
    return mix(r)


def _cross_id(features, buckets):
    h = 0xDECAFCAFFE
    for f in features:
        h = _cat64(h, fingerprint64(f.encode()) if isinstance(f, str) else f & MASK)
    return h % buckets if buckets else h % ((1 << 63) - 1)


def test_cross_hashed_combinations_and_ids():
    out = tf.sparse.cross_hashed([tf.constant([["a", "b"], ["c", "d"]]), tf.constant([["x"], ["y"]])], 1000)
    assert out.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    want = [_cross_id(p, 1000) for p in (("a", "x"), ("b", "x"), ("c", "y"), ("d", "y"))]
    assert out.values.numpy().tolist() == want and out.dense_shape.numpy().tolist() == [2, 2]
    raw = tf.sparse.cross_hashed([tf.constant([[1, 2]], tf.int64), tf.constant([["x"]])])
    assert raw.values.numpy().tolist() == [_cross_id((1, "x"), 0), _cross_id((2, "x"), 0)]


def test_cross_strings_with_sparse_inputs():
    st = tf.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], ["a", "b", "c"], [2, 2])
    out = tf.sparse.cross([st, tf.constant([["x"], ["y"]])])
    assert out.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0]]
    assert out.values.numpy().tolist() == [b"a_X_x", b"b_X_x", b"c_X_y"]
    assert tf.sparse.cross([tf.constant([["p"]]), tf.constant([["q"]])], separator="-").values.numpy().tolist() == \
        [b"p-q"]


def test_hashed_crossing_layer():
    layer = tf.keras.layers.HashedCrossing(num_bins=5)
    got = layer((np.array([1, 2, 3]), np.array(["A", "B", "C"])))
    assert got.dtype == tf.int64
    assert got.numpy().tolist() == [_cross_id((i, s), 5) for i, s in ((1, "A"), (2, "B"), (3, "C"))]
    onehot = tf.keras.layers.HashedCrossing(num_bins=5, output_mode="one_hot")((np.array([1, 2]), np.array(["A", "B"])))
    np.testing.assert_array_equal(onehot.numpy(), np.eye(5)[[_cross_id((1, "A"), 5), _cross_id((2, "B"), 5)]])
    again = tf.keras.layers.HashedCrossing.from_config(layer.get_config())
    assert again.num_bins == 5 and again.output_mode == "int"
