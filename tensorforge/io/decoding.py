"""tf.io decoders as ops: DecodeRaw / DecodePaddedRaw, DecodeCSV, DecodeCompressed, DecodeBase64 /
EncodeBase64 (web-safe alphabet) and DecodeJSONExample."""

import base64
import re
import sys
import zlib
from operator import methodcaller

import numpy as np

from ..framework import dtypes
from ..framework.errors import DataLossError, UnimplementedError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, register
from ..protos import example_pb2
from .parsing_records import (_I32, _STR, _arr, _check_string_input, _check_types, _checked_bind, _invalid, _static, _str_array,
    _string_tensor, _strs, _t, _text, _tf_name)

__all__ = ["decode_base64", "decode_compressed", "decode_csv", "decode_json_example", "decode_raw", "encode_base64"]


# ================================================================ DecodeRaw / DecodePaddedRaw
_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16, dtypes.uint8, dtypes.int16,
              dtypes.int8, dtypes.int64, dtypes.complex64, dtypes.complex128, dtypes.bool, dtypes.bfloat16)
_PADDED_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16, dtypes.uint8,
                     dtypes.int16, dtypes.int8, dtypes.int64, dtypes.bfloat16)
_HOST_LITTLE = sys.byteorder == "little"


def _from_bytes(buf: bytearray, out_type, little_endian: bool) -> np.ndarray:
    """The values of `out_type` packed in `buf` with the given byte order, as a flat array."""
    np_dtype = np.dtype(out_type.as_numpy_dtype)
    if out_type is dtypes.bool:
        return np.frombuffer(buf, np.uint8) != 0
    size = np_dtype.itemsize // (2 if np_dtype.kind == "c" else 1)  # complex: each part separately
    if size > 1 and little_endian != _HOST_LITTLE:  # reverse each value's bytes, as TF does
        swapped = np.frombuffer(buf, np.uint8).reshape(-1, size)[:, ::-1]
        return np.ascontiguousarray(swapped).reshape(-1).view(np_dtype)
    return np.frombuffer(buf, np_dtype)


