"""tf.profiler.experimental: start/stop, Trace, the Chrome trace file and its summary."""
import collections
import glob
import gzip
import json
import os
import threading

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.graph import executor
from tensorforge.ops import registry
from tensorforge.profiler import experimental as prof

REQUIRED = ("name", "ph", "pid", "tid")


@pytest.fixture(autouse=True)
def _no_profiler_left_running():
    yield
    try:
        prof.stop(save=False)
    except tf.errors.UnavailableError:
        pass


def _load(path):
    with gzip.open(path, "rb") as f:
        return json.load(f)


def _check_trace(trace):
    """The Chrome trace-event format: fields, phases, numbers; every thread used is named."""
    assert trace["displayTimeUnit"] == "ms"
    events = trace["traceEvents"]
    assert isinstance(events, list) and events
    named_threads, used_threads = set(), set()
    for e in events:
        for k in REQUIRED:
            assert k in e, (k, e)
        assert e["ph"] in ("X", "M"), e
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        assert isinstance(e.get("args", {}), dict)
        if e["ph"] == "X":
            assert isinstance(e["name"], str) and isinstance(e["cat"], str)
            assert isinstance(e["ts"], (int, float)) and isinstance(e["dur"], (int, float))
            assert e["ts"] >= 0 and e["dur"] >= 0
            used_threads.add(e["tid"])
        elif e["name"] == "thread_name":
            named_threads.add(e["tid"])
            assert e["args"]["name"]
    assert any(e["ph"] == "M" and e["name"] == "process_name" for e in events)
    assert used_threads <= named_threads
    return [e for e in events if e["ph"] == "X"]


def _profile_files(logdir):
    gz = glob.glob(os.path.join(str(logdir), "plugins", "profile", "*", "*.trace.json.gz"))
    assert len(gz) == 1, gz
    return gz[0]


def test_start_stop_records_eager_ops_graph_nodes_and_spans(tmp_path):
    x = tf.random.normal([2, 8, 8, 3], seed=1)
    k = tf.random.normal([3, 3, 3, 4], seed=2)
    w = tf.random.normal([4, 5], seed=3)

    @tf.function
    def step(x):
        h = tf.nn.relu(tf.nn.conv2d(x, k, 1, "SAME"))
        return tf.matmul(tf.reshape(h, [-1, 4]), w)

    step(x)  # trace before profiling: the profile shows runs, not tracing
    prof.start(str(tmp_path))
    for i in range(3):
        with prof.Trace("TraceContext", step_num=i):
            step(x)
    tf.matmul(w, w, transpose_a=True)
    tf.nn.relu(w)
    result = prof.stop()

    path = _profile_files(tmp_path)
    assert result.trace_path == path
    run = os.path.basename(os.path.dirname(path))
    assert len(run.split("_")) == 6 and all(p.isdigit() for p in run.split("_")), run
    plain = path[:-3]
    with open(plain, "rb") as f:
        assert json.load(f) == _load(path)  # the uncompressed copy holds the same trace
    spans = _check_trace(_load(path))

    eager = collections.Counter(e["name"] for e in spans if e["cat"] == "eager_op")
    assert eager["MatMul"] == 1 and eager["Relu"] == 1
    assert all(e["args"]["op_type"] == e["name"] for e in spans if e["cat"] == "eager_op")
    nodes = [e for e in spans if e["cat"] == "graph_node"]
    types = collections.Counter(e["args"]["op_type"] for e in nodes)
    assert types["Conv2D"] + types["_FusedConv2D"] == 3 and types["MatMul"] == 3, types
    assert all(e["args"]["function"] == "step" for e in nodes)
    assert all(e["args"]["long_name"] == "%s:%s" % (e["name"], e["args"]["op_type"]) for e in nodes)
    runs = [e for e in spans if e["cat"] == "function"]
    traces = [e for e in spans if e["cat"] == "trace"]
    assert [e["name"] for e in runs] == ["step"] * 3
    assert [(e["name"], e["args"]["step_num"]) for e in traces] == [("TraceContext", i) for i in range(3)]
    # Nesting in time: each function run lies in its Trace span, each node in a function run.
    for t, r in zip(traces, runs):
        assert t["ts"] <= r["ts"] and r["ts"] + r["dur"] <= t["ts"] + t["dur"] + 1e-3
    for n in nodes:
        assert any(r["ts"] <= n["ts"] and n["ts"] + n["dur"] <= r["ts"] + r["dur"] + 1e-3 for r in runs)
    # The summary names the ops; it is what stop() returned.
    assert str(result) == prof.summary(path)
    assert "Conv2D" in result and "MatMul" in result


def test_profile_of_a_fit_epoch(tmp_path):
    keras = tf.keras
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 3, 64).astype("int32")
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(3)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    prof.start(str(tmp_path))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    text = prof.stop()
    spans = _check_trace(_load(_profile_files(tmp_path)))
    node_types = {e["args"]["op_type"] for e in spans if e["cat"] == "graph_node"}
    # The forward conv may be fused with its bias and activation (_FusedConv2D).
    assert {"MatMul", "Conv2DBackpropFilter"} <= node_types, node_types
    assert node_types & {"Conv2D", "_FusedConv2D"}, node_types
    assert sum(e["cat"] == "function" for e in spans) >= 4  # one train step per batch
    assert "Conv2DBackpropFilter" in text


