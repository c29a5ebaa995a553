"""tf.train.CheckpointManager: numbered checkpoints in a directory, the oldest deleted past `max_to_keep`."""
from __future__ import annotations

import collections
import logging
import os
import time

from . import _state

_log = logging.getLogger("tensorflow")


def _evaluate(value):
    return int(value.numpy()) if hasattr(value, "numpy") else int(value)


class CheckpointManager:
    """Manages numbered checkpoints of one `tf.train.Checkpoint` in `directory` (tf.train.CheckpointManager).

    Example:

    >>> ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    >>> manager = tf.train.CheckpointManager(ckpt, "/tmp/ckpts", max_to_keep=3)
    >>> path = manager.save()   # '/tmp/ckpts/ckpt-1'

    Args:
      checkpoint: the `tf.train.Checkpoint` to save and restore.
      directory: where checkpoints and the `checkpoint` state file go.
      max_to_keep: how many recent checkpoints to keep (None: all).
      keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
      checkpoint_name: the checkpoints' file name prefix.
      step_counter: a variable read by `save` when `checkpoint_interval` is set.
      checkpoint_interval: save only when the step counter advanced this much.
      init_fn: called by `restore_or_initialize` when there is no checkpoint.
      last_checkpoint_step: the step of the last checkpoint, for `checkpoint_interval`.
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name: str = "ckpt", step_counter=None, checkpoint_interval=None, init_fn=None,
                 last_checkpoint_step=None):
        self._checkpoint = checkpoint
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError("Expected a positive integer or `None` for `max_to_keep`, got %d." % (max_to_keep,))
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        directory = os.fspath(directory)
        self._directory = directory
        self._checkpoint_prefix = os.path.join(directory, checkpoint_name)
        self._init_fn = init_fn
        if checkpoint_interval is not None:
            if step_counter is None:
                raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
            self._last_checkpoint_step = last_checkpoint_step
            self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        recovered = _state.get_checkpoint_state(directory)
        now = time.time()
        self._maybe_delete = collections.OrderedDict()
        if recovered is None:
            self._latest_checkpoint = None
            self._last_preserved_timestamp = now - 1.0
        else:
            self._latest_checkpoint = recovered.model_checkpoint_path
            self._last_preserved_timestamp = recovered.last_preserved_timestamp
            if now < self._last_preserved_timestamp:
                _log.warning("time.time() returned a value %f seconds behind the last preserved checkpoint "
                             "timestamp." % (self._last_preserved_timestamp - now))
                self._last_preserved_timestamp = now
            paths = list(recovered.all_model_checkpoint_paths)
            stamps = list(recovered.all_model_checkpoint_timestamps) or [self._last_preserved_timestamp] * len(paths)
            for filename, stamp in zip(paths, stamps):
                stamp = min(stamp, now)
                if stamp > self._last_preserved_timestamp:
                    self._maybe_delete[filename] = stamp

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self):
        """The prefix of the most recent checkpoint in `directory`, or None."""
        return self._latest_checkpoint

    @property
    def checkpoints(self) -> list:
        """The managed checkpoints, oldest first."""
        return list(self._maybe_delete.keys())

    @property
    def checkpoint(self):
        return self._checkpoint

    def _sweep(self) -> None:
        if not self._max_to_keep:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            filename, stamp = self._maybe_delete.popitem(last=False)
            if (self._keep_checkpoint_every_n_hours
                    and stamp - self._keep_checkpoint_every_n_hours * 3600.0 >= self._last_preserved_timestamp):
                self._last_preserved_timestamp = stamp
                continue
            _state.remove_checkpoint(filename)

    def _record_state(self) -> None:
        filenames, stamps = zip(*self._maybe_delete.items())
        _state.update_checkpoint_state(self._directory, model_checkpoint_path=self._latest_checkpoint,
                                       all_model_checkpoint_paths=filenames,
                                       all_model_checkpoint_timestamps=stamps,
                                       last_preserved_timestamp=self._last_preserved_timestamp,
                                       save_relative_paths=True)

    def save(self, checkpoint_number=None, check_interval: bool = True, options=None):
        """Writes a checkpoint `<directory>/<checkpoint_name>-<N>`, updates the state file and deletes old ones.

        Args:
          checkpoint_number: N (an int or integer variable); default: the checkpoint's `save_counter`
            after it is incremented.
          check_interval: with `checkpoint_interval`, skip the save unless the step advanced enough.
          options: a `tf.train.CheckpointOptions`.

        Returns:
          The checkpoint's prefix, or None when skipped.
        """
        if self._checkpoint_interval is not None:
            step = _evaluate(self._step_counter)
            if self._last_checkpoint_step is not None:
                if step == self._last_checkpoint_step:
                    return None
                if check_interval and step < self._last_checkpoint_step + self._checkpoint_interval:
                    return None
            self._last_checkpoint_step = step
        save_counter = self._checkpoint.save_counter
        save_counter.assign_add(1)
        if checkpoint_number is None:
            checkpoint_number = save_counter
        prefix = "%s-%d" % (self._checkpoint_prefix, _evaluate(checkpoint_number))

        def record_and_sweep(save_path):
            if save_path in self._maybe_delete:
                del self._maybe_delete[save_path]
            self._maybe_delete[save_path] = time.time()
            self._latest_checkpoint = save_path
            self._record_state()
            self._sweep()
            self._record_state()

        return self._checkpoint._write(prefix, options=options, callbacks=[record_and_sweep])

    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its path, or runs `init_fn` and returns None."""
        if self._latest_checkpoint is not None:
            self._checkpoint.restore(self._latest_checkpoint)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = _evaluate(self._step_counter)
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
            _log.info("Customized initialization is done through the passed `init_fn`.")
        return None

    def sync(self) -> None:
        """Waits for outstanding saves (saving is synchronous here)."""
