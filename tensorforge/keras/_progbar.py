"""tf.keras.utils.Progbar: Keras 3's progress bar (the same output format as Keras)."""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

from .config import print_msg


def _fmt_eta(eta: float) -> str:
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


def _fmt_time(time_per_unit: float, unit_name: str) -> str:
    if time_per_unit >= 1 or time_per_unit == 0:
        return " %.0fs/%s" % (time_per_unit, unit_name)
    if time_per_unit >= 1e-3:
        return " %.0fms/%s" % (time_per_unit * 1e3, unit_name)
    return " %.0fus/%s" % (time_per_unit * 1e6, unit_name)


class Progbar:
    """Displays a progress bar.

    Args:
      target: the total number of steps, None if unknown.
      width: the bar's width in characters.
      verbose: 0 (silent), 1 (a bar redrawn in place), 2 (one line when done).
      interval: the minimum time between redraws, in seconds.
      stateful_metrics: names of metrics shown as they are (others are averaged over steps).
      stateless_metrics: names of metrics averaged over steps (the others shown as they are).
      unit_name: the name of a step ("step" or "sample").
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics=None, stateless_metrics=None, unit_name: str = "step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                             "`stateful_metrics` is used to make metrics stateless by default (with an exclusion "
                             "list), while `stateless_metrics` is used to make metrics stateful by default (with "
                             "an exclusion list).")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _average(self, k) -> float:
        values, count = self._values[k]
        if not isinstance(values, float):
            values = np.mean(values)
        return values / max(1, count)

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Updates the bar to step `current`.

        Args:
          current: the index of the current step.
          values: a list of (name, value_for_last_step) pairs.
          finalize: whether this is the last update (default: `current >= target`).
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            stateless = (k not in self.stateful_metrics if self.stateful_metrics is not None
                         else k in self.stateless_metrics)
            if stateless and not finalize:
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
            special = 0
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = "\x1b[1m%*d/%d\x1b[0m " % (digits, current, self.target)
                special += 8
                filled = int(self.width * float(current) / self.target)
                if filled > 0:
                    bar += "\33[32m%s\x1b[0m" % ("━" * filled)
                    special += 9
                bar += "\33[37m%s\x1b[0m" % ("━" * (self.width - filled))
                special += 9
            else:
                bar = "%7d/Unknown" % current
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                info = " \x1b[1m%s\x1b[0m" % _fmt_eta(time_per_unit * (self.target - current))
            else:
                info = " \x1b[1m%.0fs\x1b[0m" % (now - self._start)
            special += 8
            info += _fmt_time(time_per_unit, self.unit_name)
            for k in self._values_order:
                avg = self._average(k)
                info += " - %s: %s" % (k, "%.4f" % avg if abs(avg) > 1e-3 else "%.4e" % avg)
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            print_msg(message, line_break=False)
            self._prev_total_width = total_width
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            info = "%*d/%d - %.0fs -%s" % (digits, current, self.target, now - self._start,
                                           _fmt_time(time_per_unit, self.unit_name))
            for k in self._values_order:
                avg = self._average(k)
                info += " - %s: %s" % (k, "%.4f" % avg if avg > 1e-3 else "%.4e" % avg)
            print_msg(info + "\n", line_break=False)
        self._last_update = now

    def add(self, n: int, values=None) -> None:
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the (usually slower) first step once more steps are done."""
        if current:
            if self._time_after_first_step is not None and current > 1:
                return (now - self._time_after_first_step) / (current - 1)
            if current == 1:
                self._time_after_first_step = now
            return (now - self._start) / current
        return 0
