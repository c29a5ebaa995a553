"""tf.sparse reductions/segments/counting, tf.sets, tf.edit_distance, tf.strings ngrams/hash/segment join and
tf.histogram_fixed_width(_bins): results computed independently with NumPy / plain Python."""
import numpy as np
import pytest

import tensorforge as tf


def _np(x):
    return np.asarray(x._value if hasattr(x, "_value") else x)


def _dense(sp):
    out = np.zeros(_np(sp.dense_shape), _np(sp.values).dtype if _np(sp.values).dtype != object else object)
    for i, v in zip(_np(sp.indices).tolist(), _np(sp.values).tolist()):
        out[tuple(i)] = v
    return out


# ---------------------------------------------------------------- sparse
def test_sparse_reduce_max_only_stored_values():
    sp = tf.sparse.SparseTensor([[0, 0], [0, 2], [2, 1]], [-1.0, -3.0, 2.0], [3, 4])
    np.testing.assert_array_equal(_np(tf.sparse.reduce_max(sp, 1)), [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(_np(tf.sparse.reduce_max(sp, 0)), [-1.0, 2.0, -3.0, 0.0])
    assert float(_np(tf.sparse.reduce_max(sp))) == 2.0
    assert _np(tf.sparse.reduce_max(sp, 1, keepdims=True)).shape == (3, 1)
    out = tf.sparse.reduce_max(sp, 1, output_is_sparse=True)
    assert _np(out.indices).tolist() == [[0], [2]]
    assert _np(out.values).tolist() == [-1.0, 2.0]
    assert hasattr(tf.sparse, "reduce_sum")


def test_sparse_maximum_minimum_treat_missing_as_zero():
    a = tf.sparse.SparseTensor([[0, 0], [1, 2]], [-1.0, 5.0], [2, 3])
    b = tf.sparse.SparseTensor([[0, 0], [0, 1]], [2.0, -4.0], [2, 3])
    da, db = _dense(a), _dense(b)
    mx, mn = tf.sparse.maximum(a, b), tf.sparse.minimum(a, b)
    np.testing.assert_array_equal(_dense(mx), np.maximum(da, db))
    np.testing.assert_array_equal(_dense(mn), np.minimum(da, db))
    assert _np(mx.indices).tolist() == [[0, 0], [0, 1], [1, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.maximum(a, tf.sparse.SparseTensor([[0, 0]], [1.0], [3, 3]))


def test_sparse_softmax_and_gradient():
    idx = [[0, 0], [0, 2], [2, 1], [2, 3]]
    vals = tf.constant([1.0, 2.0, 3.0, -1.0], tf.float64)
    sp = tf.sparse.SparseTensor(idx, vals, [3, 4])
    out = _np(tf.sparse.softmax(sp).values)
    e = np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()
    f = np.exp([3.0, -1.0]) / np.exp([3.0, -1.0]).sum()
    np.testing.assert_allclose(out, np.concatenate([e, f]))
    w = tf.constant([0.5, -1.0, 2.0, 1.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(vals)
        y = tf.reduce_sum(tf.sparse.softmax(tf.sparse.SparseTensor(idx, vals, [3, 4])).values * w)
    g = _np(tape.gradient(y, vals))
    o, wn = np.concatenate([e, f]), _np(w)
    expect = np.concatenate([(wn[:2] - (wn[:2] * o[:2]).sum()) * o[:2], (wn[2:] - (wn[2:] * o[2:]).sum()) * o[2:]])
    np.testing.assert_allclose(g, expect, rtol=1e-10)


def test_sparse_segment_ops():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    idx, ids = [0, 2, 1], [0, 0, 2]
    np.testing.assert_allclose(_np(tf.sparse.segment_sum(data, idx, ids)), [data[0] + data[2], [0, 0], data[1]])
    np.testing.assert_allclose(_np(tf.sparse.segment_mean(data, idx, ids, num_segments=4)),
                               [(data[0] + data[2]) / 2, [0, 0], data[1], [0, 0]])
    np.testing.assert_allclose(_np(tf.sparse.segment_sqrt_n(data, idx, ids)),
                               [(data[0] + data[2]) / np.sqrt(2), [0, 0], data[1]], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        tf.sparse.segment_sum(data, idx, [1, 0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.sparse.segment_sum(data, [0, 7, 1], ids)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.segment_mean(tf.constant([1, 2, 3]), idx, ids)
    d = tf.constant(data.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch(d)
        y = tf.reduce_sum(tf.sparse.segment_mean(d, idx, ids))
    np.testing.assert_allclose(_np(tape.gradient(y, d)), [[0.5, 0.5], [1.0, 1.0], [0.5, 0.5]])


def test_sparse_fill_empty_rows():
    sp = tf.sparse.SparseTensor([[1, 0], [3, 2], [1, 1]], [1.0, 2.0, 3.0], [5, 4])
    out, empty = tf.sparse.fill_empty_rows(sp, -1.0)
    assert _np(empty).tolist() == [True, False, True, False, True]
    assert _np(out.indices).tolist() == [[0, 0], [1, 0], [1, 1], [2, 0], [3, 2], [4, 0]]
    assert _np(out.values).tolist() == [-1.0, 1.0, 3.0, -1.0, 2.0, -1.0]
    from tensorforge.ops.registry import bind
    _, _, _, rev = bind("SparseFillEmptyRows", [sp.indices, sp.values, sp.dense_shape, tf.constant(-1.0)])
    assert _np(rev).tolist() == [1, 4, 2]


def test_sparse_mask():
    a = tf.IndexedSlices(tf.constant([[1.0, 2], [3, 4], [5, 6]]), tf.constant([4, 1, 7]), tf.constant([10, 2]))
    m = tf.sparse.mask(a, [1, 9])
    assert _np(m.indices).tolist() == [4, 7]
    assert _np(m.values).tolist() == [[1, 2], [5, 6]]


def test_sparse_bincount():
    vals = np.array([1, 5, 5, 2])
    out = tf.sparse.bincount(vals)
    counts = np.bincount(vals)
    nz = np.flatnonzero(counts)
    assert _np(out.indices).ravel().tolist() == nz.tolist()
    assert _np(out.values).tolist() == counts[nz].tolist()
    assert _np(out.dense_shape).tolist() == [len(counts)]
    assert _np(tf.sparse.bincount(vals, minlength=8).dense_shape).tolist() == [8]
    capped = tf.sparse.bincount(vals, maxlength=3)
    assert _np(capped.indices).ravel().tolist() == [1, 2] and _np(capped.dense_shape).tolist() == [3]
    assert _np(tf.sparse.bincount(vals, binary_output=True).values).tolist() == [1, 1, 1]
    w = tf.sparse.bincount(vals, weights=tf.constant([0.5, 1.0, 2.0, 3.0]))
    assert _np(w.values).tolist() == [0.5, 3.0, 3.0]
    rows = tf.sparse.bincount([[1, 5], [2, 2]], axis=-1)
    assert _np(rows.indices).tolist() == [[0, 1], [0, 5], [1, 2]] and _np(rows.values).tolist() == [1, 1, 2]
    sp = tf.sparse.SparseTensor([[0, 0], [0, 2], [2, 1]], [3, 3, 1], [3, 4])
    r = tf.sparse.bincount(sp, axis=-1)
    assert _np(r.indices).tolist() == [[0, 3], [2, 1]] and _np(r.dense_shape).tolist() == [3, 4]
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        tf.sparse.bincount([1, -5])
    with pytest.raises(ValueError):
        tf.sparse.bincount([1, 2], axis=1)
    with pytest.raises(ValueError):
        tf.sparse.bincount([1, 2], weights=tf.constant([1.0, 2.0]), binary_output=True)


def test_sampled_addmm():
    m1 = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    m2 = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    ind, val, shape = tf.sparse.sampled_addmm([[0, 0], [1, 1]], [1.0, 2.0], [2, 2], m1, m2, beta=0.5, alpha=2.0)
    full = m1 @ m2
    np.testing.assert_allclose(_np(val), [2 * full[0, 0] + 0.5, 2 * full[1, 1] + 1.0])
    with pytest.raises(ValueError):
        tf.sparse.sampled_addmm([[0, 0]], [1.0], [3, 2], m1, m2)


# ---------------------------------------------------------------- sets
def _py_sets(a, b, op):
    out = []
    for ra, rb in zip(a, b):
        sa, sb = set(ra), set(rb)
        out.append(sorted({"intersection": sa & sb, "union": sa | sb, "a-b": sa - sb, "b-a": sb - sa}[op]))
    return out


def _rows(sp):
    rows = [[] for _ in range(int(_np(sp.dense_shape)[0]))]
    for i, v in zip(_np(sp.indices).tolist(), _np(sp.values).tolist()):
        rows[i[0]].append(v)
    return rows


@pytest.mark.parametrize("op", ["intersection", "union", "a-b", "b-a"])
def test_dense_set_operations(op):
    a = [[1, 2, 2, 0], [3, -1, 0, 5]]
    b = [[2, 0, 7], [5, 5, 3]]
    fn = {"intersection": tf.sets.intersection, "union": tf.sets.union,
          "a-b": lambda x, y: tf.sets.difference(x, y), "b-a": lambda x, y: tf.sets.difference(x, y, aminusb=False)}[op]
    out = fn(tf.constant(a), tf.constant(b))
    expect = _py_sets(a, b, op)
    assert _rows(out) == expect
    assert _np(out.dense_shape).tolist() == [2, max(len(r) for r in expect)]
    sb = tf.sparse.from_dense(tf.constant([[2, 0, 7], [5, 5, 3]]) + 1)
    out2 = fn(tf.constant(a), sb)
    assert _rows(out2) == _py_sets(a, [[3, 1, 8], [6, 6, 4]], op)


def test_sets_size_strings_and_errors():
    sp = tf.sparse.SparseTensor([[0, 0], [0, 1], [2, 0]], [3, 3, 1], [3, 5])
    assert _np(tf.sets.size(sp)).tolist() == [1, 0, 1]
    out = tf.sets.intersection(tf.constant([["a", "b"]]), tf.constant([["b", "c"]]))
    assert _np(out.values).tolist() == [b"b"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of order"):
        tf.sets.size(tf.sparse.SparseTensor([[0, 1], [0, 0]], [3, 3], [3, 5]))
    with pytest.raises(TypeError):
        tf.sets.union(tf.constant([[1.0]]), tf.constant([[1.0]]))
    with pytest.raises(ValueError):
        tf.sets.union(sp, tf.constant([[1]]))


def _lev(s, t):
    d = np.arange(len(t) + 1)
    for i, a in enumerate(s, 1):
        prev, d[0] = d.copy(), i
        for j, b in enumerate(t, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (a != b))
    return d[-1]


def test_edit_distance():
    h = tf.sparse.SparseTensor([[0, 0, 0], [1, 0, 0], [1, 0, 1]], ["a", "b", "c"], [2, 1, 2])
    t = tf.sparse.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 0, 2]], ["a", "b", "d", "e"], [2, 2, 3])
    out = _np(tf.edit_distance(h, t))
    assert out.shape == (2, 2) and out.dtype == np.float32
    assert out[0, 0] == np.inf and out[0, 1] == 1.0 and out[1, 1] == 0.0
    np.testing.assert_allclose(out[1, 0], _lev("bc", "bde") / 3)
    raw = _np(tf.edit_distance(h, t, normalize=False))
    assert raw.tolist() == [[1.0, 1.0], [float(_lev("bc", "bde")), 0.0]]
    with pytest.raises(TypeError):
        tf.edit_distance(tf.constant([1]), t)


# ---------------------------------------------------------------- strings
def _murmur(s: bytes) -> int:  # TF's Hash64 written out byte by byte
    m, mask = 0xC6A4A7935BD1E995, (1 << 64) - 1
    h = (0xDECAFCAFFE ^ (len(s) * m)) & mask
    i = 0
    while len(s) - i >= 8:
        k = sum(s[i + j] << (8 * j) for j in range(8))
        k = (k * m) & mask
        k ^= k >> 47
        k = (k * m) & mask
        h = ((h ^ k) * m) & mask
        i += 8
    rest = s[i:]
    if rest:
        for j in range(len(rest) - 1, -1, -1):
            h ^= rest[j] << (8 * j)
        h = (h * m) & mask
    h ^= h >> 47
    h = (h * m) & mask
    return h ^ (h >> 47)


def test_to_hash_bucket_legacy_hash():
    words = [b"", b"a", b"ab", b"hello world", b"x" * 17, b"abcdefgh"]
    out = _np(tf.strings.to_hash_bucket(words, 1000003))
    assert out.dtype == np.int64
    assert out.tolist() == [_murmur(w) % 1000003 for w in words]


def _py_ngrams(tokens, w, sep=" ", pad=None, pw=None):
    if pad is not None:
        p = w - 1 if pw is None else min(pw, w - 1)
        tokens = [pad] * p + tokens + [pad] * p
    return [sep.join(tokens[i:i + w]).encode() for i in range(len(tokens) - w + 1)]


def test_ngrams():
    assert _np(tf.strings.ngrams(["a", "b", "c", "d"], 2)).tolist() == _py_ngrams(list("abcd"), 2)
    dense = _np(tf.strings.ngrams([["a", "b", "c"], ["d", "e", "f"]], 2, separator="|"))
    assert dense.tolist() == [_py_ngrams(list("abc"), 2, "|"), _py_ngrams(list("def"), 2, "|")]
    rt = tf.ragged.constant([["a", "b", "c"], [], ["d"]])
    out = tf.strings.ngrams(rt, 3, pad_values="#", padding_width=1).to_list()
    assert out == [_py_ngrams(list("abc"), 3, pad="#", pw=1), [], _py_ngrams(["d"], 3, pad="#", pw=1)]
    short = tf.strings.ngrams(rt, 4, preserve_short_sequences=True).to_list()
    assert short == [[b"a b c"], [], [b"d"]]
    with pytest.raises(ValueError):
        tf.strings.ngrams(["a"], 0)
    with pytest.raises(ValueError):
        tf.strings.ngrams(["a"], 2, padding_width=1)


def test_unsorted_segment_join():
    out = _np(tf.strings.unsorted_segment_join(["a", "b", "c", "d"], [1, 0, 1, 0], 3, separator=","))
    assert out.tolist() == [b"b,d", b"a,c", b""]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.strings.unsorted_segment_join(["a", "b"], [1, 5], 2)


# ---------------------------------------------------------------- histograms
def test_histogram_fixed_width():
    vals = np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99], np.float64)
    lo, hi, n = 0.0, 5.0, 5
    bins = np.clip(np.floor((vals - lo) / (hi - lo) * n), 0, n - 1).astype(np.int32)
    out = tf.histogram_fixed_width(vals, [lo, hi], nbins=n)
    assert _np(out).tolist() == np.bincount(bins, minlength=n).tolist() and out.dtype == tf.int32
    assert tf.histogram_fixed_width(vals, [lo, hi], nbins=n, dtype=tf.int64).dtype == tf.int64
    b = tf.histogram_fixed_width_bins(vals.astype(np.float32).reshape(7, 1), [lo, hi], nbins=n)
    assert _np(b).ravel().tolist() == bins.tolist() and b.dtype == tf.int32 and b.shape == (7, 1)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.histogram_fixed_width([1.0], [5.0, 1.0], nbins=5)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.histogram_fixed_width([1.0], [0.0, 1.0], nbins=0)
