"""Parallel map scaling: a map function costing about 1 ms of array work per element (sin/cos over
40,000 floats, five times), over 400 elements, run with num_parallel_calls=None (sequential) and
AUTOTUNE; the figure is elements/s with AUTOTUNE, and the extra is its speed-up over sequential."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

ELEMENTS, RUNS = 400, 3


def workload(tf):
    base = tf.range(40_000, dtype=tf.float32) / 40_000.0

    def heavy(i):
        y = base + tf.cast(i, tf.float32)
        for _ in range(5):
            y = tf.sin(y) * tf.cos(y)
        return tf.reduce_sum(y)

    def rate(parallel):
        ds = tf.data.Dataset.range(ELEMENTS).map(heavy, num_parallel_calls=parallel)
        for _ in ds.take(10):  # warm up (tracing, thread start)
            pass
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            n = sum(1 for _ in ds)
            times.append(time.perf_counter() - t0)
        assert n == ELEMENTS
        return ELEMENTS / statistics.median(times)

    sequential = rate(None)
    parallel = rate(tf.data.AUTOTUNE)
    return parallel, {"sequential_per_s": sequential, "speedup_over_sequential": parallel / sequential}


if __name__ == "__main__":
    run("data_parallel_map_1ms", workload, "elements/s", True, os.path.abspath(__file__), elements=ELEMENTS)
