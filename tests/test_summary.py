"""tf.summary: event files read back with the tensorboard package's own readers (EventFileLoader,
plugin_event_accumulator.EventAccumulator + make_ndarray), eagerly and inside tf.function; file
naming and flushing; errors; graphs and traces; HParams; our reader on a file real TF wrote."""
import glob
import io
import json
import os
import pathlib
import re
import socket
import time
import wave

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import summary
from tensorforge.framework import errors
from tensorforge.ops.registry import REGISTRY, bind
from tensorforge.summary import hparams as hp

loader = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader")
accumulator = pytest.importorskip("tensorboard.backend.event_processing.plugin_event_accumulator")
tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
from tensorboard.compat.proto import config_pb2 as tb_config_pb2  # noqa: E402
from tensorboard.compat.proto import event_pb2 as tb_event_pb2  # noqa: E402
from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def _clean_state():
    yield
    summary.experimental.set_step(None)
    summary.trace_off()


def _file(logdir) -> str:
    files = glob.glob(os.path.join(str(logdir), "*tfevents*"))
    assert len(files) == 1, files
    return files[0]


def _events(logdir) -> list:
    """The events of the run's file, as TensorBoard's own loader reads them."""
    return list(loader.EventFileLoader(_file(logdir)).Load())


def _raw_events(logdir) -> list:
    """The events exactly as written (EventFileLoader migrates some values to what TensorBoard serves)."""
    return [tb_event_pb2.Event.FromString(r) for r in loader.RawEventFileLoader(_file(logdir)).Load()]


def _acc(logdir):
    acc = accumulator.EventAccumulator(str(logdir), size_guidance=accumulator.STORE_EVERYTHING_SIZE_GUIDANCE)
    acc.Reload()
    return acc


def _series(acc, tag) -> list:
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def _plugin(acc, tag) -> str:
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


# ---------------------------------------------------------------- files
def test_file_name_first_event_and_suffix(tmp_path):
    w1 = summary.create_file_writer(str(tmp_path))
    w2 = summary.create_file_writer(tmp_path, filename_suffix=".foo")
    w3 = summary.create_file_writer(str(tmp_path / "sub" / "deeper"))
    names = sorted(os.listdir(tmp_path))
    pattern = r"events\.out\.tfevents\.(\d{10})\.%s\.%d\.(\d+)(\.v2|\.foo)" % (re.escape(socket.gethostname()), os.getpid())
    matches = [re.fullmatch(pattern, n) for n in names if n != "sub"]
    assert all(matches) and len(matches) == 2, names
    assert {m.group(3) for m in matches} == {".v2", ".foo"}
    assert abs(int(matches[0].group(1)) - time.time()) < 60
    assert len({m.group(2) for m in matches}) == 2  # a per-process counter keeps names apart
    assert len(os.listdir(tmp_path / "sub" / "deeper")) == 1
    # The file exists, with its version record, as soon as the writer does.
    first = _events(tmp_path / "sub" / "deeper")
    assert len(first) == 1 and first[0].file_version == "brain.Event:2"
    assert first[0].wall_time == int(first[0].wall_time) and abs(first[0].wall_time - time.time()) < 60
    for w in (w1, w2, w3):
        w.close()


def test_events_are_queued_and_flushed_by_the_background_thread(tmp_path):
    w = summary.create_file_writer(str(tmp_path))  # max_queue 10, flush_millis 120000
    path = _file(tmp_path)
    header = os.path.getsize(path)
    with w.as_default():
        for i in range(5):
            summary.scalar("loss", float(i), step=i)
        time.sleep(0.05)
        assert os.path.getsize(path) == header  # queued: no file I/O on the calling thread
        w.flush()
        assert len(_events(tmp_path)) == 6
        for i in range(5, 20):  # more than max_queue waiting: the background thread writes them
            summary.scalar("loss", float(i), step=i)
        deadline = time.time() + 5
        while len(_events(tmp_path)) < 17 and time.time() < deadline:
            time.sleep(0.01)
        assert len(_events(tmp_path)) >= 17
    w.close()
    assert [e.step for e in _events(tmp_path)[1:]] == list(range(20))


def test_flush_millis_timer_and_as_default_exit_flush(tmp_path):
    w = summary.create_file_writer(str(tmp_path / "timer"), max_queue=1000, flush_millis=50)
    with w.as_default(step=1):
        summary.scalar("a", 1.0)
        deadline = time.time() + 5
        while len(_events(tmp_path / "timer")) < 2 and time.time() < deadline:
            time.sleep(0.01)
        assert len(_events(tmp_path / "timer")) == 2
    w.close()
    w = summary.create_file_writer(str(tmp_path / "exit"))
    with w.as_default(step=1):
        summary.scalar("a", 1.0)
    assert len(_events(tmp_path / "exit")) == 2  # leaving as_default flushes, as TF does
    w.close()


