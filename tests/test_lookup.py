"""tf.lookup tables: static (constant-backed ops), vocabulary with OOV buckets, mutable (stateful
ops, checkpointed), eagerly, in tf.function and in tf.data."""
import numpy as np
import pytest

import tensorforge as tf

KV = tf.lookup.KeyValueTensorInitializer


def test_static_hash_table():
    table = tf.lookup.StaticHashTable(KV(["b", "a", "c"], [2, 1, 3]), -1)
    assert table.lookup(tf.constant(["a", "z", "c"])).numpy().tolist() == [1, -1, 3]
    assert table.key_dtype == tf.string and table.value_dtype == tf.int32 and int(table.size()) == 3
    assert table.lookup(tf.ragged.constant([["a"], ["c", "q"]])).to_list() == [[1], [3, -1]]
    assert table[tf.constant([["b"]])].numpy().tolist() == [[2]]
    with pytest.raises(TypeError, match="Dtype of argument `keys` must be"):
        table.lookup(tf.constant([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="different value for same key"):
        tf.lookup.StaticHashTable(KV([1, 1], [2, 3]), 0)


def test_vocabulary_table_hashes_oov_keys_as_tf():
    vocab = ["a", "b", "c"]
    table = tf.lookup.StaticVocabularyTable(KV(vocab, tf.constant([0, 1, 2], tf.int64)), 3)
    words = ["a", "x", "zz", "c", "hello"]
    got = table.lookup(tf.constant(words)).numpy().tolist()
    oov = tf.strings.to_hash_bucket_fast([w for w in words if w not in vocab], 3).numpy() + 3
    assert got == [0, int(oov[0]), int(oov[1]), 2, int(oov[2])] and int(table.size()) == 6
    ints = tf.lookup.StaticVocabularyTable(KV(tf.constant([5, 7], tf.int64), tf.constant([0, 1], tf.int64)), 4)
    keys = tf.constant([5, 8, -3], tf.int64)
    buckets = tf.strings.to_hash_bucket_fast(tf.strings.as_string(keys), 4).numpy() + 2
    assert ints.lookup(keys).numpy().tolist() == [0, int(buckets[1]), int(buckets[2])]


def test_text_file_initializer_and_tf_data(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("apple\tred\nbanana\tyellow\ncherry\tred\n")
    by_line = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
        str(path), tf.string, 0, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER, delimiter="\t"), -1)
    assert by_line.lookup(tf.constant(["banana", "kiwi"])).numpy().tolist() == [1, -1]
    colour = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(str(path), tf.string, 0, tf.string, 1), "none")
    ds = tf.data.Dataset.from_tensor_slices(["cherry", "apple", "x"]).map(colour.lookup)
    assert list(ds.as_numpy_iterator()) == [b"red", b"red", b"none"]
    with pytest.raises(tf.errors.NotFoundError):
        tf.lookup.TextFileInitializer(str(tmp_path / "missing.txt"), tf.string, 0, tf.int64, -1)


def test_mutable_hash_table_eager_graph_and_checkpoint(tmp_path):
    table = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
    table.insert(tf.constant(["a", "b"]), tf.constant([1, 2], tf.int64))
    assert table.lookup(tf.constant(["a", "z"])).numpy().tolist() == [1, -1] and int(table.size()) == 2
    table.remove(tf.constant(["a"]))
    assert table.export()[0].numpy().tolist() == [b"b"]
    dyn = table.lookup(tf.constant(["b", "q"]), dynamic_default_values=tf.constant([7, 8], tf.int64))
    assert dyn.numpy().tolist() == [2, 8]

    @tf.function
    def add_and_read(keys):
        table.insert(keys, tf.constant([5, 6], tf.int64))
        return table.lookup(keys), table.size()

    values, size = add_and_read(tf.constant(["p", "q"]))
    assert values.numpy().tolist() == [5, 6] and int(size) == 3
    path = tf.train.Checkpoint(t=table).save(str(tmp_path / "ckpt"))
    assert {"t/.ATTRIBUTES/table-keys", "t/.ATTRIBUTES/table-values"} <= set(dict(tf.train.list_variables(path)))
    other = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
    tf.train.Checkpoint(t=other).restore(path).assert_consumed()
    assert other.lookup(tf.constant(["b", "p", "a"])).numpy().tolist() == [2, 5, -1]
    dense = tf.lookup.experimental.DenseHashTable(tf.int64, tf.float32, 0.0, empty_key=-1, deleted_key=-2)
    dense.insert(tf.constant([3], tf.int64), tf.constant([1.5]))
    assert dense.lookup(tf.constant([3, 4], tf.int64)).numpy().tolist() == [1.5, 0.0]
    with pytest.raises(tf.errors.InvalidArgumentError):
        dense.insert(tf.constant([-1], tf.int64), tf.constant([1.0]))
    np.testing.assert_array_equal(dense.export()[1].numpy(), [1.5])