def _decode_raw_kernel(xp, x, out_type, little_endian=True):
    x = _strs(x)
    size = np.dtype(out_type.as_numpy_dtype).itemsize
    flat = x.reshape(-1).tolist()
    if not flat:
        return np.zeros(x.shape + (0,), out_type.as_numpy_dtype)
    first = len(flat[0])
    lengths = np.fromiter(map(len, flat), np.int64, len(flat))
    bad = np.flatnonzero(lengths != first)
    if len(bad):
        raise _invalid("DecodeRaw requires input strings to all be the same size, but element %d has size %d != %d"
                       % (bad[0], first, lengths[bad[0]]), "DecodeRaw")
    if first % size:
        raise _invalid("Input to DecodeRaw has length %d that is not a multiple of %d, the size of %s"
                       % (first, size, _tf_name(out_type)), "DecodeRaw")
    values = _from_bytes(bytearray().join(flat), out_type, little_endian)
    return values.reshape(x.shape + (first // size,))


def _decode_raw_infer(specs, attrs):
    api, op = "tf.io.decode_raw", "DecodeRaw"
    _check_string_input(api, op, specs[0], 0, "bytes")
    _check_types(api, op, "out_type", (attrs["out_type"],), _RAW_TYPES)
    d = sh.dims(specs[0])
    if d is None:
        return [(None, attrs["out_type"])]
    inner = None
    v = _static(specs[0])
    if v is not None:
        flat = v.reshape(-1)
        inner = len(flat[0]) // np.dtype(attrs["out_type"].as_numpy_dtype).itemsize if flat.size else 0
    return [(tuple(d) + (inner,), attrs["out_type"])]


register("DecodeRaw", kernel=_decode_raw_kernel, infer=_decode_raw_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_raw", args=("bytes",),
         samples=lambda: [([_str_array(b"\x01\x02\x03\x04", b"\xff\xfe\x00\x80")], {"out_type": dtypes.int16,
                                                                                    "little_endian": True}),
                          ([_str_array(b"\x3f\x80\x00\x00\x40\x00\x00\x00")], {"out_type": dtypes.float32,
                                                                             "little_endian": False}),
                          ([np.array(b"abc", object)], {"out_type": dtypes.uint8, "little_endian": True})])


def _decode_padded_raw_kernel(xp, x, fixed_length, out_type, little_endian=True):
    x = _strs(x)
    length = int(fixed_length)
    size = np.dtype(out_type.as_numpy_dtype).itemsize
    if length <= 0:
        raise _invalid("fixed_length (%d) must be greater than zero." % length, "DecodePaddedRaw")
    if length % size:
        raise _invalid("fixed_length (%d) must be a multiple of the size of out_type (%d)" % (length, size),
                       "DecodePaddedRaw")
    zeros = bytes(length)
    flat = x.reshape(-1).tolist()
    buf = bytearray().join([s[:length] if len(s) >= length else s + zeros[len(s):] for s in flat])
    return _from_bytes(buf, out_type, little_endian).reshape(x.shape + (length // size,))


def _decode_padded_raw_infer(specs, attrs):
    api, op = "tf.io.decode_raw", "DecodePaddedRaw"
    _check_string_input(api, op, specs[0], 0, "input_bytes")
    if specs[1].dtype is not _I32:
        raise _invalid("%s: fixed_length must be an int32 scalar, got %s" % (api, specs[1].dtype.name), op)
    _check_types(api, op, "out_type", (attrs["out_type"],), _PADDED_RAW_TYPES)
    d = sh.dims(specs[0])
    if d is None:
        return [(None, attrs["out_type"])]
    length = _static(specs[1])
    inner = None if length is None else int(length) // np.dtype(attrs["out_type"].as_numpy_dtype).itemsize
    return [(tuple(d) + (inner,), attrs["out_type"])]


register("DecodePaddedRaw", kernel=_decode_padded_raw_kernel, infer=_decode_padded_raw_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_raw", args=("input_bytes", "fixed_length"),
         samples=lambda: [([_str_array(b"\x01", b"\x01\x02\x03\x04\x05"), np.array(4, np.int32)],
                           {"out_type": dtypes.uint16, "little_endian": False}),
                          ([_str_array(b"\x00\x00\x80\x3f"), np.array(8, np.int32)],
                           {"out_type": dtypes.float32, "little_endian": True})])


def decode_raw(input_bytes, out_type, little_endian: bool = True, fixed_length=None, name=None) -> Tensor:
    """Reinterprets the bytes of each string as a vector of numbers (tf.io.decode_raw).

    The output has one more dimension than `input_bytes`: element i becomes
    len(input_bytes[i]) / sizeof(out_type) values. All strings must have the same length
    unless `fixed_length` is given, which zero-pads or truncates each one to that many bytes.

    Args:
      input_bytes: a string tensor.
      out_type: half, float, double, int32, uint16, uint8, int16, int8, int64 or bfloat16;
        also complex64, complex128 and bool without `fixed_length`.
      little_endian: whether the bytes are little-endian.
      fixed_length: optional byte length to pad or truncate each string to (a multiple of
        the size of out_type).
      name: unused.

    Returns:
      A tensor of `out_type`.
    """
    x = _string_tensor(input_bytes)
    attrs = {"out_type": dtypes.as_dtype(out_type), "little_endian": bool(little_endian)}
    if fixed_length is not None:
        length = fixed_length if isinstance(fixed_length, Tensor) or getattr(fixed_length, "_is_symbolic_tensor", False) \
            else Tensor(np.asarray(int(fixed_length), np.int32), _I32)
        return _checked_bind("DecodePaddedRaw", [x, length], attrs)
    return _checked_bind("DecodeRaw", [x], attrs)


# ================================================================ DecodeCSV
_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_QUOTED = re.compile(rb'"((?:[^"]|"")*+)"', re.S)
_WS = rb"[ \t\n\v\f\r]*"
_INT_RE = re.compile(_WS + rb"[+-]?[0-9]+" + _WS)
_FLOAT_RE = re.compile(_WS + rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan"
                       rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)" + _WS, re.I)
_INT_RANGE = {dtypes.int32: (-(2 ** 31), 2 ** 31 - 1), dtypes.int64: (-(2 ** 63), 2 ** 63 - 1)}


def _csv_fields_slow(rec: bytes, delim: bytes, use_quote: bool, select) -> list:
    """TF's CSV field scanner (RFC 4180 quoting), for records with quotes or line breaks."""
    d = delim[0]
    n = len(rec)
    fields, pos, parsed, chosen = [], 0, 0, 0
    while pos < n:
        c = rec[pos]
        if c == 10 or c == 13:  # line breaks between fields are skipped
            pos += 1
            continue
        include = select is None or select[chosen] == parsed
        if use_quote and c == 34:
            m = _QUOTED.match(rec, pos)
            if m is None:
                raise ValueError("Quoted field has to end with quote followed by delim or end")
            end = m.end()
            if end < n and rec[end] != d:
                raise ValueError("Quote inside a string has to be escaped by another quote")
            field = m.group(1).replace(b'""', b'"') if include else None
            pos = end + 1
        else:
            j = rec.find(delim, pos)
            j = n if j < 0 else j
            field = rec[pos:j]
            if (use_quote and b'"' in field) or b"\n" in field or b"\r" in field:
                raise ValueError("Unquoted fields cannot have quotes/CRLFs inside")
            pos = j + 1
        parsed += 1
        if include:
            fields.append(field)
            chosen += 1
            if select is not None and chosen == len(select):
                return fields
    if n and rec[-1] == d and (select is None or select[chosen] == parsed):
        fields.append(b"")
    return fields


def _csv_record(i: int, rec: bytes, delim: bytes, use_quote: bool, select, ncols: int) -> list:
    """The fields of one record (TF's scanner when it holds quotes or line breaks)."""
    if (use_quote and b'"' in rec) or b"\n" in rec or b"\r" in rec:
        try:
            fields = _csv_fields_slow(rec, delim, use_quote, select)
        except ValueError as e:
            raise _invalid(str(e), "DecodeCSV") from None
    else:
        fields = rec.split(delim) if rec else []
        if select is not None:
            fields = [fields[c] for c in select if c < len(fields)]
    if len(fields) != ncols:
        raise _invalid("Expect %d fields but have %d in record %d" % (ncols, len(fields), i), "DecodeCSV")
    return fields


def _csv_columns(records: list, delim: bytes, use_quote: bool, select, ncols: int) -> list:
    """The fields of all records, column by column (tuples)."""
    if not records:
        return [()] * ncols
    joined = b"\x00".join(records)
    plain = not ((use_quote and b'"' in joined) or b"\n" in joined or b"\r" in joined or records.count(b""))
    if plain:  # no quoting anywhere: one C-level split per record
        rows = list(map(methodcaller("split", delim), records))
        width = set(map(len, rows))
        need = ncols if select is None else select[-1] + 1
        if len(width) == 1 and (width.pop() == ncols if select is None else min(map(len, rows)) >= need):
            columns = list(zip(*rows))
            return columns if select is None else [columns[c] for c in select]
    rows = [_csv_record(i, rec, delim, use_quote, select, ncols) for i, rec in enumerate(records)]
    return list(zip(*rows))


def _first_bad(col, ok) -> int:
    return next(i for i, v in enumerate(col) if not ok(v))


def _csv_column(col: tuple, j: int, dtype, default: np.ndarray, na: bytes) -> np.ndarray:
    n = len(col)
    n_missing = col.count(b"") + (col.count(na) if na else 0)
    missing = [i for i, v in enumerate(col) if v == b"" or v == na] if n_missing else []
    if missing and default.size == 0:
        raise _invalid("Field %d is required but missing in record %d!" % (j, missing[0]), "DecodeCSV")
    if dtype is _STR:
        out = np.empty(n, object)
        out[:] = col
        if missing:
            out[missing] = default.reshape(())[()]
        return out
    if missing:
        col = list(col)
        for i in missing:
            col[i] = b"0"
    is_int = dtype in _INT_RANGE
    one = (_INT_RE if is_int else _FLOAT_RE).fullmatch
    joined = b"\x00".join(col)
    try:
        if b"_" in joined:  # Python's int() and float() accept digit separators; TF does not
            raise ValueError
        if is_int:
            values = list(map(int, col))
        elif b"x" in joined or b"X" in joined:
            values = [float.fromhex(v.decode()) if (b"x" in v or b"X" in v) else float(v) for v in col]
        else:
            values = list(map(float, col))
    except ValueError:
        i = _first_bad(col, one)
        raise _invalid("Field %d in record %d is not a valid %s: %s" % (j, i, _tf_name(dtype), _text(col[i])),
                       "DecodeCSV") from None
    if is_int:
        lo, hi = _INT_RANGE[dtype]
        if values and (min(values) < lo or max(values) > hi):
            i = _first_bad(values, lambda v: lo <= v <= hi)
            raise _invalid("Field %d in record %d is not a valid %s: %s" % (j, i, _tf_name(dtype), _text(col[i])),
                           "DecodeCSV")
    out = np.array(values, dtype.as_numpy_dtype)
    if missing:
        out[missing] = default.reshape(())
    return out


def _decode_csv_kernel(xp, records, *record_defaults, OUT_TYPE, field_delim, use_quote_delim, na_value, select_cols):
    records = _strs(records)
    record_defaults = [_arr(d) for d in record_defaults]
    for j, d in enumerate(record_defaults):
        if d.size > 1:
            raise _invalid("There should only be 1 default per field but field %d has %d" % (j, d.size), "DecodeCSV")
    delim = field_delim.encode("utf-8")
    select = list(select_cols) if select_cols else None
    columns = _csv_columns(records.reshape(-1).tolist(), delim, use_quote_delim, select, len(OUT_TYPE))
    na = na_value.encode("utf-8")
    return tuple(_csv_column(col, j, dtype, default, na).reshape(records.shape)
                 for j, (col, dtype, default) in enumerate(zip(columns, OUT_TYPE, record_defaults)))


def _decode_csv_infer(specs, attrs):
    api, op = "tf.io.decode_csv", "DecodeCSV"
    _check_string_input(api, op, specs[0], 0, "records")
    types = attrs["OUT_TYPE"]
    if not types:
        raise _invalid("%s: Length for attr 'OUT_TYPE' of 0 must be at least minimum 1" % api, op)
    _check_types(api, op, "OUT_TYPE", types, _CSV_TYPES)
    if len(attrs["field_delim"].encode("utf-8")) != 1:
        raise _invalid("%s: field_delim should be only 1 char" % api, op)
    for j, (spec, dtype) in enumerate(zip(specs[1:], types)):
        if spec.dtype is not dtype:
            raise _invalid("%s: record_defaults[%d] has dtype %s but OUT_TYPE[%d] is %s"
                           % (api, j, spec.dtype.name, j, dtype.name), op)
        d = sh.dims(spec)
        if d is not None and len(d) > 1:
            raise _invalid("%s: Each record default should be at most rank 1" % api, op)
    return [(sh.dims(specs[0]), t) for t in types]


def _csv_samples():
    recs = _str_array(b'1,2.5,"a,""b",4', b" 7 ,,x,", b'-3,1e3,"",0x10')
    defaults = [np.zeros(0, np.int32), np.array([9.0], np.float32), np.array([b"z"], object), np.array([5.0])]
    attrs = {"OUT_TYPE": (dtypes.int32, dtypes.float32, dtypes.string, dtypes.float64), "field_delim": ",",
             "use_quote_delim": True, "na_value": "", "select_cols": ()}
    sel = {"OUT_TYPE": (dtypes.int64, dtypes.string), "field_delim": ";", "use_quote_delim": False, "na_value": "NA",
           "select_cols": (0, 2)}
    return [([recs] + defaults, attrs),
            ([_str_array(b"1;x;NA", b"NA;y;z"), np.array([0], np.int64), np.array([b"d"], object)], sel)]


register("DecodeCSV", kernel=_decode_csv_kernel, infer=_decode_csv_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_csv", num_outputs=-1, args=("records",), samples=_csv_samples)


def decode_csv(records, record_defaults, field_delim: str = ",", use_quote_delim: bool = True, na_value: str = "",
               select_cols=None, name=None) -> list:
    """Converts CSV records to tensors, one per column (tf.io.decode_csv).

    RFC 4180 quoting: a field in double quotes may hold the delimiter, line breaks and `""`
    (an escaped quote). Int and float fields may have leading and trailing spaces; an empty
    field (or one equal to `na_value`) takes its column's default.

    Args:
      records: a string tensor; each string is one record.
      record_defaults: one tensor per column (float32, float64, int32, int64 or string):
        a one-element default value, or an empty tensor if the column is required.
      field_delim: the one-character field delimiter.
      use_quote_delim: if False, double quotes are ordinary characters.
      na_value: an additional string that marks a missing value.
      select_cols: optional sorted list of the column indices to parse and return.
      name: unused.

    Returns:
      A list of tensors of the defaults' dtypes, each of the shape of `records`.

    Raises:
      ValueError: if `select_cols` is not strictly increasing, negative, or does not match
        `record_defaults` in length.
      InvalidArgumentError: for a malformed record or a field that does not parse.
    """
    if select_cols is not None and any(select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    x = _string_tensor(records)
    defaults = [_record_default(d) for d in record_defaults]
    attrs = {"OUT_TYPE": tuple(d.dtype for d in defaults), "field_delim": field_delim,
             "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
             "select_cols": tuple(int(c) for c in select_cols) if select_cols is not None else ()}
    return list(_checked_bind("DecodeCSV", [x] + defaults, attrs))


def _record_default(d):
    """A record default as a tensor; [t] of a tensor t keeps t's dtype, as in TF."""
    if isinstance(d, Tensor) or getattr(d, "_is_symbolic_tensor", False):
        return d
    if isinstance(d, (list, tuple)):
        kinds = {x.dtype for x in d if isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False)}
        if len(kinds) == 1 and len(d) == 1:
            from ..ops import array_ops
            return array_ops.reshape(d[0], [1])
        if kinds:
            return _t([np.asarray(x._value) if isinstance(x, Tensor) else x for x in d], kinds.pop())
        if all(isinstance(x, (str, bytes)) for x in d):
            return _string_tensor(list(d))
    return _t(d)


# ================================================================ DecodeCompressed
_ZLIB_ERROR = re.compile(r"Error (-?\d+) while \w+ data: (.*)")


def _inflate(data: bytes, wbits: int) -> bytes:
    out = []
    while True:
        d = zlib.decompressobj(wbits)
        try:
            out.append(d.decompress(data))
            out.append(d.flush())
        except zlib.error as e:
            m = _ZLIB_ERROR.match(str(e))
            code, what = (m.group(1), m.group(2)) if m else ("-3", str(e))
            raise DataLossError(None, None, "inflate() failed with error %s: %s [Op:DecodeCompressed]"
                                % (code, what)) from None
        data = d.unused_data
        # GZIP streams may hold several members; anything else after the end is ignored.
        if wbits != 31 or not d.eof or data[:2] != b"\x1f\x8b":
            return b"".join(out)


def _decode_compressed_kernel(xp, x, compression_type):
    x = _strs(x)
    if compression_type in ("", "NONE"):
        return x
    if compression_type == "ZSTD":
        raise UnimplementedError(None, None, "ZSTD decompression is not available in tensorforge "
                                 "[Op:DecodeCompressed]")
    wbits = 15 if compression_type == "ZLIB" else 31
    out = np.empty(x.shape, object)
    out.reshape(-1)[:] = [_inflate(s, wbits) for s in x.reshape(-1).tolist()]
    return out


def _decode_compressed_infer(specs, attrs):
    api, op = "tf.io.decode_compressed", "DecodeCompressed"
    _check_string_input(api, op, specs[0], 0, "bytes")
    if attrs["compression_type"] not in ("", "NONE", "ZLIB", "GZIP", "ZSTD"):
        raise _invalid("Only ZLIB, ZSTD, GZIP or NONE are supported compressions", op)
    return [(sh.dims(specs[0]), _STR)]


register("DecodeCompressed", kernel=_decode_compressed_kernel, infer=_decode_compressed_infer,
         grad=NON_DIFFERENTIABLE, api="tf.io.decode_compressed", args=("bytes",),
         samples=lambda: [([_str_array(zlib.compress(b"hello"), zlib.compress(b""))], {"compression_type": "ZLIB"}),
                          ([np.array(_gzip(b"abc") + _gzip(b"def"), object)], {"compression_type": "GZIP"}),
                          ([_str_array(b"raw")], {"compression_type": ""})])


def _gzip(data: bytes) -> bytes:
    import gzip
    return gzip.compress(data, mtime=0)


def decode_compressed(bytes, compression_type: str = "", name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Decompresses each string of a tensor (tf.io.decode_compressed).

    Args:
      bytes: a string tensor of compressed data.
      compression_type: "" (or "NONE": no compression), "ZLIB" or "GZIP".
      name: unused.

    Returns:
      A string tensor of the shape of `bytes`.

    Raises:
      DataLossError: if a string does not decompress.
    """
    return _checked_bind("DecodeCompressed", [_string_tensor(bytes)], {"compression_type": compression_type})


# ================================================================ DecodeBase64 / EncodeBase64 (web-safe alphabet)
_B64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64_decode_one(s: bytes) -> bytes:
    n = len(s)
    if n and n % 4 == 0:  # up to two '=' pad the last quantum
        s = s[:-2] if s.endswith(b"==") else (s[:-1] if s.endswith(b"=") else s)
        n = len(s)
    head = n - n % 4
    if not _B64_CHARS.issuperset(s[:head]):
        raise _invalid("Invalid character found in base64.", "DecodeBase64")
    if n % 4 == 1:
        raise _invalid("Base64 string length cannot be 1 modulo 4.", "DecodeBase64")
    if not _B64_CHARS.issuperset(s[head:]):
        raise _invalid("Invalid character found in base64.", "DecodeBase64")
    return base64.urlsafe_b64decode(s + b"=" * (-n % 4))


def _b64_map(fn, x):
    x = _strs(x)
    out = np.empty(x.shape, object)
    out.reshape(-1)[:] = [fn(s) for s in x.reshape(-1).tolist()]
    return out


def _string_map_infer(api, op):
    def infer(specs, attrs):
        _check_string_input(api, op, specs[0], 0, "input")
        return [(sh.dims(specs[0]), _STR)]
    return infer


def _b64_encode_kernel(xp, x, pad=False):
    if pad:
        return _b64_map(base64.urlsafe_b64encode, x)
    return _b64_map(lambda s: base64.urlsafe_b64encode(s).rstrip(b"="), x)


register("DecodeBase64", kernel=lambda xp, x: _b64_map(_b64_decode_one, x),
         infer=_string_map_infer("tf.io.decode_base64", "DecodeBase64"), grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_base64", args=("input",),
         samples=lambda: [([_str_array(b"aGVsbG8_Pg", b"__4=", b"")], {})])
register("EncodeBase64", kernel=_b64_encode_kernel, infer=_string_map_infer("tf.io.encode_base64", "EncodeBase64"),
         grad=NON_DIFFERENTIABLE, api="tf.io.encode_base64", args=("input",),
         samples=lambda: [([_str_array(b"hello?>", b"\xff\xfe")], {"pad": False}),
                          ([np.array(b"ab", object)], {"pad": True})])


def decode_base64(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Decodes web-safe base64 strings ('-' and '_' for '+' and '/'; padding optional) (tf.io.decode_base64)."""
    return _checked_bind("DecodeBase64", [_string_tensor(input)], {})


def encode_base64(input, pad: bool = False, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Encodes strings as web-safe base64, with '=' padding only if `pad` (tf.io.encode_base64)."""
    return _checked_bind("EncodeBase64", [_string_tensor(input)], {"pad": bool(pad)})


# ================================================================ DecodeJSONExample
def _json_example(s: bytes) -> bytes:
    from google.protobuf import json_format
    try:
        return json_format.Parse(s.decode("utf-8"), example_pb2.Example()).SerializeToString()
    except (json_format.ParseError, UnicodeDecodeError) as e:
        raise _invalid("Error while parsing JSON: %s" % e, "DecodeJSONExample") from None


register("DecodeJSONExample", kernel=lambda xp, x: _b64_map(_json_example, x),
         infer=_string_map_infer("tf.io.decode_json_example", "DecodeJSONExample"), grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_json_example", args=("json_examples",),
         samples=lambda: [([_str_array(b'{"features": {"feature": {"x": {"floatList": {"value": [1.5]}}}}}')], {})])


def decode_json_example(json_examples, name=None) -> Tensor:
    """Converts tf.train.Example protos in JSON (proto3 JSON mapping) to their binary form
    (tf.io.decode_json_example)."""
    return _checked_bind("DecodeJSONExample", [_string_tensor(json_examples)], {})

