"""Trains the seed's Keras model on the shipped digits with the TensorBoard callback (or, with
--synthetic, writes a loss curve with tf.summary inside a tf.function), serves the logs with the
real TensorBoard and saves a screenshot of its scalars dashboard taken by headless Chromium.

    .venv/bin/python scripts/tensorboard_screenshot.py docs/tensorboard_scalars.png [--logdir DIR]

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


def train_with_callback(logdir: str, epochs: int = 15) -> None:
    """The seed's Sequential model on the shipped digits, logged by keras.callbacks.TensorBoard."""
    keras = tf.keras
    (x, y), _ = keras.datasets.digits.load_data()
    x = x.reshape(-1, 64).astype("float32") / 16.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.2, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(log_dir=logdir, histogram_freq=1)])


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
    parser.add_argument("--synthetic", action="store_true", help="a tf.summary loss curve instead of a fit")
    parser.add_argument("--tag-filter", default="loss", help="the dashboard's tag filter (a regex)")
    args = parser.parse_args(argv)
    logdir = args.logdir or tempfile.mkdtemp(prefix="tf_summary_logs_")
    if args.synthetic:
        write_loss_curve(logdir)
    else:
        train_with_callback(logdir)

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
                        base + "/#scalars&tagFilter=" + args.tag_filter], check=True, timeout=120, stdout=subprocess.DEVNULL,
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