def test_events_of_an_unclosed_writer_are_written_at_exit(tmp_path):
    import subprocess
    import sys
    code = ("from tensorforge import summary\n"
            "w = summary.create_file_writer(%r)\n"
            "w.set_as_default(step=4)\n"
            "summary.scalar('at_exit', 2.5)\n" % str(tmp_path))
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    (event,) = _events(tmp_path)[1:]
    assert event.step == 4 and event.summary.value[0].tag == "at_exit"


def test_records_are_canonical_event_protos(tmp_path):
    """Every record is exactly the serialization of the Event it parses to."""
    from tensorforge.io.tfrecord import iter_tfrecords
    from tensorforge.protos import event_pb2
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        summary.scalar("s", 0.25, step=0)
        summary.scalar("s", -3.5, step=-7, description="negative step")
        summary.scalar("s" * 200, 2.0, step=2 ** 40)
        summary.histogram("h", np.arange(10.0), step=3)
        summary.text("t", "x" * 300, step=4)
    w.close()
    records = list(iter_tfrecords(_file(tmp_path)))
    assert len(records) == 6
    for r in records:
        assert event_pb2.Event.FromString(r).SerializeToString() == r
    assert [event_pb2.Event.FromString(r).step for r in records] == [0, 0, -7, 2 ** 40, 3, 4]


