"""The `checkpoint` state file: a text-format CheckpointState naming a directory's latest checkpoints
(tensorflow/python/checkpoint/checkpoint_management.py)."""
from __future__ import annotations

import glob
import logging
import os
import tempfile

from google.protobuf import text_format

from ..protos.checkpoint_state_pb2 import CheckpointState

_log = logging.getLogger("tensorflow")


def _state_filename(save_dir: str, latest_filename: str | None) -> str:
    return os.path.join(save_dir, latest_filename or "checkpoint")


def atomic_write(path: str, data: bytes) -> None:
    """Writes `path` through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _relpath(path: str, start: str) -> str:
    return os.path.relpath(path, start or os.curdir)


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    """A CheckpointState whose paths are relative to `save_dir` when `save_dir` is relative."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError("Checkpoint timestamps, if provided, must match checkpoint paths (got paths %s and "
                         "timestamps %s)" % (paths, all_model_checkpoint_timestamps))
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = _relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else _relpath(p, save_dir) for p in paths]
    return CheckpointState(model_checkpoint_path=model_checkpoint_path, all_model_checkpoint_paths=paths,
                           all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
                           last_preserved_timestamp=last_preserved_timestamp)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, save_relative_paths=False, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None) -> None:
    """Rewrites the state file of `save_dir` (atomically)."""
    filename = _state_filename(save_dir, latest_filename)
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        if os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = _relpath(model_checkpoint_path, save_dir)
        paths = [_relpath(p, save_dir) if os.path.isabs(p) else p for p in paths]
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, paths,
                                            all_model_checkpoint_timestamps, last_preserved_timestamp)
    if filename == state.model_checkpoint_path:
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state.  Please use a different "
                           "save path." % model_checkpoint_path)
    atomic_write(filename, text_format.MessageToString(state).encode("utf-8"))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState in `checkpoint_dir`'s `checkpoint` file (paths made absolute), or None.

    Args:
      checkpoint_dir: the directory of checkpoints.
      latest_filename: the state file's name (default 'checkpoint').

    Raises:
      ValueError: if the state file names no model_checkpoint_path.
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    filename = _state_filename(checkpoint_dir, latest_filename)
    try:
        with open(filename, "rb") as f:
            content = f.read().decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    state = CheckpointState()
    try:
        text_format.Merge(content, state)
    except text_format.ParseError as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, p in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, p)
    return state


def checkpoint_exists(prefix: str) -> bool:
    """Whether a V2 (`prefix.index`) or V1 (`prefix`) checkpoint exists."""
    return bool(glob.glob(glob.escape(prefix) + ".index")) or os.path.exists(prefix)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the latest checkpoint in `checkpoint_dir` (from its `checkpoint` file), or None.

    Args:
      checkpoint_dir: the directory where checkpoints were saved.
      latest_filename: the state file's name (default 'checkpoint').
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def remove_checkpoint(prefix: str) -> None:
    """Deletes a V2 checkpoint's index and data files."""
    for pattern in (glob.escape(prefix) + ".index", glob.escape(prefix) + ".data-?????-of-?????"):
        for path in glob.glob(pattern):
            try:
                os.remove(path)
            except FileNotFoundError:
                _log.warning("Hit NotFoundError when deleting '%s', possibly because another process/thread is also "
                             "deleting/moving the same file", path)
