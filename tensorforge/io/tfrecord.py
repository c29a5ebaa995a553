"""TFRecord files: tf.io.TFRecordWriter, tf.io.TFRecordOptions and the reader behind
tf.data.TFRecordDataset.

A TFRecord file is a sequence of records, each framed as

    uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

with ``masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2**32)`` over CRC-32C.
GZIP and ZLIB compress the whole stream, not each record. Files written here are byte for
byte what TF 2.21 writes, compressed ones included (same zlib settings: level -1, memLevel 9,
and a partial flush on `flush()`).

The writer writes in place, as TF's does: the file exists from the moment the writer is
made, `flush()` makes the records written so far readable by other readers, and `close()`
(or leaving the `with` block) completes the file. A crash can leave a partial last record,
which readers report as a DataLossError ("truncated record at ...") after the good records.
"""
from __future__ import annotations

import struct
import zlib
from typing import Iterator

from google_crc32c import value as _crc32c

from ..framework import errors
from .gfile import os_error, path_str

__all__ = ["TFRecordOptions", "TFRecordWriter"]

_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF
_HEADER = struct.Struct("<QI")   # length, masked crc of the length
_U64 = struct.Struct("<Q")
_U32S = struct.Struct("<I")
_DEFAULT_CHUNK = 1 << 20         # bytes read per file read; records are cut from these chunks
_MIN_CHUNK = 256 << 10
_MAX_READ = 256 << 20         # a huge record is read in pieces of this size


