"""tf.io.gfile: TensorFlow's file API, for local paths.

Functions raise TF's error types with TF's messages: a missing path is a NotFoundError
("<path>; No such file or directory"), an existing destination an AlreadyExistsError
("file already exists"), a directory where a file is needed a FailedPreconditionError.

`GFile` writes in place, like TF (a crash can leave a partial file; `flush()` makes what was
written visible to readers). `copy` writes a temporary file in the destination's directory
and renames it over the destination, so a copy is never seen half written.
"""
from __future__ import annotations

import errno
import fnmatch
import os
import shutil
import stat as _stat
import tempfile
from typing import Iterator

from ..framework import errors

__all__ = ["GFile", "copy", "exists", "glob", "isdir", "join", "listdir", "makedirs", "mkdir",
           "remove", "rename", "rmtree", "stat", "walk", "get_registered_schemes"]

_BY_ERRNO = {
    errno.ENOENT: errors.NotFoundError,
    errno.EEXIST: errors.AlreadyExistsError,
    errno.EACCES: errors.PermissionDeniedError,
    errno.EPERM: errors.PermissionDeniedError,
    errno.EROFS: errors.PermissionDeniedError,
    errno.EISDIR: errors.FailedPreconditionError,
    errno.ENOTDIR: errors.FailedPreconditionError,
    errno.ENOTEMPTY: errors.FailedPreconditionError,
    errno.EINVAL: errors.InvalidArgumentError,
    errno.ENOSPC: errors.ResourceExhaustedError,
    errno.EFBIG: errors.ResourceExhaustedError,
}


def os_error(e: OSError, path) -> errors.OpError:
    """The TF error for an OSError on `path`: "<path>; <strerror>", as TF's posix file system."""
    cls = _BY_ERRNO.get(e.errno, errors.UnknownError)
    return cls(None, None, "%s; %s" % (path, e.strerror or e))


def path_str(path) -> str:
    """`path` (str, bytes, os.PathLike or a scalar string tensor) as a str."""
    if isinstance(path, str):
        return path
    if hasattr(path, "numpy") and not isinstance(path, (bytes, bytearray)):
        path = path.numpy()
    path = os.fspath(path)
    if isinstance(path, bytes):
        return path.decode("utf-8")
    if not isinstance(path, str):
        raise TypeError("Expected binary or unicode string, got %r" % (path,))
    return path


# ---------------------------------------------------------------- queries
def exists(path) -> bool:
    """Whether a file or directory exists at `path` (tf.io.gfile.exists)."""
    return os.path.exists(path_str(path))


def isdir(path) -> bool:
    """Whether `path` is a directory (tf.io.gfile.isdir)."""
    return os.path.isdir(path_str(path))


class FileStatistics:
    """What `stat` returns: `length` (bytes), `mtime_nsec` (whole seconds, as TF), `is_directory`."""

    __slots__ = ("length", "mtime_nsec", "is_directory")

    def __init__(self, length: int, mtime_nsec: int, is_directory: bool):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    @property
    def mtime_nsecs(self) -> int:
        """An alias of `mtime_nsec`."""
        return self.mtime_nsec

    def __repr__(self):
        return "FileStatistics(length=%d, mtime_nsec=%d, is_directory=%s)" % (
            self.length, self.mtime_nsec, self.is_directory)