# ---------------------------------------------------------------- what each summary writes
def test_scalars_with_every_kind_of_step(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    var = tf.Variable(10, dtype=tf.int64)
    with w.as_default():
        assert bool(summary.scalar("loss", 0.5, step=0, description="the loss"))
        summary.scalar("loss", np.float64(0.25), step=np.int64(1))
        summary.scalar("loss", tf.constant(2, tf.int32), step=tf.constant(2, tf.int64))
        summary.scalar("loss", tf.Variable(1.5), step=3)
        summary.scalar("loss", True, step=4)
        summary.scalar("other", 7.0, step=var)
        with w.as_default(step=20):
            summary.scalar("other", 8.0)
        summary.experimental.set_step(30)
        assert summary.experimental.get_step() == 30
        summary.scalar("other", 9.0)
        with tf.name_scope("outer"):
            with tf.name_scope("inner"):
                summary.scalar("scoped", 1.0, step=0)
        summary.scalar("odd name: x!", 1.0, step=0)
    w.close()
    acc = _acc(tmp_path)
    assert sorted(acc.Tags()["tensors"]) == ["loss", "odd name: x!", "other", "outer/inner/scoped"]
    loss = _series(acc, "loss")
    assert [s for s, _ in loss] == [0, 1, 2, 3, 4]
    assert [float(v) for _, v in loss] == [0.5, 0.25, 2.0, 1.5, 1.0]
    assert all(v.dtype == np.float32 and v.shape == () for _, v in loss)
    assert _series(acc, "other") == [(10, 7.0), (20, 8.0), (30, 9.0)]
    assert _plugin(acc, "loss") == "scalars"
    assert acc.SummaryMetadata("loss").summary_description == "the loss"
    assert acc.SummaryMetadata("loss").plugin_data.content == b""


def _tb_histogram(data, buckets=None) -> np.ndarray:
    """tensorboard's own NumPy bucketing (histogram_pb), the reference for ours."""
    from tensorboard.plugins.histogram import summary_v2 as tb_histogram
    return tensor_util.make_ndarray(tb_histogram.histogram_pb("h", data, buckets).value[0].tensor)


HISTOGRAM_CASES = [
    ([1.0, 2.0, 3.0, 4.0], None),
    ([1.0, 2.0, 3.0, 4.0], 5),
    ([], None),
    ([2.0, 2.0, 2.0], None),
    ([2.0, 2.0], 4),
    ([1, 5, 7], None),
    ([1.0, 2.0], 0),
    (np.random.default_rng(0).normal(size=(20, 50)), None),
    (np.random.default_rng(1).normal(size=1000) * 1e6, 7),
    (np.random.default_rng(2).uniform(size=100).astype(np.float32), 1),
    (np.random.default_rng(3).integers(-5, 5, size=300), 13),
]


def test_histograms_match_tensorboards_bucketing(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        for i, (data, buckets) in enumerate(HISTOGRAM_CASES):
            assert bool(summary.histogram("h%d" % i, tf.constant(np.asarray(data)) if i % 2 else data, step=i,
                                          buckets=buckets))
    w.close()
    acc = _acc(tmp_path)
    for i, (data, buckets) in enumerate(HISTOGRAM_CASES):
        (step, got), = _series(acc, "h%d" % i)
        assert step == i and got.dtype == np.float64 and _plugin(acc, "h%d" % i) == "histograms"
        want = _tb_histogram(data, buckets)
        assert got.shape == want.shape == ((30 if buckets is None else buckets), 3)
        np.testing.assert_array_equal(got, want, err_msg="case %d" % i)
        if np.size(data) and (buckets is None or buckets > 0):
            assert got[:, 2].sum() == np.size(data)


def test_histogram_graph_ops_equal_numpy_buckets():
    from tensorforge.summary.histogram import buckets_graph, buckets_numpy
    cases = HISTOGRAM_CASES + [(np.array([1.0, np.nan, 3.0]), None), (np.array([np.inf, 1.0, 2.0]), 4)]
    for data, buckets in cases:
        arr = np.asarray(data, dtype=np.float64)
        fn = tf.function(lambda x, b=buckets: buckets_graph(x, b))
        got = fn(tf.constant(arr)).numpy()
        want = buckets_numpy(arr, buckets)
        np.testing.assert_array_equal(got[:, 2], want[:, 2])
        finite = np.isfinite(want)
        np.testing.assert_array_equal(got[finite], want[finite])


def test_images(tmp_path):
    from PIL import Image
    rng = np.random.default_rng(0)
    u8 = rng.integers(0, 256, size=(4, 5, 7, 3), dtype=np.uint8)
    f32 = rng.uniform(-0.2, 1.2, size=(2, 3, 4, 1)).astype(np.float32)
    rgba = rng.uniform(size=(1, 2, 2, 4))
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=5):
        summary.image("u8", u8)                       # max_outputs=3 of 4
        summary.image("f32", tf.constant(f32), max_outputs=10)
        summary.image("rgba", rgba, description="float64 RGBA")
    w.close()
    acc = _acc(tmp_path)
    expected = {
        "u8": u8[:3],
        # TF's convert_image_dtype(saturate=True) from float: scale by 255.5, clip, truncate.
        "f32": np.clip(f32 * np.float32(255.5), 0, 255).astype(np.uint8),
        "rgba": np.clip(rgba * 255.5, 0, 255).astype(np.uint8),
    }
    for tag, want in expected.items():
        (step, value), = _series(acc, tag)
        assert step == 5 and _plugin(acc, tag) == "images"
        assert value.dtype == object and value.shape == (2 + len(want),)
        assert value[0] == str(want.shape[2]).encode() and value[1] == str(want.shape[1]).encode()
        for png, img in zip(value[2:], want):
            decoded = np.asarray(Image.open(io.BytesIO(png)))
            np.testing.assert_array_equal(decoded.reshape(img.shape), img)
    assert acc.SummaryMetadata("rgba").summary_description == "float64 RGBA"


def test_text(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=2):
        summary.text("note", "hello *markdown*")
        summary.text("table", [["a", "b"], ["c", "héllo ✓"]])
        summary.text("bytes", tf.constant(b"\xff\x00raw"))
    w.close()
    acc = _acc(tmp_path)
    assert _series(acc, "note") == [(2, np.array(b"hello *markdown*", dtype=object))]
    (_, table), = _series(acc, "table")
    assert table.shape == (2, 2) and table[1, 1].decode("utf-8") == "héllo ✓"
    assert _series(acc, "bytes")[0][1] == b"\xff\x00raw"
    assert _plugin(acc, "note") == "text"


def _wav_samples(wav: bytes):
    with wave.open(io.BytesIO(wav)) as f:
        frames = np.frombuffer(f.readframes(f.getnframes()), "<i2")
        return f.getframerate(), f.getnchannels(), f.getsampwidth(), frames.reshape(-1, f.getnchannels())


def test_audio(tmp_path):
    from tensorboard.plugins.audio import metadata as audio_metadata
    rng = np.random.default_rng(0)
    clips = rng.uniform(-1.2, 1.2, size=(4, 50, 2)).astype(np.float32)
    clips[0, :4, 0] = [0.5, 1.5 / 32768, -2.5 / 32768, 1.0]   # rounding half away from zero; 1.0 clips
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=1):
        assert bool(summary.audio("clips", clips, 16000, max_outputs=2, description="noise"))
        summary.audio("mono", tf.zeros([1, 3, 1]), tf.constant(8000))
    w.close()
    raw = {e.summary.value[0].tag: e for e in _raw_events(tmp_path)[1:]}
    value = tensor_util.make_ndarray(raw["clips"].summary.value[0].tensor)
    assert raw["clips"].step == 1 and value.shape == (2, 2) and list(value[:, 1]) == [b"", b""]  # [wav, label] rows
    acc = _acc(tmp_path)
    (step, wavs), = _series(acc, "clips")   # what TensorBoard serves: the labels dropped
    assert step == 1 and list(wavs) == list(value[:, 0])
    for wav, clip in zip(value[:, 0], clips):
        rate, channels, width, samples = _wav_samples(wav)
        assert (rate, channels, width) == (16000, 2, 2)
        scaled = clip.astype(np.float64) * 32768
        want = np.clip(np.sign(scaled) * np.floor(np.abs(scaled) + 0.5), -32768, 32767)
        np.testing.assert_array_equal(samples, want)
    assert _wav_samples(value[0, 0])[3][:4, 0].tolist() == [16384, 2, -3, 32767]
    meta = acc.SummaryMetadata("clips")
    assert meta.plugin_data.plugin_name == "audio" and meta.summary_description == "noise"
    assert audio_metadata.parse_plugin_metadata(meta.plugin_data.content).encoding == audio_metadata.Encoding.Value("WAV")
    assert _wav_samples(_series(acc, "mono")[0][1][0])[:3] == (8000, 1, 2)