def masked_crc32c(data: bytes) -> int:
    """TF's masked CRC-32C of `data`: rotate right by 15 bits, then add 0xa282ead8."""
    c = _crc32c(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & _U32


def frame(record: bytes) -> bytes:
    """One record with its TFRecord framing."""
    n = _U64.pack(len(record))
    return b"".join((n, _U32S.pack(masked_crc32c(n)), record, _U32S.pack(masked_crc32c(record))))


# ---------------------------------------------------------------- options
class TFRecordCompressionType:
    """The compression types of TFRecord files (tf.compat.v1.io.TFRecordCompressionType)."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """Options for writing TFRecord files (tf.io.TFRecordOptions).

    Only `compression_type` matters for an uncompressed file. The zlib settings follow
    TF's (zlib_compression_options.h); None keeps TF's default.

    Args:
      compression_type: "GZIP", "ZLIB", or "" / None (no compression).
      flush_mode: a zlib flush mode applied after every record (default Z_NO_FLUSH).
      input_buffer_size: bytes gathered before they are handed to zlib (default 256 KiB).
      output_buffer_size: accepted for compatibility.
      window_bits: zlib window size, 8..15 (GZIP adds the gzip header flag itself).
      compression_level: 0 to 9, or -1 for zlib's default.
      compression_method: zlib method (only Z_DEFLATED, 8).
      mem_level: 1 to 9 (default 9).
      compression_strategy: zlib strategy (default Z_DEFAULT_STRATEGY).

    Raises:
      ValueError: if `compression_type` is not valid.
    """

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None, output_buffer_size=None,
                 window_bits=None, compression_level=None, compression_method=None, mem_level=None,
                 compression_strategy=None):
        self.get_compression_type_string(compression_type)
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """`options` (a TFRecordOptions, a TFRecordCompressionType value or a string) as 'ZLIB', 'GZIP' or ''.

        Raises:
          ValueError: if it names no valid compression type.
        """
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, str):
            if options in ("ZLIB", "GZIP"):
                return options
        elif isinstance(options, int) and options in cls.compression_type_map:
            return cls.compression_type_map[options]
        raise ValueError('Not a valid compression_type: "{}"'.format(options))

    def _compressor(self, compression: str):
        wbits = 15 if self.window_bits is None else int(self.window_bits)
        if compression == "GZIP" and wbits < 16:
            wbits += 16
        return zlib.compressobj(
            -1 if self.compression_level is None else int(self.compression_level),
            zlib.DEFLATED if self.compression_method is None else int(self.compression_method),
            wbits,
            9 if self.mem_level is None else int(self.mem_level),
            zlib.Z_DEFAULT_STRATEGY if self.compression_strategy is None else int(self.compression_strategy))

    def __repr__(self):
        return "TFRecordOptions(compression_type=%r)" % (self.compression_type,)


# ---------------------------------------------------------------- writer
class TFRecordWriter:
    """Writes records to a TFRecord file (tf.io.TFRecordWriter).

    Example:

    >>> with tf.io.TFRecordWriter("/tmp/data.tfrecord") as w:
    ...     w.write(b"record 1")
    ...     w.write(example.SerializeToString())

    Args:
      path: the file to write (created or truncated now).
      options: a TFRecordOptions, or a compression type string ("GZIP", "ZLIB", "").

    Raises:
      NotFoundError: if the directory does not exist.
      ValueError: if `options` is not a valid compression type.
    """

    def __init__(self, path, options=None):
        compression = TFRecordOptions.get_compression_type_string(options)
        opts = options if isinstance(options, TFRecordOptions) else TFRecordOptions(compression)
        self._path = path_str(path)
        try:
            self._f = open(self._path, "wb", buffering=1 << 20)
        except OSError as e:
            raise os_error(e, self._path) from None
        self._z = opts._compressor(compression) if compression else None
        self._pending: list = []      # framed bytes not yet given to zlib
        self._pending_size = 0
        self._batch = int(opts.input_buffer_size or (256 << 10))
        self._flush_mode = int(opts.flush_mode or zlib.Z_NO_FLUSH)

    def write(self, record) -> None:
        """Appends one record (bytes; a str is written as UTF-8).

        Raises:
          FailedPreconditionError: if the writer is closed.
        """
        if self._f is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        if isinstance(record, str):
            record = record.encode("utf-8")
        elif not isinstance(record, bytes):
            if not isinstance(record, (bytearray, memoryview)):
                raise TypeError("TFRecordWriter.write() takes bytes or str, got %r" % (record,))
            record = bytes(record)
        n = _U64.pack(len(record))
        c = _crc32c(n)
        d = _crc32c(record)
        head = n + _U32S.pack((((c >> 15) | (c << 17)) + _MASK_DELTA) & _U32)
        tail = _U32S.pack((((d >> 15) | (d << 17)) + _MASK_DELTA) & _U32)
        if self._z is None:
            w = self._f.write
            w(head)
            w(record)
            w(tail)
            return
        self._pending += (head, record, tail)
        self._pending_size += len(record) + 16
        if self._pending_size >= self._batch or self._flush_mode != zlib.Z_NO_FLUSH:
            self._deflate(self._flush_mode)

    def _deflate(self, mode: int) -> None:
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        out = self._z.compress(data)
        if mode != zlib.Z_NO_FLUSH:
            out += self._z.flush(mode)
        if out:
            self._f.write(out)

    def flush(self) -> None:
        """Writes out everything buffered, so that readers of the file see every record so far.

        A compressed stream gets a zlib partial flush, as TF does (the bytes stay identical to TF's).

        Raises:
          FailedPreconditionError: if the writer is closed.
        """
        if self._f is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        try:
            if self._z is not None:
                self._deflate(zlib.Z_PARTIAL_FLUSH)
            self._f.flush()
        except OSError as e:
            raise os_error(e, self._path) from None

    def close(self) -> None:
        """Completes the file (compressed streams get their trailer) and closes it. Closing twice is fine."""
        f = self._f
        if f is None:
            return
        try:
            if self._z is not None:
                self._deflate(zlib.Z_FINISH)
                self._z = None
        except OSError as e:
            raise os_error(e, self._path) from None
        finally:
            self._f = None
            try:
                f.close()
            except OSError as e:
                raise os_error(e, self._path) from None

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_f", None) is not None:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass


# ---------------------------------------------------------------- reader
class _Inflater:
    """A file-like `read(n)` over the decompressed bytes of a GZIP or ZLIB file."""

    def __init__(self, f, wbits: int, chunk: int, path: str):
        self._f = f
        self._wbits = wbits
        self._chunk = chunk
        self._path = path
        self._d = zlib.decompressobj(wbits)
        self._src = b""

    def read(self, n: int) -> bytes:
        out = []
        size = 0
        d = self._d
        while size < n:
            src = d.unconsumed_tail or self._src
            self._src = b""
            if not src:
                if d.eof:
                    src = d.unused_data
                    if not src:
                        src = self._f.read(self._chunk)
                        if not src:
                            break
                    d = self._d = zlib.decompressobj(self._wbits)  # a further gzip member
                else:
                    src = self._f.read(self._chunk)
                    if not src:
                        break  # a stream cut short: the records it holds are still read, as TF does
            try:
                piece = d.decompress(src, n - size)
            except zlib.error as e:
                raise _inflate_error(e, self._path) from None
            if piece:
                out.append(piece)
                size += len(piece)
        return b"".join(out)


def _inflate_error(e: zlib.error, path: str) -> errors.DataLossError:
    msg = str(e)
    # zlib.error says "Error -3 while decompressing data: incorrect header check"; TF says
    # "inflate() failed with error -3: incorrect header check".
    if msg.startswith("Error ") and " while decompressing data: " in msg:
        code, _, reason = msg[6:].partition(" while decompressing data: ")
        msg = "inflate() failed with error %s: %s" % (code, reason)
    return errors.DataLossError(None, None, "%s [file: %s]" % (msg, path))


def _corrupted(offset: int, path: str) -> errors.DataLossError:
    suffix = " (Is this even a TFRecord file?)" if offset == 0 else ""
    return errors.DataLossError(None, None, "corrupted record at %d%s [file: %s]" % (offset, suffix, path))


def _records(read, chunk: int, path: str) -> Iterator[bytes]:
    """Cuts records from the byte stream `read(n)`, checking both CRCs of each."""
    buf = read(chunk)
    base = 0      # offset in the stream of buf[0]
    pos = 0
    unpack_header = _HEADER.unpack_from
    unpack_u32 = _U32S.unpack_from
    crc = _crc32c
    while True:
        n = len(buf)
        # The hot loop: every complete record in the buffer, with no I/O.
        while pos + 12 <= n:
            length, stored = unpack_header(buf, pos)
            c = crc(buf[pos:pos + 8])
            if (((c >> 15) | (c << 17)) + _MASK_DELTA) & _U32 != stored:
                raise _corrupted(base + pos, path)
            start = pos + 12
            end = start + length
            if end + 4 > n:
                break
            data = buf[start:end]
            c = crc(data)
            if (((c >> 15) | (c << 17)) + _MASK_DELTA) & _U32 != unpack_u32(buf, end)[0]:
                raise _corrupted(base + start, path)
            yield data
            pos = end + 4
        # Refill: keep the unfinished record and read at least the rest of it.
        rest = buf[pos:]
        base += pos
        pos = 0
        need = 12 if len(rest) < 12 else _U64.unpack_from(rest)[0] + 16
        more = read(min(max(chunk, need - len(rest)), _MAX_READ))
        if not more:
            if len(rest) < 12:
                return  # the end, or a partial header: the end of the records, as in TF
            raise errors.DataLossError(None, None, "truncated record at %d' failed with Read less bytes than "
                                       "requested [file: %s]" % (base, path))
        buf = rest + more if rest else more


def iter_tfrecords(path, compression_type: str | None = "", buffer_size: int | None = None) -> Iterator[bytes]:
    """Yields the records of the TFRecord file `path`, in order (the reader of tf.data.TFRecordDataset).

    Reads the file in large chunks and checks both CRCs of every record. A damaged record
    raises DataLossError after every good record before it was yielded; the message gives
    TF's text ("corrupted record at <offset>", "truncated record at <offset>...") and the
    file. As in TF, the offset of a bad length CRC is the record's, that of a bad data CRC
    the data's (record + 12), and a file that ends inside a record's 12-byte header ends
    the records without an error.

    Args:
      path: the file.
      compression_type: "", None, "GZIP" or "ZLIB".
      buffer_size: bytes per read (at least 256 KiB are read at a time; default 1 MiB).

    Raises:
      NotFoundError: if the file does not exist.
      DataLossError: for a bad CRC, a truncated record or a corrupt compressed stream.
      ValueError: for an unknown compression type.
    """
    path = path_str(path)
    compression = TFRecordOptions.get_compression_type_string(compression_type)
    chunk = max(int(buffer_size), _MIN_CHUNK) if buffer_size else _DEFAULT_CHUNK
    try:
        f = open(path, "rb", buffering=0)
    except OSError as e:
        raise os_error(e, path) from None
    with f:
        try:
            if compression:
                src = _Inflater(f, 31 if compression == "GZIP" else 15, chunk, path)
                yield from _records(src.read, chunk, path)
            else:
                yield from _records(f.read, chunk, path)
        except OSError as e:
            raise os_error(e, path) from None


def tf_record_iterator(path, options=None) -> Iterator[bytes]:
    """The records of a TFRecord file (tf.compat.v1.io.tf_record_iterator); `options` as for TFRecordWriter."""
    return iter_tfrecords(path, TFRecordOptions.get_compression_type_string(options))
