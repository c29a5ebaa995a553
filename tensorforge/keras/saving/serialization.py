"""Keras 3's config.json: serialising layers and models, and rebuilding them.

Objects are `{"module", "class_name", "config", "registered_name"}` dicts (plus `build_config`
and, for compiled models, `compile_config`). A Sequential lists its layers (an InputLayer
first); a Functional lists each layer with its `name` and `inbound_nodes`, whose arguments
refer to earlier outputs as `{"class_name": "__keras_tensor__", "config": {"keras_history":
[layer_name, node_index, tensor_index]}}`, and rebuilds by calling the layers on keras.Input
tensors in order.
"""
from __future__ import annotations

import inspect
import threading
import warnings

from ...framework.nest import flatten, map_structure
from ..optimizers._serial import serialize_object
from .weights_h5 import keras_layers

_state = threading.local()


def in_safe_mode() -> bool:
    """Whether deserialisation currently refuses arbitrary code (Lambda bytecode)."""
    return getattr(_state, "safe_mode", True)


class SafeModeScope:
    """Sets the safe mode used by deserialisation inside a `with` block."""

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._prev = getattr(_state, "safe_mode", True)
        _state.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc):
        _state.safe_mode = self._prev


# ------------------------------------------------------------------ serialising


def serialize_layer(layer) -> dict:
    """A layer (or model) as Keras 3 serialises it, with its `build_config`."""
    from ..models.model import Functional, Sequential
    if isinstance(layer, Sequential):
        out = {"module": "keras", "class_name": "Sequential", "config": sequential_config(layer),
               "registered_name": None}
    elif type(layer) is Functional:
        out = {"module": "keras.src.models.functional", "class_name": "Functional",
               "config": functional_config(layer), "registered_name": None}
    else:
        out = serialize_object(layer)
    if getattr(layer, "built", False) and not _is_input_layer(layer):
        build = layer.get_build_config()
        if build is not None:
            out["build_config"] = map_structure(lambda v: v, build)
    return out


def _is_input_layer(layer) -> bool:
    from ..layers.input_layer import InputLayer
    return isinstance(layer, InputLayer)


def sequential_config(model) -> dict:
    from ..layers.layer import dtype_policy_config
    config = {"name": model.name, "trainable": model.trainable, "dtype": dtype_policy_config(model.dtype_policy)}
    layers = []
    if model._input_layer is not None:
        layers.append(serialize_layer(model._input_layer))
    layers.extend(serialize_layer(l) for l in keras_layers(model))
    config["layers"] = layers
    if model._build_shapes is not None:
        config["build_input_shape"] = list(model._build_shapes)
    return config


def _tensor_ref(t, history) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": t.shape.as_list(), "dtype": t.dtype.name, "keras_history": list(history[id(t)])}}


def _value_config(v):
    """A non-tensor argument of a node as Keras serialises it (slices, Ellipsis, constants)."""
    import numpy as np

    from ...framework.tensor import Tensor
    if isinstance(v, slice):
        return {"class_name": "__slice__", "config": {"start": _value_config(v.start), "stop": _value_config(v.stop),
                                                      "step": _value_config(v.step)}}
    if v is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(v, Tensor):
        return {"class_name": "__tensor__", "config": {"value": v.numpy().tolist(), "dtype": v.dtype.name}}
    if isinstance(v, np.ndarray) and v.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": v.tolist(), "dtype": v.dtype.name}}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, bytes):
        return {"class_name": "__bytes__", "config": {"value": v.decode("utf-8")}}
    return serialize_object(v) if callable(v) else v


def value_from_config(v):
    """The inverse of `_value_config` for one dict (others are returned as they are)."""
    import numpy as np
    name = v.get("class_name") if isinstance(v, dict) else None
    if name == "__slice__":
        c = v["config"]
        return slice(value_from_config(c["start"]), value_from_config(c["stop"]), value_from_config(c["step"]))
    if name == "__ellipsis__":
        return Ellipsis
    if name == "__tensor__":
        from ...framework.convert import convert_to_tensor
        return convert_to_tensor(np.asarray(v["config"]["value"], dtype=v["config"]["dtype"]))
    if name == "__numpy__":
        return np.asarray(v["config"]["value"], dtype=v["config"]["dtype"])
    if name == "__bytes__":
        return v["config"]["value"].encode("utf-8")
    return v


def _operation_entry(op) -> dict:
    return {"module": op.module, "class_name": op.class_name, "config": op.get_config(),
            "registered_name": op.class_name}


