"""The BLAS library NumPy uses (OpenBLAS in NumPy's wheels): its thread count follows
tf.config.threading's intra-op setting, since TF's matmuls run on the intra-op threads.

Found by symbol in the process's loaded libraries (NumPy's bundled `scipy_openblas`, or a
system OpenBLAS); with another BLAS, or none found, setting the count does nothing here.
"""
from __future__ import annotations

import ctypes
import os

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads_64_", "openblas_set_num_threads64_",
            "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads_64_", "openblas_get_num_threads64_",
            "openblas_get_num_threads")
_lib: list = []  # [(setter, getter)] once looked up; [None] when there is none


def _loaded_blas_paths() -> list:
    import numpy  # noqa: F401 - loads its BLAS
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return []
    return sorted(p for p in paths if os.path.exists(p))


def _functions():
    if not _lib:
        found = None
        for path in _loaded_blas_paths():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            setter = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
            getter = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
            if setter is not None and getter is not None:
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                found = (setter, getter)
                break
        _lib.append(found)
    return _lib[0]


def set_threads(n: int) -> bool:
    """Sets the BLAS thread count (n <= 0: one per CPU); returns whether a BLAS was found."""
    fns = _functions()
    if fns is None:
        return False
    if n <= 0:
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    fns[0](int(n))
    return True


def get_threads() -> int | None:
    fns = _functions()
    return None if fns is None else int(fns[1]())
