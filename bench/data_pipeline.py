"""W6: the seed's input pipeline over 60,000 x 784 uint8 images and int labels:
from_tensor_slices -> shuffle(10,000) -> map(cast / 255, AUTOTUNE) -> batch(128) -> prefetch(AUTOTUNE),
iterated for 3 epochs; batches per second (median of 3 runs)."""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

N, EPOCHS, RUNS = 60_000, 3, 3


def workload(tf):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (N, 784), dtype=np.uint8)
    y = rng.integers(0, 10, N).astype(np.int64)

    def preprocess(image, label):
        return tf.cast(image, tf.float32) / 255.0, label

    ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10_000).map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
          .batch(128).prefetch(tf.data.AUTOTUNE))
    rates = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        n = 0
        for _ in range(EPOCHS):
            for _images, _labels in ds:
                n += 1
        rates.append(n / (time.perf_counter() - t0))
    assert n == EPOCHS * -(-N // 128)
    return statistics.median(rates)


if __name__ == "__main__":
    run("data_pipeline_seed", workload, "batches/s", True, os.path.abspath(__file__), samples=N, epochs=EPOCHS)
