"""W2: Keras fit of a small CNN (28x28x1 -> Conv 32 3x3 relu -> MaxPool -> Conv 64 3x3 relu -> MaxPool ->
Flatten -> Dense 128 relu -> Dense 10 softmax; Adam; batch 128) on 6,400 synthetic images: samples/s of
the timed epoch (median of 3)."""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

N, BATCH = 6_400, 128


def workload(tf):
    keras = tf.keras
    rng = np.random.default_rng(0)
    x = rng.random((N, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, N).astype("int32")
    rates = []
    for _ in range(3):
        model = keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
            keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x[:BATCH * 2], y[:BATCH * 2], batch_size=BATCH, epochs=1, verbose=0)  # trace
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        rates.append(N / (time.perf_counter() - t0))
    return statistics.median(rates)


if __name__ == "__main__":
    run("keras_fit_small_cnn", workload, "samples/s", True, os.path.abspath(__file__), samples=N, batch=BATCH)