def functional_config(model) -> dict:
    history = {}
    for layer, t in zip(model._input_layers, model.inputs):
        history[id(t)] = (layer.name, 0, 0)
    node_counts: dict = {}
    inbound: dict = {}
    for layer, args, kwargs, outs in model._nodes:
        index = node_counts.get(id(layer), 0)
        node_counts[id(layer)] = index + 1

        def ref(v):
            return _tensor_ref(v, history) if id(v) in history else _value_config(v)
        node = {"args": [map_structure(ref, a) for a in args],
                "kwargs": {k: map_structure(ref, v) for k, v in kwargs.items()}}
        inbound.setdefault(id(layer), []).append(node)
        for j, o in enumerate(flatten(outs)):
            history[id(o)] = (layer.name, index, j)
    layers = []
    operations: list = []
    for layer in list(model._input_layers) + [n[0] for n in model._nodes]:  # layers and operations
        if not any(layer is o for o in operations):
            operations.append(layer)
    for layer in operations:
        entry = _operation_entry(layer) if hasattr(layer, "class_name") else serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = inbound.get(id(layer), [])
        layers.append(entry)

    def refs(struct):
        if isinstance(struct, dict):
            return {k: list(history[id(v)]) for k, v in struct.items()}
        if isinstance(struct, (list, tuple)):
            return [list(history[id(v)]) for v in struct]
        return list(history[id(struct)])
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(model._inputs_struct), "output_layers": refs(model._outputs_struct)}


def compile_config(model) -> dict | None:
    """Keras's `compile_config`: the optimizer, loss and metrics passed to `compile`."""
    if not getattr(model, "_compiled", False):
        return None
    from .. import metrics as metrics_mod
    from ..losses import serialize_keras_object
    from .._registry import lookup
    metrics = []
    for m in model._compiled_metrics:
        # A metric given to compile() as a string carries that string as its name.
        by_name = m.name in ("accuracy", "acc") or lookup("metrics", m.name) is not None
        metrics.append(m.name if by_name else metrics_mod.serialize(m))
    return {"optimizer": serialize_object(model.optimizer), "loss": serialize_keras_object(model.loss),
            "loss_weights": model._loss_weights, "metrics": metrics or None, "weighted_metrics": None,
            "run_eagerly": bool(model.run_eagerly), "steps_per_execution": model.steps_per_execution,
            "jit_compile": False}


# ------------------------------------------------------------------ deserialising


def _find_class(config: dict, package: str, custom_objects):
    from .. import _registry
    for name in (config.get("registered_name"), config.get("class_name")):
        if isinstance(name, str):
            for pkg in (package, ""):
                cls = _registry.lookup(pkg, name, custom_objects)
                if cls is not None:
                    return cls
    raise TypeError("Could not locate class '%s'. Make sure custom classes are decorated with "
                    "`@keras.saving.register_keras_serializable()`. Full object config: %s"
                    % (config.get("class_name"), config))


def deserialize_layer(config: dict, custom_objects: dict | None = None):
    """A layer (or model) from its serialised dict; honours `custom_objects` and safe mode."""
    class_name = config.get("class_name")
    if class_name == "Sequential" and config.get("registered_name") in (None, "Sequential"):
        model = sequential_from_config(config["config"], custom_objects)
    elif class_name in ("Functional", "Model") and config.get("registered_name") in (None, class_name) and \
            "input_layers" in (config.get("config") or {}):
        model = functional_from_config(config["config"], custom_objects)
    else:
        cls = _find_class(config, "layers", custom_objects)
        kwargs = {}
        params = inspect.signature(cls.from_config).parameters
        if "custom_objects" in params:
            kwargs["custom_objects"] = custom_objects
        if "safe_mode" in params:
            kwargs["safe_mode"] = in_safe_mode()
        model = cls.from_config(dict(config.get("config") or {}), **kwargs)
    build = config.get("build_config")
    if build and not model.built:
        _build(model, build)
    return model


def _build(layer, build_config: dict) -> None:
    from ..models.model import Model
    layer.build_from_config(build_config)
    shape = build_config.get("input_shape")
    if isinstance(layer, Model) and not layer.weights and shape is not None and len(layer.layers) and \
            not any(l.weights for l in layer.layers):
        # A subclassed model creates its variables when called: call it once on zeros.
        import tensorforge as tf
        shapes = shape if isinstance(shape[0], (list, tuple)) else [shape]
        dummies = [tf.zeros([1 if d is None else d for d in s]) for s in shapes]
        layer(dummies if isinstance(shape[0], (list, tuple)) else dummies[0])


def sequential_from_config(config: dict, custom_objects=None, make_layer=None):
    """A Sequential model from its config; `make_layer(layer_config)` may supply each layer (clone_model)."""
    from ..models.model import Sequential
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for layer_config in config["layers"]:
        layer = make_layer(layer_config) if make_layer is not None else None
        model.add(layer if layer is not None else deserialize_layer(layer_config, custom_objects))
    shape = config.get("build_input_shape")
    if not model.built and shape is not None:
        model.build(tuple(shape))
    return model


