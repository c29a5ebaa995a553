"""Parallel map scaling: a map function costing about 1 ms of array work per element (sin * cos over
100,000 floats, twice), over 400 elements, run with num_parallel_calls=None (sequential) and AUTOTUNE,
alternating, 9 timings each; the figure is elements/s with AUTOTUNE (median), and the extra is its
speed-up over sequential (median of the paired ratios)."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

ELEMENTS, RUNS = 400, 9


def workload(tf):
    base = tf.range(100_000, dtype=tf.float32) / 100_000.0

    def heavy(i):
        y = base + tf.cast(i, tf.float32)
        for _ in range(2):
            y = tf.sin(y) * tf.cos(y)
        return tf.reduce_sum(y)

    def timed(ds):
        t0 = time.perf_counter()
        n = sum(1 for _ in ds)
        assert n == ELEMENTS
        return ELEMENTS / (time.perf_counter() - t0)

    seq = tf.data.Dataset.range(ELEMENTS).map(heavy)
    par = tf.data.Dataset.range(ELEMENTS).map(heavy, num_parallel_calls=tf.data.AUTOTUNE)
    for ds in (seq, par):
        for _ in ds.take(10):  # warm up (tracing, thread start)
            pass
    pairs = [(timed(seq), timed(par)) for _ in range(RUNS)]  # alternating: drift hits both alike
    return statistics.median(p for _, p in pairs), {
        "sequential_per_s": statistics.median(s for s, _ in pairs),
        "speedup_over_sequential": statistics.median(p / s for s, p in pairs)}


if __name__ == "__main__":
    run("data_parallel_map_1ms", workload, "elements/s", True, os.path.abspath(__file__), elements=ELEMENTS)
