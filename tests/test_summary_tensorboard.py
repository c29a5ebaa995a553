"""The real TensorBoard server reads what tf.summary writes: scalars, histograms, text, images,
the HParams dashboard and the graph dashboard, through its HTTP data API."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import summary
from tensorforge.summary import hparams as hp

pytest.importorskip("tensorboard", reason="the tensorboard package (a test dependency) is not installed")
from tensorboard.plugins.histogram import summary_v2 as tb_histogram  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(logdir: str, port: int) -> list:
    exe = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
    base = [exe] if exe else [sys.executable, "-m", "tensorboard.main"]
    return base + ["--logdir", logdir, "--host", "127.0.0.1", "--port", str(port), "--load_fast=false"]


def _get(url: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read()
    return json.loads(raw) if r.headers.get_content_type() == "application/json" else raw.decode()


def _poll(fn, proc, timeout=60.0):
    """fn() until it returns something truthy (TensorBoard loads logs in the background)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("TensorBoard exited with %s:\n%s" % (proc.returncode, proc.stdout.read()))
        try:
            out = fn()
            if out:
                return out
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            last = e
        time.sleep(0.25)
    raise AssertionError("TensorBoard did not answer in %.0f s (last error: %r)" % (timeout, last))


def _write_logs(logdir: str) -> dict:
    rng = np.random.default_rng(0)
    weights = [rng.normal(loc=s, size=200) for s in range(3)]
    with summary.create_file_writer(logdir).as_default() as root:
        hp.hparams_config([hp.HParam("units", hp.Discrete([8, 16]))], [hp.Metric("loss")])
    root.close()
    writer = summary.create_file_writer(os.path.join(logdir, "run1"))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def train(x):
        summary.scalar("loss", 1.0 / (x + 1.0), step=step)
        step.assign_add(1)
        return x

    with writer.as_default():
        hp.hparams({"units": 16}, trial_id="trial-16")
        for s in range(5):
            train(tf.constant(float(s)))
        for s, w in enumerate(weights):
            summary.histogram("weights", w, step=s)
        summary.text("note", "hello *TensorBoard*", step=0)
        summary.image("img", rng.uniform(size=(2, 6, 8, 3)), step=0)
        summary.graph(train.get_concrete_function(tf.constant(0.0)).graph)
    writer.close()
    return {"weights": weights}


def test_tensorboard_server_reads_our_event_files(tmp_path):
    logdir = str(tmp_path / "logs")
    written = _write_logs(logdir)
    port = _free_port()
    base = "http://127.0.0.1:%d" % port
    proc = subprocess.Popen(_command(logdir, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        scalars = _poll(lambda: _get(base + "/data/plugin/scalars/scalars?run=run1&tag=loss"), proc)
        assert [s for _, s, _ in scalars] == [0, 1, 2, 3, 4]
        np.testing.assert_allclose([v for _, _, v in scalars], [1.0 / (s + 1) for s in range(5)], rtol=1e-7)
        assert all(abs(wall - time.time()) < 600 for wall, _, _ in scalars)

        assert "run1" in _get(base + "/data/runs")
        assert "loss" in _get(base + "/data/plugin/scalars/tags")["run1"]

        histograms = _get(base + "/data/plugin/histograms/histograms?run=run1&tag=weights")
        assert [s for _, s, _ in histograms] == [0, 1, 2]
        for (_, _, buckets), data in zip(histograms, written["weights"]):
            want = tensor_util.make_ndarray(tb_histogram.histogram_pb("w", data).value[0].tensor)
            np.testing.assert_allclose(np.array(buckets), want, rtol=1e-12)

        text = _get(base + "/data/plugin/text/text?run=run1&tag=note")
        assert [t["step"] for t in text] == [0] and "<em>TensorBoard</em>" in text[0]["text"]

        images = _get(base + "/data/plugin/images/images?run=run1&tag=img&sample=0")
        assert len(images) == 1 and images[0]["step"] == 0
        png = urllib.request.urlopen(base + "/data/plugin/images/individualImage?" + images[0]["query"], timeout=10).read()
        assert png.startswith(b"\x89PNG") and tf.io.decode_png(png).shape == (6, 8, 3)

        experiment = _get(base + "/data/plugin/hparams/experiment", {"experimentName": ""})
        assert [(h["name"], h["domainDiscrete"]) for h in experiment["hparamInfos"]] == [("units", [8.0, 16.0])]
        groups = _get(base + "/data/plugin/hparams/session_groups", {
            "experimentName": "", "startIndex": 0, "sliceSize": 10, "colParams": [{"hparam": "units"}],
            "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]})
        (group,) = groups["sessionGroups"]
        assert group["name"] == "trial-16" and group["hparams"] == {"units": 16.0}
        assert group["metricValues"][0]["trainingStep"] == 4

        graph = _get(base + "/data/plugin/graphs/graph?run=run1&conceptual=false")
        assert 'op: "Placeholder"' in graph and 'op: "WriteSummary"' in graph
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