def stat(path) -> FileStatistics:
    """File statistics of `path` (tf.io.gfile.stat).

    Raises:
      NotFoundError: if `path` does not exist.
    """
    path = path_str(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise os_error(e, path) from None
    return FileStatistics(st.st_size, int(st.st_mtime) * 1_000_000_000, _stat.S_ISDIR(st.st_mode))


def listdir(path) -> list[str]:
    """The entries of directory `path`, without '.' and '..', sorted (tf.io.gfile.listdir).

    Raises:
      NotFoundError: if `path` is not a directory.
    """
    path = path_str(path)
    try:
        return sorted(os.listdir(path))
    except OSError:
        raise errors.NotFoundError(None, None, "Could not find directory %s" % path) from None


_MAGIC = frozenset("*?[")


def _has_magic(s: str) -> bool:
    return not _MAGIC.isdisjoint(s)


def _glob1(pattern: str) -> list[str]:
    if not _has_magic(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    head, tail = os.path.split(pattern)
    if head and head != pattern and _has_magic(head):
        dirs = [d for d in _glob1(head) if os.path.isdir(d)]
    else:
        dirs = [head]
    out = []
    for d in dirs:
        if not _has_magic(tail):
            p = os.path.join(d, tail)
            if os.path.lexists(p):
                out.append(p)
            continue
        try:
            names = os.listdir(d or ".")
        except OSError:
            continue
        out.extend(os.path.join(d, n) for n in names if fnmatch.fnmatchcase(n, tail))
    return out


def glob(pattern) -> list[str]:
    """The paths matching `pattern` (or any of a list of patterns), sorted (tf.io.gfile.glob).

    `*`, `?` and `[...]` match within one path component; unlike Python's glob, a
    leading '.' is matched too, as in TF. A pattern under a missing directory matches nothing.
    """
    if isinstance(pattern, (list, tuple)):
        out: list[str] = []
        for p in pattern:
            out.extend(glob(p))
        return out
    return sorted(_glob1(path_str(pattern)))


def walk(top, topdown: bool = True, onerror=None) -> Iterator[tuple[str, list[str], list[str]]]:
    """Walks the directory tree at `top` (tf.io.gfile.walk).

    Yields `(dirname, subdirs, files)` tuples, pre-order when `topdown`, else post-order.
    A missing `top` yields nothing (or calls `onerror(NotFoundError)`).
    """
    top = path_str(top)
    try:
        entries = listdir(top)
    except errors.NotFoundError as e:
        if onerror is not None:
            onerror(e)
        return
    subdirs, files = [], []
    for name in entries:
        (subdirs if os.path.isdir(os.path.join(top, name)) else files).append(name)
    if topdown:
        yield top, subdirs, files
    for name in subdirs:
        yield from walk(os.path.join(top, name), topdown, onerror)
    if not topdown:
        yield top, subdirs, files


def join(path, *paths) -> str:
    """Joins path components: os.path.join, or URL-style for 'scheme://' paths (tf.io.gfile.join)."""
    first = path_str(path)
    if "://" in first[1:]:
        out = first
        for p in paths:
            out = (out if out.endswith("/") else out + "/") + path_str(p)
        return out
    return os.path.join(first, *[path_str(p) for p in paths])


def get_registered_schemes() -> list[str]:
    """The file system schemes this build handles: local files only."""
    return ["", "file"]


# ---------------------------------------------------------------- changes
def mkdir(path) -> None:
    """Creates directory `path`; its parent must exist. An existing path is left alone (tf.io.gfile.mkdir).

    Raises:
      NotFoundError: if the parent directory does not exist.
    """
    path = path_str(path)
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except OSError as e:
        raise os_error(e, path) from None


def makedirs(path) -> None:
    """Creates directory `path` and any missing parents (tf.io.gfile.makedirs).

    Raises:
      FailedPreconditionError: if `path` or one of its parents is a file.
    """
    path = path_str(path)
    try:
        os.makedirs(path, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        p = path
        while p and not os.path.exists(p):
            p = os.path.dirname(p.rstrip(os.sep))
        raise errors.FailedPreconditionError(None, None, "%s is not a directory" % (p or path)) from None
    except OSError as e:
        raise os_error(e, path) from None


def remove(path) -> None:
    """Deletes the file `path` (tf.io.gfile.remove).

    Raises:
      NotFoundError: if it does not exist. FailedPreconditionError: if it is a directory.
    """
    path = path_str(path)
    try:
        os.remove(path)
    except OSError as e:
        if e.errno == errno.EPERM and os.path.isdir(path):  # some platforms say EPERM for unlink(dir)
            e = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        raise os_error(e, path) from None


def rmtree(path) -> None:
    """Deletes `path` and everything under it; a file is simply removed (tf.io.gfile.rmtree).

    Raises:
      NotFoundError: if `path` does not exist.
    """
    path = path_str(path)
    if not os.path.lexists(path):
        raise errors.NotFoundError(None, None, "%s not found" % path)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError as e:
        raise os_error(e, e.filename or path) from None


def rename(src, dst, overwrite: bool = False) -> None:
    """Renames `src` to `dst` (tf.io.gfile.rename).

    Raises:
      AlreadyExistsError: if `dst` exists and `overwrite` is False.
      NotFoundError: if `src` does not exist.
    """
    src, dst = path_str(src), path_str(dst)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        os.replace(src, dst)
    except OSError as e:
        raise os_error(e, src) from None


def copy(src, dst, overwrite: bool = False) -> None:
    """Copies the file `src` to `dst` (tf.io.gfile.copy).

    The copy is written to a temporary file next to `dst`, then renamed over it.

    Raises:
      AlreadyExistsError: if `dst` exists and `overwrite` is False.
      NotFoundError: if `src` does not exist.
    """
    src, dst = path_str(src), path_str(dst)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    if not os.path.exists(src):
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % src)
    if os.path.isdir(src):
        raise errors.InvalidArgumentError(None, None, "%s; Invalid argument" % dst)
    if os.path.isdir(dst):
        raise errors.FailedPreconditionError(None, None, "%s; Is a directory" % dst)
    write_atomic(dst, None, src=src)


def write_atomic(path: str, data: bytes | None, src: str | None = None) -> None:
    """Writes `data` (or a copy of file `src`) to `path` through a temporary file and a rename."""
    d = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=d)
    except OSError as e:
        raise os_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if src is None:
                f.write(data)
            else:
                with open(src, "rb") as s:
                    shutil.copyfileobj(s, f, 1 << 20)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp's 0600 would otherwise stick
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise os_error(e, e.filename if e.filename and e.filename != tmp else path) from None


# ---------------------------------------------------------------- GFile
_MODES = {"r": "rb", "w": "wb", "a": "ab", "r+": "r+b", "w+": "w+b", "a+": "a+b"}


class GFile:
    """A file object for TF's file systems (tf.io.gfile.GFile), here local files.

    Modes 'r', 'w', 'a', 'r+', 'w+', 'a+', each optionally with 'b'. Without 'b' reads
    return str (UTF-8), with 'b' bytes; writes accept both. The file is opened on first use,
    as in TF: a missing file raises NotFoundError from the first read, and a file opened for
    writing appears with the first write. `readline` drops '\\r' characters, as TF's does.

    Example:

    >>> with tf.io.gfile.GFile("/tmp/x.txt", "w") as f:
    ...     f.write("hello\\n")
    >>> tf.io.gfile.GFile("/tmp/x.txt").read()
    'hello\\n'
    """

    def __init__(self, name, mode: str = "r"):
        self.__name = path_str(name)
        self.__mode = mode
        base = mode.replace("b", "")
        if base not in _MODES:
            raise errors.InvalidArgumentError(None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self._binary = "b" in mode
        self._os_mode = _MODES[base]
        self._readable = base.startswith("r") or "+" in base
        self._writable = base != "r"
        self._f = None

    @property
    def name(self) -> str:
        """The path the file was opened with."""
        return self.__name

    @property
    def mode(self) -> str:
        """The mode the file was opened with."""
        return self.__mode

    def _file(self):
        if self._f is None:
            try:
                self._f = open(self.__name, self._os_mode)
            except OSError as e:
                raise os_error(e, self.__name) from None
        return self._f

    def _check_read(self):
        if not self._readable:
            raise errors.PermissionDeniedError(None, None, "File isn't open for reading")
        return self._file()

    def _value(self, b: bytes):
        return b if self._binary else b.decode("utf-8")

    def read(self, n: int = -1):
        """Reads `n` bytes (all remaining when -1) and returns them (str in text mode)."""
        f = self._check_read()
        return self._value(f.read(n if n is not None and n >= 0 else -1))

    def readline(self):
        """The next line, '\\n' included ('' at the end of the file)."""
        line = self._check_read().readline()
        if b"\r" in line:
            line = line.replace(b"\r", b"")
        return self._value(line)

    def readlines(self) -> list:
        """All remaining lines."""
        return list(self)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def next(self):
        return self.__next__()

    def write(self, file_content) -> None:
        """Writes `file_content` (str, encoded as UTF-8, or bytes)."""
        if not self._writable:
            raise errors.PermissionDeniedError(None, None, "File isn't open for writing")
        if isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        elif not isinstance(file_content, (bytes, bytearray, memoryview)):
            raise TypeError("Expected binary or unicode string, got %r" % (file_content,))
        try:
            self._file().write(file_content)
        except OSError as e:
            raise os_error(e, self.__name) from None

    def seek(self, offset: int | None = None, whence: int = 0, position: int | None = None) -> None:
        """Moves to byte `offset` relative to the start (whence 0), position (1) or end (2)."""
        if offset is None:
            offset = position if position is not None else 0
        self._check_read().seek(offset, whence)

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        """The current byte offset."""
        return self._file().tell()

    def size(self) -> int:
        """The size of the file in bytes."""
        if self._f is not None and self._writable:
            self._f.flush()
        return stat(self.__name).length

    def flush(self) -> None:
        """Pushes written data to the file, so that readers see it."""
        if self._f is not None:
            try:
                self._f.flush()
            except OSError as e:
                raise os_error(e, self.__name) from None

    def close(self) -> None:
        """Flushes and closes the file (a later read reopens it from the start)."""
        if self._f is not None:
            f, self._f = self._f, None
            try:
                f.close()
            except OSError as e:
                raise os_error(e, self.__name) from None

    def __enter__(self) -> "GFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        f = getattr(self, "_f", None)
        if f is not None:
            try:
                f.close()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass

    def __repr__(self):
        return "<tf.io.gfile.GFile name=%r mode=%r>" % (self.__name, self.__mode)
