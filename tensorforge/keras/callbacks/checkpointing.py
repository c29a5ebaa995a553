"""ModelCheckpoint and BackupAndRestore: saving during fit."""
from __future__ import annotations

import json
import os
import shutil
import warnings

import numpy as np

from .._registry import keras_export
from .callback import Callback
from .training_control import _monitor_op


@keras_export("keras.callbacks.ModelCheckpoint")
class ModelCheckpoint(Callback):
    """Saves the model (or its weights) after epochs, optionally only when `monitor` improves.

    `filepath` may hold format fields filled from the epoch and the logs, e.g.
    "ckpt-{epoch:02d}-{val_loss:.2f}.keras". It must end in ".keras", or in ".weights.h5" with
    save_weights_only=True.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must "
                             "end in `.weights.h5` (Keras weights format). Received: filepath=%s" % self.filepath)
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                             "filepath=%s" % self.filepath)
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError("Unrecognized save_freq: %r" % (save_freq,))
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        self.monitor_op = _monitor_op(monitor, mode)
        self.best = initial_value_threshold
        self._batches = 0

    def _path(self, epoch, logs):
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as e:
            raise KeyError('Failed to format this callback filepath: "%s". Reason: %s' % (self.filepath, e)) from None

    def _save(self, epoch, logs):
        path = self._path(epoch, logs)
        if self.save_best_only:
            current = (logs or {}).get(self.monitor)
            if current is None:
                warnings.warn("Can save best model only with %s available, skipping." % self.monitor, stacklevel=3)
                return
            if self.best is not None and not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print("\nEpoch %d: %s did not improve from %.5f" % (epoch + 1, self.monitor, self.best))
                return
            if self.verbose > 0:
                print("\nEpoch %d: %s improved from %s to %.5f, saving model to %s"
                      % (epoch + 1, self.monitor, "inf" if self.best is None else "%.5f" % self.best, current, path))
            self.best = current
        elif self.verbose > 0:
            print("\nEpoch %d: saving model to %s" % (epoch + 1, path))
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(self._epoch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)


@keras_export("keras.callbacks.BackupAndRestore")
class BackupAndRestore(Callback):
    """Backs up the model after every epoch so that an interrupted fit resumes from the last
    completed epoch; the backup is deleted when training finishes (delete_checkpoint)."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = delete_checkpoint
        self._weights = os.path.join(self.backup_dir, "latest.weights.h5")
        self._state = os.path.join(self.backup_dir, "training_metadata.json")

    def on_train_begin(self, logs=None):
        if os.path.exists(self._weights) and os.path.exists(self._state):
            self.model.load_weights(self._weights)
            with open(self._state) as f:
                self.model._initial_epoch = int(json.load(f)["epoch"]) + 1

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._weights, overwrite=True)
        tmp = self._state + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"epoch": int(epoch), "logs": {k: float(np.asarray(v)) for k, v in (logs or {}).items()}}, f)
        os.replace(tmp, self._state)

    def on_train_end(self, logs=None):
        # Reached only when fit finished: an interrupted fit leaves the backup for the next one.
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
