"""Eager GradientTape training step of a 784-256-10 MLP at batch 128 (SGD); samples/s, median of 7x20 steps."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import median_time, run  # noqa: E402

BATCH, STEPS = 128, 20


def workload(tf) -> float:
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((BATCH, 784)).astype(np.float32))
    y = tf.constant(rng.integers(0, 10, BATCH).astype(np.int32))
    w1 = tf.Variable(rng.standard_normal((784, 256)).astype(np.float32) * 0.05)
    b1 = tf.Variable(np.zeros(256, np.float32))
    w2 = tf.Variable(rng.standard_normal((256, 10)).astype(np.float32) * 0.05)
    b2 = tf.Variable(np.zeros(10, np.float32))
    params = [w1, b1, w2, b2]

    def step():
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.01 * g)
        return loss

    def steps():
        for _ in range(STEPS):
            step()

    steps()  # warm-up
    return BATCH * STEPS / median_time(steps, repeats=7)


if __name__ == "__main__":
    run("eager_mlp_784_256_10_step", workload, "samples/s", True, os.path.abspath(__file__), batch=BATCH)
