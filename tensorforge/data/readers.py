"""File-based datasets: list_files, TFRecordDataset, TextLineDataset, FixedLengthRecordDataset,
and the CSV readers (experimental.CsvDataset, experimental.make_csv_dataset)."""
from __future__ import annotations

import csv
import glob
import gzip
import io
import os
import zlib

import numpy as np

from ..framework import dtypes
from ..framework.errors import InvalidArgumentError, NotFoundError
from ..framework.tensor import Tensor, TensorSpec
from .dataset import AUTOTUNE, Dataset, as_int

_STRING = TensorSpec([], dtypes.string)


def _names(filenames) -> list | Dataset:
    """File names from a string, list, tensor, or a dataset of strings (returned as is)."""
    if isinstance(filenames, Dataset):
        spec = filenames.element_spec
        if not (isinstance(spec, TensorSpec) and spec.dtype == dtypes.string):
            raise TypeError("The `filenames` argument must contain `tf.string` elements. Got a dataset of %r." % (spec,))
        return filenames
    if isinstance(filenames, Tensor):
        filenames = filenames._value
    a = np.asarray(filenames, dtype=object).reshape(-1) if not isinstance(filenames, (str, bytes, os.PathLike)) \
        else [filenames]
    out = [os.fsdecode(f) if not isinstance(f, str) else f for f in (os.fspath(x) if isinstance(x, os.PathLike) else x
                                                                      for x in a)]
    if not out:
        raise InvalidArgumentError(None, None, "`filenames` must be a non-empty list of file names.")
    return out


def _compression(compression_type) -> str:
    c = compression_type
    if isinstance(c, Tensor):
        c = c._value.item()
    if isinstance(c, bytes):
        c = c.decode()
    c = (c or "").upper()
    if c not in ("", "GZIP", "ZLIB"):
        raise InvalidArgumentError(None, None, "Unsupported compression_type: %s." % c)
    return c


class _FileDataset(Dataset):
    """Reads the files named by `filenames` one after another, or `num_parallel_reads` at a time."""

    def __init__(self, filenames, num_parallel_reads, spec):
        self._files = _names(filenames)
        self._inputs = (self._files,) if isinstance(self._files, Dataset) else ()
        self._spec = spec
        self._parallel = None if num_parallel_reads is None else as_int(num_parallel_reads, "num_parallel_reads")

    def _file_list(self):
        if isinstance(self._files, Dataset):
            return (os.fsdecode(c[0].item() if hasattr(c[0], "item") else c[0]) for c in self._files._elements())
        return iter(self._files)

    def _elements(self):
        files = self._file_list()
        if self._parallel is None or self._parallel == 1:
            for f in files:
                yield from self._read(f)
            return
        from .parallel import Interleave
        names = Dataset.from_tensor_slices(list(files))
        n = self._parallel if self._parallel != AUTOTUNE else None
        inner = Interleave.__new__(Interleave)
        inner._input, inner._inputs, inner._spec = names, (names,), self._spec
        inner._in_pack = lambda c: c[0]
        inner._fn = lambda name: _SingleFile(self, os.fsdecode(name.item() if hasattr(name, "item") else name))
        inner._cycle = n if n is not None else AUTOTUNE
        inner._block = 1
        inner._parallel = self._parallel
        inner._deterministic = None
        yield from inner._elements()

    def _read(self, path):
        raise NotImplementedError("%s must implement _read" % type(self).__name__)


class _SingleFile(Dataset):
    def __init__(self, reader, path):
        self._reader, self._path, self._spec = reader, path, reader._spec

    def _elements(self):
        return self._reader._read(self._path)


def _open(path, compression):
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, "%s; No such file or directory" % path) from None
    if compression == "GZIP":
        return gzip.GzipFile(fileobj=f)
    if compression == "ZLIB":
        return _ZlibReader(f)
    return f


class _ZlibReader(io.RawIOBase):
    def __init__(self, f):
        self._f, self._d, self._buf = f, zlib.decompressobj(), b""

    def readable(self):
        return True

    def readinto(self, b):
        while not self._buf:
            raw = self._f.read(1 << 16)
            if not raw:
                self._buf = self._d.flush()
                if not self._buf:
                    return 0
                break
            self._buf = self._d.decompress(raw)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self):
        self._f.close()
        super().close()


