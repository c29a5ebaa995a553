"""Dataset.save / Dataset.load and file caches: elements stored as NumPy arrays.

Format (ours, not TF's snapshot format): a directory holding `spec.json` (the element
structure) and `elements.npz` with one stacked array per component when all elements share
a shape, else one array per element and component. Files are written to a temporary name and
renamed, so an interrupted save never leaves a readable half.
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from ..framework import dtypes, nest
from ..framework.errors import NotFoundError
from ..framework.tensor import TensorSpec
from . import structure
from .dataset import Dataset


def _spec_to_json(spec):
    def leaf(s):
        if not isinstance(s, TensorSpec):
            raise TypeError("Dataset.save supports dense tensor elements only, got %r" % (s,))
        return {"shape": s.shape.as_list() if s.shape.rank is not None else None, "dtype": s.dtype.name}
    return nest.map_structure(leaf, spec)


def _spec_from_json(j):
    if isinstance(j, dict) and set(j) == {"shape", "dtype"}:
        return TensorSpec(j["shape"], dtypes.as_dtype(j["dtype"]))
    if isinstance(j, dict):
        return {k: _spec_from_json(v) for k, v in j.items()}
    if isinstance(j, list):
        return tuple(_spec_from_json(v) for v in j)
    raise ValueError("Unrecognised element spec in saved dataset: %r" % (j,))


def _write_npz(path, elements, n_components):
    arrays = {}
    for i in range(n_components):
        col = [e[i] for e in elements]
        shapes = {np.shape(a) for a in col}
        if len(shapes) == 1 and col and np.asarray(col[0]).dtype != object:
            arrays["c%d" % i] = np.stack(col)
        else:
            for j, a in enumerate(col):
                a = np.asarray(a)
                arrays["c%d_%d" % (i, j)] = a.astype("S") if a.dtype == object else a
    arrays["count"] = np.array(len(elements))
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read_npz(path, flat_specs):
    with np.load(path, allow_pickle=False) as z:
        n = int(z["count"])
        cols = []
        for i, s in enumerate(flat_specs):
            if "c%d" % i in z:
                col = list(z["c%d" % i])
            else:
                col = [z["c%d_%d" % (i, j)] for j in range(n)]
            if s.dtype == dtypes.string:
                col = [structure._as_bytes(np.asarray(a).astype(object)) for a in col]
            cols.append(col)
    return list(zip(*cols)) if cols else []


def save(ds: Dataset, path, compression=None) -> None:
    path = os.fspath(path)
    spec = ds.element_spec
    js = _spec_to_json(spec)
    elements = list(ds._elements())
    os.makedirs(path, exist_ok=True)
    _write_npz(os.path.join(path, "elements.npz"), elements, len(structure.flat_specs(spec)))
    fd, tmp = tempfile.mkstemp(dir=path, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump({"element_spec": js, "structure": _structure_kind(spec)}, f)
    os.replace(tmp, os.path.join(path, "spec.json"))


def _structure_kind(spec):
    return nest.map_structure(lambda _: None, spec) if nest.is_nested(spec) else None


def load(path, element_spec=None, compression=None) -> Dataset:
    path = os.fspath(path)
    meta = os.path.join(path, "spec.json")
    if not os.path.exists(meta):
        raise NotFoundError(None, None, "Could not find a saved dataset at %s" % path)
    with open(meta) as f:
        spec = _spec_from_json(json.load(f)["element_spec"]) if element_spec is None else element_spec
    elements = _read_npz(os.path.join(path, "elements.npz"), structure.flat_specs(spec))
    from .sources import ElementList
    return ElementList(elements, spec)


def read_cache(filename, spec):
    path = filename + ".tfcache.npz"
    if not os.path.exists(path):
        return None
    return _read_npz(path, structure.flat_specs(spec))


def write_cache(filename, elements, spec):
    _write_npz(filename + ".tfcache.npz", elements, len(structure.flat_specs(spec)))
