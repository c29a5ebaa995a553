"""Keras 3's HDF5 weights layout (model.weights.h5 and `*.weights.h5`).

Every saveable object (the model, its layers, nested layers, the optimizer) gets a group
`<path>/vars` (attribute `name`) holding its own variables as datasets '0', '1', ... The path
follows Keras's `_walk_saveable`: a Sequential/Functional model's layers come first under
`layers/<snake_case(ClassName)>[_N]` (numbered among siblings of the same class, never by the
layer's `name`); other attributes follow in sorted order (private ones last), a layer held in an
attribute under the attribute's name, a list of layers under the attribute with the same
class-based numbering.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import h5py

from ..layers.layer import Layer, _snake

# Our own bookkeeping attributes, which hold layers or lists that Keras does not walk.
_SKIP = frozenset({
    "_layers", "_trainable_weights", "_non_trainable_weights", "_losses", "_inputs_struct", "_outputs_struct",
    "_nodes", "_input_layers", "_input_layer", "_compiled_metrics", "_loss_fns", "_loss_tracker",
    "activity_regularizer", "_regularizers", "loss", "train_function", "test_function", "predict_function",
})


def _name_key(name: str) -> str:
    return "~" + name if name.startswith("_") else name


def _is_saveable(obj) -> bool:
    from ..optimizers.base import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def _own_variables(obj) -> list:
    if isinstance(obj, Layer):
        return list(obj._trainable_weights) + list(obj._non_trainable_weights)
    return list(obj.variables)


def keras_layers(model) -> list:
    """`model.layers` as Keras 3 lists them: a Sequential's without its InputLayer, a Functional's
    input layers first and then each layer in call order."""
    from ..layers.input_layer import InputLayer
    from ..models.model import Functional, Sequential
    if isinstance(model, Sequential):
        return [l for l in model.layers if not isinstance(l, InputLayer)]
    if isinstance(model, Functional):
        out: list = []
        for l in list(model._input_layers) + [n[0] for n in model._nodes]:
            if hasattr(l, "weights") and not hasattr(l, "class_name") and not any(l is o for o in out):
                out.append(l)
        return out
    return model.layers


def _children(obj):
    """(attribute, child) pairs in Keras's walk order."""
    from ..models.model import Functional, Model, Sequential
    attrs = dict(vars(obj)) if isinstance(obj, Layer) else {}
    if isinstance(obj, (Sequential, Functional)):
        yield "layers", keras_layers(obj)
    elif isinstance(obj, Model):
        attrs["layers"] = obj.layers
    for name in sorted(attrs, key=_name_key):
        if name.startswith("__") or name in _SKIP:
            continue
        yield name, attrs[name]


def walk(root):
    """Yields (path, saveable) for `root` and every saveable below it, each once, in Keras's order."""
    seen: set = set()

    def visit(obj, path):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        yield path, obj
        for attr, child in _children(obj):
            sub = "%s/%s" % (path, attr) if path else attr
            if _is_saveable(child):
                yield from visit(child, sub)
            elif isinstance(child, (list, tuple, dict)):
                used: dict = {}
                for item in (child.values() if isinstance(child, dict) else child):
                    if not _is_saveable(item):
                        continue
                    name = _snake(type(item).__name__)
                    if name in used:
                        used[name] += 1
                        name = "%s_%d" % (name, used[name])
                    else:
                        used[name] = 0
                    yield from visit(item, "%s/%s" % (sub, name))

    yield from visit(root, "")


def _vars_path(path: str) -> str:
    return "%s/vars" % path if path else "vars"


def write_weights(model, h5: h5py.File) -> None:
    """Writes `model`'s state (and its optimizer's, if any) into an open HDF5 file."""
    for path, obj in walk(model):
        group = h5.require_group(_vars_path(path))
        group.attrs["name"] = getattr(obj, "name", "") or ""
        for i, v in enumerate(_own_variables(obj)):
            group.create_dataset(str(i), data=np.asarray(v.numpy()))


def read_weights(model, h5: h5py.File, skip_optimizer: bool = False) -> None:
    """Assigns the variables of `model` (and its optimizer) from an open HDF5 file in Keras's layout."""
    from ..optimizers.base import Optimizer
    for path, obj in walk(model):
        own = _own_variables(obj)
        group = h5.get(_vars_path(path))
        if isinstance(obj, Optimizer):
            if skip_optimizer or group is None:
                continue
            if not obj.built and len(group.keys()):
                obj.build(model.trainable_variables)
                own = _own_variables(obj)
            if len(group.keys()) != len(own):
                warnings.warn("Skipping variable loading for optimizer '%s', because it has %d variables whereas "
                              "the saved optimizer has %d variables." % (obj.name, len(own), len(group.keys())),
                              stacklevel=3)
                continue
            for i, v in enumerate(own):
                v.assign(np.asarray(group[str(i)]).astype(v.dtype.as_numpy_dtype))
            continue
        n = 0 if group is None else len(group.keys())
        if n != len(own):
            raise ValueError("Layer '%s' expected %d variables, but received %d variables during loading "
                             "(weights path %r). Expected: %s"
                             % (getattr(obj, "name", path), len(own), n, _vars_path(path),
                                [v.name for v in own]))
        for i, v in enumerate(own):
            value = np.asarray(group[str(i)])
            if tuple(value.shape) != tuple(v.shape.as_list()):
                raise ValueError("The shape of the target variable and the shape of the target value in "
                                 "`variable.assign(value)` must match. variable.shape=%s, Received: value.shape=%s. "
                                 "Target variable: %s" % (tuple(v.shape.as_list()), value.shape, v.name))
            v.assign(value.astype(v.dtype.as_numpy_dtype))
