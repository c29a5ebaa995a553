"""Restoring an object-based checkpoint into Python objects, and the status objects restore returns.

The checkpoint's object graph is matched against the live objects from the root: a node and
an object correspond when their parents do and the local names agree. Matched variables
take their saved values at once. A checkpoint node whose object does not exist yet (a Keras
layer not built, optimizer slots before the first step, a tf.Module attribute assigned
later) waits: the nearest existing ancestor that can grow children (a layer or optimizer,
through its `build`; a tf.Module or Checkpoint, through attribute assignment) gets a hook,
and when it fires the match is run again, so the new variables get their values as they
are created, as in TF.
"""
from __future__ import annotations

import types
from collections import deque

import numpy as np

from ..framework import dtypes, errors
from ..framework.context import init_scope
from ..framework.variables import Variable
from . import _trackable

_RESTORER_ATTR = "_tf_checkpoint_restorer"
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _type_string(dtype) -> str:
    return _TF_TYPE_NAMES.get(dtype.name, dtype.name)


def restore_variable(var, value: np.ndarray, saved_enum: int, key: str) -> None:
    """Assigns a checkpoint value to `var` (eagerly, even while a tf.function is being traced)."""
    if saved_enum != var.dtype.as_datatype_enum:
        saved = dtypes._BY_ENUM.get(saved_enum)
        raise errors.InvalidArgumentError(
            None, None, "tensor_name = %s; expected dtype %s does not equal original dtype %s"
            % (key, _type_string(var.dtype), _type_string(saved) if saved is not None else saved_enum))
    if not var.shape.is_compatible_with(value.shape):
        raise ValueError("Received incompatible tensor with shape %s when attempting to restore variable with shape "
                         "%s and name %s." % (tuple(value.shape), tuple(var.shape.as_list()), var.name))
    with init_scope():
        var.assign(value)


def _hooked_build(self, *args, **kwargs):
    """An object's `build` while a restore waits for what it creates: builds, then restores."""
    out = type(self).build(self, *args, **kwargs)
    restorer = self.__dict__.get(_RESTORER_ATTR)
    if restorer is not None:
        restorer.on_new_objects()
    return out


_hooked_build._tf_checkpoint_hook = True


def _hook_kind(obj):
    """How `obj` announces new children: 'build' (layers, optimizers), 'setattr' (modules, checkpoints), or None."""
    if isinstance(obj, (list, tuple, dict, Variable)):
        return None
    if getattr(type(obj), "_tf_checkpoint_setattr_hook", False):
        return "setattr"
    if callable(getattr(type(obj), "build", None)) and hasattr(obj, "built"):
        return "build"
    return None


class Restorer:
    """Matches one checkpoint against the objects reachable from `root` (again when new objects appear)."""

    def __init__(self, reader, graph_proto, root, save_path: str):
        self.reader = reader
        self.proto = graph_proto
        self.root = root
        self.save_path = save_path
        self.object_by_proto_id: dict = {}
        self._node_of_variable: dict = {}
        self._restored: set = set()
        self.unused_attributes: dict = {}
        self._hooked: dict = {}
        self._walking = False

    def __deepcopy__(self, memo):
        return self  # a copied layer keeps waiting on the same restore

    def on_new_objects(self) -> None:
        if not self._walking:
            self.walk()

    def walk(self) -> None:
        self._walking = True
        try:
            owners, parent = self._match()
        finally:
            self._walking = False
        self._update_hooks(owners, parent)

    def _match(self):
        nodes = self.proto.nodes
        visited = set()
        parent = {}
        owners = []
        queue = deque([(0, self.root)])
        while queue:
            nid, obj = queue.popleft()
            if nid in visited:
                continue
            bound = self.object_by_proto_id.get(nid)
            if bound is not obj:
                if isinstance(obj, Variable):
                    if bound is not None or id(obj) in self._node_of_variable:
                        continue  # the node or the variable is already taken
                    self._node_of_variable[id(obj)] = nid
                elif isinstance(bound, Variable):
                    continue
                self.object_by_proto_id[nid] = obj
            visited.add(nid)
            node = nodes[nid]
            if nid not in self._restored:
                self._restored.add(nid)
                self._restore_attributes(nid, node, obj)
            if not node.children:
                continue
            kids = dict(_trackable.trackable_children(obj))
            missing = False
            for ref in node.children:
                child = kids.get(ref.local_name)
                if child is None:
                    target = nodes[ref.node_id]
                    if ref.node_id not in self.object_by_proto_id and (
                            not target.HasField("has_checkpoint_values") or target.has_checkpoint_values.value):
                        missing = True
                    continue
                if ref.node_id not in visited:
                    parent.setdefault(ref.node_id, nid)
                    queue.append((ref.node_id, child))
            if missing:
                owners.append(nid)
        return owners, parent

    def _restore_attributes(self, nid: int, node, obj) -> None:
        if not node.attributes:
            return
        if not isinstance(obj, Variable) and _trackable._is_saveable(obj) and hasattr(obj, "_restore_from_tensors"):
            obj._restore_from_tensors({a.name: self.reader.read(a.checkpoint_key) for a in node.attributes})
            return
        if not isinstance(obj, Variable):
            self.unused_attributes[nid] = [a.name for a in node.attributes]
            return
        unused = []
        for attr in node.attributes:
            if attr.name != _trackable.VARIABLE_VALUE:
                unused.append(attr.name)
                continue
            key = attr.checkpoint_key
            restore_variable(obj, self.reader.read(key), self.reader.dtype_enum(key), key)
        if unused:
            self.unused_attributes[nid] = unused

    def _update_hooks(self, owners, parent) -> None:
        wanted = {}
        for nid in owners:
            n = nid
            while n is not None:
                obj = self.object_by_proto_id.get(n)
                if obj is not None and _hook_kind(obj) is not None:
                    wanted[id(obj)] = obj
                    break
                n = parent.get(n)
        for key, obj in list(self._hooked.items()):
            if key not in wanted:
                self._unhook(obj)
                del self._hooked[key]
        for key, obj in wanted.items():
            object.__setattr__(obj, _RESTORER_ATTR, self)  # a later restore takes over the object
            if _hook_kind(obj) == "build" and not getattr(obj.__dict__.get("build"), "_tf_checkpoint_hook", False):
                object.__setattr__(obj, "build", types.MethodType(_hooked_build, obj))
            self._hooked[key] = obj

    def _unhook(self, obj) -> None:
        d = obj.__dict__
        if d.get(_RESTORER_ATTR) is self:
            del d[_RESTORER_ATTR]
            if getattr(d.get("build"), "_tf_checkpoint_hook", False):
                del d["build"]

    # -- what the status objects report
    def unmatched_python_variables(self) -> list:
        return [o for o in _trackable.list_objects(self.root)
                if isinstance(o, Variable) and id(o) not in self._node_of_variable]

    def unresolved_nodes(self) -> list:
        return [(i, n) for i, n in enumerate(self.proto.nodes) if n.attributes and i not in self.object_by_proto_id]


