"""tf.train checkpoints: the LevelDB table, the tensor bundle, the object graph, Checkpoint,
CheckpointManager, and a checkpoint written by real TensorFlow (fixture)."""
import os
import pathlib
import struct

import google_crc32c
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.protos import tensor_bundle_pb2, trackable_object_graph_pb2
from tensorforge.train import _bundle, _table

FIXTURES = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
AFFINE = FIXTURES / "affine_savedmodel"
keras = tf.keras


def _mask(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _affine():
    if not (AFFINE / "variables" / "variables.index").exists():
        pytest.skip("fixture affine_savedmodel is missing")
    return str(AFFINE / "variables" / "variables"), np.load(FIXTURES / "affine_savedmodel.io.npz")


def _graph(reader):
    g = trackable_object_graph_pb2.TrackableObjectGraph()
    g.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return g


# ---------------------------------------------------------------- the table (.index)
def test_table_layout_of_one_entry_is_leveldb():
    data = _table.build_table([(b"ab", b"xyz")])
    block = b"\x00\x02\x03abxyz" + struct.pack("<II", 0, 1)  # shared, non_shared, value_len, key, value, restarts
    trailer = b"\x00" + struct.pack("<I", _mask(google_crc32c.value(block + b"\x00")))
    assert data[:len(block) + 5] == block + trailer
    meta = struct.pack("<II", 0, 1)
    index_off = len(block) + 5 + len(meta) + 5
    # the index maps the short successor of the last key ("b") to the data block's handle (offset 0, size)
    index = b"\x00\x01\x02b" + bytes([0, len(block)]) + struct.pack("<II", 0, 1)
    assert data[index_off:index_off + len(index)] == index
    footer = data[-48:]
    handles = _varint(len(block) + 5) + _varint(len(meta)) + _varint(index_off) + _varint(len(index))
    assert footer == handles + bytes(40 - len(handles)) + struct.pack("<Q", 0xDB4775248B80FB57)
    assert len(data) == index_off + len(index) + 5 + 48
    assert _table.read_table(data) == [(b"ab", b"xyz")]


def test_table_round_trip_with_prefix_sharing_restarts_and_many_blocks():
    items = [(b"key/%05d/%s" % (i, b"x" * (i % 7)), bytes([i % 256]) * (i % 13)) for i in range(3000)]
    data = _table.build_table(items, block_size=512)
    assert _table.read_table(data) == items
    # prefix sharing makes the table much smaller than the keys themselves
    assert len(data) < sum(len(k) + len(v) for k, v in items)


def test_table_rebuilds_a_real_tensorflow_index_byte_for_byte():
    prefix, _ = _affine()
    raw = open(prefix + ".index", "rb").read()
    items = _table.read_table(raw)
    assert [k for k, _ in items] == [b"", b"_CHECKPOINTABLE_OBJECT_GRAPH", b"b/.ATTRIBUTES/VARIABLE_VALUE",
                                      b"w/.ATTRIBUTES/VARIABLE_VALUE"]
    assert _table.build_table(items) == raw


def test_table_corruption_is_data_loss():
    data = bytearray(_table.build_table([(b"a", b"1"), (b"b", b"2")]))
    bad = bytearray(data)
    bad[4] ^= 1
    with pytest.raises(tf.errors.DataLossError, match="block checksum mismatch: block at offset 0"):
        _table.read_table(bytes(bad), "f.index")
    bad = bytearray(data)
    bad[-1] ^= 1
    with pytest.raises(tf.errors.DataLossError, match=r"f.index: not an sstable \(bad magic number"):
        _table.read_table(bytes(bad), "f.index")
    with pytest.raises(tf.errors.DataLossError, match="file is too short to be an sstable"):
        _table.read_table(bytes(data[:20]), "f.index")
    # a Snappy-compressed block (type 1, with a valid checksum) gets a clear error
    block = b"\x00\x01\x01a1" + struct.pack("<II", 0, 1)
    snappy = bytearray(_table.build_table([(b"a", b"1")]))
    snappy[len(block):len(block) + 5] = b"\x01" + struct.pack("<I", _mask(google_crc32c.value(block + b"\x01")))
    with pytest.raises(tf.errors.UnimplementedError, match="Snappy-compressed"):
        _table.read_table(bytes(snappy), "f.index")


# ---------------------------------------------------------------- the bundle
def test_bundle_string_tensor_encoding(tmp_path):
    prefix = str(tmp_path / "b")
    values = [b"", b"ab", "h\u00e9".encode(), b"x" * 300]
    w = _bundle.BundleWriter(prefix)
    w.add("s", np.array(values, dtype=object), tf.string)
    w.finish()
    raw = open(prefix + ".data-00000-of-00001", "rb").read()
    lengths = [len(v) for v in values]
    length_crc = google_crc32c.value(struct.pack("<4I", *lengths))
    checksum = struct.pack("<I", _mask(length_crc))
    assert raw == b"".join(_varint(n) for n in lengths) + checksum + b"".join(values)
    entry = tensor_bundle_pb2.BundleEntryProto()
    entry.ParseFromString(dict(_table.read_table(open(prefix + ".index", "rb").read()))[b"s"])
    assert entry.dtype == tf.string.as_datatype_enum and entry.size == len(raw) and entry.offset == 0
    assert entry.crc32c == _mask(google_crc32c.extend(google_crc32c.extend(length_crc, checksum), b"".join(values)))
    assert list(_bundle.BundleReader(prefix).read("s")) == values


def test_bundle_round_trips_every_dtype(tmp_path):
    prefix = str(tmp_path / "all")
    tensors = {
        "f32": np.arange(6, dtype=np.float32).reshape(2, 3), "f64": np.array(1.5), "f16": np.array([0.5], np.float16),
        "bf16": np.array([1.5, -2.0], tf.bfloat16.as_numpy_dtype), "i8": np.array([-3], np.int8),
        "u16": np.array([65535], np.uint16), "i64": np.array([2 ** 40], np.int64), "b": np.array([True, False]),
        "c64": np.array([1 + 2j], np.complex64), "empty": np.zeros((0, 3), np.float32),
        "s0": np.array(b"scalar", dtype=object),
    }
    w = _bundle.BundleWriter(prefix)
    for k, v in tensors.items():
        w.add(k, v)
    w.finish()
    assert sorted(os.listdir(tmp_path)) == ["all.data-00000-of-00001", "all.index"]  # no temporary files left
    r = tf.train.load_checkpoint(prefix)
    for k, v in tensors.items():
        if k == "s0":
            continue
        got = r.get_tensor(k)
        assert np.asarray(got).dtype == v.dtype and np.array_equal(np.asarray(got), v), k
    assert r.get_tensor("s0") == b"scalar" and r.get_tensor("f64") == 1.5 and np.ndim(r.get_tensor("f64")) == 0
    assert r.get_variable_to_dtype_map()["bf16"] == tf.bfloat16
    assert r.get_variable_to_shape_map()["empty"] == [0, 3]


def test_real_tensorflow_checkpoint_of_a_module_reproduces_its_outputs():
    prefix, io = _affine()
    assert tf.train.list_variables(prefix) == [("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("b/.ATTRIBUTES/VARIABLE_VALUE", [3]),
                                               ("w/.ATTRIBUTES/VARIABLE_VALUE", [4, 3])]
    w = tf.train.load_variable(prefix, "w/.ATTRIBUTES/VARIABLE_VALUE")
    b = tf.train.load_variable(prefix, "b/.ATTRIBUTES/VARIABLE_VALUE")
    np.testing.assert_allclose(np.maximum(io["x"] @ w + b, 0), io["y"], rtol=1e-6, atol=1e-6)
    g = _graph(tf.train.load_checkpoint(prefix))
    assert [(c.local_name, c.node_id) for c in g.nodes[0].children][:2] == [("w", 1), ("b", 2)]
    # read into an equivalent tf.Module, and restored through the SavedModel directory, as TF allows
    for restore in (lambda ckpt: ckpt.read(prefix).assert_existing_objects_matched(),
                    lambda ckpt: ckpt.restore(str(AFFINE)).assert_nontrivial_match()):
        m = tf.Module()
        m.w = tf.Variable(tf.zeros([4, 3]))
        m.b = tf.Variable(tf.zeros([3]))
        restore(tf.train.Checkpoint(root=m))
        np.testing.assert_array_equal(m.w.numpy(), w)
        np.testing.assert_array_equal(m.b.numpy(), b)


# ---------------------------------------------------------------- tf.train.Checkpoint
class _Net(tf.Module):
    def __init__(self, fill=0.0):
        super().__init__()
        self.w = tf.Variable(tf.fill([2, 3], fill), name="w")
        self.sub = tf.Module()
        self.sub.v = tf.Variable(fill)
        self.layers = [tf.Variable(fill + 1), {"a": tf.Variable(fill + 2), "b/c": tf.Variable(fill + 3)}]
        self.ignored = (3, "text", None)


def test_module_save_restore_keys_and_state_file(tmp_path):
    net = _Net(1.0)
    ckpt = tf.train.Checkpoint(net=net)
    path = ckpt.save(tmp_path / "ckpt")
    assert path == str(tmp_path / "ckpt-1")
    assert [n for n, _ in tf.train.list_variables(tmp_path)] == [
        "_CHECKPOINTABLE_OBJECT_GRAPH", "net/layers/0/.ATTRIBUTES/VARIABLE_VALUE",
        "net/layers/1/a/.ATTRIBUTES/VARIABLE_VALUE", "net/layers/1/b.Sc/.ATTRIBUTES/VARIABLE_VALUE",
        "net/sub/v/.ATTRIBUTES/VARIABLE_VALUE", "net/w/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE"]
    state = (tmp_path / "checkpoint").read_text()
    assert state == 'model_checkpoint_path: "ckpt-1"\nall_model_checkpoint_paths: "ckpt-1"\n'
    assert tf.train.latest_checkpoint(tmp_path) == path
    assert ckpt.save(tmp_path / "ckpt") == str(tmp_path / "ckpt-2")
    assert tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths == [str(tmp_path / "ckpt-2")]
    g = _graph(tf.train.load_checkpoint(path))
    root = {c.local_name: c.node_id for c in g.nodes[0].children}
    assert list(root) == ["net", "save_counter"]
    w_node = g.nodes[{c.local_name: c.node_id for c in g.nodes[root["net"]].children}["w"]]
    assert (w_node.attributes[0].name, w_node.attributes[0].full_name, w_node.attributes[0].checkpoint_key) == (
        "VARIABLE_VALUE", "w", "net/w/.ATTRIBUTES/VARIABLE_VALUE")
    assert all(n.has_checkpoint_values.value for n in g.nodes)

    fresh = _Net(0.0)
    ckpt2 = tf.train.Checkpoint(net=fresh)
    ckpt2.restore(path).assert_consumed()
    np.testing.assert_array_equal(fresh.w.numpy(), np.ones([2, 3], np.float32))
    assert fresh.layers[1]["b/c"].numpy() == 4.0 and fresh.sub.v.numpy() == 1.0
    assert int(ckpt2.save_counter.numpy()) == 1  # restored: the next save is ckpt-2
    assert ckpt2.save(tmp_path / "again") == str(tmp_path / "again-2")


def test_write_and_read_skip_save_counter_and_state(tmp_path):
    v = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(v=v).write(str(tmp_path / "w"))
    assert path == str(tmp_path / "w") and not (tmp_path / "checkpoint").exists()
    assert [n for n, _ in tf.train.list_variables(path)] == ["_CHECKPOINTABLE_OBJECT_GRAPH", "v/.ATTRIBUTES/VARIABLE_VALUE"]
    target = tf.Variable([0.0, 0.0])
    tf.train.Checkpoint(v=target).read(path).assert_consumed()
    assert target.numpy().tolist() == [1.0, 2.0]
    # restore() creates save_counter, which a written checkpoint does not have
    status = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).restore(path)
    with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound to checkpointed values.*"
                                             "save_counter"):
        status.assert_existing_objects_matched()