def _make_input(layer_config: dict, custom_objects):
    from ..layers import input_layer
    layer = deserialize_layer(layer_config, custom_objects)
    input_layer._INPUT_LAYERS[id(layer.output)] = layer
    return layer


def functional_from_config(config: dict, custom_objects=None, make_layer=None, call_layer=None, input_tensors=None):
    """Rebuilds a functional model by calling its layers on keras.Input tensors, node by node.

    clone_model's hooks: `make_layer(layer_config)` may supply a layer (None: from the config),
    `call_layer(layer, *args, **kwargs)` calls it, and `input_tensors` maps input layer names to
    the tensors that replace them.
    """
    from ..models.model import Functional
    tensors: dict = {}
    layers: dict = {}
    pending = []
    for layer_config in config["layers"]:
        name = layer_config.get("name") or layer_config["config"]["name"]
        if layer_config["class_name"] == "InputLayer":
            if input_tensors is not None and name in input_tensors:
                tensors[(name, 0, 0)] = input_tensors[name]
                continue
            layer = _make_input(layer_config, custom_objects)
            tensors[(name, 0, 0)] = layer.output
        else:
            layer = make_layer(layer_config) if make_layer is not None else None
            if layer is None and str(layer_config.get("module", "")).startswith("keras.src.ops"):
                from ..operations import operation_from_config
                layer = operation_from_config(layer_config)
            if layer is None:
                layer = deserialize_layer(layer_config, custom_objects)
            pending.extend((layer, name, i, node) for i, node in enumerate(layer_config.get("inbound_nodes", [])))
        layers[name] = layer

    def resolve(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            key = tuple(v["config"]["keras_history"])
            if key not in tensors:
                raise KeyError(key)
            return tensors[key]
        if isinstance(v, dict) and v.get("class_name") in ("__slice__", "__ellipsis__", "__tensor__", "__numpy__",
                                                           "__bytes__"):
            return value_from_config(v)
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        if isinstance(v, list):
            return [resolve(x) for x in v]
        return v

    while pending:
        progressed, left = False, []
        for layer, name, index, node in pending:
            try:
                args = [resolve(a) for a in node.get("args", [])]
                kwargs = {k: resolve(v) for k, v in (node.get("kwargs") or {}).items()}
            except KeyError:
                left.append((layer, name, index, node))
                continue
            params = inspect.signature(layer.call).parameters
            if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
                kwargs = {k: v for k, v in kwargs.items() if k in params}
            out = call_layer(layer, *args, **kwargs) if call_layer is not None else layer(*args, **kwargs)
            for j, o in enumerate(flatten(out)):
                tensors[(name, index, j)] = o
            progressed = True
        if not progressed:
            raise ValueError("Could not rebuild the functional model '%s': unresolved layer inputs for %s."
                             % (config.get("name"), [p[1] for p in left]))
        pending = left

    def refs(spec):
        if isinstance(spec, dict):
            return {k: refs(v) for k, v in spec.items()}
        if isinstance(spec, list) and spec and isinstance(spec[0], str):
            return tensors[tuple(spec)]
        return [refs(s) for s in spec]
    inputs, outputs = refs(config["input_layers"]), refs(config["output_layers"])
    return Functional(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def compile_from_config(model, config: dict, custom_objects=None) -> None:
    """Compiles `model` as `compile_config` says (optimizer, loss, metrics)."""
    from .. import metrics as metrics_mod
    from .. import optimizers
    from ..losses import deserialize_keras_object

    def loss_of(v):
        if isinstance(v, dict) and "class_name" in v:
            return deserialize_keras_object(v, "losses", custom_objects)
        if isinstance(v, list):
            return [loss_of(x) for x in v]
        return v

    def metric_of(v):
        if isinstance(v, dict) and "class_name" in v:
            return metrics_mod.deserialize(v, custom_objects)
        if isinstance(v, list):
            return [metric_of(x) for x in v]
        return v
    try:
        optimizer = optimizers.deserialize(config["optimizer"], custom_objects) \
            if isinstance(config.get("optimizer"), dict) else config.get("optimizer", "rmsprop")
        model.compile(optimizer=optimizer, loss=loss_of(config.get("loss")), loss_weights=config.get("loss_weights"),
                      metrics=metric_of(config.get("metrics")),
                      weighted_metrics=metric_of(config.get("weighted_metrics")),
                      run_eagerly=config.get("run_eagerly", False),
                      steps_per_execution=config.get("steps_per_execution", 1))
    except (ValueError, TypeError) as e:
        warnings.warn("`compile()` was not called as part of model loading because the model's `compile()` "
                      "method is custom or could not be restored: %s" % e, stacklevel=3)