class TFRecordDataset(_FileDataset):
    """A dataset of the records (string scalars) in TFRecord files.

    Args:
      filenames: a file name, list of file names, string tensor, or dataset of file names.
      compression_type: "" (none), "ZLIB" or "GZIP".
      buffer_size: read buffer size in bytes.
      num_parallel_reads: read this many files at once on background threads (records then
        interleave across files), or tf.data.AUTOTUNE.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, num_parallel_reads, _STRING)
        self._compression = _compression(compression_type)
        self._buffer = None if buffer_size is None else as_int(buffer_size, "buffer_size")

    def _read(self, path):
        from ..io.tfrecord import iter_tfrecords
        for rec in iter_tfrecords(path, self._compression, self._buffer):
            yield (np.array(rec, dtype=object),)


class TextLineDataset(_FileDataset):
    """A dataset of the lines (without line endings) of text files."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, num_parallel_reads, _STRING)
        self._compression = _compression(compression_type)

    def _read(self, path):
        with _open(path, self._compression) as f:
            for line in f:
                if line.endswith(b"\n"):
                    line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                yield (np.array(line, dtype=object),)


class FixedLengthRecordDataset(_FileDataset):
    """A dataset of fixed-length records from binary files (after `header_bytes`, before `footer_bytes`)."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None, buffer_size=None,
                 compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, num_parallel_reads, _STRING)
        self._record = as_int(record_bytes, "record_bytes")
        self._header = as_int(header_bytes or 0, "header_bytes")
        self._footer = as_int(footer_bytes or 0, "footer_bytes")
        self._compression = _compression(compression_type)

    def _read(self, path):
        with _open(path, self._compression) as f:
            data = f.read()
        body = data[self._header:len(data) - self._footer]
        if len(body) % self._record:
            raise InvalidArgumentError(None, None, "Excluding the header (%d bytes) and footer (%d bytes), input file "
                                       "\"%s\" has body length %d bytes, which is not an exact multiple of the record "
                                       "length (%d bytes)." % (self._header, self._footer, path, len(body), self._record))
        for i in range(0, len(body), self._record):
            yield (np.array(body[i:i + self._record], dtype=object),)


def list_files(file_pattern, shuffle=None, seed=None) -> Dataset:
    patterns = _names(file_pattern)
    if isinstance(patterns, Dataset):
        patterns = [os.fsdecode(np.asarray(c[0]).item()) for c in patterns._elements()]
    matches = sorted({m for p in patterns for m in glob.glob(p)})
    if not matches:
        raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                                   "Summarized data: b'No files matched pattern: %s'" % ", ".join(patterns))
    ds = Dataset.from_tensor_slices(np.array([m.encode() for m in matches], dtype=object))
    if shuffle is None or shuffle:
        ds = ds.shuffle(len(matches), seed=seed)
    return ds


# ---------------------------------------------------------------- CSV
_CSV_DTYPES = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string)


class CsvDataset(_FileDataset):
    """A dataset of the records of CSV files: one scalar tensor per (selected) column.

    `record_defaults` gives each column's dtype (a dtype: required column) or default value
    (a one-element list or tensor: used when the field is empty).
    """

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None, exclude_cols=None, name=None):
        defaults = []
        for d in record_defaults:
            if isinstance(d, dtypes.DType) or (isinstance(d, type) and d in (int, float, str)):
                dt = dtypes.as_dtype(d) if not isinstance(d, type) else {int: dtypes.int32, float: dtypes.float32,
                                                                         str: dtypes.string}[d]
                defaults.append((dt, None))
            else:
                v = d._value if isinstance(d, Tensor) else np.asarray(d)
                v = np.asarray(v).reshape(-1)
                dt = dtypes.as_dtype(v.dtype) if v.dtype != object and v.dtype.kind not in "SU" else dtypes.string
                if dt == dtypes.float64 and not isinstance(d, Tensor):
                    dt = dtypes.float32
                if dt == dtypes.int64 and not isinstance(d, Tensor):
                    dt = dtypes.int32
                defaults.append((dt, v[0] if v.size else None))
        for dt, _ in defaults:
            if dt not in _CSV_DTYPES:
                raise TypeError("Unsupported CSV column type %s" % dt.name)
        if select_cols is not None and exclude_cols is not None:
            raise ValueError("Either select_cols or exclude_cols should be empty")
        spec = tuple(TensorSpec([], dt) for dt, _ in defaults)
        super().__init__(filenames, None, spec)
        self._defaults = defaults
        self._compression = _compression(compression_type)
        self._header = bool(header)
        self._delim = field_delim
        self._quote = bool(use_quote_delim)
        self._na = na_value
        self._select = None if select_cols is None else [int(c) for c in select_cols]
        self._exclude = None if exclude_cols is None else set(int(c) for c in exclude_cols)
        if self._select is not None and len(self._select) != len(defaults):
            raise ValueError("select_cols and record_defaults must have the same length")

    def _read(self, path):
        with _open(path, self._compression) as f:
            text = io.TextIOWrapper(f, encoding="utf-8", newline="")
            reader = csv.reader(text, delimiter=self._delim, quoting=csv.QUOTE_MINIMAL if self._quote
                                else csv.QUOTE_NONE, strict=True)
            line = 0
            for row in reader:
                line += 1
                if line == 1 and self._header:
                    continue
                if not row:
                    continue
                yield self._convert(row, path, line)

    def _convert(self, row, path, line):
        if self._select is not None:
            try:
                row = [row[c] for c in self._select]
            except IndexError:
                raise InvalidArgumentError(None, None, "Expect %d fields but have %d in record %d of %s"
                                           % (max(self._select) + 1, len(row), line, path)) from None
        elif self._exclude is not None:
            row = [v for i, v in enumerate(row) if i not in self._exclude]
        if len(row) != len(self._defaults):
            raise InvalidArgumentError(None, None, "Expect %d fields but have %d in record %d of %s"
                                       % (len(self._defaults), len(row), line, path))
        out = []
        for i, (v, (dt, default)) in enumerate(zip(row, self._defaults)):
            if v == "" or v == self._na:
                if default is None:
                    raise InvalidArgumentError(None, None, "Field %d is required but missing in record %d of %s!"
                                               % (i, line, path))
                out.append(np.array(default if dt != dtypes.string else (default if isinstance(default, bytes)
                                                                         else str(default).encode()),
                                    dtype=dt.as_numpy_dtype))
                continue
            try:
                if dt == dtypes.string:
                    out.append(np.array(v.encode(), dtype=object))
                elif dt.is_integer:
                    out.append(np.array(int(v), dtype=dt.as_numpy_dtype))
                else:
                    out.append(np.array(float(v), dtype=dt.as_numpy_dtype))
            except ValueError:
                raise InvalidArgumentError(None, None, "Field %d in record %d of %s is not a valid %s: %s"
                                           % (i, line, path, dt.name, v)) from None
        return tuple(out)


def _infer_type(values) -> dtypes.DType:
    kind = dtypes.int32
    for v in values:
        if v == "":
            continue
        if kind in (dtypes.int32, dtypes.int64):
            try:
                n = int(v)
                if not -2 ** 31 <= n < 2 ** 31:
                    kind = dtypes.int64
                continue
            except ValueError:
                kind = dtypes.float32
        if kind == dtypes.float32:
            try:
                float(v)
                continue
            except ValueError:
                return dtypes.string
    return kind


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False, num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False, encoding="utf-8") -> Dataset:
    """Reads CSV files into a dataset of (features dict, label) batches, inferring column types."""
    files = list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    names = [os.fsdecode(np.asarray(c[0]).item()) for c in files._elements()]
    comp = _compression(compression_type)
    with _open(names[0], comp) as f:
        text = io.TextIOWrapper(f, encoding=encoding, newline="")
        rows = []
        for i, row in enumerate(csv.reader(text, delimiter=field_delim)):
            rows.append(row)
            if i >= num_rows_for_inference + (1 if header else 0):
                break
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` argument to be set.")
        column_names = rows[0]
    body = rows[1:] if header else rows
    if len(set(column_names)) != len(column_names):
        raise ValueError("Expected `column_names` to be unique, got %r" % (column_names,))
    cols = list(range(len(column_names)))
    if select_columns is not None:
        cols = [column_names.index(c) if isinstance(c, str) else int(c) for c in select_columns]
    if label_name is not None and label_name not in [column_names[c] for c in cols]:
        raise ValueError("`label_name` provided must be one of the columns: %r" % (column_names,))
    if column_defaults is None:
        defaults = [_optional_default(_infer_type([r[c] if c < len(r) else "" for r in body])) for c in cols]
    else:
        defaults = list(column_defaults)
    ds = CsvDataset(names, defaults, compression_type=comp, header=header, field_delim=field_delim,
                    use_quote_delim=use_quote_delim, na_value=na_value, select_cols=cols if select_columns else None)
    keys = [column_names[c] for c in cols]

    def to_dict(*values):
        features = dict(zip(keys, values))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label

    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.batch(batch_size).map(to_dict)
    return ds.prefetch(prefetch_buffer_size if prefetch_buffer_size is not None else AUTOTUNE)


def _optional_default(dt):
    """A column default that fills empty fields with zero / "" (TF's inferred defaults)."""
    if dt == dtypes.string:
        return Tensor(np.array([b""], dtype=object))
    return Tensor(np.zeros(1, dt.as_numpy_dtype))

