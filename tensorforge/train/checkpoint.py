"""TF2 object-based checkpoints in TensorFlow's file format (tf.train.Checkpoint and friends).

A checkpoint `prefix` is a tensor bundle (`prefix.index` + `prefix.data-00000-of-00001`, see
`_bundle`) holding each variable under `<path>/.ATTRIBUTES/VARIABLE_VALUE`, where <path> is
the chain of local names from the root object, and the serialized TrackableObjectGraph under
`_CHECKPOINTABLE_OBJECT_GRAPH`. Files written here are read by real TensorFlow and the other
way round (see `_trackable` for how Keras objects are named as Keras 3 names them).
"""
from __future__ import annotations

import os
import time
import weakref

import numpy as np

from ..framework import dtypes, errors
from ..framework.context import ctx, init_scope
from ..framework.variables import Variable
from . import _restore, _state, _trackable
from ._bundle import BundleReader, BundleWriter
from ._manager import CheckpointManager
from ._state import get_checkpoint_state, latest_checkpoint

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointOptions", "checkpoints_iterator", "get_checkpoint_state",
           "latest_checkpoint", "list_variables", "load_checkpoint", "load_variable"]


# ---------------------------------------------------------------- reading tensors
class CheckpointReader:
    """Reads the tensors of a checkpoint (what `tf.train.load_checkpoint` returns)."""

    def __init__(self, prefix: str):
        self._bundle = BundleReader(prefix)

    def has_tensor(self, name: str) -> bool:
        return name in self._bundle

    def get_tensor(self, name: str):
        """The tensor `name` as NumPy: an array, a NumPy scalar, or bytes for a scalar string."""
        value = self._bundle.read(name)
        if value.ndim == 0:
            return value[()]
        return value

    def get_variable_to_shape_map(self) -> dict:
        return {k: self._bundle.shape(k) for k in self._bundle.keys()}

    def get_variable_to_dtype_map(self) -> dict:
        out = {}
        for k in self._bundle.keys():
            enum = self._bundle.dtype_enum(k)
            d = dtypes._BY_ENUM.get(enum)
            if d is None:
                raise errors.UnimplementedError(None, None, "Data type not supported: %s has dtype enum %d" % (k, enum))
            out[k] = d
        return out

    def debug_string(self) -> bytes:
        lines = []
        for k in sorted(self._bundle.keys()):
            d = dtypes._BY_ENUM.get(self._bundle.dtype_enum(k))
            lines.append("%s (DT_%s) %s\n" % (k, (_restore._type_string(d) if d else "INVALID").upper(),
                                              self._bundle.shape(k)))
        return "".join(lines).encode("utf-8")


def _checkpoint_filename(ckpt_dir_or_file) -> str:
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(ckpt_dir_or_file):
        return latest_checkpoint(ckpt_dir_or_file)
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader of the checkpoint `ckpt_dir_or_file` (a prefix, or a directory: its latest checkpoint).

    Raises:
      ValueError: if a directory holds no checkpoint.
      tf.errors.NotFoundError: if there is no checkpoint at the prefix.
    """
    filename = _checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory %s" % ckpt_dir_or_file)
    return CheckpointReader(filename)


def list_variables(ckpt_dir_or_file) -> list:
    """The (name, shape) pairs of a checkpoint's tensors, sorted by name."""
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file, name: str):
    """The value of tensor `name` (a trailing ':0' is ignored) in a checkpoint."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new latest checkpoint of `checkpoint_dir` as it appears (polling once a second).

    Stops after `timeout` seconds without a new checkpoint, unless `timeout_fn()` returns False.
    """
    last = None
    while True:
        stop = time.time() + timeout if timeout is not None else None
        while True:
            path = latest_checkpoint(checkpoint_dir)
            if path is not None and path != last:
                break
            if stop is not None and time.time() + 1 > stop:
                path = None
                break
            time.sleep(1)
        if path is None:
            if not timeout_fn or timeout_fn():
                return
            continue
        start = time.time()
        last = path
        yield path
        wait = start + min_interval_secs - time.time()
        if wait > 0:
            time.sleep(wait)


# ---------------------------------------------------------------- tf.train.Checkpoint
class CheckpointOptions:
    """Options for `Checkpoint.save`, `write`, `read` and `restore` (tf.train.CheckpointOptions).

    Only `experimental_write_callbacks` (functions called with the written prefix) has an
    effect here; the others are accepted for compatibility.
    """

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False, experimental_sharding_callback=None,
                 experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint or enable_async
        self.enable_async = self.experimental_enable_async_checkpoint
        self.experimental_write_callbacks = experimental_write_callbacks
        self.experimental_sharding_callback = experimental_sharding_callback
        self.experimental_skip_slot_variables = experimental_skip_slot_variables