def test_status_assertions(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0), s=tf.Variable(2.0)).save(str(tmp_path / "c"))
    status = tf.train.Checkpoint(v=tf.Variable(0.0)).restore(path)
    status.assert_existing_objects_matched().assert_nontrivial_match()
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint \(root\).s: attributes"):
        status.assert_consumed()
    status = tf.train.Checkpoint(v=tf.Variable(0.0), other=tf.Variable(5.0)).restore(path)
    with pytest.raises(AssertionError, match="Found 1 Python objects.*Showing 1 of 1 unmatched objects"):
        status.assert_consumed()
    assert status.expect_partial() is status and status.run_restore_ops() is None
    none = tf.train.Checkpoint(v=tf.Variable(0.0)).restore(None)
    for check in (none.assert_consumed, none.assert_existing_objects_matched, none.assert_nontrivial_match):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            check()


def test_restore_errors_match_tensorflow(tmp_path):
    missing = str(tmp_path / "nope" / "x")
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for " + missing):
        tf.train.load_checkpoint(missing)
    with pytest.raises(tf.errors.NotFoundError, match="(?s)Error when restoring from checkpoint or SavedModel at .*"
                                                      "You may be missing the checkpoint suffix"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(missing)
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints in given directory"):
        tf.train.load_checkpoint(tmp_path)
    assert tf.train.latest_checkpoint(tmp_path) is None
    path = tf.train.Checkpoint(v=tf.Variable(np.arange(100, dtype=np.float32))).write(str(tmp_path / "c"))
    with pytest.raises(tf.errors.NotFoundError, match="Key nokey not found in checkpoint"):
        tf.train.load_variable(path, "nokey")
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(100,\) when attempting to restore "
                                         r"variable with shape \(3,\)"):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(3, np.float32))).read(path)
    with pytest.raises(tf.errors.InvalidArgumentError, match="tensor_name = v/.ATTRIBUTES/VARIABLE_VALUE; expected "
                                                             "dtype double does not equal original dtype float"):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(100))).read(path)
    with pytest.raises(ValueError, match="`Checkpoint` was expecting x to be a trackable object"):
        tf.train.Checkpoint(x=3)


