"""TensorFlow's tensor bundle: the V2 checkpoint format (tensorflow/core/util/tensor_bundle).

A bundle with prefix P is two files. `P.data-00000-of-00001` holds the tensors' bytes, one
after another: raw little-endian values, except DT_STRING tensors, which are written as
every element's length as a varint64, a masked CRC-32C of those lengths (each taken as a
uint32), then the elements' bytes. `P.index` is a LevelDB table (see `_table`): key "" holds
a BundleHeaderProto and every tensor's name holds a BundleEntryProto (dtype, shape, shard,
offset and size in the data file, and the masked CRC-32C of the tensor's bytes).
"""
from __future__ import annotations

import os
import struct
import uuid

import numpy as np

from ..framework import dtypes, errors
from ..protos import tensor_bundle_pb2, tensor_shape_pb2
from . import _table

_DT_STRING = 7
HEADER_KEY = b""
_BUNDLE_VERSION = 1  # kTensorBundleVersion
_MIN_CONSUMER = 0


def _pread(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # no pread (Windows)
    chunks = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def data_filename(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return "%s.data-%05d-of-%05d" % (prefix, shard, num_shards)


def index_filename(prefix: str) -> str:
    return prefix + ".index"


def _np_dtype(dtype: dtypes.DType) -> np.dtype:
    return np.dtype(dtype.as_numpy_dtype).newbyteorder("<")


def _shape_proto(shape) -> tensor_shape_pb2.TensorShapeProto:
    proto = tensor_shape_pb2.TensorShapeProto()
    for d in shape:
        proto.dim.add(size=int(d))
    return proto


def encode_string_tensor(values) -> tuple[list, int]:
    """TF's WriteStringTensor: (chunks to write, unmasked CRC-32C over lengths, their checksum and the bytes)."""
    elems = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values]
    lengths = np.fromiter((len(e) for e in elems), dtype=np.uint64, count=len(elems))
    varints = bytearray()
    for n in lengths.tolist():
        _table.put_varint(varints, n)
    if lengths.size and lengths.max() > 0xFFFFFFFF:  # TF checksums lengths past 4 GiB as uint64
        crc = 0
        for n in lengths.tolist():
            crc = _table.crc32c(struct.pack("<I" if n <= 0xFFFFFFFF else "<Q", n), crc)
    else:
        crc = _table.crc32c(lengths.astype("<u4"))
    length_checksum = struct.pack("<I", _table.mask_crc(crc))
    crc = _table.crc32c(length_checksum, crc)
    body = b"".join(elems)
    crc = _table.crc32c(body, crc)
    return [bytes(varints), length_checksum, body], crc


class BundleWriter:
    """Writes one bundle: `add` tensors, then `finish` (atomic: temporary files renamed into place).

    Tensors are written in the order they are added; the index is sorted by key, as TF's is.
    """

    def __init__(self, prefix: str):
        self._prefix = os.fspath(prefix)
        self._entries: dict[bytes, tuple] = {}

    def add(self, key: str, value, dtype: dtypes.DType | None = None) -> None:
        """Adds the tensor `value` (a NumPy array; for tf.string, an array of bytes or str) under `key`."""
        k = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if k == HEADER_KEY:
            raise errors.InvalidArgumentError(None, None, "Adding a tensor under the reserved key \"\" (the bundle "
                                              "header) is not allowed")
        if k in self._entries:
            raise errors.InvalidArgumentError(None, None, "Adding duplicate key: %s" % key)
        arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
        dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.from_numpy(arr.dtype)
        self._entries[k] = (arr, dtype)

    def finish(self) -> None:
        prefix = self._prefix
        directory = os.path.dirname(prefix)
        if directory:
            os.makedirs(directory, exist_ok=True)
        tag = ".tempstate%s" % uuid.uuid4().hex
        data_path, index_path = data_filename(prefix), index_filename(prefix)
        protos = {}
        offset = 0
        try:
            with open(data_path + tag, "wb") as f:
                for key, (arr, dtype) in self._entries.items():
                    entry = tensor_bundle_pb2.BundleEntryProto(dtype=dtype.as_datatype_enum, offset=offset)
                    entry.shape.CopyFrom(_shape_proto(arr.shape))
                    if dtype.as_datatype_enum == _DT_STRING:
                        chunks, crc = encode_string_tensor(arr.reshape(-1).tolist())
                        for c in chunks:
                            f.write(c)
                        size = sum(len(c) for c in chunks)
                    else:
                        data = np.ascontiguousarray(arr, dtype=_np_dtype(dtype))
                        f.write(data.reshape(-1).view(np.uint8).data if data.size else b"")
                        crc = _table.crc32c(data) if data.size else 0
                        size = data.nbytes
                    entry.size = size
                    entry.crc32c = _table.mask_crc(crc)
                    protos[key] = entry
                    offset += size
            header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1)
            header.endianness = tensor_bundle_pb2.BundleHeaderProto.LITTLE
            header.version.producer = _BUNDLE_VERSION
            items = [(HEADER_KEY, header.SerializeToString())]
            items += [(k, protos[k].SerializeToString()) for k in sorted(protos)]
            with open(index_path + tag, "wb") as f:
                f.write(_table.build_table(items))
            # The index names a checkpoint, so it is renamed last.
            os.replace(data_path + tag, data_path)
            os.replace(index_path + tag, index_path)
        except BaseException:
            for p in (data_path + tag, index_path + tag):
                if os.path.exists(p):
                    os.remove(p)
            raise