def test_write_and_write_raw_pb(tmp_path):
    from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2
    raw = tb_summary_pb2.Summary(value=[tb_summary_pb2.Summary.Value(tag="legacy", simple_value=2.5)])
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert bool(summary.write("ints", tf.constant([1, 2, 3]), step=1))
        meta = tb_summary_pb2.SummaryMetadata(plugin_data=tb_summary_pb2.SummaryMetadata.PluginData(plugin_name="custom"))
        summary.write("custom", lambda: tf.constant([[1.5]], tf.float64), step=2, metadata=meta)
        summary.write("plain", np.arange(3, dtype=np.int16), step=3, metadata=None)
        assert bool(summary.experimental.write_raw_pb(raw.SerializeToString(), step=4))
        with pytest.raises(errors.InvalidArgumentError, match="failed to parse Summary proto"):
            summary.experimental.write_raw_pb(b"\xff\xff", step=5)
        with summary.experimental.summary_scope("my op", "default") as (tag, scope):
            assert tag == "my op" and scope.startswith("myop")
    w.close()
    events = {e.summary.value[0].tag: e for e in _raw_events(tmp_path)[1:]}
    assert tensor_util.make_ndarray(events["ints"].summary.value[0].tensor).tolist() == [1, 2, 3]
    assert not events["ints"].summary.value[0].HasField("metadata")
    assert events["custom"].summary.value[0].metadata.plugin_data.plugin_name == "custom"
    assert events["plain"].summary.value[0].tensor.dtype == 5  # DT_INT16
    assert events["legacy"].step == 4 and events["legacy"].summary.value[0].simple_value == 2.5


# ---------------------------------------------------------------- recording rules and errors
def test_no_writer_returns_false_and_no_step_raises(tmp_path):
    assert not bool(summary.scalar("x", 1.0))               # no writer: False, even without a step
    assert not bool(summary.histogram("x", [1.0], step=1))
    assert not bool(summary.should_record_summaries())
    assert summary.flush() is None
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert bool(summary.should_record_summaries())
        for call in (lambda: summary.scalar("x", 1.0), lambda: summary.histogram("x", [1.0]),
                     lambda: summary.image("x", np.zeros((1, 2, 2, 1))), lambda: summary.text("x", "a"),
                     lambda: summary.audio("x", np.zeros((1, 2, 1)), 8000), lambda: summary.write("x", 1.0)):
            with pytest.raises(ValueError, match=re.escape("No step set. Please specify one either through the "
                                                           "`step` argument or through "
                                                           "tf.summary.experimental.set_step()")):
                call()
        with summary.record_if(False):
            assert not bool(summary.scalar("x", 1.0))    # not recording: no step needed
    w.close()


def test_argument_errors(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=1):
        with pytest.raises(ValueError, match=re.escape("Expected scalar shape, saw shape: (2,).")):
            summary.scalar("x", [1.0, 2.0])
        with pytest.raises(TypeError, match="tensor must be of type tf.string; got tf.float32"):
            summary.text("t", 1.0)
        with pytest.raises(ValueError, match=re.escape("must have rank 4.  Received rank 3, shape (2, 2, 3)")):
            summary.image("i", np.zeros((2, 2, 3)))
        with pytest.raises(ValueError, match=re.escape("must have rank 3")):
            summary.audio("a", np.zeros((2, 3)), 8000)
        with pytest.raises(ValueError, match=re.escape("Argument `step` must be a scalar. Received step with shape (2,).")):
            summary.scalar("x", 1.0, step=[1, 2])
        with pytest.raises(TypeError):
            summary.scalar("x", 1.0, step=1.5)
        with pytest.raises(ValueError, match="Unknown encoding: 'mp3'"):
            summary.audio("a", np.zeros((1, 2, 1)), 8000, encoding="mp3")
        with pytest.raises(ValueError, match="Invalid argument to flush"):
            summary.flush("not a writer")
    w.close()
    with pytest.raises(ValueError, match="Argument `logdir` cannot be None"):
        summary.create_file_writer(None)


