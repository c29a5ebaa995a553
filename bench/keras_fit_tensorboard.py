"""W1 with the TensorBoard callback: the seed MLP (bench/keras_fit_mlp.py) fit for one epoch on 60,000
synthetic samples at batch 128, with `TensorBoard(update_freq="epoch")` and without, alternating runs;
the figure is median(time without) / median(time with): 1.0 means the callback costs nothing, and it
must stay >= 0.95. The extra `best_ratio` compares the fastest runs (noise on this shared machine
only ever adds time, so best-of-N isolates the callback's own cost)."""
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402
from keras_fit_mlp import BATCH, N, make  # noqa: E402

REPEATS = 9


def workload(tf):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, 128)).astype("float32")
    y = rng.integers(0, 10, N).astype("int32")
    model = make(tf)  # one model for both: only the callback differs between the runs
    with tempfile.TemporaryDirectory() as logdir:
        def fit(with_callback, i):
            callbacks = [tf.keras.callbacks.TensorBoard(os.path.join(logdir, "run%d" % i), update_freq="epoch")] \
                if with_callback else None
            t0 = time.perf_counter()
            model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=callbacks)
            return time.perf_counter() - t0

        fit(False, -1)  # the first epoch traces every step shape
        fit(True, -2)
        without, with_tb = [], []
        for i in range(REPEATS):
            for with_callback in ((False, True) if i % 2 == 0 else (True, False)):
                (with_tb if with_callback else without).append(fit(with_callback, i))
    t_without, t_with = statistics.median(without), statistics.median(with_tb)
    return t_without / t_with, {"fit_s_without_callback": t_without, "fit_s_with_tensorboard": t_with,
                                "best_ratio": min(without) / min(with_tb)}


if __name__ == "__main__":
    run("keras_fit_tensorboard_overhead", workload, "speed ratio (without/with)", True, os.path.abspath(__file__),
        samples=N, batch=BATCH, repeats=REPEATS)