class _MetricState:
    """A Keras metric's state variables as a checkpoint dependency (its variable attributes)."""

    def __init__(self, metric):
        self.metric = metric

    def _trackable_children(self) -> dict:
        return {k: v for k, v in vars(self.metric).items() if isinstance(v, Variable)}


def _is_metric(obj) -> bool:
    return any(c.__name__ == "Metric" and c.__module__.endswith("keras.metrics_base") for c in type(obj).__mro__)


def _as_dependency(value, name: str):
    obj = value() if isinstance(value, weakref.ref) else value
    if _is_metric(obj):
        return _MetricState(obj)
    if not (_trackable.is_trackable(obj) or isinstance(obj, (list, tuple, dict))):
        raise ValueError("`Checkpoint` was expecting %s to be a trackable object (an object derived from `Trackable`), "
                         "got %s. If you believe this object should be trackable (i.e. it is part of the TensorFlow "
                         "Python API and manages state), please open an issue." % (name, obj))
    return obj


class _AttachedRoot:
    """The graph root of `Checkpoint(root=obj, **kwargs)`: `obj`'s own children, then the keyword
    arguments (`root` among them, pointing back here) and `save_counter`, as TF attaches them."""

    _tf_checkpoint_setattr_hook = True

    def __init__(self, checkpoint):
        self._checkpoint = checkpoint

    def _trackable_children(self) -> dict:
        ck = self._checkpoint
        out = dict(_trackable.trackable_children(ck._root_object()))
        for k, v in ck._deps.items():
            out.setdefault(k, self if k == "root" else v)
        if ck._save_counter is not None:
            out.setdefault("save_counter", ck._save_counter)
        return out


