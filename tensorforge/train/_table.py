"""The LevelDB table format ("SSTable") that TensorFlow uses for a checkpoint's `.index` file.

Layout (tsl/lib/io/{table_builder,block_builder,format}.{h,cc}): data blocks, an empty
metaindex block, an index block, then a 48-byte footer. A block holds entries
`varint32 shared | varint32 non_shared | varint32 value_length | key[shared:] | value`,
keys sorted bytewise and prefix-compressed against the previous key except at "restart
points", whose offsets follow as uint32s, then their count. Each block is followed by a
5-byte trailer: the compression type (0 = none) and the masked CRC-32C of the block and
that type byte. The index block maps a separator key (>= every key of a data block, < the
next block's first key) to the block's handle `varint64 offset | varint64 size`. The footer
is the metaindex and index handles, zero-padded to 40 bytes, and the fixed64 magic
0xdb4775248b80fb57.

TensorFlow writes tables uncompressed with 256 KiB blocks and a restart every 16 keys;
`build_table` does the same, so it reproduces TF's bytes.
"""
from __future__ import annotations

import struct

import google_crc32c
import numpy as np

from ..framework import errors

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5
BLOCK_SIZE = 262144
RESTART_INTERVAL = 16
_MASK_DELTA = 0xA282EAD8
_NO_COMPRESSION, _SNAPPY = 0, 1


def crc32c(data, crc: int = 0) -> int:
    """CRC-32C of any contiguous buffer (bytes, bytearray, memoryview, NumPy array), without copying it."""
    if not isinstance(data, bytes):
        data = np.frombuffer(data, np.uint8) if not isinstance(data, np.ndarray) else data.reshape(-1).view(np.uint8)
    return google_crc32c.extend(crc, data) if crc else google_crc32c.value(data)


def masked_crc32c(data) -> int:
    """TF's masked CRC-32C: rotate right by 15 bits and add 0xa282ead8 (mod 2^32)."""
    return mask_crc(crc32c(data))


