"""W1: Keras fit of the seed MLP (Input 128 -> Dense 256 relu -> Dropout 0.2 -> Dense 64 relu -> Dense 10
softmax; Adam; sparse categorical crossentropy + accuracy) on 60,000 synthetic samples at batch 128:
samples/s of the second epoch (median of 3 runs), also with steps_per_execution=10."""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

N, BATCH = 60_000, 128


def make(tf, spe=1):
    keras = tf.keras
    model = keras.Sequential([
        keras.Input(shape=(128,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=spe)
    return model


def fit_rate(tf, spe):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, 128)).astype("float32")
    y = rng.integers(0, 10, N).astype("int32")
    rates = []
    for _ in range(3):
        model = make(tf, spe)
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # first epoch: traces every step shape
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        rates.append(N / (time.perf_counter() - t0))
    return statistics.median(rates)


def workload(tf):
    default = fit_rate(tf, 1)
    return default, {"steps_per_execution_10": fit_rate(tf, 10)}


if __name__ == "__main__":
    run("keras_fit_seed_mlp", workload, "samples/s", True, os.path.abspath(__file__), samples=N, batch=BATCH)
