"""File ops: tf.io.read_file (ReadFile), tf.io.write_file (WriteFile), tf.io.matching_files
(MatchingFiles).

They are graph ops, so they work inside tf.function and tf.data map functions. All three
are stateful (they depend on the file system), so a graph never folds them into constants
and runs them every time, in program order.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import numpy as np

from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError, OpError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, bind, register
from . import gfile

__all__ = ["read_file", "write_file", "matching_files"]


def _scalar_bytes(a) -> bytes:
    v = a[()] if isinstance(a, np.ndarray) else a
    return v if isinstance(v, bytes) else bytes(v)


def _path(a) -> str:
    return _scalar_bytes(a).decode("utf-8")


def _string_arg(api: str, op_name: str, spec, index: int, name: str) -> None:
    if spec.dtype is not dtypes.string:
        raise InvalidArgumentError(
            None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was expected to be a string "
            "tensor but is a %s tensor [Op:%s]" % (api, op_name, index, name, spec.dtype.name, op_name))


def _scalar_arg(op_name: str, shape, what: str) -> None:
    if shape is not None and len(shape) != 0:
        raise InvalidArgumentError(None, None, "%s tensor must be scalar, but had shape: %s [Op:%s]"
                                   % (what, sh.fmt(shape), op_name))


def _string_scalar() -> np.ndarray:
    return np.empty((), dtype=object)


_sample_dir: list = []


def _samples_dir() -> str:
    """A temporary directory holding two small files, for the registry samples."""
    if not _sample_dir or not os.path.isdir(_sample_dir[0]):
        d = tempfile.mkdtemp(prefix="tf_file_io_samples_")
        atexit.register(shutil.rmtree, d, True)
        for name, data in (("a.txt", b"contents of a\n"), ("b.txt", b"\x00\x01binary")):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        _sample_dir[:] = [d]
    return _sample_dir[0]


def _str(s: str) -> np.ndarray:
    out = _string_scalar()
    out[()] = s.encode("utf-8")
    return out


# ---------------------------------------------------------------- ReadFile
def _read_file_kernel(xp, filename):
    _scalar_arg("ReadFile", np.shape(filename), "Input filename")
    path = _path(filename)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        err = gfile.os_error(e, path)
        raise type(err)(None, None, "%s [Op:ReadFile]" % err.message) from None
    out = _string_scalar()
    out[()] = data
    return out


def _read_file_infer(specs, attrs):
    _string_arg("tf.io.read_file", "ReadFile", specs[0], 0, "filename")
    _scalar_arg("ReadFile", sh.dims(specs[0]), "Input filename")
    return [((), dtypes.string)]


register("ReadFile", kernel=_read_file_kernel, infer=_read_file_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.read_file", stateful=True, args=("filename",),
         samples=lambda: [([_str(os.path.join(_samples_dir(), "a.txt"))], {}),
                          ([_str(os.path.join(_samples_dir(), "b.txt"))], {})])


def read_file(filename, name=None) -> Tensor:
    """Reads the whole file `filename` into a scalar string tensor (tf.io.read_file).

    Example:

    >>> tf.io.read_file("/tmp/x.txt")
    <tf.Tensor: shape=(), dtype=string, numpy=b'...'>

    Args:
      filename: a scalar string tensor (or Python string): the file's path.
      name: unused.

    Returns:
      A scalar tf.string tensor with the file's bytes.

    Raises:
      NotFoundError: if the file does not exist (when the op runs).
    """
    return bind("ReadFile", [convert_to_tensor(filename, dtype=dtypes.string)])


# ---------------------------------------------------------------- WriteFile
def _write_file_kernel(xp, filename, contents):
    _scalar_arg("WriteFile", np.shape(filename), "Input filename")
    _scalar_arg("WriteFile", np.shape(contents), "Contents")
    path = _path(filename)
    d = os.path.dirname(path)
    try:
        if d:
            gfile.makedirs(d)
        gfile.write_atomic(path, _scalar_bytes(contents))
    except OpError as e:
        raise type(e)(None, None, "%s [Op:WriteFile]" % e.message) from None
    return ()


def _write_file_infer(specs, attrs):
    _string_arg("tf.io.write_file", "WriteFile", specs[0], 0, "filename")
    _string_arg("tf.io.write_file", "WriteFile", specs[1], 1, "contents")
    _scalar_arg("WriteFile", sh.dims(specs[0]), "Input filename")
    _scalar_arg("WriteFile", sh.dims(specs[1]), "Contents")
    return []


register("WriteFile", kernel=_write_file_kernel, infer=_write_file_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.write_file", num_outputs=-1, stateful=True, args=("filename", "contents"),
         samples=lambda: [([_str(os.path.join(_samples_dir(), "written", "w.txt")), _str("written")], {})])


def write_file(filename, contents, name=None) -> None:
    """Writes `contents` to the file `filename`, creating missing directories (tf.io.write_file).

    The file is written to a temporary name in its directory and then renamed, so readers
    never see it half written.

    Args:
      filename: a scalar string tensor: the path.
      contents: a scalar string tensor: the bytes to write.
      name: unused.
    """
    bind("WriteFile", [convert_to_tensor(filename, dtype=dtypes.string),
                       convert_to_tensor(contents, dtype=dtypes.string)])


# ---------------------------------------------------------------- MatchingFiles
def _matching_files_kernel(xp, pattern):
    if np.ndim(pattern) > 1:
        raise InvalidArgumentError(None, None, "Input patterns tensor must be scalar or vector, but had shape: %s "
                                   "[Op:MatchingFiles]" % sh.fmt(np.shape(pattern)))
    pats = [pattern] if np.ndim(pattern) == 0 else list(pattern)
    found = sorted(p for pat in pats for p in gfile.glob(_path(pat)))
    out = np.empty(len(found), dtype=object)
    out[:] = [p.encode("utf-8") for p in found]
    return out


def _matching_files_infer(specs, attrs):
    _string_arg("tf.io.matching_files", "MatchingFiles", specs[0], 0, "pattern")
    d = sh.dims(specs[0])
    if d is not None and len(d) > 1:
        raise InvalidArgumentError(None, None, "Input patterns tensor must be scalar or vector, but had shape: %s "
                                   "[Op:MatchingFiles]" % sh.fmt(d))
    if type(specs[0]) is Tensor:  # an eager value: the count is known
        return [((len(_matching_files_kernel(np, specs[0]._value)),), dtypes.string)]
    return [((None,), dtypes.string)]


def _pattern_sample(*names):
    d = _samples_dir()
    if len(names) == 1:
        return _str(os.path.join(d, names[0]))
    out = np.empty(len(names), dtype=object)
    out[:] = [os.path.join(d, n).encode("utf-8") for n in names]
    return out


register("MatchingFiles", kernel=_matching_files_kernel, infer=_matching_files_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.matching_files", stateful=True, args=("pattern",),
         samples=lambda: [([_pattern_sample("*.txt")], {}), ([_pattern_sample("a*", "[ab].txt", "none*")], {})])


def matching_files(pattern, name=None) -> Tensor:
    """The sorted paths matching a glob pattern or a vector of patterns (tf.io.matching_files).

    `*`, `?` and `[...]` match within one path component. As in TF, a path matched by
    several patterns is listed once for each.

    Args:
      pattern: a scalar or vector string tensor of patterns.
      name: unused.

    Returns:
      A 1-D tf.string tensor of paths.
    """
    return bind("MatchingFiles", [convert_to_tensor(pattern, dtype=dtypes.string)])
