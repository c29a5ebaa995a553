"""FarmHash / SipHash string hashes (to_hash_bucket_fast/strong, fingerprint) and the layers using them."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops.string_hashes import fingerprint64, siphash24


def _strings():
    rng = np.random.default_rng(0)
    return [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in list(range(0, 140)) + [255, 256, 1000]]


def test_fingerprint64_covers_every_length_branch_without_collisions():
    hashes = [fingerprint64(s) for s in _strings()]
    assert all(0 <= h < 2 ** 64 for h in hashes)
    assert len(set(hashes)) == len(hashes)
    # One changed byte anywhere changes the hash (every byte reaches the mixing).
    s = bytes(range(100))
    for i in (0, 17, 50, 99):
        t = bytearray(s)
        t[i] ^= 1
        assert fingerprint64(bytes(t)) != fingerprint64(s)


def test_siphash_depends_on_key_and_data():
    assert siphash24(1, 2, b"abc") != siphash24(2, 1, b"abc")
    assert siphash24(1, 2, b"abc") != siphash24(1, 2, b"abd")
    assert len({siphash24(7, 7, s) for s in _strings()}) == len(_strings())


def test_to_hash_bucket_ops_agree_with_the_hashes():
    strs = _strings()[:40]
    fast = tf.strings.to_hash_bucket_fast(tf.constant(strs), 1000).numpy()
    assert fast.dtype == np.int64
    np.testing.assert_array_equal(fast, [fingerprint64(s) % 1000 for s in strs])
    strong = tf.strings.to_hash_bucket_strong(tf.constant(strs), 50, [3, 4]).numpy()
    np.testing.assert_array_equal(strong, [siphash24(3, 4, s) % 50 for s in strs])
    with pytest.raises(TypeError, match="string"):
        tf.strings.to_hash_bucket_fast(tf.constant([1, 2]), 3)


def test_fingerprint_rows():
    fp = tf.fingerprint(tf.constant([b"a", b"bc"])).numpy()
    assert fp.shape == (2, 8) and fp.dtype == np.uint8
    assert bytes(fp[1]) == fingerprint64(b"bc").to_bytes(8, "little")
    ints = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert bytes(tf.fingerprint(ints).numpy()[1]) == fingerprint64(ints[1].tobytes()).to_bytes(8, "little")


def test_hashing_layer_and_oov_buckets():
    L = tf.keras.layers
    words = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
    out = L.Hashing(num_bins=3)(words).numpy().ravel()
    np.testing.assert_array_equal(out, [fingerprint64(w.encode()) % 3 for w in words.ravel()])
    masked = L.Hashing(num_bins=3, mask_value="")([["A"], [""]]).numpy().ravel()
    assert masked[1] == 0 and masked[0] == fingerprint64(b"A") % 2 + 1
    ints = L.Hashing(num_bins=5)(np.array([[12, 7]])).numpy()
    np.testing.assert_array_equal(ints, [[fingerprint64(b"12") % 5, fingerprint64(b"7") % 5]])
    assert L.Hashing(num_bins=4, output_mode="one_hot")(np.array([3, 7])).shape == (2, 4)
    layer = L.Hashing(num_bins=6, salt=[1, 2], mask_value="x")
    assert L.Hashing.from_config(layer.get_config()).get_config() == layer.get_config()
    lookup = L.StringLookup(vocabulary=["a", "b"], num_oov_indices=3)
    got = lookup(["a", "zz", "b", "hello"]).numpy()
    assert got[0] == 3 and got[2] == 4
    assert got[1] == fingerprint64(b"zz") % 3 and got[3] == fingerprint64(b"hello") % 3
