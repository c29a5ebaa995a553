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


_GTSV: dict = {}
_GTSV_NAMES = {"float32": "sgtsv", "float64": "dgtsv", "complex64": "cgtsv", "complex128": "zgtsv"}


def lapack_gtsv(dtype):
    """LAPACKE's `?gtsv` (tridiagonal solve with partial pivoting) from NumPy's OpenBLAS for `dtype`,
    as `f(n, nrhs, dl, d, du, b) -> info` on contiguous NumPy arrays (b row-major n x nrhs,
    overwritten by the solution); None where the library or symbol is not there."""
    import numpy as np
    name = _GTSV_NAMES.get(np.dtype(dtype).name)
    if name is None:
        return None
    if name not in _GTSV:
        fn = None
        for path in _loaded_blas_paths():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for symbol, int_type in (("scipy_LAPACKE_%s64_" % name, ctypes.c_int64), ("LAPACKE_%s64_" % name,
                                                                                   ctypes.c_int64),
                                     ("LAPACKE_%s" % name, ctypes.c_int)):
                raw = getattr(lib, symbol, None)
                if raw is not None:
                    raw.restype = int_type
                    raw.argtypes = [ctypes.c_int, int_type, int_type] + [ctypes.c_void_p] * 4 + [int_type]
                    fn = _gtsv_caller(raw)
                    break
            if fn is not None:
                break
        _GTSV[name] = fn
    return _GTSV[name]


def _gtsv_caller(raw):
    row_major = 101

    def call(n, nrhs, dl, d, du, b) -> int:
        return int(raw(row_major, n, nrhs, dl.ctypes.data, d.ctypes.data, du.ctypes.data, b.ctypes.data, nrhs))
    return call
