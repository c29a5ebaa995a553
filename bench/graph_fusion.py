"""Elementwise fusion (the `remapping` pass): a tf.function computing a 10-op elementwise chain
(scale, bias, relu, square, shift, tanh, affine, max) on a 1M-element float32 vector;
milliseconds per call with the default optimizer options (median of 20x5 calls), and, as extras, the
same with `remapping` switched off and the ratio of the two (measured interleaved, so that
machine noise hits both alike)."""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

N = 1 << 20


def chain(tf, x, b):
    y = tf.nn.relu(x * 1.5 + b)
    y = y * y - 0.25
    y = tf.tanh(y) * 0.5 + 0.5
    return tf.maximum(y, 0.1)


def workload(tf):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal(N).astype(np.float32))
    b = tf.constant(rng.standard_normal(N).astype(np.float32))
    # None is the default setting. The option is set around every call, not only the trace:
    # TF applies its optimizer options when a function runs, tensorforge when it is traced.
    modes = {"default": None, "fused": True, "unfused": False}
    fns = {name: tf.function(lambda x, b: chain(tf, x, b)) for name in modes}
    times = {name: [] for name in modes}
    try:
        for rep in range(21):
            for name, f in fns.items():
                tf.config.optimizer.set_experimental_options({"remapping": modes[name]})
                t0 = time.perf_counter()
                for _ in range(5):
                    f(x, b)
                if rep:  # the first round traces and warms up
                    times[name].append((time.perf_counter() - t0) / 5)
    finally:
        tf.config.optimizer.set_experimental_options({"remapping": None})
    ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    return ms["default"], {"remapping_on_ms": ms["fused"], "remapping_off_ms": ms["unfused"],
                           "remapping_speedup": ms["unfused"] / ms["fused"]}


if __name__ == "__main__":
    run("graph_fusion_elementwise_chain_1m", workload, "ms/call", False, os.path.abspath(__file__), elements=N, ops=10)
