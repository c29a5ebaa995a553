"""tf.nest: flattening and rebuilding nested structures (lists, tuples, namedtuples, dicts).

Dicts flatten in sorted key order, as in TF; anything else is a leaf.
"""
from __future__ import annotations

from .._api import tf_export


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


@tf_export("nest.flatten")
def flatten(structure, expand_composites=False) -> list:
    """The leaves of `structure`, depth first (tf.nest.flatten)."""
    if not is_nested(structure):
        return [structure]
    out = []
    stack = [structure]
    while stack:  # iterative, depth-first, left to right
        x = stack.pop()
        if is_nested(x):
            stack.extend(reversed(_children(x)))
        else:
            out.append(x)
    return out


def _rebuild(template, values):
    if _is_namedtuple(template):
        return type(template)(*values)
    if isinstance(template, dict):
        keys = sorted(template)
        d = dict(zip(keys, values))
        return type(template)((k, d[k]) for k in template) if type(template) is not dict else {k: d[k] for k in template}
    if isinstance(template, tuple):
        return tuple(values)
    return list(values)


@tf_export("nest.pack_sequence_as")
def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure` with the leaves taken from `flat_sequence` (tf.nest.pack_sequence_as)."""
    flat = list(flat_sequence)
    pos = [0]

    def pack(s):
        if not is_nested(s):
            v = flat[pos[0]]
            pos[0] += 1
            return v
        return _rebuild(s, [pack(c) for c in _children(s)])

    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError("Could not pack sequence. Structure had %d atoms, but flat_sequence had %d items."
                         % (n, len(flat)))
    return pack(structure)


@tf_export("nest.map_structure")
def map_structure(func, *structures, **kwargs):
    """Applies `func` to corresponding leaves of `structures` (tf.nest.map_structure)."""
    flats = [flatten(s) for s in structures]
    for f in flats[1:]:
        if len(f) != len(flats[0]):
            raise ValueError("The two structures don't have the same number of elements.")
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


@tf_export("nest.assert_same_structure")
def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    """Raises ValueError/TypeError unless the two structures have the same nesting."""
    def shape(s):
        if not is_nested(s):
            return None
        kind = "dict" if isinstance(s, dict) else ("seq" if not check_types else type(s).__name__)
        keys = tuple(sorted(s)) if isinstance(s, dict) else len(s)
        return (kind, keys, tuple(shape(c) for c in _children(s)))
    if shape(nest1) != shape(nest2):
        raise ValueError("The two structures don't have the same nested structure.\n\nFirst structure: %r\n\n"
                         "Second structure: %r" % (nest1, nest2))


tf_export("nest.is_nested")(is_nested)
