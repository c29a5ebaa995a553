"""Gradients through a graph loop: a tf.function (length unknown while tracing) runs a 100-step
tanh recurrence with tf.scan over a [100, 32, 64] sequence and takes the gradient of the loss
with respect to the recurrent weight inside the function (TensorArray gradients); milliseconds
per call, median of 7."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import median_time, run  # noqa: E402

STEPS, BATCH, UNITS = 100, 32, 64


def workload(tf):
    rng = np.random.default_rng(0)
    xs = tf.constant(rng.standard_normal((STEPS, BATCH, UNITS)).astype(np.float32) * 0.1)
    w = tf.Variable(rng.standard_normal((UNITS, UNITS)).astype(np.float32) * 0.1)

    @tf.function(input_signature=[tf.TensorSpec([None, BATCH, UNITS])])
    def step(xs):
        with tf.GradientTape() as tape:
            hs = tf.scan(lambda h, x: tf.tanh(tf.matmul(h, w) + x), xs, initializer=tf.zeros([BATCH, UNITS]))
            loss = tf.reduce_sum(hs[-1] ** 2)
        return loss, tape.gradient(loss, w)

    step(xs)  # trace
    return median_time(lambda: step(xs), repeats=7, number=3) * 1e3, {}


if __name__ == "__main__":
    run("function_scan_gradient_100_steps", workload, "ms", False, os.path.abspath(__file__),
        steps=STEPS, batch=BATCH, units=UNITS)