class Checkpoint:
    """Saves and restores the variables of a group of objects (tf.train.Checkpoint).

    Keyword arguments name the objects (tf.Variable, tf.Module, Keras layers, models and
    optimizers, lists and dicts of them); their variables are saved under names built from
    the attribute names that lead to them, in TensorFlow's checkpoint format.

    Example:

    >>> ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer)
    >>> path = ckpt.save("/tmp/training/ckpt")        # '/tmp/training/ckpt-1'
    >>> ckpt.restore(path).assert_consumed()

    Args:
      root: an object to use as the root of the checkpoint (its dependencies become the
        checkpoint's); the keyword arguments are attached to it.
      **kwargs: the objects to checkpoint, by name.
    """

    _tf_checkpoint_setattr_hook = True

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_deps", {})
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_graph_root", self)
        if root is not None:
            root_obj = _as_dependency(root, "root")
            object.__setattr__(self, "_graph_root", _AttachedRoot(self))
            kwargs["root"] = root
            existing = dict(_trackable.trackable_children(root_obj))
        for k, v in sorted(kwargs.items(), key=lambda item: item[0]):
            dep = _as_dependency(v, k)
            if root is not None and k != "root":
                child = existing.get(k)
                if child is not None and child is not dep:
                    raise ValueError("Cannot create a Checkpoint with keyword argument %s if root.%s already exists."
                                     % (k, k))
            self._deps[k] = dep
            object.__setattr__(self, k, v)

    def _root_object(self):
        root = self._root
        return root() if isinstance(root, weakref.ref) else root

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if not name.startswith("_") and (_trackable.is_trackable(value) or _is_metric(value)):
            self._deps[name] = _as_dependency(value, name)
            restorer = self.__dict__.get(_restore._RESTORER_ATTR)
            if restorer is not None:
                restorer.on_new_objects()

    def _trackable_children(self) -> dict:
        out = dict(self._deps)
        if self._save_counter is not None:
            out["save_counter"] = self._save_counter
        return out

    @property
    def save_counter(self) -> Variable:
        """The number of `save` calls (an int64 variable, created on first use and saved with the checkpoint)."""
        self._maybe_create_save_counter()
        return self._save_counter

    def _maybe_create_save_counter(self) -> None:
        if self._save_counter is None:
            with init_scope():
                counter = Variable(0, dtype=dtypes.int64, trainable=False, name="save_counter")
            object.__setattr__(self, "_save_counter", counter)
            restorer = self.__dict__.get(_restore._RESTORER_ATTR) or getattr(
                self._graph_root, "__dict__", {}).get(_restore._RESTORER_ATTR)
            if restorer is not None:
                restorer.on_new_objects()

    # -- writing
    def write(self, file_prefix, options: CheckpointOptions | None = None) -> str:
        """Writes a checkpoint at `file_prefix` (no numbering, no state file); returns the prefix."""
        return self._write(os.fspath(file_prefix), options)

    def _write(self, file_prefix: str, options=None, callbacks=()) -> str:
        if ctx.graph is not None:
            raise NotImplementedError("tf.train.Checkpoint.write() cannot be called while a tf.function is being "
                                      "traced here: call it eagerly, outside the function.")
        graph = _trackable.ObjectGraph(self._graph_root)
        writer = BundleWriter(file_prefix)
        for _, key, var in graph.variables():
            writer.add(key, np.asarray(var._variable_value()._value), var.dtype)
        saveables = graph.saveables()
        for _, tensors in saveables:
            for _, key, value in tensors:
                value = np.asarray(value)
                writer.add(key, value, dtypes.string if value.dtype == object else dtypes.as_dtype(value.dtype))
        proto = graph.to_proto(saveables)
        writer.add(_trackable.OBJECT_GRAPH_KEY, np.array(proto.SerializeToString(), dtype=object), dtypes.string)
        writer.finish()
        for fn in list(getattr(options, "experimental_write_callbacks", None) or ()) + list(callbacks):
            fn(file_prefix)
        return file_prefix

    def save(self, file_prefix, options: CheckpointOptions | None = None) -> str:
        """Writes `<file_prefix>-<N>` (N: the incremented `save_counter`) and records it in the
        directory's `checkpoint` state file; returns that path."""
        if ctx.graph is not None:
            raise NotImplementedError(
                "Calling tf.train.Checkpoint.save() from a function is not supported, as save() modifies saving "
                "metadata in ways not supported by TensorFlow Operations. Consider using tf.train.Checkpoint.write(), "
                "a lower-level API which does not update metadata. tf.train.latest_checkpoint and related APIs will "
                "not see this checkpoint.")
        file_prefix = os.fspath(file_prefix)
        number = int(self.save_counter.assign_add(1).numpy())

        def update_state(path):
            _state.update_checkpoint_state(os.path.dirname(path), model_checkpoint_path=path,
                                           all_model_checkpoint_paths=[path], save_relative_paths=True)

        return self._write("%s-%d" % (file_prefix, number), options, callbacks=[update_state])

    # -- reading
    def read(self, save_path, options: CheckpointOptions | None = None):
        """Restores the checkpoint at `save_path` (see `restore`), without touching `save_counter`."""
        if save_path is None:
            return _restore.InitializationOnlyStatus()
        save_path = os.fspath(save_path)
        reader = BundleReader(save_path)
        if _trackable.OBJECT_GRAPH_KEY not in reader:
            return _restore.NameBasedSaverStatus(reader, self._graph_root)
        proto = _trackable.TrackableObjectGraph()
        data = reader.read(_trackable.OBJECT_GRAPH_KEY)[()]
        try:
            proto.ParseFromString(data)
        except Exception:
            raise errors.DataLossError(None, None, "%s: the object graph (%s) cannot be parsed"
                                       % (save_path, _trackable.OBJECT_GRAPH_KEY)) from None
        restorer = _restore.Restorer(reader, proto, self._graph_root, save_path)
        restorer.walk()
        return _restore.CheckpointLoadStatus(restorer)

    def restore(self, save_path, options: CheckpointOptions | None = None):
        """Restores the checkpoint at `save_path` into the objects of this checkpoint.

        Variables that exist get their values now; those created later (a Keras layer built
        on its first call, optimizer slots made on the first step) get them when created.
        A SavedModel directory restores from its `variables/variables` checkpoint.

        Returns:
          A status object with `assert_consumed()`, `assert_existing_objects_matched()`,
          `assert_nontrivial_match()` and `expect_partial()`.

        Raises:
          tf.errors.NotFoundError: if there is no checkpoint at `save_path`.
        """
        orig = save_path
        if save_path is not None:
            save_path = os.fspath(save_path)
            if os.path.isdir(save_path) and (os.path.exists(os.path.join(save_path, "saved_model.pb"))
                                             or os.path.exists(os.path.join(save_path, "saved_model.pbtxt"))):
                save_path = os.path.join(save_path, "variables", "variables")
        try:
            status = self.read(save_path, options)
        except errors.NotFoundError as e:
            raise errors.NotFoundError(
                None, None, "Error when restoring from checkpoint or SavedModel at %s: %s\nPlease double-check that "
                "the path is correct. You may be missing the checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1')."
                % (orig, e.message)) from None
        self._maybe_create_save_counter()
        return status

    def sync(self) -> None:
        """Waits for outstanding saves (saving is synchronous here)."""
