"""Event records as bytes, without building proto objects on the hot path.

An event written by a summary call is `Event{wall_time, step, summary: Summary{value: [Value{tag,
tensor, metadata}]}}`. Its bytes are put together here from pieces (the tensor's serialized
TensorProto, the cached SummaryMetadata bytes), fields in field-number order as protobuf and
TF's C++ writer emit them, so a record costs a few joins instead of four message objects.
tests/test_summary.py checks these bytes against the generated event_pb2 messages.
"""
from __future__ import annotations

import struct

_DOUBLE = struct.Struct("<d").pack
_FLOAT = struct.Struct("<f").pack
_U64_MASK = (1 << 64) - 1

# Field keys (field_number << 3 | wire_type).
_EVENT_WALL_TIME = b"\x09"       # 1, fixed64
_EVENT_STEP = b"\x10"            # 2, varint
_EVENT_FILE_VERSION = b"\x1a"    # 3, bytes
_EVENT_GRAPH_DEF = b"\x22"       # 4, bytes
_EVENT_SUMMARY = b"\x2a"         # 5, bytes
_EVENT_SOURCE_METADATA = b"\x52"  # 10, bytes
_SUMMARY_VALUE = b"\x0a"         # Summary.value = 1
_VALUE_TAG = b"\x0a"             # Value.tag = 1
_VALUE_TENSOR = b"\x42"          # Value.tensor = 8
_VALUE_METADATA = b"\x4a"        # Value.metadata = 9

# TensorProto{dtype: DT_FLOAT, tensor_shape: {}, tensor_content: <4 bytes>}: a float32 scalar as
# TF's Tensor::AsProtoTensorContent writes it.
_SCALAR_FLOAT_PREFIX = b"\x08\x01\x12\x00\x22\x04"


def _encode_varint(n: int) -> bytes:
    n &= _U64_MASK
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL = [_encode_varint(n) for n in range(1 << 14)]   # every one- and two-byte varint


def varint(n: int) -> bytes:
    """`n` as a protobuf varint (a negative int64 takes ten bytes, two's complement)."""
    if 0 <= n < 16384:
        return _SMALL[n]
    return _encode_varint(n)


def length_delimited(key: bytes, payload: bytes) -> bytes:
    return key + varint(len(payload)) + payload


def scalar_float_tensor(value: float) -> bytes:
    """The serialized TensorProto of a float32 scalar."""
    return _SCALAR_FLOAT_PREFIX + _FLOAT(value)


def summary_value(tag: bytes, tensor: bytes, metadata: bytes) -> bytes:
    """A serialized `Summary` holding one `Value{tag, tensor, metadata}` (metadata left out when empty)."""
    value = _VALUE_TAG + varint(len(tag)) + tag + _VALUE_TENSOR + varint(len(tensor)) + tensor
    if metadata:
        value += _VALUE_METADATA + varint(len(metadata)) + metadata
    return _SUMMARY_VALUE + varint(len(value)) + value


def scalar_parts(tag: bytes, metadata: bytes) -> tuple:
    """The bytes of a float32 scalar's event after the step, around the 4 value bytes (cache them per tag)."""
    head = _VALUE_TAG + varint(len(tag)) + tag + _VALUE_TENSOR + b"\x0a" + _SCALAR_FLOAT_PREFIX
    tail = _VALUE_METADATA + varint(len(metadata)) + metadata if metadata else b""
    value_len = len(head) + 4 + len(tail)
    summary_len = 1 + len(varint(value_len)) + value_len
    return (_EVENT_SUMMARY + varint(summary_len) + _SUMMARY_VALUE + varint(value_len) + head), tail


def scalar_event(wall_time: float, step: int, parts: tuple, value: float) -> bytes:
    """A serialized scalar `Event` from `scalar_parts(tag, metadata)`."""
    return b"".join((_EVENT_WALL_TIME, _DOUBLE(wall_time), _EVENT_STEP + varint(step) if step else b"", parts[0],
                     _FLOAT(value), parts[1]))


def _head(wall_time: float, step: int) -> bytes:
    # proto3 leaves a zero step out, as TF's writer does.
    return _EVENT_WALL_TIME + _DOUBLE(wall_time) + (_EVENT_STEP + varint(step) if step else b"")


def summary_event(wall_time: float, step: int, summary: bytes) -> bytes:
    """A serialized `Event{wall_time, step, summary}` from a serialized Summary."""
    return _head(wall_time, step) + _EVENT_SUMMARY + varint(len(summary)) + summary


def graph_event(wall_time: float, step: int, graph_def: bytes) -> bytes:
    """A serialized `Event{wall_time, step, graph_def}`."""
    return _head(wall_time, step) + _EVENT_GRAPH_DEF + varint(len(graph_def)) + graph_def


def file_version_event(wall_time: float, version: bytes = b"brain.Event:2", writer: bytes = b"tensorforge") -> bytes:
    """The first record of an event file: `Event{wall_time, file_version, source_metadata{writer}}`.

    TF's C++ writer names itself "tensorflow.core.util.events_writer" there; TensorBoard only
    logs the name.
    """
    source = length_delimited(b"\x0a", writer)
    return (_EVENT_WALL_TIME + _DOUBLE(wall_time) + length_delimited(_EVENT_FILE_VERSION, version)
            + length_delimited(_EVENT_SOURCE_METADATA, source))
