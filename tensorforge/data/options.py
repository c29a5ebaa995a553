"""tf.data.Options and its option groups (threading, autotune, optimization, distribute)."""
from __future__ import annotations

import enum


class _OptionGroup:
    """Options with defaults of None (meaning "the default"); unknown names raise AttributeError."""

    _DEFAULTS: dict = {}

    def __init__(self):
        for k, v in self._DEFAULTS.items():
            object.__setattr__(self, k, v() if callable(v) else v)

    def __setattr__(self, name, value):
        if name not in self._DEFAULTS:
            raise AttributeError("%s has no option %r" % (type(self).__name__, name))
        object.__setattr__(self, name, value)

    def __eq__(self, other):
        return type(other) is type(self) and vars(self) == vars(other)

    def merge(self, other):
        """Options set in `other` override those left at their default here."""
        out = type(self)()
        for k in self._DEFAULTS:
            a, b = getattr(self, k), getattr(other, k)
            if isinstance(a, _OptionGroup):
                object.__setattr__(out, k, a.merge(b))
            else:
                object.__setattr__(out, k, b if b is not None else a)
        return out

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % kv for kv in vars(self).items()))


class ThreadingOptions(_OptionGroup):
    """`private_threadpool_size` caps the threads a pipeline's parallel stages use."""
    _DEFAULTS = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class AutotuneOptions(_OptionGroup):
    _DEFAULTS = {"enabled": None, "cpu_budget": None, "ram_budget": None, "autotune_algorithm": None,
                 "initial_parallelism": None, "min_parallelism": None}


class OptimizationOptions(_OptionGroup):
    """`map_vectorization` (ours: on by default) lets elementwise map functions run on chunks."""
    _DEFAULTS = {"apply_default_optimizations": None, "filter_fusion": None, "filter_parallelization": None,
                 "inject_prefetch": None, "map_and_batch_fusion": None, "map_and_filter_fusion": None,
                 "map_fusion": None, "map_parallelization": None, "noop_elimination": None, "parallel_batch": None,
                 "shuffle_and_repeat_fusion": None, "seq_interleave_prefetch": None}


class AutoShardPolicy(enum.IntEnum):
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class DistributeOptions(_OptionGroup):
    _DEFAULTS = {"auto_shard_policy": None, "num_devices": None}


class ExternalStatePolicy(enum.IntEnum):
    WARN = 0
    IGNORE = 1
    FAIL = 2


class Options(_OptionGroup):
    """Options of a dataset (`tf.data.Options`), set with `dataset.with_options(options)`.

    `deterministic=False` lets parallel map and interleave yield elements as soon as they are
    ready; `threading.private_threadpool_size` caps their threads; `autotune.enabled=False` turns
    AUTOTUNE's measurements off (AUTOTUNE then means the number of CPUs).
    """
    _DEFAULTS = {"deterministic": None, "experimental_deterministic": None, "threading": ThreadingOptions,
                 "autotune": AutotuneOptions, "experimental_optimization": OptimizationOptions,
                 "experimental_distribute": DistributeOptions, "experimental_slack": None,
                 "experimental_external_state_policy": None, "experimental_warm_start": None,
                 "experimental_symbolic_checkpoint": None, "dataset_name": None, "framework_type": None}

    @property
    def is_deterministic(self) -> bool:
        d = self.deterministic if self.deterministic is not None else self.experimental_deterministic
        return True if d is None else bool(d)
