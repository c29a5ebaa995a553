"""The guide's custom training loop under tf.function: GradientTape, Adam and a sparse
categorical accuracy on a 128-256-64-10 MLP at batch 128, written with plain variables and
ops (Keras arrives later); samples/s (median of 7 x 20 steps), and the speed-up of
tf.function over running the same step eagerly."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import median_time, run  # noqa: E402

BATCH, STEPS, SIZES = 128, 20, (128, 256, 64, 10)


def build(tf):
    rng = np.random.default_rng(0)
    weights = [tf.Variable(rng.standard_normal((a, b)).astype(np.float32) * np.float32((2.0 / a) ** 0.5))
               for a, b in zip(SIZES, SIZES[1:])]
    biases = [tf.Variable(np.zeros(b, np.float32)) for b in SIZES[1:]]
    params = weights + biases
    m = [tf.Variable(tf.zeros_like(p)) for p in params]
    v = [tf.Variable(tf.zeros_like(p)) for p in params]
    step_count = tf.Variable(0.0)
    correct = tf.Variable(0.0)
    seen = tf.Variable(0.0)
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7

    def model(x):
        for i, (w, b) in enumerate(zip(weights, biases)):
            x = tf.matmul(x, w) + b
            if i < len(weights) - 1:
                x = tf.nn.relu(x)
        return x

    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, params)
        step_count.assign_add(1.0)
        t = step_count.read_value()
        alpha = lr * tf.sqrt(1.0 - tf.pow(b2, t)) / (1.0 - tf.pow(b1, t))
        for p, g, mi, vi in zip(params, grads, m, v):
            mi.assign_add((g - mi) * (1.0 - b1))
            vi.assign_add((tf.square(g) - vi) * (1.0 - b2))
            p.assign_sub(alpha * mi / (tf.sqrt(vi) + eps))
        pred = tf.argmax(logits, axis=1, output_type=tf.int32)
        correct.assign_add(tf.reduce_sum(tf.cast(tf.equal(pred, y), tf.float32)))
        seen.assign_add(float(BATCH))
        return loss

    rng2 = np.random.default_rng(1)
    x = tf.constant(rng2.standard_normal((BATCH, SIZES[0])).astype(np.float32))
    y = tf.constant(rng2.integers(0, SIZES[-1], BATCH).astype(np.int32))
    return train_step, x, y


def workload(tf):
    step, x, y = build(tf)
    graph_step = tf.function(step)
    graph_step(x, y)  # trace

    def loop(fn):
        def go():
            for _ in range(STEPS):
                fn(x, y)
        return go

    graph = BATCH * STEPS / median_time(loop(graph_step), repeats=7)
    eager = BATCH * STEPS / median_time(loop(step), repeats=5)
    return graph, {"eager_samples_per_s": eager, "function_speedup_over_eager": graph / eager}


if __name__ == "__main__":
    run("function_custom_training_loop_128_256_64_10", workload, "samples/s", True, os.path.abspath(__file__),
        batch=BATCH)