def test_corrupt_files_raise_data_loss(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(np.arange(100, dtype=np.float32))).write(str(tmp_path / "c"))
    data = path + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[8] ^= 0xFF  # inside v's bytes (v is written first)
    open(data, "wb").write(bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match=r"TensorBundle at .*c shard 0 \(400 bytes\): Checksum does not "
                                                      r"match: stored \d+ vs. calculated on the restored bytes \d+"):
        tf.train.load_checkpoint(path).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
    open(data, "wb").write(bytes(raw[:50]))
    with pytest.raises(tf.errors.DataLossError, match="requested 400 bytes at offset 0"):
        tf.train.load_checkpoint(path).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
    index = bytearray(open(path + ".index", "rb").read())
    index[12] ^= 1
    open(path + ".index", "wb").write(bytes(index))
    with pytest.raises(tf.errors.DataLossError, match=r"Unable to read file \(.*c.index\).*block checksum mismatch"):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(100, np.float32))).restore(path)
    os.remove(data)
    os.remove(path + ".index")
    with pytest.raises(tf.errors.NotFoundError):
        tf.train.load_checkpoint(path)


def test_interrupted_save_leaves_the_previous_checkpoint_latest(tmp_path, monkeypatch):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    first = ckpt.save(str(tmp_path / "c"))
    real_replace = os.replace

    def crash(src, dst):
        if dst.endswith(".index"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        ckpt.save(str(tmp_path / "c"))
    monkeypatch.undo()
    assert tf.train.latest_checkpoint(tmp_path) == first
    assert not [f for f in os.listdir(tmp_path) if "tmp" in f or "tempstate" in f]
    assert not (tmp_path / "c-2.index").exists()


def test_deferred_restore_of_module_attributes(tmp_path):
    src = tf.Module()
    src.v = tf.Variable([5.0, 6.0])
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "m"))
    dst = tf.Module()
    status = tf.train.Checkpoint(m=dst).read(path)
    dst.v = tf.Variable([0.0, 0.0])  # created after the restore: gets the checkpoint's value
    assert dst.v.numpy().tolist() == [5.0, 6.0]
    status.assert_consumed()