class BundleReader:
    """Reads a bundle: its index at construction, tensors on demand (checksums verified)."""

    def __init__(self, prefix: str):
        self._prefix = prefix = os.fspath(prefix)
        path = index_filename(prefix)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                                       "matching files for %s" % prefix) from None
        items = _table.read_table(data, path)
        if not items or items[0][0] != HEADER_KEY:
            raise errors.DataLossError(None, None, "Unable to read file (%s). Perhaps the file is corrupt or was "
                                       "produced by a newer version of TensorFlow with format changes (failed to "
                                       "seek to header entry)" % path)
        header = tensor_bundle_pb2.BundleHeaderProto()
        try:
            header.ParseFromString(items[0][1])
        except Exception:
            raise errors.DataLossError(None, None, "%s: cannot parse the bundle header" % path) from None
        if header.version.min_consumer > _BUNDLE_VERSION or _BUNDLE_VERSION in header.version.bad_consumers:
            raise errors.InvalidArgumentError(
                None, None, "Checkpoint min consumer version %d above current version %d for TensorFlow"
                % (header.version.min_consumer, _BUNDLE_VERSION))
        self._num_shards = max(header.num_shards, 1)
        self._big_endian = header.endianness == tensor_bundle_pb2.BundleHeaderProto.BIG
        self._raw = {}
        for k, v in items[1:]:
            self._raw[k.decode("utf-8", "surrogateescape")] = v
        self._entries: dict[str, tensor_bundle_pb2.BundleEntryProto] = {}
        self._files: dict[int, int] = {}

    @property
    def prefix(self) -> str:
        return self._prefix

    def keys(self) -> list:
        return list(self._raw)

    def __contains__(self, key: str) -> bool:
        return key in self._raw

    def entry(self, key: str) -> tensor_bundle_pb2.BundleEntryProto:
        e = self._entries.get(key)
        if e is None:
            raw = self._raw.get(key)
            if raw is None:
                raise errors.NotFoundError(None, None, "Key %s not found in checkpoint" % key)
            e = tensor_bundle_pb2.BundleEntryProto()
            try:
                e.ParseFromString(raw)
            except Exception:
                raise errors.DataLossError(None, None, "%s: cannot parse the entry of %s"
                                           % (index_filename(self._prefix), key)) from None
            self._entries[key] = e
        return e

    def shape(self, key: str) -> list:
        return [d.size for d in self.entry(key).shape.dim]

    def dtype_enum(self, key: str) -> int:
        return self.entry(key).dtype

    def _fd(self, shard: int) -> int:
        fd = self._files.get(shard)
        if fd is None:
            path = data_filename(self._prefix, shard, self._num_shards)
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except FileNotFoundError:
                raise errors.NotFoundError(None, None, "%s; No such file or directory" % path) from None
            self._files[shard] = fd
        return fd

    def close(self) -> None:
        for fd in self._files.values():
            os.close(fd)
        self._files.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def read(self, key: str) -> np.ndarray:
        """The tensor stored under `key`, as a NumPy array (tf.string: an object array of bytes)."""
        e = self.entry(key)
        if e.slices:
            raise errors.UnimplementedError(None, None, "Sliced checkpoints are not supported: %s is stored as %d "
                                            "slices" % (key, len(e.slices)))
        dtype = dtypes._BY_ENUM.get(e.dtype)
        if dtype is None:
            raise errors.UnimplementedError(None, None, "Data type not supported: tensor %s has dtype enum %d"
                                            % (key, e.dtype))
        shape = tuple(d.size for d in e.shape.dim)
        where = "TensorBundle at %s shard %d (%d bytes)" % (self._prefix, e.shard_id, e.size)
        if e.size == 0:
            buf = b""
        else:
            fd = self._fd(e.shard_id)
            buf = _pread(fd, e.size, e.offset)
            if len(buf) != e.size:
                raise errors.DataLossError(None, None, "%s: requested %d bytes at offset %d of %s but read %d"
                                           % (where, e.size, e.offset,
                                              data_filename(self._prefix, e.shard_id, self._num_shards), len(buf)))
        if e.dtype == _DT_STRING:
            return self._decode_strings(buf, shape, e, where)
        actual = _table.mask_crc(_table.crc32c(buf) if buf else 0)
        if actual != e.crc32c:
            raise errors.DataLossError(None, None, "%s: Checksum does not match: stored %d vs. calculated on the "
                                       "restored bytes %d" % (where, e.crc32c, actual))
        npdt = _np_dtype(dtype)
        if self._big_endian:
            npdt = npdt.newbyteorder(">")
        n = int(np.prod(shape, dtype=np.int64))
        if n * npdt.itemsize != len(buf):
            raise errors.DataLossError(None, None, "%s: %s of shape %s needs %d bytes"
                                       % (where, dtype.name, list(shape), n * npdt.itemsize))
        arr = np.frombuffer(buf, dtype=npdt).reshape(shape)
        return arr.astype(npdt.newbyteorder("="), copy=True) if self._big_endian else arr.copy()

    def _decode_strings(self, buf: bytes, shape, e, where: str) -> np.ndarray:
        n = int(np.prod(shape, dtype=np.int64))
        lengths = []
        pos = 0
        try:
            for _ in range(n):
                length, pos = _table.get_varint(buf, pos, len(buf))
                lengths.append(length)
        except ValueError:
            raise errors.DataLossError(None, None, "%s: bad string length varint at byte %d of the tensor"
                                       % (where, pos)) from None
        if pos + 4 > len(buf):
            raise errors.DataLossError(None, None, "%s: string tensor truncated" % where)
        small = all(x <= 0xFFFFFFFF for x in lengths)
        crc = _table.crc32c(np.asarray(lengths, dtype="<u4")) if small and lengths else 0
        if not small:
            crc = 0
            for x in lengths:
                crc = _table.crc32c(struct.pack("<I" if x <= 0xFFFFFFFF else "<Q", x), crc)
        stored = struct.unpack_from("<I", buf, pos)[0]
        if stored != _table.mask_crc(crc):
            raise errors.DataLossError(None, None, "%s: The length checksum does not match: expected %d but actual "
                                       "is %d" % (where, stored, _table.mask_crc(crc)))
        crc = _table.crc32c(buf[pos:pos + 4], crc)
        pos += 4
        if pos + sum(lengths) != len(buf):
            raise errors.DataLossError(None, None, "%s: string tensor of %d elements needs %d bytes"
                                       % (where, n, pos + sum(lengths)))
        if pos < len(buf):
            crc = _table.crc32c(memoryview(buf)[pos:], crc)
        actual = _table.mask_crc(crc)
        if actual != e.crc32c:
            raise errors.DataLossError(None, None, "%s: Checksum does not match: stored %d vs. calculated on the "
                                       "restored bytes %d" % (where, e.crc32c, actual))
        out = np.empty(n, dtype=object)
        for i, length in enumerate(lengths):
            out[i] = buf[pos:pos + length]
            pos += length
        return out.reshape(shape)
