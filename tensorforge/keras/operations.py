"""Keras operations in functional models: an operator (`x[:, :2] + 1.0`) or a `keras.ops`
function applied to Keras symbolic tensors becomes a node of the model, as in Keras 3, where
each is a `keras.Operation` (class `GetItem`, `Add`, `Concatenate`, ...). The model replays the
node by calling the same function on real tensors; configs name it as Keras does, so saved
models move both ways.
"""
from __future__ import annotations

import operator

from ..framework.context import ctx, graph_scope
from ..framework.nest import flatten
from ..graph.graph import SymbolicTensor
from ..ops import operators
from .layers.layer import _snake, unique_layer_name

# Keras's op class for each Python operator, and the function its node applies (left operand first).
_BINARY = {"add": ("Add", operator.add), "sub": ("Subtract", operator.sub), "mul": ("Multiply", operator.mul),
           "truediv": ("TrueDivide", operator.truediv), "floordiv": ("FloorDivide", operator.floordiv),
           "mod": ("Mod", operator.mod), "pow": ("Power", operator.pow), "matmul": ("Matmul", operator.matmul),
           "and": ("LogicalAnd", operator.and_), "or": ("LogicalOr", operator.or_),
           "xor": ("LogicalXor", operator.xor)}
_OPERATOR_CLASSES = {}
for _short, _entry in _BINARY.items():
    _OPERATOR_CLASSES["__%s__" % _short] = _entry + (False,)
    _OPERATOR_CLASSES["__r%s__" % _short] = _entry + (True,)
_OPERATOR_CLASSES.update({
    "__neg__": ("Negative", operator.neg, False), "__abs__": ("Absolute", operator.abs, False),
    "__invert__": ("LogicalNot", operator.invert, False), "__lt__": ("Less", operator.lt, False),
    "__le__": ("LessEqual", operator.le, False), "__gt__": ("Greater", operator.gt, False),
    "__ge__": ("GreaterEqual", operator.ge, False), "__ne__": ("NotEqual", operator.ne, False),
    "__getitem__": ("GetItem", operator.getitem, False),
})
OPERATOR_FUNCTIONS = {cls: fn for cls, fn, _ in _OPERATOR_CLASSES.values()}


class Operation:
    """A Keras operation node of a functional model (keras.Operation): `fn` on its inputs.

    It has no weights; `Model.layers` leaves it out, as Keras does.
    """

    _call_has_training = False
    built = True
    trainable = False
    weights = trainable_weights = non_trainable_weights = ()

    def __init__(self, class_name: str, fn, name: str | None = None, module: str = "keras.src.ops.numpy",
                 config: dict | None = None):
        self.class_name = class_name
        self.fn = fn
        self.module = module
        self.name = name or unique_layer_name(_snake(class_name))
        self._config = dict(config or {})

    def __call__(self, *args, **kwargs):
        graph = _functional_graph_of((list(args), kwargs))
        if graph is not None and ctx.graph is not graph:  # on Keras tensors: a node of the model being built
            return _add_node(graph, self, args, kwargs)
        return self.fn(*args, **kwargs)

    def call(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name, **self._config}

    def _trackable_children(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return "<Operation name=%s>" % self.name


def is_keras_tensor(x) -> bool:
    return getattr(getattr(x, "graph", None), "keras_history", None) is not None


def _functional_graph_of(values):
    for v in flatten(values):
        g = getattr(v, "graph", None)
        if getattr(g, "keras_history", None) is not None:
            return g
    return None


def record(class_name: str, fn, args, kwargs=None, config: dict | None = None, module: str = "keras.src.ops.numpy"):
    """Applies `fn` to Keras tensors in `args` as an operation node; None when no Keras tensor is
    among them, or when a layer's `call` is running (its ops belong to that layer)."""
    kwargs = kwargs or {}
    graph = _functional_graph_of((list(args), kwargs))
    if graph is None or ctx.graph is graph:
        return None
    return _add_node(graph, Operation(class_name, fn, module=module, config=config), args, kwargs)


def _add_node(graph, op: Operation, args, kwargs):
    with graph_scope(graph):
        outputs = op.fn(*args, **kwargs)
    graph.keras_history.append((op, tuple(args), dict(kwargs), outputs))
    return outputs


_SIGNATURES: dict = {}


def _has_tensor(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(_has_tensor(v) for v in value.values())
    return hasattr(value, "dtype") and hasattr(value, "shape") and not isinstance(value, type)


def _config_value(value):
    from ..framework.dtypes import DType
    return value.name if isinstance(value, DType) else value


def keras_op(fn, class_name: str, module: str):
    """`fn` (a keras.ops function) made to add an operation node when called on Keras tensors
    outside a layer: tensor arguments become the node's inputs, the others its config (as
    Keras's op classes take them in their constructors)."""
    import functools
    import inspect

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # Fast path (eager tensors, arrays, numbers): no graph tensor among the arguments.
        for a in args:
            t = type(a)
            if t is SymbolicTensor or ((t is list or t is tuple) and any(type(v) is SymbolicTensor for v in a)):
                break
        else:
            if not kwargs or not any(type(v) is SymbolicTensor for v in kwargs.values()):
                return fn(*args, **kwargs)
        graph = _functional_graph_of((list(args), kwargs))
        if graph is None or ctx.graph is graph:
            return fn(*args, **kwargs)
        sig = _SIGNATURES.get(fn)
        if sig is None:
            sig = _SIGNATURES[fn] = inspect.signature(fn)
        bound = sig.bind(*args, **kwargs)
        call_args, call_kwargs, config, positional = [], {}, {}, True
        for name, value in bound.arguments.items():
            kind = sig.parameters[name].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                call_args.extend(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                call_kwargs.update(value)
            elif _has_tensor(value):
                if positional:
                    call_args.append(value)
                else:
                    call_kwargs[name] = value
            else:
                positional = False
                config[name] = _config_value(value)
        op = Operation(class_name, functools.partial(fn, **config) if config else fn, module=module, config=config)
        return _add_node(graph, op, call_args, call_kwargs)

    wrapper.__wrapped_keras_op__ = fn
    return wrapper


def _operator_hook(name, fn, x, *rest):
    if ctx.graph is x.graph:  # inside a layer's call (or a traced function on that graph)
        return fn(x, *rest)
    class_name, canonical, swapped = _OPERATOR_CLASSES[name]
    args = (rest[0], x) if swapped else (x,) + rest
    return record(class_name, canonical, args)


operators.KERAS_OPERATOR = _operator_hook


def _get_item(x, key):
    # A tuple key comes back from JSON as a list: index with it as the tuple it was.
    return x[tuple(key) if isinstance(key, list) else key]


def operation_from_config(layer_config: dict) -> Operation:
    """The operation node a functional model's config describes (Keras's `keras.src.ops.*` classes)."""
    import functools
    class_name = layer_config["class_name"]
    config = dict(layer_config.get("config") or {})
    name = config.pop("name", None)
    if class_name == "GetItem":
        fn = _get_item
    elif class_name in OPERATOR_FUNCTIONS and not config:
        fn = OPERATOR_FUNCTIONS[class_name]
    else:
        from . import ops as keras_ops
        f = getattr(keras_ops, _snake(class_name), None)
        if f is None:
            raise ValueError("Unknown Keras operation '%s' in the model config" % class_name)
        fn = functools.partial(f, **config) if config else f
    return Operation(class_name, fn, name=name, module=layer_config.get("module") or "keras.src.ops.numpy",
                     config=config)
