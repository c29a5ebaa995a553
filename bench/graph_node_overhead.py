"""Executor overhead: a tf.function whose graph is a chain of 1,000 small elementwise ops on a
4-element float32 vector; microseconds per node per call (median of 7), and the speed-up of
the tf.function over running the same ops eagerly."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import median_time, run  # noqa: E402

NODES = 1000


def chain(tf, x):
    # Alternating ops whose results do not simplify away (no x*1 or x+0 for passes to remove).
    for _ in range(NODES // 2):
        x = x * 1.0001
        x = x + 0.5
    return x


def workload(tf):
    # Fusion would turn the chain into one node; this measures the per-node cost of the executor.
    tf.config.optimizer.set_experimental_options({"remapping": False})
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    f = tf.function(lambda v: chain(tf, v))
    f(x)  # trace
    per_call = median_time(lambda: f(x), repeats=7, number=20)
    eager = median_time(lambda: chain(tf, x), repeats=5, number=5)
    return per_call / NODES * 1e6, {"function_speedup_over_eager": eager / per_call}


if __name__ == "__main__":
    run("graph_node_overhead_1000_chain", workload, "us/node", False, os.path.abspath(__file__), nodes=NODES)
