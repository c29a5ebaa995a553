"""Keras masks: a boolean tensor that travels beside a tensor (padding steps, `mask_zero`).

Tensors have fixed slots, so masks are kept in a side table keyed by the tensor, dropped when
the tensor dies. Layers read their inputs' masks and attach their outputs' masks.
"""
from __future__ import annotations

import weakref

_MASKS: dict[int, tuple] = {}


def set_keras_mask(x, mask) -> None:
    """Attaches a Keras mask to tensor `x` (kept beside the tensor, while it lives)."""
    try:
        x._keras_mask = mask
        return
    except AttributeError:
        pass
    key = id(x)
    _MASKS[key] = (weakref.ref(x, lambda _, k=key: _MASKS.pop(k, None)), mask)


def get_keras_mask(x):
    """The Keras mask attached to `x`, or None."""
    mask = getattr(x, "_keras_mask", None)
    if mask is not None:
        return mask
    entry = _MASKS.get(id(x))
    return entry[1] if entry is not None and entry[0]() is x else None