class _LoadStatus:
    """Common methods of the objects `Checkpoint.restore` returns."""

    def run_restore_ops(self, session=None) -> None:
        """Restoration runs eagerly; nothing to run."""

    def initialize_or_restore(self, session=None) -> None:
        """Restoration and initialization run eagerly; nothing to run."""

    def expect_partial(self):
        """Silences warnings about a partial restore (there are none to silence here)."""
        return self


class CheckpointLoadStatus(_LoadStatus):
    """The status of restoring an object-based checkpoint (what `Checkpoint.restore` returns).

    Values are assigned when `restore` is called, or when a deferred object is created.
    """

    def __init__(self, restorer: Restorer):
        self._restorer = restorer

    def assert_consumed(self):
        """Raises AssertionError unless every checkpoint value and every Python variable were matched."""
        self.assert_existing_objects_matched()
        r = self._restorer
        unresolved = r.unresolved_nodes()
        if unresolved:
            nid, node = unresolved[0]
            raise AssertionError("Unresolved object in checkpoint %s: %s"
                                 % (_trackable.node_names(r.proto).get(nid, nid), node))
        if r.unused_attributes:
            names = _trackable.node_names(r.proto)
            lines = ["%s (%s): %s" % (names.get(i, i), r.object_by_proto_id.get(i), a)
                     for i, a in r.unused_attributes.items()]
            raise AssertionError("Unused attributes in these objects (the attributes exist in the checkpoint but were "
                                 "not restored):\n" + "\n".join(lines))
        return self

    def assert_existing_objects_matched(self):
        """Raises AssertionError if a variable reachable from the root has no value in the checkpoint."""
        unused = self._restorer.unmatched_python_variables()
        if unused:
            n = len(unused)
            raise AssertionError(
                "Found %d Python objects that were not bound to checkpointed values, likely due to changes in the "
                "Python program. Showing %d of %d unmatched objects: %s" % (n, min(10, n), n, unused[:10]))
        return self

    def assert_nontrivial_match(self):
        """Raises AssertionError if nothing but the root matched."""
        r = self._restorer
        if len(r.object_by_proto_id) <= 1:
            unused = r.unmatched_python_variables()
            if unused:
                raise AssertionError(
                    "Nothing except the root object matched a checkpointed value. Typically this means that the "
                    "checkpoint does not match the Python program. The following objects have no matching "
                    "checkpointed value: %s" % (unused,))
            raise AssertionError("Nothing to load. No dependencies have been added to %s yet." % (r.root,))
        return self


class InitializationOnlyStatus(_LoadStatus):
    """The status of `restore(None)`: nothing is restored."""

    _MESSAGE = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self):
        raise AssertionError(self._MESSAGE)

    def assert_existing_objects_matched(self):
        raise AssertionError(self._MESSAGE)

    def assert_nontrivial_match(self):
        raise AssertionError(self._MESSAGE)


class NameBasedSaverStatus(_LoadStatus):
    """The status of restoring a checkpoint without an object graph (written by a TF1 Saver):
    variables are matched by name (a Keras variable by its path, another by its name without ':0')."""

    def __init__(self, reader, root):
        self._unmatched = []
        matched = 0
        for obj in _trackable.list_objects(root):
            if not isinstance(obj, Variable):
                continue
            key = _trackable.variable_full_name(obj)
            if key in reader:
                restore_variable(obj, reader.read(key), reader.dtype_enum(key), key)
                matched += 1
            else:
                self._unmatched.append(obj)
        self._matched = matched

    def assert_consumed(self):
        if self._unmatched:
            raise AssertionError("Some objects had attributes which were not restored: %s" % (self._unmatched,))
        return self

    def assert_existing_objects_matched(self):
        return self.assert_consumed()

    def assert_nontrivial_match(self):
        if not self._matched:
            raise AssertionError("No checkpoint values were matched by name: %s" % (self._unmatched,))
        return self
