"""Writes a short loss curve with tf.summary, serves it with TensorBoard and saves a screenshot
of the scalars dashboard taken by headless Chromium.

    .venv/bin/python scripts/tensorboard_screenshot.py /tmp/tensorboard.png [--logdir DIR]

Needs the tensorboard package and a Chromium (`apt-get install chromium`); not part of the tests.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import tensorforge as tf
from tensorforge import summary

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,900", "--virtual-time-budget=15000"]


def _logger(step: tf.Variable):
    """A tf.function that writes `loss` at `step` and advances it (traced once per writer)."""
    @tf.function
    def log(loss):
        summary.scalar("loss", loss, step=step)
        step.assign_add(1)
    return log


def write_loss_curve(logdir: str, steps: int = 100) -> None:
    """A training-like loss curve (train and validation runs) written inside a tf.function."""
    for run, scale in (("train", 1.0), ("validation", 1.15)):
        writer = summary.create_file_writer(os.path.join(logdir, run))
        log = _logger(tf.Variable(0, dtype=tf.int64))
        with writer.as_default():
            for s in range(steps):
                log(tf.constant(scale * (2.0 * math.exp(-s / 25.0) + 0.1 + 0.05 * math.sin(s / 3.0))))
        writer.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("tensorboard exited:\n" + proc.stdout.read())
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.read().strip() not in (b"", b"[]", b"{}"):
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError("tensorboard did not answer at %s" % url)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", help="where to save the screenshot")
    parser.add_argument("--logdir", help="log directory (default: a temporary one)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    logdir = args.logdir or tempfile.mkdtemp(prefix="tf_summary_logs_")
    write_loss_curve(logdir)

    tensorboard = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
    port = _free_port()
    command = ([tensorboard] if tensorboard else [sys.executable, "-m", "tensorboard.main"]) + [
        "--logdir", logdir, "--host", "127.0.0.1", "--port", str(port), "--load_fast=false"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    profile = tempfile.mkdtemp(prefix="chromium_profile_")
    try:
        base = "http://127.0.0.1:%d" % port
        _wait_for(base + "/data/plugin/scalars/tags", proc)
        png = os.path.abspath(args.png)
        subprocess.run([args.chromium, *CHROMIUM_FLAGS, "--user-data-dir=" + profile, "--screenshot=" + png,
                        base + "/#scalars"], check=True, timeout=120, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print("logdir:", logdir)
        print("screenshot:", png)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
