"""Eager dispatch: 10,000 eager adds of two 8x8 float32 tensors; microseconds per op (median of 7)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import median_time, run  # noqa: E402

N = 10_000


def workload(tf) -> float:
    a = tf.ones([8, 8], dtype=tf.float32)
    b = tf.ones([8, 8], dtype=tf.float32)
    add = tf.add

    def loop():
        for _ in range(N):
            add(a, b)

    loop()  # warm-up
    return median_time(loop, repeats=7) / N * 1e6


if __name__ == "__main__":
    run("eager_dispatch_add_8x8", workload, "us/op", False, os.path.abspath(__file__), ops=N)
