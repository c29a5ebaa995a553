"""W3: batch-1 latency of calling the seed MLP inside a tf.function (`f(x)` with f = tf.function(model)):
median and p99 microseconds over 2,000 calls."""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402
from keras_fit_mlp import make  # noqa: E402

CALLS = 2000


def workload(tf):
    model = make(tf)
    f = tf.function(lambda x: model(x, training=False))
    x = tf.constant(np.random.default_rng(0).standard_normal((1, 128)).astype("float32"))
    for _ in range(50):
        f(x)
    times = []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        f(x)
        times.append(time.perf_counter() - t0)
    times = np.asarray(times) * 1e6
    return float(np.median(times)), {"p99_us": float(np.percentile(times, 99))}


if __name__ == "__main__":
    run("keras_batch1_latency_seed_mlp", workload, "us", False, os.path.abspath(__file__), calls=CALLS)
