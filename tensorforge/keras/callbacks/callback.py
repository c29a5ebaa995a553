"""Callback base class, the list that drives them, History and the progress bar."""
from __future__ import annotations

import sys
import time

from .._registry import keras_export


@keras_export("keras.callbacks.Callback")
class Callback:
    """Base class of callbacks: hooks called by fit / evaluate / predict (tf.keras.callbacks.Callback)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


class CallbackList:
    """Calls every callback's hook in order."""

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = list(callbacks or [])
        for c in self.callbacks:
            c.set_model(model)
            c.set_params(params)

    def __getattr__(self, name):
        if not name.startswith("on_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            for c in self.callbacks:
                getattr(c, name)(*args, **kwargs)
        return call


@keras_export("keras.callbacks.History")
class History(Callback):
    """Records each epoch's logs in `history` (returned by fit)."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


def _fmt_value(v) -> str:
    """Keras's metric formatting: 4 decimals above 1e-3, else scientific (zero and negatives too)."""
    v = float(v)
    return "%.4f" % v if v > 1e-3 else "%.4e" % v


def _fmt_duration(seconds: float) -> str:
    """Keras's ETA / elapsed format: 42s, 1:05, 1:02:03."""
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _fmt_per_step(seconds: float) -> str:
    """Keras's time per step: 2s/step, 3ms/step or 250us/step."""
    if seconds >= 1 or seconds == 0:
        return "%.0fs/step" % seconds
    if seconds >= 1e-3:
        return "%.0fms/step" % (seconds * 1e3)
    return "%.0fus/step" % (seconds * 1e6)


@keras_export("keras.callbacks.ProgbarLogger")
class ProgbarLogger(Callback):
    """Prints Keras's per-epoch progress bar with step time and metrics (verbose=1), or one
    line per epoch (verbose=2)."""

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout

    _in_fit = False

    def _write(self, text: str) -> None:
        """Writes to the stream, or logs completed lines when keras.config interactive logging is off."""
        from ..config import is_interactive_logging_enabled
        if is_interactive_logging_enabled():
            self.stream.write(text)
            self.stream.flush()
        elif text.endswith("\n"):
            import logging
            logging.getLogger("keras").info(text.strip("\r\n"))

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_test_begin(self, logs=None):
        if not self._in_fit:  # evaluate() has its own bar; fit's validation prints with the epoch
            self._start = time.perf_counter()
            self._test_steps = 0

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._test_steps = batch + 1

    def on_test_end(self, logs=None):
        if not self._in_fit and self.verbose:
            steps = self.params.get("steps") or self._test_steps
            self._write(self._line(steps, logs, True) + "\n")

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._seen = 0
        self._last_update = 0.0
        if self.verbose and self.params.get("epochs", 1) > 1:
            self._write("Epoch %d/%d\n" % (epoch + 1, self.params.get("epochs", 1)))

    def _line(self, step, logs, done):
        steps = self.params.get("steps")
        elapsed = time.perf_counter() - self._start
        per_step = elapsed / max(step, 1)
        metrics = "".join(" - %s: %s" % (k, _fmt_value(v)) for k, v in (logs or {}).items())
        if self.verbose == 2:  # one line per epoch, no bar: "469/469 - 2s - 3ms/step - loss: ..."
            total = steps or step
            return "%*d/%d - %.0fs - %s%s" % (len(str(total)), step, total, elapsed, _fmt_per_step(per_step), metrics)
        bar = ""
        if steps:
            filled = int(20 * step / steps)
            digits = len(str(steps))
            bar = "%*d/%d %s%s " % (digits, step, steps, "━" * filled, "─" * (20 - filled))
        else:
            bar = "%d " % step
        # While running: the ETA; at the end: the elapsed time (as Keras prints them).
        left = elapsed if done or not steps else per_step * (steps - step)
        timing = "%s %s" % (_fmt_duration(left), _fmt_per_step(per_step))
        return "%s%s%s" % (bar, timing, metrics)

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1 and self.stream.isatty():
            now = time.perf_counter()
            if now - self._last_update < 0.05:  # Keras redraws at most every 50 ms
                return
            self._last_update = now
            self._write("\r" + self._line(batch + 1, logs, False))

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            steps = self.params.get("steps") or 0
            self._write(("\r" if self.stream.isatty() else "") + self._line(steps, logs, True) + "\n")