def test_double_start_and_stop_without_start():
    with pytest.raises(tf.errors.UnavailableError, match="Cannot export profiling results. No profiler is running."):
        prof.stop()
    prof.start("")
    with pytest.raises(tf.errors.AlreadyExistsError, match="Another profiler is running."):
        prof.start("")
    assert prof.stop(save=False) is None  # the first session is still the one running
    with pytest.raises(tf.errors.UnavailableError):
        prof.stop()


def test_hooks_are_removed_after_stop():
    op = registry.get("MatMul")
    own = op.kernel
    assert executor.Plan.run is executor.Plan._run_plain
    prof.start("")
    assert op.kernel is not own and registry.raw_kernel(op) is own
    assert executor.Plan.run is executor.Plan._run_profiled
    prof.stop(save=False)
    assert op.kernel is own and registry.raw_kernel(op) is own
    assert executor.Plan.run is executor.Plan._run_plain


def test_summary_counts_and_self_time(tmp_path):
    a = tf.ones([16, 16])

    @tf.function
    def loop(a):
        return tf.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, tf.matmul(v, a) * 0.5), (0, a))[1]

    loop(a)
    prof.start(str(tmp_path))
    for _ in range(5):
        tf.math.sqrt(a)
    loop(a)
    prof.stop()
    events = _load(_profile_files(tmp_path))["traceEvents"]
    text = prof.summary(str(tmp_path), top=50)  # a log directory: its newest profile
    assert text == prof.summary(events, top=50) == prof.summary({"traceEvents": events}, top=50)
    rows = {ln.split()[0]: ln.split() for ln in text.splitlines()[2:]}
    assert rows["Sqrt"][1] == "5"
    assert int(rows["MatMul"][1]) == 4  # the While body's MatMul ran 4 times
    header = text.splitlines()[1].split()
    assert header[:2] == ["Op", "type"] and header[-1] == "%"
    assert abs(sum(float(r[-1]) for r in rows.values()) - 100.0) < 0.1
    # A While's own time leaves out its body's nodes: self times add up to no more than wall time.
    from tensorforge.profiler import trace_events
    per_op = trace_events.op_self_times(events)
    assert all(t >= 0 for _, t in per_op)
    while_spans = [e for e in events if e.get("args", {}).get("op_type", "").endswith("While")]
    assert while_spans
    total_self = sum(t for _, t in per_op)
    wall = max(e["ts"] + e["dur"] for e in events if e["ph"] == "X") - min(e["ts"] for e in events if e["ph"] == "X")
    assert total_self <= wall + 1e-3
    assert len(prof.summary(events, top=2).splitlines()) == 4


def test_ops_on_other_threads_are_recorded(tmp_path):
    a = tf.ones([4, 4])
    n_threads, per_thread = 4, 50
    barrier = threading.Barrier(n_threads)

    def work():
        barrier.wait()
        for _ in range(per_thread):
            tf.math.exp(a)

    threads = [threading.Thread(target=work, name="worker-%d" % i) for i in range(n_threads)]
    prof.start(str(tmp_path))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    prof.stop()
    trace = _load(_profile_files(tmp_path))
    spans = _check_trace(trace)
    exps = [e for e in spans if e["name"] == "Exp"]
    assert len(exps) == n_threads * per_thread
    assert len({e["tid"] for e in exps}) == n_threads
    names = {e["args"]["name"] for e in trace["traceEvents"] if e["name"] == "thread_name"}
    assert {"worker-%d" % i for i in range(n_threads)} <= names


def test_trace_outside_a_profile_records_nothing_and_decorates(tmp_path):
    with prof.Trace("nothing", step_num=1) as t:
        t.set_metadata(x=1)

    @prof.Trace("decorated", kind="fn")
    def f(v):
        return tf.math.square(v)

    prof.start(str(tmp_path), options=prof.ProfilerOptions(host_tracer_level=1))
    with prof.Trace("outer") as t:
        t.set_metadata(extra="yes")
        f(tf.ones([2]))
    f(tf.ones([2]))
    prof.stop()
    spans = _check_trace(_load(_profile_files(tmp_path)))
    assert [e["name"] for e in spans] == ["outer", "decorated", "decorated"]  # level 1: spans only
    assert spans[0]["args"] == {"extra": "yes"} and spans[1]["args"] == {"kind": "fn"}


def test_profile_context_manager_and_options(tmp_path):
    opts = prof.ProfilerOptions()
    assert opts == (2, 0, 1, None) and opts.host_tracer_level == 2
    with prof.Profile(str(tmp_path)):
        tf.math.log(tf.ones([3]))
    spans = _check_trace(_load(_profile_files(tmp_path)))
    assert any(e["name"] == "Log" for e in spans)
    with pytest.raises(tf.errors.UnimplementedError):
        prof.server.start(6009)


def test_kernel_errors_keep_their_messages_while_profiling():
    f = tf.function(lambda v: tf.reshape(v, [5, -1]), input_signature=[tf.TensorSpec([None], tf.float32)])
    f(tf.ones([10]))
    with pytest.raises(tf.errors.InvalidArgumentError) as plain:
        f(tf.ones([7]))
    prof.start("")
    try:
        with pytest.raises(tf.errors.InvalidArgumentError) as profiled:
            f(tf.ones([7]))
        with pytest.raises(tf.errors.InvalidArgumentError):
            tf.reshape(tf.ones([7]), [5, -1])
    finally:
        prof.stop(save=False)
    assert str(profiled.value) == str(plain.value)
    assert "in graph node" in str(plain.value)
