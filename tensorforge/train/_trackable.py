"""The object graph of a TF2 checkpoint: which objects a checkpoint holds and under what names.

An object's checkpoint dependencies come from its `_trackable_children()` method, the one
protocol every stateful class implements: it returns an ordered mapping of local name ->
candidate child (tf.Module: its attributes in assignment order; Keras layers, models and
optimizers: the names Keras 3 on TensorFlow gives them). Candidates that are not trackable
(numbers, strings, functions, None) are ignored here, so implementations may return raw
attributes. Lists, tuples and dicts are containers whose children are their elements, named
"0", "1", ... or by key, as TF's ListWrapper and _DictWrapper. A tf.Variable is a leaf saved
as one tensor, its "VARIABLE_VALUE" attribute.

Node ids are the order of a breadth-first walk from the root; each node's checkpoint key
prefix is the escaped local names along the first (hence shortest) path that reaches it, as
TF's `_breadth_first_traversal` and `trackable_utils.checkpoint_key` make them.
"""
from __future__ import annotations

from collections import deque

from ..framework.variables import Variable
from ..protos import trackable_object_graph_pb2

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_VALUE = "VARIABLE_VALUE"
OBJECT_ATTRIBUTES_NAME = ".ATTRIBUTES"
TrackableObjectGraph = trackable_object_graph_pb2.TrackableObjectGraph

def escape_local_name(name: str) -> str:
    """TF's escaping of a local name inside a checkpoint key: '.' -> '..', '/' -> '.S'."""
    return name.replace(".", "..").replace("/", ".S")


def checkpoint_key(object_path: str, attribute: str = VARIABLE_VALUE) -> str:
    return "%s/%s/%s" % (object_path, OBJECT_ATTRIBUTES_NAME, escape_local_name(attribute))


def is_trackable(obj, _depth: int = 0) -> bool:
    """Whether `obj` is a checkpoint dependency: a variable, an object with `_trackable_children`,
    or a list, tuple or dict that (at any depth) holds one."""
    if isinstance(obj, Variable) or hasattr(type(obj), "_trackable_children") or _is_saveable(obj):
        return True
    if isinstance(obj, (list, tuple)):
        return _depth < 64 and any(is_trackable(v, _depth + 1) for v in obj)
    if isinstance(obj, dict):
        return _depth < 64 and any(is_trackable(v, _depth + 1) for v in obj.values())
    return False


def _is_saveable(obj) -> bool:
    """Whether `obj` saves tensors of its own that are not variables (TF's `_serialize_to_tensors`
    protocol, e.g. a tf.data iterator's ITERATOR_STATE)."""
    return hasattr(type(obj), "_serialize_to_tensors") and not isinstance(obj, type)


def trackable_children(obj) -> list:
    """The (local name, child) pairs of `obj`'s trackable children, in order."""
    if isinstance(obj, Variable):
        return []
    if hasattr(type(obj), "_trackable_children"):
        items = obj._trackable_children().items()
    elif isinstance(obj, (list, tuple)):
        items = ((str(i), v) for i, v in enumerate(obj))
    elif isinstance(obj, dict):
        items = ((str(k), v) for k, v in obj.items())
    else:
        return []
    return [(name, v) for name, v in items if is_trackable(v)]


def variable_full_name(var) -> str:
    """The variable's name as TF records it (Keras variables: their path; others: the name without ':0')."""
    path = getattr(var, "path", None)
    if isinstance(path, str) and path:
        return path
    name = var.name
    return name[:-2] if name.endswith(":0") else name


class ObjectGraph:
    """A breadth-first walk of the objects reachable from `root`."""

    def __init__(self, root):
        self.nodes = [root]          # node id -> object (strong refs keep ids unique during the walk)
        self.paths = [()]            # node id -> tuple of local names from the root
        self.children = [[]]         # node id -> [(child id, local name)]
        ids = {id(root): 0}
        i = 0
        while i < len(self.nodes):
            obj = self.nodes[i]
            kids = []
            for name, child in trackable_children(obj):
                cid = ids.get(id(child))
                if cid is None:
                    cid = ids[id(child)] = len(self.nodes)
                    self.nodes.append(child)
                    self.paths.append(self.paths[i] + (name,))
                    self.children.append([])
                kids.append((cid, name))
            self.children[i] = kids
            i += 1

    def object_path(self, node_id: int) -> str:
        return "/".join(escape_local_name(n) for n in self.paths[node_id])

    def variables(self) -> list:
        """(node id, checkpoint key, variable) for every variable, in node order."""
        return [(i, checkpoint_key(self.object_path(i)), v) for i, v in enumerate(self.nodes)
                if isinstance(v, Variable)]

    def saveables(self) -> list:
        """(node id, [(attribute name, checkpoint key, array)]) for every object saving its own tensors."""
        out = []
        for i, obj in enumerate(self.nodes):
            if not isinstance(obj, Variable) and _is_saveable(obj):
                tensors = obj._serialize_to_tensors()
                out.append((i, [(name, checkpoint_key(self.object_path(i), name), value)
                                for name, value in tensors.items()]))
        return out

    def to_proto(self, saveables=None) -> TrackableObjectGraph:
        proto = TrackableObjectGraph()
        saved = dict(saveables if saveables is not None else self.saveables())
        for i, obj in enumerate(self.nodes):
            node = proto.nodes.add()
            for cid, name in self.children[i]:
                node.children.add(node_id=cid, local_name=name)
            if isinstance(obj, Variable):
                node.attributes.add(name=VARIABLE_VALUE, full_name=variable_full_name(obj),
                                    checkpoint_key=checkpoint_key(self.object_path(i)))
            for name, key, _ in saved.get(i, ()):
                node.attributes.add(name=name, full_name=name, checkpoint_key=key)
        fill_has_checkpoint_values(proto)
        return proto


def fill_has_checkpoint_values(proto: TrackableObjectGraph) -> None:
    """Marks every node that has attributes, or a descendant that has, as TF does."""
    parents: dict[int, set] = {}
    valued = set()
    for i, node in enumerate(proto.nodes):
        if node.attributes or node.slot_variables or node.HasField("registered_saver"):
            valued.add(i)
        for c in node.children:
            parents.setdefault(c.node_id, set()).add(i)
    todo = list(valued)
    while todo:
        for p in parents.pop(todo.pop(), ()):
            if p not in valued:
                valued.add(p)
                todo.append(p)
    for i, node in enumerate(proto.nodes):
        node.has_checkpoint_values.value = i in valued


def node_names(proto: TrackableObjectGraph) -> dict:
    """Node id -> '(root).a.b', the names TF's messages use."""
    names = {0: ("(root)",)}
    todo = deque([0])
    while todo:
        i = todo.popleft()
        for c in proto.nodes[i].children:
            if c.node_id not in names:
                names[c.node_id] = names[i] + (c.local_name,)
                todo.append(c.node_id)
    return {i: ".".join(p) for i, p in names.items()}


def list_objects(root) -> list:
    """Every object reachable from `root` (root first)."""
    return ObjectGraph(root).nodes
