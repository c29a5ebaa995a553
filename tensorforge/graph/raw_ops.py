"""tf.raw_ops: every registered op by its TF name, called with keyword arguments.

`tf.raw_ops.AddV2(x=a, y=b)` binds the op directly: the keyword arguments named like the op's
inputs (`OpDef.args`) are its inputs, in that order, and the others are its attrs (a `name`
is ignored). Where tensorforge keeps as an attr something TF takes as an input (shapes,
axes...), a constant tensor passed for it is read into the attr.
"""
from __future__ import annotations

import types

import numpy as np

from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from ..ops.registry import REGISTRY, bind


def _attr_value(v):
    if isinstance(v, Tensor):
        v = v._value
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, list):
        return tuple(_attr_value(x) for x in v)
    return v


_TF_INPUT_NAMES = ("input", "x", "y", "value", "tensor", "features", "a", "b", "images", "image", "logits",
                   "labels", "params", "indices", "data", "segment_ids", "condition", "t", "input_tensor")


_LIST_INPUTS = ("inputs", "values", "input")  # AddN, Pack/ConcatV2, IdentityN take lists


def _raw(op_name: str):
    op = REGISTRY[op_name]

    def call(**kwargs):
        kwargs.pop("name", None)
        names = op.args
        slots = {n: kwargs.pop(n) for n in names if n in kwargs}
        # TF's input names that differ from ours (e.g. Sum's `input` is our `input_tensor`) fill
        # our remaining inputs in order.
        aliases = [k for k in kwargs if k in _TF_INPUT_NAMES]
        for n in names:
            if n not in slots and aliases:
                slots[n] = kwargs.pop(aliases.pop(0))
        inputs = []
        for n in names:
            if n not in slots:
                break  # optional trailing inputs (given as attrs instead)
            v = slots[n]
            if len(names) == 1 and isinstance(v, (list, tuple)) and op.num_outputs != 0 and n in _LIST_INPUTS:
                inputs.extend(convert_to_tensor(x) for x in v)
            else:
                inputs.append(v if hasattr(v, "dtype") and not isinstance(v, np.ndarray) else convert_to_tensor(v))
        attrs = {k: _attr_value(v) for k, v in kwargs.items()}
        return bind(op_name, inputs, attrs)

    call.__name__ = op_name
    call.__doc__ = "tf.raw_ops.%s: binds the op directly (inputs %s, the other keywords are attrs)." % (
        op_name, ", ".join(op.args) or "none")
    return call


class _RawOps(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__") or name not in REGISTRY:
            raise AttributeError("module 'tf.raw_ops' has no attribute %r" % name)
        fn = _raw(name)
        setattr(self, name, fn)
        return fn

    def __dir__(self):
        return sorted(REGISTRY)


raw_ops = _RawOps("tensorforge.raw_ops", __doc__)