def mask_crc(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def put_varint(out: bytearray, value: int) -> None:
    """Appends `value` as a base-128 varint (little-endian groups of 7 bits)."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def get_varint(buf, pos: int, limit: int) -> tuple[int, int]:
    """Reads a varint at `pos`; returns (value, next position). Raises ValueError past `limit`."""
    result = shift = 0
    while pos < limit:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad varint")


# ---------------------------------------------------------------- writing
def _shortest_separator(start: bytes, limit: bytes) -> bytes:
    """LevelDB's BytewiseComparator::FindShortestSeparator: a short key in [start, limit)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n:
        b = start[i]
        if b < 0xFF and b + 1 < limit[i]:
            return start[:i] + bytes([b + 1])
    return start


def _short_successor(key: bytes) -> bytes:
    """LevelDB's FindShortSuccessor: a short key >= `key`."""
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


class _BlockBuilder:
    def __init__(self, restart_interval: int):
        self.interval = restart_interval
        self.reset()

    def reset(self) -> None:
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""
        self.empty = True

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.interval:
            last = self.last_key
            n = min(len(last), len(key))
            while shared < n and last[shared] == key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        buf = self.buf
        put_varint(buf, shared)
        put_varint(buf, len(key) - shared)
        put_varint(buf, len(value))
        buf += key[shared:]
        buf += value
        self.last_key = key
        self.counter += 1
        self.empty = False

    def size_estimate(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        out = self.buf + struct.pack("<%dI" % len(self.restarts), *self.restarts) + struct.pack("<I", len(self.restarts))
        self.reset()
        return bytes(out)


def _write_block(out: bytearray, contents: bytes) -> tuple[int, int]:
    offset = len(out)
    out += contents
    trailer_type = bytes([_NO_COMPRESSION])
    crc = crc32c(trailer_type, crc32c(contents))
    out += trailer_type + struct.pack("<I", mask_crc(crc))
    return offset, len(contents)


def _handle(offset: int, size: int) -> bytes:
    b = bytearray()
    put_varint(b, offset)
    put_varint(b, size)
    return bytes(b)


def build_table(items, block_size: int = BLOCK_SIZE, restart_interval: int = RESTART_INTERVAL) -> bytes:
    """The bytes of an uncompressed table holding `items`, (key, value) byte pairs in sorted key order."""
    out = bytearray()
    data = _BlockBuilder(restart_interval)
    index = _BlockBuilder(1)
    pending = None  # handle of the last flushed data block, waiting for its separator key
    last_key = None
    for key, value in items:
        if last_key is not None and key <= last_key:
            raise ValueError("table keys must be added in strictly increasing order: %r after %r" % (key, last_key))
        if pending is not None:
            index.add(_shortest_separator(last_key, key), _handle(*pending))
            pending = None
        data.add(key, value)
        last_key = key
        if data.size_estimate() >= block_size:
            pending = _write_block(out, data.finish())
    if not data.empty:
        pending = _write_block(out, data.finish())
    if pending is not None:
        index.add(_short_successor(last_key), _handle(*pending))
    meta_handle = _write_block(out, _BlockBuilder(restart_interval).finish())
    index_handle = _write_block(out, index.finish())
    footer = bytearray(_handle(*meta_handle) + _handle(*index_handle))
    footer += bytes(40 - len(footer))
    footer += struct.pack("<Q", TABLE_MAGIC)
    out += footer
    return bytes(out)


# ---------------------------------------------------------------- reading
def _corrupt(filename: str, what: str):
    return errors.DataLossError(
        None, None, "Unable to read file (%s). Perhaps the file is corrupt or was produced by a newer version of "
        "TensorFlow with format changes (%s)" % (filename, what))


def _read_block(data, offset: int, size: int, filename: str) -> memoryview:
    end = offset + size
    if end + BLOCK_TRAILER_SIZE > len(data):
        raise _corrupt(filename, "truncated block read: block at offset %d of %d bytes runs past the end of the "
                       "%d-byte file" % (offset, size, len(data)))
    view = memoryview(data)
    contents = view[offset:end]
    ctype = data[end]
    stored = struct.unpack_from("<I", data, end + 1)[0]
    actual = crc32c(bytes([ctype]), crc32c(contents))
    if unmask_crc(stored) != actual:
        raise _corrupt(filename, "block checksum mismatch: block at offset %d of %d bytes" % (offset, size))
    if ctype == _SNAPPY:
        raise errors.UnimplementedError(
            None, None, "%s: the block at offset %d is Snappy-compressed; tensorforge reads only uncompressed "
            "tables (TensorFlow writes checkpoint indexes uncompressed)" % (filename, offset))
    if ctype != _NO_COMPRESSION:
        raise _corrupt(filename, "bad block type %d at offset %d" % (ctype, offset))
    return contents


def _block_entries(block: memoryview, offset: int, filename: str):
    """Yields the (key, value) pairs of one block, undoing the key prefix sharing."""
    n = len(block)
    if n < 4:
        raise _corrupt(filename, "bad block contents at offset %d: %d bytes" % (offset, n))
    num_restarts = struct.unpack_from("<I", block, n - 4)[0]
    limit = n - 4 - 4 * num_restarts
    if limit < 0:
        raise _corrupt(filename, "bad block contents at offset %d: %d restart points in %d bytes"
                       % (offset, num_restarts, n))
    pos = 0
    key = b""
    try:
        while pos < limit:
            shared, pos = get_varint(block, pos, limit)
            non_shared, pos = get_varint(block, pos, limit)
            value_len, pos = get_varint(block, pos, limit)
            if shared > len(key) or pos + non_shared + value_len > limit:
                raise ValueError("entry overruns the block")
            key = key[:shared] + bytes(block[pos:pos + non_shared])
            pos += non_shared
            yield key, bytes(block[pos:pos + value_len])
            pos += value_len
    except ValueError as e:
        raise _corrupt(filename, "bad entry in block at offset %d, byte %d: %s" % (offset, pos, e)) from None


def read_table(data: bytes, filename: str = "<table>") -> list[tuple[bytes, bytes]]:
    """All (key, value) pairs of a table, in key order. Raises DataLossError for a corrupt table."""
    if len(data) < FOOTER_SIZE:
        raise errors.DataLossError(None, None, "Unable to open table file %s: file is too short to be an sstable "
                                   "(%d bytes)" % (filename, len(data)))
    footer = len(data) - FOOTER_SIZE
    if struct.unpack_from("<Q", data, footer + 40)[0] != TABLE_MAGIC:
        raise errors.DataLossError(None, None, "Unable to open table file %s: not an sstable (bad magic number "
                                   "at byte %d)" % (filename, footer + 40))
    try:
        pos = footer
        _, pos = get_varint(data, pos, footer + 40)  # metaindex offset and size: unused
        _, pos = get_varint(data, pos, footer + 40)
        index_offset, pos = get_varint(data, pos, footer + 40)
        index_size, pos = get_varint(data, pos, footer + 40)
    except ValueError:
        raise errors.DataLossError(None, None, "Unable to open table file %s: bad block handle in the footer at "
                                   "byte %d" % (filename, footer)) from None
    index = _read_block(data, index_offset, index_size, filename)
    out = []
    for _, handle in _block_entries(index, index_offset, filename):
        try:
            offset, p = get_varint(handle, 0, len(handle))
            size, _ = get_varint(handle, p, len(handle))
        except ValueError:
            raise _corrupt(filename, "bad block handle in the index block at offset %d" % index_offset) from None
        out.extend(_block_entries(_read_block(data, offset, size, filename), offset, filename))
    return out