def test_keras_metric_state_round_trip(tmp_path):
    m = keras.metrics.Mean()
    m.update_state([1.0, 3.0])
    path = tf.train.Checkpoint(metric=m).write(str(tmp_path / "m"))
    m2 = keras.metrics.Mean()
    tf.train.Checkpoint(metric=m2).read(path).assert_consumed()
    assert float(m2.result()) == 2.0


# ---------------------------------------------------------------- Keras models and optimizers
def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.random((n, 4), dtype=np.float32), rng.random((n, 1), dtype=np.float32)


def _mlp(with_input=True):
    tf.random.set_seed(3)
    layers = [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    return keras.Sequential(([keras.Input((4,))] if with_input else []) + layers)


def test_keras_sequential_adam_keys_are_keras_3s(tmp_path):
    x, y = _data()
    model = _mlp()
    model.compile(keras.optimizers.Adam(0.01), "mse")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = tf.train.Checkpoint(model=model, optimizer=model.optimizer).write(str(tmp_path / "k"))
    names = [n for n, _ in tf.train.list_variables(path)]
    # model weights are reached first through the optimizer's `_trainable_variables` (a shorter path than
    # model/_functional/_operations/1/_kernel), slots through `_variables`, as real TF names them
    assert names == ["_CHECKPOINTABLE_OBJECT_GRAPH", "optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE",
                     "optimizer/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE"] + [
        "optimizer/_trainable_variables/%d/.ATTRIBUTES/VARIABLE_VALUE" % i for i in range(4)] + sorted(
        "optimizer/_variables/%d/.ATTRIBUTES/VARIABLE_VALUE" % i for i in range(2, 10))
    g = _graph(tf.train.load_checkpoint(path))

    def child(node, name):
        return {c.local_name: c.node_id for c in g.nodes[node].children}[name]

    ops = child(child(child(0, "model"), "_functional"), "_operations")
    dense = child(ops, "1")
    assert child(dense, "_kernel") == child(child(child(0, "optimizer"), "_trainable_variables"), "0")
    assert child(child(child(0, "optimizer"), "_momentums"), "0") == child(child(child(0, "optimizer"), "_variables"), "2")
    kernel = tf.train.load_variable(path, "optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE")
    np.testing.assert_array_equal(kernel, model.layers[0].kernel.numpy())


def test_keras_fit_continues_identically_after_restore(tmp_path):
    x, y = _data()
    m1 = _mlp()
    m1.compile(keras.optimizers.Adam(0.01), "mse")
    m1.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    path = tf.train.Checkpoint(model=m1, optimizer=m1.optimizer).save(str(tmp_path / "ck"))
    m1.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)

    m2 = _mlp()
    m2.compile(keras.optimizers.Adam(0.01), "mse")
    status = tf.train.Checkpoint(model=m2, optimizer=m2.optimizer).restore(path)
    status.assert_existing_objects_matched()  # the optimizer's slots do not exist yet: they are deferred
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    m2.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)  # slots are created, then restored
    status.assert_consumed()
    assert int(m2.optimizer.iterations.numpy()) == 8
    for a, b in zip(m1.get_weights() + m1.optimizer.get_weights(), m2.get_weights() + m2.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_deferred_restore_into_unbuilt_layers_and_optimizer(tmp_path):
    x, y = _data(8)
    model = _mlp(with_input=False)
    opt = keras.optimizers.Adam(0.05)
    for _ in range(2):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    path = tf.train.Checkpoint(model=model, optimizer=opt).write(str(tmp_path / "k"))

    fresh, fresh_opt = _mlp(with_input=False), keras.optimizers.Adam(0.05)
    status = tf.train.Checkpoint(model=fresh, optimizer=fresh_opt).read(path)
    assert not fresh.built and not fresh_opt.built
    fresh(x[:1])  # the layers build now, and take the checkpoint's values as they do
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    fresh_opt.build(fresh.trainable_variables)
    for a, b in zip(opt.get_weights(), fresh_opt.get_weights()):
        np.testing.assert_array_equal(a, b)
    status.assert_consumed()
    assert "build" not in vars(fresh.layers[0]) and "build" not in vars(fresh_opt)  # hooks are gone once done


def test_custom_training_loop_with_checkpoint_manager(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = _data(16)

    def train(model, optimizer, manager, ckpt, steps):
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            ckpt.step.assign_add(1)
            if int(ckpt.step) % 2 == 0:
                manager.save()

    model, optimizer = _mlp(with_input=False), keras.optimizers.Adam(0.01)
    ckpt = tf.train.Checkpoint(step=tf.Variable(0), model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(ckpt, "./tf_ckpts", max_to_keep=3)
    assert manager.restore_or_initialize() is None
    train(model, optimizer, manager, ckpt, 10)
    assert manager.checkpoints == ["./tf_ckpts/ckpt-%d" % i for i in (3, 4, 5)]
    assert manager.latest_checkpoint == "./tf_ckpts/ckpt-5" == tf.train.latest_checkpoint("./tf_ckpts")
    assert sorted(os.listdir("tf_ckpts")) == ["checkpoint"] + sorted(
        "ckpt-%d.%s" % (i, s) for i in (3, 4, 5) for s in ("data-00000-of-00001", "index"))
    state = open("tf_ckpts/checkpoint").read().splitlines()
    assert state[:4] == ['model_checkpoint_path: "ckpt-5"', 'all_model_checkpoint_paths: "ckpt-3"',
                         'all_model_checkpoint_paths: "ckpt-4"', 'all_model_checkpoint_paths: "ckpt-5"']
    assert sum(s.startswith("all_model_checkpoint_timestamps: ") for s in state) == 3
    assert state[-1].startswith("last_preserved_timestamp: ")
    train(model, optimizer, manager, ckpt, 2)  # the reference: two more steps

    model2, optimizer2 = _mlp(with_input=False), keras.optimizers.Adam(0.01)
    ckpt2 = tf.train.Checkpoint(step=tf.Variable(0), model=model2, optimizer=optimizer2)
    manager2 = tf.train.CheckpointManager(ckpt2, "./tf_ckpts", max_to_keep=3)
    assert manager2.checkpoints == ["./tf_ckpts/ckpt-%d" % i for i in (4, 5, 6)]
    assert manager2.restore_or_initialize() == "./tf_ckpts/ckpt-6"
    assert int(ckpt2.step) == 12 and int(ckpt2.save_counter) == 6
    model3, optimizer3 = _mlp(with_input=False), keras.optimizers.Adam(0.01)
    ckpt3 = tf.train.Checkpoint(step=tf.Variable(0), model=model3, optimizer=optimizer3)
    ckpt3.restore("./tf_ckpts/ckpt-5")
    train(model3, optimizer3, tf.train.CheckpointManager(ckpt3, str(tmp_path / "other"), max_to_keep=1), ckpt3, 2)
    for a, b in zip(model.get_weights() + optimizer.get_weights(), model3.get_weights() + optimizer3.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_manager_options(tmp_path):
    v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(v=v)
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`, got 0."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed if `checkpoint_interval` is not None."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2, checkpoint_interval=3)
    calls = []
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=None, init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]
    assert manager.save(checkpoint_number=10) == str(tmp_path / "ckpt-10")
    assert manager.save(checkpoint_number=tf.Variable(12, dtype=tf.int64)) == str(tmp_path / "ckpt-12")
    step = tf.Variable(5, dtype=tf.int64)
    interval = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1, step_counter=step,
                                          checkpoint_interval=10, checkpoint_name="model")
    assert interval.save() == str(tmp_path / "model-3")
    step.assign(20)
    assert interval.save() == str(tmp_path / "model-4")
    step.assign(25)
    assert interval.save() is None
    assert interval.save(check_interval=False) == str(tmp_path / "model-5")
    files = sorted(os.listdir(tmp_path))
    assert "model-4.index" not in files and "model-5.index" in files
    assert tf.train.latest_checkpoint(tmp_path) == str(tmp_path / "model-5")


def test_root_checkpoint_late_dependencies_and_save_counter(tmp_path):
    m = tf.Module()
    m.v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(root=m, extra=tf.Variable(7.0))
    ckpt.save(str(tmp_path / "c"))
    path = ckpt.save(str(tmp_path / "c"))
    assert [n for n, _ in tf.train.list_variables(path)] == [
        "_CHECKPOINTABLE_OBJECT_GRAPH", "extra/.ATTRIBUTES/VARIABLE_VALUE", "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
        "v/.ATTRIBUTES/VARIABLE_VALUE"]
    root_children = [c.local_name for c in _graph(tf.train.load_checkpoint(path)).nodes[0].children]
    assert root_children == ["v", "extra", "root", "save_counter"]  # TF attaches `root` to itself
    m2 = tf.Module()
    m2.v = tf.Variable(0.0)
    extra = tf.Variable(0.0)
    ckpt2 = tf.train.Checkpoint(root=m2, extra=extra)
    ckpt2.restore(path).assert_consumed()
    assert (m2.v.numpy(), extra.numpy(), int(ckpt2.save_counter.numpy())) == (1.0, 7.0, 2)
    late = tf.train.Checkpoint()
    late.restore(path)
    late.extra = tf.Variable(0.0)  # a dependency added after the restore is restored when added
    assert late.extra.numpy() == 7.0


def test_name_based_restore_of_a_checkpoint_without_object_graph(tmp_path):
    prefix = str(tmp_path / "v1")
    writer = _bundle.BundleWriter(prefix)
    writer.add("scope/w", np.arange(3, dtype=np.float32))
    writer.finish()
    with tf.name_scope("scope"):
        w = tf.Variable(np.zeros(3, np.float32), name="w")
    other = tf.Variable(1.0, name="other")
    status = tf.train.Checkpoint(a=w, b=other).restore(prefix)
    assert w.numpy().tolist() == [0.0, 1.0, 2.0]
    status.assert_nontrivial_match()
    with pytest.raises(AssertionError, match="other"):
        status.assert_consumed()


def test_manager_keeps_one_checkpoint_per_period_and_iterator(tmp_path):
    import time
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1, keep_checkpoint_every_n_hours=1e-7)
    for _ in range(3):
        manager.save()
        time.sleep(0.01)
    # every swept checkpoint is older than the period: its files stay, though the state forgets it
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == ["ckpt-1.index", "ckpt-2.index",
                                                                               "ckpt-3.index"]
    assert manager.checkpoints == [str(tmp_path / "ckpt-3")]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "ckpt-3")]
    assert state.last_preserved_timestamp == pytest.approx(state.all_model_checkpoint_timestamps[0], abs=0.1)
    assert list(tf.train.checkpoints_iterator(str(tmp_path), timeout=0)) == [str(tmp_path / "ckpt-3")]


def test_functional_layers_are_indexed_in_keras_operation_order(tmp_path):
    def make():
        a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
        h = keras.layers.Add()([keras.layers.Dense(4, name="db")(b), keras.layers.Dense(4, name="da")(a)])
        inner = keras.Sequential([keras.layers.Dense(2, name="in1")], name="inner")
        return keras.Model([a, b], [inner(h), keras.layers.Dense(1, name="side")(a)])

    model = make()
    path = tf.train.Checkpoint(model=model).write(str(tmp_path / "f"))
    shapes = dict(tf.train.list_variables(path))
    # Keras orders operations by decreasing depth, ties by a depth-first walk from the outputs:
    # b, a, db, da, add, inner, side
    assert shapes["model/_operations/2/_kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 4]
    assert shapes["model/_operations/3/_kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 4]
    assert shapes["model/_operations/5/_functional/_operations/1/_kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [4, 2]
    assert shapes["model/_operations/6/_kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 1]
    twin = make()
    tf.train.Checkpoint(model=twin).read(path).assert_consumed()
    for x, y in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(x, y)