def test_record_if_eagerly(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    flag = tf.Variable(False)
    with w.as_default():
        with summary.record_if(False):
            assert not bool(summary.scalar("x", 1.0, step=1))
        with summary.record_if(True):
            assert bool(summary.scalar("x", 2.0, step=2))
        with summary.record_if(lambda: False):
            assert not bool(summary.should_record_summaries())
            assert not bool(summary.histogram("h", [1.0], step=3))
        with summary.record_if(tf.constant(True)):
            assert bool(summary.text("t", "a", step=4))
        with summary.record_if(flag):
            assert not bool(summary.scalar("x", 3.0, step=5))
            flag.assign(True)
            assert bool(summary.scalar("x", 4.0, step=6))
    w.close()
    acc = _acc(tmp_path)
    assert [(s, float(v)) for s, v in _series(acc, "x")] == [(2, 2.0), (6, 4.0)]
    assert "h" not in acc.Tags()["tensors"]


def test_closed_and_noop_writers(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    w.set_as_default(step=1)
    w.close()
    assert w.close() is None and w.flush() is None   # twice is fine
    with pytest.raises(RuntimeError, match="is already closed"):
        w.as_default()
    with pytest.raises(errors.NotFoundError):
        summary.scalar("x", 1.0)   # still the default writer, but closed
    from tensorforge.summary.writer import _state
    _state.writer = None
    # A noop writer's context leaves the default writer (none here) alone, as TF's does.
    noop = summary.create_noop_writer()
    with noop.as_default(step=3):
        assert not bool(summary.scalar("x", 1.0))
    noop.set_as_default()
    assert _state.writer is None
    assert noop.flush() is None and noop.close() is None and noop.init() is None


# ---------------------------------------------------------------- inside tf.function
def test_train_step_inside_tf_function(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def train(x):
        ok = summary.scalar("loss", x, step=step)
        summary.histogram("weights", tf.fill([4], x) * tf.constant([1.0, 2.0, 3.0, 4.0]), step=step)
        summary.text("note", tf.strings.as_string(x), step=step)
        summary.image("img", tf.fill([2, 2, 3, 1], x / 10.0), step=step, max_outputs=1)
        summary.audio("aud", tf.fill([1, 4, 1], x / 10.0), 8000, step=step)
        step.assign_add(1)
        return ok

    with w.as_default():
        results = [bool(train(tf.constant(float(i + 1)))) for i in range(3)]
    assert results == [True, True, True]
    assert train.experimental_get_tracing_count() == 1
    w.close()
    acc = _acc(tmp_path)
    assert [(s, float(v)) for s, v in _series(acc, "loss")] == [(0, 1.0), (1, 2.0), (2, 3.0)]
    for s, value in _series(acc, "weights"):
        np.testing.assert_array_equal(value, _tb_histogram([(s + 1.0) * k for k in (1, 2, 3, 4)]))
    assert [v.item() for _, v in _series(acc, "note")] == [b"1.000000", b"2.000000", b"3.000000"]
    assert [v.shape for _, v in _series(acc, "img")] == [(3,)] * 3
    assert [v.shape for _, v in _series(acc, "aud")] == [(1,)] * 3   # served without the label column
    assert {_plugin(acc, t) for t in ("loss", "weights", "note", "img", "aud")} == {
        "scalars", "histograms", "text", "images", "audio"}


def test_tf_function_record_if_default_step_and_no_writer(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def no_writer_at_trace(x):
        return summary.scalar("ignored", x, step=1)

    assert not bool(no_writer_at_trace(tf.constant(1.0)))
    with w.as_default():
        # The writer is read when the function is traced (as in TF): this trace wrote nothing.
        assert not bool(no_writer_at_trace(tf.constant(2.0)))

        with summary.record_if(lambda: tf.equal(step % 2, 0)):   # a condition evaluated when the function runs
            @tf.function
            def every_other(x):
                ok = summary.scalar("every_other", x, step=step)
                step.assign_add(1)
                return ok
            assert [bool(every_other(tf.constant(float(i)))) for i in range(4)] == [True, False, True, False]

        with summary.record_if(False):
            @tf.function
            def never(x):
                return summary.scalar("never", x, step=1)
            assert not bool(never(tf.constant(1.0)))

        summary.experimental.set_step(step)

        @tf.function
        def default_step(x):
            return summary.scalar("default_step", x)
        default_step(tf.constant(1.0))
        step.assign(42)
        default_step(tf.constant(2.0))
        summary.experimental.set_step(None)

        @tf.function
        def no_step(x):
            return summary.scalar("no_step", x)
        with pytest.raises(ValueError, match="No step set"):
            no_step(tf.constant(1.0))

        @tf.function
        def flush_inside(x):
            summary.scalar("flushed", x, step=7)
            summary.flush()
            return x
        flush_inside(tf.constant(5.0))
        assert any(e.summary.value and e.summary.value[0].tag == "flushed" for e in _events(tmp_path))
    w.close()
    acc = _acc(tmp_path)
    tags = set(acc.Tags()["tensors"])
    assert "ignored" not in tags and "never" not in tags and "no_step" not in tags
    assert [(s, float(v)) for s, v in _series(acc, "every_other")] == [(0, 0.0), (2, 2.0)]
    assert [(s, float(v)) for s, v in _series(acc, "default_step")] == [(4, 1.0), (42, 2.0)]


def test_writer_closed_before_a_function_runs(tmp_path):
    w = summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(x):
        return summary.scalar("x", x, step=1)

    with w.as_default():
        f(tf.constant(1.0))
    w.close()
    with pytest.raises(errors.NotFoundError):
        f(tf.constant(2.0))


def test_summary_ops_are_registered_under_tf_names():
    for name in ("WriteSummary", "WriteRawProtoSummary", "WriteGraphSummary", "FlushSummaryWriter",
                 "CloseSummaryWriter", "EncodeWav"):
        op = REGISTRY[name]
        assert op.stateful == (name != "EncodeWav")
        for arrays, attrs in op.samples():
            outs = bind(name, [tf.constant(a) for a in arrays], attrs)
            outs = outs if isinstance(outs, tuple) else (outs,)
            assert len(op.infer([tf.constant(a) for a in arrays], attrs)) == len(outs)


def test_encode_wav_op_errors():
    from tensorforge.summary.audio import encode_wav
    with pytest.raises(errors.InvalidArgumentError, match="audio must be 2-dimensional"):
        encode_wav(np.zeros(3, np.float32), 8000)
    with pytest.raises(errors.InvalidArgumentError, match="sample_rate should be a scalar"):
        encode_wav(np.zeros((3, 1), np.float32), [8000])
    rate, channels, _, samples = _wav_samples(encode_wav(np.full((3, 2), 0.25, np.float32), 22050).numpy())
    assert (rate, channels) == (22050, 2) and samples.tolist() == [[8192, 8192]] * 3


# ---------------------------------------------------------------- graphs
def test_graph_and_trace_export(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="kernel")

    @tf.function
    def f(x):
        v.assign_add(tf.ones([2, 2]))
        return tf.nn.relu(tf.matmul(x, v) + 1.0)

    with pytest.raises(ValueError, match="Must enable trace before export"):
        summary.trace_export("nothing", step=0)
    with w.as_default():
        summary.trace_on(graph=True)
        f(tf.ones([2, 2]))
        summary.trace_export("my_trace", step=3)
        assert bool(summary.graph(f.get_concrete_function(tf.ones([2, 2])).graph))
        f(tf.ones([2, 2]))   # no trace now: nothing collected
        with pytest.raises(ValueError, match="not tf.Graph or tf.compat.v1.GraphDef"):
            summary.graph("a graph")

        @tf.function
        def inside():
            return summary.graph(f.get_concrete_function(tf.ones([2, 2])).graph)
        with pytest.raises(ValueError, match="cannot be invoked inside a graph context"):
            inside()
    w.close()
    events = _events(tmp_path)
    graph_events = [e for e in events if e.graph_def]
    assert len(graph_events) == 1 and graph_events[0].step == 0
    g = tb_graph_pb2.GraphDef.FromString(graph_events[0].graph_def)
    by_name = {n.name: n for n in g.node}
    assert {"MatMul", "Placeholder", "ReadVariableOp", "AssignAddVariableOp"} <= {n.op for n in g.node}
    matmul = next(n for n in g.node if n.op == "MatMul")
    assert all(i.split(":")[0].lstrip("^") in by_name for n in g.node for i in n.input)
    assert matmul.attr["T"].type == 1 and len(matmul.attr["_output_shapes"].list.shape) == 1
    assert [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim] == [2, 2]
    x = by_name["x"]
    assert x.op == "Placeholder" and x.attr["dtype"].type == 1 and [d.size for d in x.attr["shape"].shape.dim] == [2, 2]
    acc = _acc(tmp_path)
    (step, value), = _series(acc, "my_trace")
    assert step == 3 and _plugin(acc, "my_trace") == "graph_run_metadata_graph"
    assert acc.SummaryMetadata("my_trace").plugin_data.content == b"1"
    meta = tb_config_pb2.RunMetadata.FromString(value.item())
    assert len(meta.function_graphs) == 1
    assert "MatMul" in {n.op for n in meta.function_graphs[0].pre_optimization_graph.node}


def test_trace_with_the_profiler(tmp_path):
    pytest.importorskip("tensorforge.profiler")
    w = summary.create_file_writer(str(tmp_path / "logs"))

    @tf.function
    def f(x):
        return tf.matmul(x, x)

    with w.as_default():
        summary.trace_on(graph=True, profiler=True, profiler_outdir=str(tmp_path / "profile"))
        f(tf.ones([2, 2]))
        summary.trace_export("profiled", step=2)
    w.close()
    acc = _acc(tmp_path / "logs")
    (step, value), = _series(acc, "profiled")
    assert step == 2 and _plugin(acc, "profiled") == "graph_run_metadata"
    assert len(tb_config_pb2.RunMetadata.FromString(value.item()).function_graphs) == 1
    assert glob.glob(str(tmp_path / "profile" / "plugins" / "profile" / "*" / "*"))


def test_graph_def_of_a_graph_def_proto(tmp_path):
    from tensorforge.protos import graph_pb2
    gd = graph_pb2.GraphDef()
    gd.node.add(name="a", op="Const")
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert bool(summary.graph(gd))
    w.close()
    e, = [e for e in _events(tmp_path) if e.graph_def]
    assert tb_event_pb2.Event.FromString(e.SerializeToString()).graph_def == gd.SerializeToString()


# ---------------------------------------------------------------- protos
def _fields(descriptor) -> dict:
    return {f.name: (f.number, f.type, f.is_repeated, f.message_type.name if f.message_type else None)
            for f in descriptor.fields}


def _check_message(ours, theirs, complete: bool) -> None:
    mine, other = _fields(ours), _fields(theirs)
    assert {k: other.get(k) for k in mine} == mine, ours.full_name
    if complete:
        assert mine == other, ours.full_name
    for nested in ours.nested_types:
        _check_message(nested, theirs.nested_types_by_name[nested.name], complete)


def test_protos_match_tensorboards_field_numbers():
    """Our TF protos against tensorboard's copies of them (package `tensorboard`), and the HParams
    plugin's messages against the plugin's own descriptors."""
    from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, summary_pb2
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
    from tensorforge.protos import attr_value_pb2 as our_attr_value_pb2
    from tensorforge.protos import config_pb2 as our_config_pb2
    from tensorforge.protos import event_pb2 as our_event_pb2
    from tensorforge.protos import graph_pb2 as our_graph_pb2
    from tensorforge.protos import node_def_pb2 as our_node_def_pb2
    from tensorforge.protos import summary_pb2 as our_summary_pb2
    complete = [(our_event_pb2, tb_event_pb2), (our_summary_pb2, summary_pb2), (our_attr_value_pb2, attr_value_pb2)]
    partial = [(our_graph_pb2, graph_pb2), (our_node_def_pb2, node_def_pb2), (our_config_pb2, tb_config_pb2)]
    for ours, theirs, is_complete in [(a, b, True) for a, b in complete] + [(a, b, False) for a, b in partial]:
        for name, message in ours.DESCRIPTOR.message_types_by_name.items():
            assert message.full_name == "tensorflow." + name
            _check_message(message, theirs.DESCRIPTOR.message_types_by_name[name], is_complete)
    from tensorboard.compat.proto import histogram_pb2
    from tensorforge.protos import histogram_pb2 as our_histogram_pb2
    assert our_histogram_pb2.HistogramProto.DESCRIPTOR.full_name == "tensorflow.HistogramProto"
    _check_message(our_histogram_pb2.HistogramProto.DESCRIPTOR, histogram_pb2.HistogramProto.DESCRIPTOR, True)
    for ours in (hp.Experiment, hp.HParamInfo, hp.Interval, hp.MetricName, hp.MetricInfo):
        assert ours.DESCRIPTOR.full_name == "tensorboard.hparams." + ours.DESCRIPTOR.name
        _check_message(ours.DESCRIPTOR, api_pb2.DESCRIPTOR.message_types_by_name[ours.DESCRIPTOR.name], True)
    for ours in (hp.HParamsPluginData, hp.SessionStartInfo, hp.SessionEndInfo):
        _check_message(ours.DESCRIPTOR, plugin_data_pb2.DESCRIPTOR.message_types_by_name[ours.DESCRIPTOR.name], True)
    for enum in ("DataType", "DatasetType", "Status"):
        assert {v.name: v.number for v in hp.Experiment.DESCRIPTOR.file.enum_types_by_name[enum].values} == {
            v.name: v.number for v in api_pb2.DESCRIPTOR.enum_types_by_name[enum].values}


# ---------------------------------------------------------------- HParams
def test_hparams_protos_equal_tensorboards():
    from tensorboard.plugins.hparams import summary_v2 as tb_hp

    def both(make):
        return make(hp).SerializeToString(), make(tb_hp).SerializeToString()

    def config(m):
        hparams = [m.HParam("units", m.Discrete([32, 16]), description="width"),
                   m.HParam("lr", m.RealInterval(0.001, 0.1)),
                   m.HParam("layers", m.IntInterval(1, 4), display_name="Layers"),
                   m.HParam("optimizer", m.Discrete(["sgd", "adam"])),
                   m.HParam("flag", m.Discrete([True, False])), m.HParam("free")]
        metrics = [m.Metric("accuracy", group="validation", dataset_type=m.Metric.VALIDATION),
                   m.Metric("loss", display_name="Loss", description="d")]
        return m.hparams_config_pb(hparams, metrics, time_created_secs=12.5)

    a, b = both(config)
    assert a == b
    a, b = both(lambda m: m.hparams_pb({"units": 16, "lr": np.float32(0.25), "optimizer": "adam", "flag": True},
                                       start_time_secs=3.0))
    assert a == b
    a, b = both(lambda m: m.hparams_pb({"x": 1}, trial_id="trial-1", start_time_secs=1.0))
    assert a == b
    assert repr(hp.HParam("a", hp.Discrete([2, 1]))) == repr(tb_hp.HParam("a", tb_hp.Discrete([2, 1])))
    with pytest.raises(TypeError):
        hp.IntInterval(1.0, 2)
    with pytest.raises(ValueError):
        hp.hparams_pb({hp.HParam("a"): 1, "a": 2})
    with pytest.raises(TypeError):
        hp.hparams_pb({"a": [1]})


def test_hparams_summaries_and_keras_callback(tmp_path):
    from tensorboard.plugins.hparams import metadata as hp_metadata
    from tensorboard.plugins.hparams import api_pb2
    from tensorboard.plugins.hparams import summary_v2 as tb_hp
    assert not bool(hp.hparams({"a": 1}))   # no writer
    units = hp.HParam("units", hp.Discrete([8, 16]))
    with summary.create_file_writer(str(tmp_path)).as_default() as w:
        assert bool(hp.hparams_config([units], [hp.Metric("loss")]))
    w.close()

    keras = tf.keras
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    callback = hp.KerasCallback(str(tmp_path / "run-0"), {units: 8, "lr": 0.01})
    assert isinstance(callback, keras.callbacks.Callback)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callback])
    with pytest.raises(RuntimeError, match="cannot be reused"):
        callback.on_train_begin()
    # tensorboard's own hparams_pb, written through our write_raw_pb.
    with summary.create_file_writer(str(tmp_path / "run-1")).as_default() as w1:
        summary.experimental.write_raw_pb(tb_hp.hparams_pb({"units": 16}).SerializeToString(), step=0)
    w1.close()

    acc = _acc(tmp_path)
    assert _plugin(acc, hp_metadata.EXPERIMENT_TAG) == "hparams"
    experiment = hp_metadata.parse_experiment_plugin_data(acc.SummaryMetadata(hp_metadata.EXPERIMENT_TAG)
                                                          .plugin_data.content)
    assert [(i.name, list(i.domain_discrete)) for i in experiment.hparam_infos] == [("units", [8.0, 16.0])]
    assert [m.name.tag for m in experiment.metric_infos] == ["loss"]
    run0 = _acc(tmp_path / "run-0")
    start = hp_metadata.parse_session_start_info_plugin_data(
        run0.SummaryMetadata(hp_metadata.SESSION_START_INFO_TAG).plugin_data.content)
    assert dict(start.hparams) == {"units": start.hparams["units"], "lr": start.hparams["lr"]}
    assert start.hparams["units"].number_value == 8 and start.hparams["lr"].number_value == 0.01
    end = hp_metadata.parse_session_end_info_plugin_data(
        run0.SummaryMetadata(hp_metadata.SESSION_END_INFO_TAG).plugin_data.content)
    assert end.status == api_pb2.Status.Value("STATUS_SUCCESS") and end.end_time_secs > 0
    assert all(e.step == 0 for e in run0.Tensors(hp_metadata.SESSION_START_INFO_TAG))
    run1 = _acc(tmp_path / "run-1")
    assert hp_metadata.parse_session_start_info_plugin_data(
        run1.SummaryMetadata(hp_metadata.SESSION_START_INFO_TAG).plugin_data.content).hparams["units"].number_value == 16


# ---------------------------------------------------------------- reading
def test_reader_on_an_event_file_real_tf_wrote():
    from tensorforge import compat
    from tensorforge.io.tensor_proto import make_ndarray
    manifest = json.loads((FIXTURES / "MANIFEST.json").read_text())
    assert "tb_logs" in manifest["files"]
    path, = glob.glob(str(FIXTURES / "tb_logs" / "*tfevents*"))
    events = list(compat.v1.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    values = {}
    for e in events[1:]:
        for v in e.summary.value:
            values.setdefault(v.tag, []).append((e.step, v.metadata.plugin_data.plugin_name, make_ndarray(v.tensor)))
    loss = values["loss"]
    assert [s for s, _, _ in loss] == [0, 1, 2, 3, 4] and {p for _, p, _ in loss} == {"scalars"}
    np.testing.assert_allclose([float(a) for _, _, a in loss], [1 / (s + 1) for s in range(5)], rtol=1e-6)
    for _, plugin, table in values["weights"]:
        assert plugin == "histograms" and table.dtype == np.float64 and table.shape == (30, 3)
        assert np.all(table[:, 0] <= table[:, 1]) and np.all(table[1:, 0] == table[:-1, 1]) and table[:, 2].sum() > 0
    (_, plugin, note), = values["note"]
    assert plugin == "text" and note.dtype == object and isinstance(note.item(), bytes)
    (_, plugin, img), = values["img"]
    decoded = tf.io.decode_png(img[2]).numpy()
    assert plugin == "images" and (img[0], img[1]) == (str(decoded.shape[1]).encode(), str(decoded.shape[0]).encode())
    # The same events as tensorboard's raw loader reads.
    assert [e.SerializeToString() for e in events] == list(loader.RawEventFileLoader(path).Load())
    with pytest.raises(errors.NotFoundError):
        compat.v1.train.summary_iterator(str(FIXTURES / "tb_logs" / "missing"))


def test_reader_reads_what_we_write(tmp_path):
    from tensorforge.compat.v1.train import summary_iterator
    from tensorforge.io.tensor_proto import make_ndarray
    with summary.create_file_writer(str(tmp_path)).as_default(step=9) as w:
        summary.scalar("a", 1.5)
    w.close()
    events = list(summary_iterator(_file(tmp_path)))
    assert len(events) == 2 and events[1].step == 9 and make_ndarray(events[1].summary.value[0].tensor) == 1.5


def test_eager_scalar_is_cheap(tmp_path):
    w = summary.create_file_writer(str(tmp_path), max_queue=10 ** 6)
    with w.as_default():
        summary.scalar("warm", 0.0, step=0)
        n = 5000
        t = time.perf_counter()
        for i in range(n):
            summary.scalar("loss", 0.5, step=i)
        per_call = (time.perf_counter() - t) / n
    w.close()
    assert per_call < 50e-6, "tf.summary.scalar took %.1f us per call" % (per_call * 1e6)
