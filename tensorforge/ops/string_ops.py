"""String ops (tf.strings): lengths, case, joins, numbers, regexes, splits, Unicode.

A string tensor holds a NumPy object array of Python `bytes`. Kernels map Python's bytes
methods over it with np.frompyfunc (a C loop calling one Python function per element);
strings are small, and NumPy has no vectorised kernels for variable-length bytes.
"""
from __future__ import annotations

import codecs

import functools
import re

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, REGISTRY, bind, register

_t = convert_to_tensor
_NO_ATTRS: dict = {}


# ---------------------------------------------------------------- helpers
def _obj(v) -> np.ndarray:
    """`v` (an array or one Python object) as an object ndarray."""
    if isinstance(v, np.ndarray):
        return v if v.dtype == object else v.astype(object)
    out = np.empty((), dtype=object)
    out[()] = v
    return out


def _map(fn, x, out_dtype=None) -> np.ndarray:
    """Applies `fn` to every element of the object array `x`."""
    out = _obj(np.frompyfunc(fn, 1, 1)(x))
    return out if out_dtype is None else out.astype(out_dtype)


def _checked(op_name, inputs, attrs=_NO_ATTRS):
    """bind() after running the op's checks eagerly too (kernels over objects would accept numbers)."""
    if ctx.graph is None:
        REGISTRY[op_name].infer(inputs, attrs)
    return bind(op_name, inputs, attrs)


def _string_input(api, op_name, spec, index=0, name="input"):
    if spec.dtype is not dtypes.string:
        raise InvalidArgumentError(
            None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was expected to be a string "
            "tensor but is a %s tensor [Op:%s]" % (api, op_name, index, name, spec.dtype.name, op_name))


def _strings(x, name="input") -> Tensor:
    """Converts `x` to a tensor; Python strings become tf.string."""
    return _t(x)


def _const(spec):
    """The NumPy value of `spec` when it is an eager tensor, else None (value-dependent shapes)."""
    return spec._value if type(spec) is Tensor else None


def _unary_string_infer(api, op_name, out_dtype=dtypes.string):
    def infer(specs, attrs):
        _string_input(api, op_name, specs[0])
        return [(sh.dims(specs[0]), out_dtype)]
    return infer


def _bytes(v) -> bytes:
    if isinstance(v, Tensor):
        v = v._value
    if isinstance(v, np.ndarray):
        v = v[()] if v.ndim == 0 else v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v)
    raise TypeError("Expected a string, got %r" % (v,))


def _str_samples(*rows):
    return np.array(rows, dtype=object)


# ---------------------------------------------------------------- StringLength
_CONTINUATION = bytes(range(0x80, 0xC0))


def _utf8_len(s: bytes) -> int:
    return len(s.translate(None, _CONTINUATION))


def _length_kernel(xp, x, unit):
    return _map(len if unit == "BYTE" else _utf8_len, x, np.int32)


def _length_infer(specs, attrs):
    _string_input("tf.strings.length", "StringLength", specs[0])
    return [(sh.dims(specs[0]), dtypes.int32)]


register("StringLength", kernel=_length_kernel, infer=_length_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.length", args=("input",),
         samples=lambda: [([_str_samples(b"ab", "cdé".encode())], {"unit": "BYTE"}),
                          ([_str_samples([b"ab", "cdé".encode()], [b"", b"x"])], {"unit": "UTF8_CHAR"})])


@tf_export("strings.length")
def length(input, unit="BYTE", name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The length of each string, in bytes or UTF-8 characters (tf.strings.length).

    Args:
      input: a string tensor.
      unit: 'BYTE' (default) or 'UTF8_CHAR'.
      name: unused in eager mode.

    Returns:
      An int32 tensor of the shape of `input`.
    """
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError("unit must be one of 'BYTE', 'UTF8_CHAR', got %r" % (unit,))
    return _checked("StringLength", [_strings(input)], {"unit": unit})


# ---------------------------------------------------------------- StringUpper / StringLower
def _case_kernel(upper):
    def kernel(xp, x, encoding):
        if encoding:
            enc = encoding.lower().replace("_", "-")

            def fn(s):
                u = s.decode(enc, errors="surrogateescape")
                return (u.upper() if upper else u.lower()).encode(enc, errors="surrogateescape")
        else:  # ASCII only, as TF without an encoding
            fn = bytes.upper if upper else bytes.lower
        return _map(fn, x)
    return kernel


def _check_encoding(encoding):
    if encoding not in ("", "utf-8", "UTF-8", "utf8", "UTF8"):
        raise InvalidArgumentError(None, None, "encoding must be '' or 'utf-8', got %r" % (encoding,))
    return encoding


register("StringUpper", kernel=_case_kernel(True), infer=_unary_string_infer("tf.strings.upper", "StringUpper"),
         grad=NON_DIFFERENTIABLE, api="tf.strings.upper", args=("input",),
         samples=lambda: [([_str_samples(b"ab", "cdé".encode())], {"encoding": ""}),
                          ([_str_samples("aé".encode())], {"encoding": "utf-8"})])
register("StringLower", kernel=_case_kernel(False), infer=_unary_string_infer("tf.strings.lower", "StringLower"),
         grad=NON_DIFFERENTIABLE, api="tf.strings.lower", args=("input",),
         samples=lambda: [([_str_samples(b"AB", "CDÉ".encode())], {"encoding": ""}),
                          ([_str_samples("AÉ".encode())], {"encoding": "utf-8"})])


@tf_export("strings.upper")
def upper(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Converts strings to upper case: ASCII only, or Unicode with encoding='utf-8' (tf.strings.upper)."""
    return _checked("StringUpper", [_strings(input)], {"encoding": _check_encoding(encoding)})


@tf_export("strings.lower")
def lower(input, encoding="", name=None) -> Tensor:  # noqa: A002
    """Converts strings to lower case: ASCII only, or Unicode with encoding='utf-8' (tf.strings.lower)."""
    return _checked("StringLower", [_strings(input)], {"encoding": _check_encoding(encoding)})


# ---------------------------------------------------------------- StringJoin / ReduceJoin
def _join_infer(specs, attrs):
    api, op_name = "tf.strings.join", "StringJoin"
    out = ()
    first = None
    for i, s in enumerate(specs):
        _string_input(api, op_name, s, i, "inputs[%d]" % i)
        d = sh.dims(s)
        if d is None:
            out = None
            continue
        if d == ():
            continue
        if first is None:
            first = d
            out = d if out is not None else None
        elif len(d) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(d, first)):
            raise sh.error(api, op_name, "Input shapes do not match: %s vs. %s (arguments inputs[0] and inputs[%d])"
                           % (sh.fmt(first), sh.fmt(d), i))
    return [(out, dtypes.string)]


def _join_kernel(xp, *xs, separator):
    sep = separator.encode("utf-8") if isinstance(separator, str) else separator
    out = xs[0]
    for x in xs[1:]:
        out = out + sep + x if sep else out + x
    return _obj(out)


register("StringJoin", kernel=_join_kernel, infer=_join_infer, grad=NON_DIFFERENTIABLE, api="tf.strings.join",
         args=("inputs",),
         samples=lambda: [([_str_samples(b"a", b"b"), _str_samples(b"c", b"d")], {"separator": "-"}),
                          ([_str_samples(b"a", b"b"), np.array(b"x", dtype=object)], {"separator": ""})])


@tf_export("strings.join")
def join(inputs, separator="", name=None) -> Tensor:
    """Concatenates string tensors element-wise, with `separator` between them (tf.strings.join).

    Scalars broadcast; the other inputs must have one shape.
    """
    xs = [_strings(x) for x in inputs]
    if not xs:
        return _t(b"")
    return _checked("StringJoin", xs, {"separator": str(separator)})


def _reduce_join_infer(specs, attrs):
    api, op_name = "tf.strings.reduce_join", "ReduceJoin"
    _string_input(api, op_name, specs[0], 0, "inputs")
    s = sh.dims(specs[0])
    if s is None:
        return [(None, dtypes.string)]
    axes = attrs["reduction_indices"]
    if axes is None:
        axes = tuple(range(len(s)))
    for a in axes:
        if not -len(s) <= a < max(len(s), 1):
            raise sh.error(api, op_name, "Invalid reduction dimension %d for input with %d dimension(s) (argument "
                           "inputs shape %s)" % (a, len(s), sh.fmt(s)))
    axes = set(a % len(s) for a in axes) if s else set()
    if attrs["keep_dims"]:
        return [(tuple(1 if i in axes else d for i, d in enumerate(s)), dtypes.string)]
    return [(tuple(d for i, d in enumerate(s) if i not in axes), dtypes.string)]


def _reduce_join_kernel(xp, x, reduction_indices, keep_dims, separator):
    sep = separator.encode("utf-8")
    axes = tuple(range(x.ndim)) if reduction_indices is None else tuple(sorted(set(a % x.ndim for a in reduction_indices))) \
        if x.ndim else ()
    keep = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, keep + list(axes))
    out_shape = moved.shape[:len(keep)]
    k = int(np.prod(moved.shape[len(keep):], dtype=np.int64))
    rows = moved.reshape(-1, k)
    out = np.empty(rows.shape[0], dtype=object)
    for i in range(rows.shape[0]):  # one join per output element
        out[i] = sep.join(rows[i])
    out = out.reshape(out_shape)
    if keep_dims:
        out = out.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return _obj(out)


register("ReduceJoin", kernel=_reduce_join_kernel, infer=_reduce_join_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.reduce_join", args=("inputs",),
         samples=lambda: [([_str_samples([b"a", b"b"], [b"c", b"d"])], {"reduction_indices": (1,), "keep_dims": False,
                                                                      "separator": ","}),
                          ([_str_samples([b"a", b"b"], [b"c", b"d"])], {"reduction_indices": None, "keep_dims": True,
                                                                      "separator": ""}),
                          ([_str_samples([b"a", b"b"], [b"c", b"d"])], {"reduction_indices": (0,), "keep_dims": True,
                                                                      "separator": ""})])


@tf_export("strings.reduce_join")
def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None) -> Tensor:
    """Joins the strings of `inputs` along `axis` (all axes when None) (tf.strings.reduce_join)."""
    x = _strings(inputs)
    if isinstance(axis, Tensor):
        axis = np.asarray(axis._value).tolist()
    if axis is not None:
        axis = (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axis)
    return _checked("ReduceJoin", [x], {"reduction_indices": axis, "keep_dims": bool(keepdims),
                                    "separator": str(separator)})


# ---------------------------------------------------------------- StringToNumber
_TO_NUMBER_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)
_INT_RE = re.compile(rb"^\s*[+-]?[0-9]+\s*$")
_FLOAT_RE = re.compile(rb"^\s*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\s*$",
                       re.IGNORECASE)
_HEX_RE = re.compile(rb"^\s*[+-]?0[xX][0-9a-fA-F]+\s*$")


def _to_number_kernel(xp, x, out_type):
    np_type = out_type.as_numpy_dtype
    flat = x.reshape(-1)
    if out_type.is_integer:
        info = np.iinfo(np_type)
        vals = []
        for s in flat:  # parse with TF's rules (decimal only, surrounding spaces allowed)
            v = int(s) if _INT_RE.match(s) else None
            if v is None or not info.min <= v <= info.max:
                raise _to_number_error(s)
            vals.append(v)
    else:
        vals = []
        for s in flat:
            if _FLOAT_RE.match(s):
                vals.append(float(s))
            elif _HEX_RE.match(s):
                vals.append(float(int(s.strip(), 16)))
            else:
                raise _to_number_error(s)
    return np.array(vals, dtype=np_type).reshape(x.shape)


def _to_number_error(s):
    return InvalidArgumentError(None, None, "tf.strings.to_number: StringToNumberOp could not correctly convert "
                                "string: %s [Op:StringToNumber]" % s.decode("utf-8", "replace"))


def _to_number_infer(specs, attrs):
    _string_input("tf.strings.to_number", "StringToNumber", specs[0], 0, "string_tensor")
    if attrs["out_type"] not in _TO_NUMBER_TYPES:
        raise sh.error("tf.strings.to_number", "StringToNumber", "Value for attr 'out_type' of %s is not in the list "
                       "of allowed values: %s" % (attrs["out_type"].name, ", ".join(d.name for d in _TO_NUMBER_TYPES)))
    return [(sh.dims(specs[0]), attrs["out_type"])]


register("StringToNumber", kernel=_to_number_kernel, infer=_to_number_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.to_number", args=("string_tensor",),
         samples=lambda: [([_str_samples(b"1.5", b"2", b" -3e2 ")], {"out_type": dtypes.float32}),
                          ([_str_samples([b"15", b" -2"])], {"out_type": dtypes.int64})])


@tf_export("strings.to_number")
def to_number(input, out_type=dtypes.float32, name=None) -> Tensor:  # noqa: A002
    """Parses each string as a number of `out_type` (tf.strings.to_number).

    Raises:
      InvalidArgumentError: a string is not a number of that type.
    """
    return _checked("StringToNumber", [_strings(input)], {"out_type": dtypes.as_dtype(out_type)})


# ---------------------------------------------------------------- AsString
def _as_string_infer(specs, attrs):
    api, op_name = "tf.strings.as_string", "AsString"
    d = specs[0].dtype
    if attrs["precision"] > -1 and not (d.is_floating or d.is_complex):
        raise sh.error(api, op_name, "precision not supported for datatype %s" % d.name)
    if attrs["scientific"] and attrs["shortest"]:
        raise sh.error(api, op_name, "Cannot select both scientific and shortest notation")
    if len(attrs["fill"]) > 1:
        raise sh.error(api, op_name, "Fill string must be one or fewer characters")
    if (attrs["scientific"] or attrs["shortest"]) and not (d.is_floating or d.is_complex):
        raise sh.error(api, op_name, "scientific and shortest format not supported for datatype %s" % d.name)
    return [(sh.dims(specs[0]), dtypes.string)]


def _as_string_kernel(xp, x, precision, scientific, shortest, width, fill):
    kind = x.dtype.kind
    if kind == "O":
        return x.copy()
    if kind == "b":
        return _map(lambda v: b"true" if v else b"false", _obj(x))
    spec = "%" + fill + ("" if width < 0 else str(width))
    if kind in "fc":
        if precision > -1:
            spec += ".%d" % precision
        spec += "e" if scientific else "g" if shortest else "f"
    else:
        spec += "d"
    if kind == "c":
        re_ = np.char.mod(spec, x.real.astype(np.float64))
        im_ = np.char.mod(spec, x.imag.astype(np.float64))
        text = np.char.add(np.char.add(np.char.add("(", re_), np.char.add(",", im_)), ")")
    else:
        vals = x.astype(np.float64) if kind == "f" else x
        text = np.char.mod(spec, vals)
    return _obj(np.char.encode(np.asarray(text), "ascii").astype(object))


register("AsString", kernel=_as_string_kernel, infer=_as_string_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.as_string", args=("input",),
         samples=lambda: [([np.array([1.5, 2.0, 1e10], np.float32)], {"precision": -1, "scientific": False,
                                                                      "shortest": False, "width": -1, "fill": ""}),
                          ([np.array([1, 22], np.int32)], {"precision": -1, "scientific": False, "shortest": False,
                                                           "width": 4, "fill": "0"}),
                          ([np.array([[True, False]])], {"precision": -1, "scientific": False, "shortest": False,
                                                         "width": -1, "fill": ""})])


@tf_export("strings.as_string", "as_string")
def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None) -> Tensor:  # noqa: A002
    """Formats each number as a string, as C's printf would (tf.strings.as_string).

    Args:
      input: a numeric or bool tensor.
      precision: digits after the point for floats (-1: the default, 6).
      scientific: use scientific notation (%e).
      shortest: use the shorter of %e and %f (%g).
      width: pad to this width (-1: no padding).
      fill: the padding character ('' for spaces, or '0').
    """
    return _checked("AsString", [_t(input)], {"precision": int(precision), "scientific": bool(scientific),
                                          "shortest": bool(shortest), "width": int(width), "fill": str(fill)})


# ---------------------------------------------------------------- StringStrip
register("StringStrip", kernel=lambda xp, x: _map(bytes.strip, x),
         infer=_unary_string_infer("tf.strings.strip", "StringStrip"), grad=NON_DIFFERENTIABLE,
         api="tf.strings.strip", args=("input",), samples=lambda: [([_str_samples(b"  a b \n", b"\tq")], {})])


@tf_export("strings.strip")
def strip(input, name=None) -> Tensor:  # noqa: A002
    """Strips leading and trailing ASCII whitespace (tf.strings.strip)."""
    return _checked("StringStrip", [_strings(input)])


# ---------------------------------------------------------------- Substr
def _substr_infer(specs, attrs):
    api, op_name = "tf.strings.substr", "Substr"
    _string_input(api, op_name, specs[0])
    p, n = sh.dims(specs[1]), sh.dims(specs[2])
    if p is not None and n is not None and len(p) == len(n) and any(
            a is not None and b is not None and a != b for a, b in zip(p, n)) or (
            p is not None and n is not None and len(p) != len(n)):
        raise sh.error(api, op_name, "pos and len should have the same shape, got: %s vs. %s (arguments pos and len)"
                       % (sh.fmt(p), sh.fmt(n)))
    return [(sh.broadcast_shapes(sh.dims(specs[0]), p, api, op_name, ("input", "pos")), dtypes.string)]


def _substr_kernel(xp, x, pos, len_, unit):
    utf8 = unit == "UTF8_CHAR"
    index = [0]

    def cut(s, p, n):
        i = index[0]
        index[0] += 1
        u = s.decode("utf-8", errors="surrogateescape") if utf8 else s
        size = len(u)
        p, n = int(p), int(n)
        if p > size or p < -size:
            raise InvalidArgumentError(None, None, "tf.strings.substr: pos %d out of range for string %r at index %d "
                                       "[Op:Substr]" % (p, s, i))
        if p < 0:
            p += size
        out = u[p:] if n < 0 else u[p:p + n]
        return out.encode("utf-8", errors="surrogateescape") if utf8 else out

    return _obj(np.frompyfunc(cut, 3, 1)(x, pos, len_))


register("Substr", kernel=_substr_kernel, infer=_substr_infer, grad=NON_DIFFERENTIABLE, api="tf.strings.substr",
         args=("input", "pos", "len"),
         samples=lambda: [([_str_samples(b"hello", b"world"), np.int32(1), np.int32(3)], {"unit": "BYTE"}),
                          ([_str_samples(b"hello", b"world"), np.array([0, -3], np.int32), np.array([2, 10], np.int32)],
                           {"unit": "BYTE"}),
                          ([_str_samples("héllo".encode()), np.int32(1), np.int32(2)], {"unit": "UTF8_CHAR"})])


@tf_export("strings.substr")
def substr(input, pos, len, unit="BYTE", name=None) -> Tensor:  # noqa: A002
    """Substrings of `len` bytes (or UTF-8 characters) from `pos` (tf.strings.substr).

    A negative `pos` counts from the end; `len` past the end is cut short.

    Raises:
      InvalidArgumentError: `pos` is outside a string.
    """
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError("unit must be one of 'BYTE', 'UTF8_CHAR', got %r" % (unit,))
    p = _t(pos)
    n = _t(len, dtype=p.dtype) if not isinstance(len, Tensor) else len
    return _checked("Substr", [_strings(input), p, n], {"unit": unit})


# ---------------------------------------------------------------- regular expressions
@functools.lru_cache(maxsize=256)
def _compile(api, op_name, pattern: str):
    try:
        return re.compile(pattern.encode("utf-8"))
    except re.error as e:
        raise InvalidArgumentError(None, None, "%s: Invalid pattern: %s, error: %s [Op:%s]"
                                   % (api, pattern, e, op_name)) from None


def _full_match_kernel(xp, x, pattern):
    rx = _compile("tf.strings.regex_full_match", "StaticRegexFullMatch", pattern)
    return _map(lambda s: rx.fullmatch(s) is not None, x, bool)


register("StaticRegexFullMatch", kernel=_full_match_kernel,
         infer=_unary_string_infer("tf.strings.regex_full_match", "StaticRegexFullMatch", dtypes.bool),
         grad=NON_DIFFERENTIABLE, api="tf.strings.regex_full_match", args=("input",),
         samples=lambda: [([_str_samples(b"abc", b"a1")], {"pattern": "[a-z]+"})])


@tf_export("strings.regex_full_match")
def regex_full_match(input, pattern, name=None) -> Tensor:  # noqa: A002
    """Whether each whole string matches the regular expression `pattern` (tf.strings.regex_full_match)."""
    return _checked("StaticRegexFullMatch", [_strings(input)], {"pattern": _bytes(pattern).decode("utf-8")})


_RE2_GROUP = re.compile(rb"\\(\\|[0-9])")


def _rewrite(rewrite: str) -> bytes:
    """RE2's rewrite string (\\0..\\9 groups, \\\\ a backslash) as a Python replacement."""
    return _RE2_GROUP.sub(lambda m: b"\\\\" if m.group(1) == b"\\" else b"\\g<" + m.group(1) + b">",
                          rewrite.encode("utf-8"))


def _replace_kernel(xp, x, pattern, rewrite, replace_global):
    rx = _compile("tf.strings.regex_replace", "StaticRegexReplace", pattern)
    repl = _rewrite(rewrite)
    count = 0 if replace_global else 1
    return _map(lambda s: rx.sub(repl, s, count=count), x)


register("StaticRegexReplace", kernel=_replace_kernel,
         infer=_unary_string_infer("tf.strings.regex_replace", "StaticRegexReplace"), grad=NON_DIFFERENTIABLE,
         api="tf.strings.regex_replace", args=("input",),
         samples=lambda: [([_str_samples(b"abc abc", b"a1")], {"pattern": "b(c)", "rewrite": "X\\1",
                                                                "replace_global": True}),
                          ([_str_samples(b"abc abc")], {"pattern": "b", "rewrite": "<\\0>", "replace_global": False})])


@tf_export("strings.regex_replace")
def regex_replace(input, pattern, rewrite, replace_global=True, name=None) -> Tensor:  # noqa: A002
    """Replaces matches of `pattern` by `rewrite` (\\1 names a group) (tf.strings.regex_replace)."""
    return _checked("StaticRegexReplace", [_strings(input)], {
        "pattern": _bytes(pattern).decode("utf-8"), "rewrite": _bytes(rewrite).decode("utf-8"),
        "replace_global": bool(replace_global)})


# ---------------------------------------------------------------- splitting (sparse results)
def _split_infer(api, op_name):
    def infer(specs, attrs):
        _string_input(api, op_name, specs[0])
        s = sh.dims(specs[0])
        if s is not None and len(s) != 1:
            raise sh.error(api, op_name, "input must be a vector, got shape: %s (argument input)" % sh.fmt(s))
        v = _const(specs[0])
        n = None if v is None else len(_split_parts(v, op_name, attrs)[1])
        return [((n, 2), dtypes.int64), ((n,), dtypes.string), ((2,), dtypes.int64)]
    return infer


def _split_parts(x, op_name, attrs):
    """(row of each piece, the pieces) for StringSplitV2 / StringSplit."""
    rows, values = [], []
    if op_name == "StringSplitV2":
        sep = attrs["sep"].encode("utf-8")
        maxsplit = attrs["maxsplit"]
        for i, s in enumerate(x):
            parts = s.split(sep or None, maxsplit)  # sep '' splits on runs of whitespace
            rows.extend([i] * len(parts))
            values.extend(parts)
    else:
        delim = attrs["delimiter"].encode("utf-8")
        skip = attrs["skip_empty"]
        splitter = re.compile(b"[" + re.escape(delim) + b"]") if delim else None
        for i, s in enumerate(x):
            parts = [s[j:j + 1] for j in range(len(s))] if splitter is None else splitter.split(s)
            if skip:
                parts = [p for p in parts if p]
            rows.extend([i] * len(parts))
            values.extend(parts)
    return rows, values


def _split_kernel(op_name):
    def kernel(xp, x, **attrs):
        rows, values = _split_parts(x, op_name, attrs)
        n = len(values)
        idx = np.zeros((n, 2), np.int64)
        idx[:, 0] = rows
        if n:
            starts = np.searchsorted(idx[:, 0], idx[:, 0])  # first position of each row
            idx[:, 1] = np.arange(n) - starts
        width = int(np.max(idx[:, 1]) + 1) if n else 0
        vals = np.empty(n, dtype=object)
        vals[:] = values
        return idx, vals, np.array([x.shape[0], width], np.int64)
    return kernel


register("StringSplitV2", kernel=_split_kernel("StringSplitV2"), infer=_split_infer("tf.strings.split", "StringSplitV2"),
         grad=NON_DIFFERENTIABLE, api="tf.strings.split", num_outputs=3, args=("input",),
         samples=lambda: [([_str_samples(b"a b  c", b"d", b"")], {"sep": "", "maxsplit": -1}),
                          ([_str_samples(b"a,b,,c", b"d", b"")], {"sep": ",", "maxsplit": -1}),
                          ([_str_samples(b"a<>b<>c")], {"sep": "<>", "maxsplit": 1})])
register("StringSplit", kernel=_split_kernel("StringSplit"), infer=_split_infer("tf.strings.bytes_split", "StringSplit"),
         grad=NON_DIFFERENTIABLE, api="tf.strings.bytes_split", num_outputs=3, args=("input",),
         samples=lambda: [([_str_samples("hé".encode(), b"x", b"")], {"delimiter": "", "skip_empty": False}),
                          ([_str_samples(b"a,b;c", b",,")], {"delimiter": ",;", "skip_empty": True})])


def _ragged_rows(values, rowids, nrows):
    """A tf.RaggedTensor of `values` grouped by row."""
    from . import ragged_ops
    return ragged_ops.RaggedTensor.from_value_rowids(values, rowids, nrows=nrows, validate=False)


def _split_rows(x, fn):
    """Applies a vector splitter `fn` to a string tensor of any rank (rank 0 gives a dense vector)."""
    rank = x.shape.rank
    if rank is None:
        raise ValueError("input must have a statically-known rank.")
    if rank == 0:
        from . import array_ops
        return fn(array_ops.reshape(x, [1])).values  # one row: its values are the row (also in graphs)
    if rank == 1:
        return fn(x)
    from . import ragged_ops
    cls = ragged_ops.RaggedTensor
    return _split_rows(cls.from_tensor(x), fn) if not isinstance(x, cls) else x.with_flat_values(
        _split_rows(x.flat_values, fn))


@tf_export("strings.split")
def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits each string on `sep` (runs of whitespace when None) (tf.strings.split).

    Returns:
      A RaggedTensor with one more dimension than `input` (a dense vector for a scalar).
    """
    from . import ragged_ops
    if isinstance(input, ragged_ops.RaggedTensor):
        return input.with_flat_values(split(input.flat_values, sep, maxsplit))
    x = _strings(input)
    attrs = {"sep": "" if sep is None else _bytes(sep).decode("utf-8"), "maxsplit": int(maxsplit)}

    def fn(v):
        idx, vals, shape = bind("StringSplitV2", [v], attrs)
        nrows = shape._value[0] if type(shape) is Tensor else (v.shape[0] if v.shape[0] is not None else shape[0])
        return _ragged_rows(vals, _column(idx, 0), nrows)
    return _split_rows(x, fn)


def _column(idx, j):
    from . import array_ops
    return array_ops.reshape(array_ops.split(idx, [1, 1], axis=1)[j], [-1])


@tf_export("strings.bytes_split")
def bytes_split(input, name=None):  # noqa: A002
    """Splits each string into its bytes (tf.strings.bytes_split).

    Returns:
      A RaggedTensor with one more dimension than `input` (a dense vector for a scalar).
    """
    from . import ragged_ops
    if isinstance(input, ragged_ops.RaggedTensor):
        return input.with_flat_values(bytes_split(input.flat_values))
    x = _strings(input)

    def fn(v):
        idx, vals, shape = bind("StringSplit", [v], {"delimiter": "", "skip_empty": False})
        nrows = shape._value[0] if type(shape) is Tensor else (v.shape[0] if v.shape[0] is not None else shape[0])
        return _ragged_rows(vals, _column(idx, 0), nrows)
    return _split_rows(x, fn)


# ---------------------------------------------------------------- Unicode
_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


def _check_unicode_encoding(enc):
    if enc not in _ENCODINGS:
        raise InvalidArgumentError(None, None, "Could not create converter for input encoding: %s" % enc)
    return enc


def _decode_one(s, enc, errors, replacement_char):
    if errors == "strict":
        try:
            u = s.decode(_ENCODINGS[enc])
        except UnicodeDecodeError as e:
            raise InvalidArgumentError(None, None, "tf.strings.unicode_decode: Invalid formatting on input string: %s "
                                       "[Op:UnicodeDecode]" % e) from None
        return [ord(c) for c in u]
    u = s.decode(_ENCODINGS[enc], errors="replace" if errors == "replace" else "ignore")
    cps = [ord(c) for c in u]
    if errors == "replace" and replacement_char != 0xFFFD:
        cps = [replacement_char if c == 0xFFFD else c for c in cps]
    return cps


def _unicode_decode_infer(specs, attrs):
    api, op_name = "tf.strings.unicode_decode", "UnicodeDecode"
    _string_input(api, op_name, specs[0])
    s = sh.dims(specs[0])
    if s is not None and len(s) != 1:
        raise sh.error(api, op_name, "input must be a vector, got shape: %s (argument input)" % sh.fmt(s))
    v = _const(specs[0])
    n = None if v is None else int(_unicode_decode_kernel(np, v, **attrs)[1].shape[0])
    return [((None if s is None or s[0] is None else s[0] + 1,), attrs["Tsplits"]), ((n,), dtypes.int32)]


def _unicode_decode_kernel(xp, x, input_encoding, errors, replacement_char, replace_control_characters, Tsplits):
    cps = [_decode_one(s, input_encoding, errors, replacement_char) for s in x]
    if replace_control_characters:
        cps = [[replacement_char if c < 0x20 or 0x7F <= c < 0xA0 else c for c in row] for row in cps]
    splits = np.zeros(len(cps) + 1, dtype=Tsplits.as_numpy_dtype)
    splits[1:] = np.cumsum([len(r) for r in cps]) if cps else []
    return splits, np.array([c for r in cps for c in r], dtype=np.int32)


register("UnicodeDecode", kernel=_unicode_decode_kernel, infer=_unicode_decode_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.unicode_decode", num_outputs=2, args=("input",),
         samples=lambda: [([_str_samples("hé".encode(), b"x", b"")],
                           {"input_encoding": "UTF-8", "errors": "replace", "replacement_char": 0xFFFD,
                            "replace_control_characters": False, "Tsplits": dtypes.int64}),
                          ([_str_samples(b"h\xffa")], {"input_encoding": "UTF-8", "errors": "ignore",
                                                       "replacement_char": 0xFFFD, "replace_control_characters": False,
                                                       "Tsplits": dtypes.int32})])


def _unicode_encode_infer(specs, attrs):
    s = sh.dims(specs[1])
    return [((None if s is None or s[0] is None else s[0] - 1,), dtypes.string)]


def _encode_char(c, errors, replacement_char):
    if 0 <= c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF:
        return chr(c)
    if errors == "strict":
        raise InvalidArgumentError(None, None, "tf.strings.unicode_encode: Invalid code point %d [Op:UnicodeEncode]" % c)
    return "" if errors == "ignore" else chr(replacement_char)


def _unicode_encode_kernel(xp, values, splits, errors, output_encoding, replacement_char):
    enc = _ENCODINGS[output_encoding]
    vals = values.tolist()
    out = np.empty(len(splits) - 1, dtype=object)
    for i in range(len(splits) - 1):  # one string per row
        out[i] = "".join(_encode_char(c, errors, replacement_char) for c in vals[splits[i]:splits[i + 1]]).encode(enc)
    return out


register("UnicodeEncode", kernel=_unicode_encode_kernel, infer=_unicode_encode_infer, grad=NON_DIFFERENTIABLE,
         api="tf.strings.unicode_encode", args=("input_values", "input_splits"),
         samples=lambda: [([np.array([104, 233, 120], np.int32), np.array([0, 2, 3, 3], np.int64)],
                           {"errors": "replace", "output_encoding": "UTF-8", "replacement_char": 0xFFFD})])


_SENTINEL = "\U0010fffe"  # a noncharacter marking the replaced bytes while offsets are counted


def _decode_with_offsets(s: bytes, enc: str, errors: str, replacement_char: int):
    """(code points, byte offset of each) of one string; invalid byte runs are replaced (or
    dropped) as `errors` says, each at the offset where it starts."""
    spans = []

    def handler(e):
        spans.append((e.start, e.end))
        return (_SENTINEL, e.end)

    codecs.register_error("tensorforge_offsets", handler)
    try:
        text = s.decode(_ENCODINGS[enc], errors="strict" if errors == "strict" else "tensorforge_offsets")
    except UnicodeDecodeError as e:
        raise InvalidArgumentError(None, None, "tf.strings.unicode_decode_with_offsets: Invalid formatting on input "
                                   "string: %s [Op:UnicodeDecodeWithOffsets]" % e) from None
    cps, offsets, pos, k = [], [], 0, 0
    width = _ENCODINGS[enc]
    for ch in text:
        if ch == _SENTINEL:
            start, end = spans[k]
            k += 1
            if errors == "replace":
                cps.append(replacement_char)
                offsets.append(start)
            pos = end
        else:
            cps.append(ord(ch))
            offsets.append(pos)
            pos += len(ch.encode(width, errors="surrogatepass"))
    return cps, offsets


def _unicode_decode_offsets_kernel(xp, x, input_encoding, errors, replacement_char, replace_control_characters,
                                   Tsplits):
    rows = [_decode_with_offsets(s, input_encoding, errors, replacement_char) for s in x]
    if replace_control_characters:
        rows = [([replacement_char if c < 0x20 or 0x7F <= c < 0xA0 else c for c in cps], offs) for cps, offs in rows]
    splits = np.zeros(len(rows) + 1, dtype=Tsplits.as_numpy_dtype)
    splits[1:] = np.cumsum([len(r[0]) for r in rows]) if rows else []
    cps = np.array([c for r in rows for c in r[0]], dtype=np.int32)
    offsets = np.array([o for r in rows for o in r[1]], dtype=np.int64)
    return splits, cps, offsets


def _unicode_decode_offsets_infer(specs, attrs):
    (splits, cps), = [tuple(_unicode_decode_infer(specs, attrs))]
    return [splits, cps, (cps[0], dtypes.int64)]


register("UnicodeDecodeWithOffsets", kernel=_unicode_decode_offsets_kernel, infer=_unicode_decode_offsets_infer,
         grad=NON_DIFFERENTIABLE, api="tf.strings.unicode_decode_with_offsets", num_outputs=3, args=("input",),
         samples=lambda: [([_str_samples("hé".encode(), b"a\xffb", b"")],
                           {"input_encoding": "UTF-8", "errors": "replace", "replacement_char": 0xFFFD,
                            "replace_control_characters": False, "Tsplits": dtypes.int64})])


def _unicode_transcode_kernel(xp, x, input_encoding, output_encoding, errors, replacement_char,
                              replace_control_characters):
    out = np.empty(x.shape, dtype=object)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for i, s in enumerate(flat_in):  # one string at a time, as the codecs work
        cps = _decode_one(s, input_encoding, errors, replacement_char)
        if replace_control_characters:
            cps = [replacement_char if c < 0x20 or 0x7F <= c < 0xA0 else c for c in cps]
        flat_out[i] = "".join(_encode_char(c, errors, replacement_char) for c in cps).encode(
            _ENCODINGS[output_encoding], errors="surrogatepass")
    return out


register("UnicodeTranscode", kernel=_unicode_transcode_kernel,
         infer=lambda specs, attrs: [(sh.dims(specs[0]), dtypes.string)], grad=NON_DIFFERENTIABLE,
         api="tf.strings.unicode_transcode", args=("input",),
         samples=lambda: [([_str_samples("hé".encode(), b"a\xffb")],
                           {"input_encoding": "UTF-8", "output_encoding": "UTF-16-BE", "errors": "replace",
                            "replacement_char": 0xFFFD, "replace_control_characters": False})])


@tf_export("strings.unicode_decode_with_offsets")
def unicode_decode_with_offsets(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                                replace_control_characters=False, name=None):
    """Decodes each string into code points, with the byte offset where each starts
    (tf.strings.unicode_decode_with_offsets).

    Returns:
      (code points, offsets): RaggedTensors (int32, int64) with one more dimension than `input`
      (dense vectors for a scalar).
    """
    x = _strings(input)
    attrs = {"input_encoding": _check_unicode_encoding(input_encoding), "errors": errors,
             "replacement_char": int(replacement_char), "replace_control_characters": bool(replace_control_characters),
             "Tsplits": dtypes.int64}
    pair = []

    def fn(v):
        splits, cps, offsets = bind("UnicodeDecodeWithOffsets", [v], attrs)
        pair.append(_ragged_splits(offsets, splits))
        return _ragged_splits(cps, splits)
    cps = _split_rows(x, fn)
    # The offsets take the code points' structure: a dense row for a scalar, the same partitions otherwise.
    if x.shape.rank == 0:
        return cps, pair[0].values
    if x.shape.rank == 1:
        return cps, pair[0]
    return cps, cps.with_flat_values(pair[0].values)


@tf_export("strings.unicode_split_with_offsets")
def unicode_split_with_offsets(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                               name=None):
    """Splits each string into its characters, with the byte offset where each starts
    (tf.strings.unicode_split_with_offsets)."""
    cps, offsets = unicode_decode_with_offsets(input, input_encoding, errors, replacement_char)
    from . import ragged_ops
    if isinstance(cps, ragged_ops.RaggedTensor):
        return cps.with_flat_values(_chars(cps.flat_values, input_encoding, replacement_char)), offsets
    return _chars(cps, input_encoding, replacement_char), offsets


def _chars(cps, encoding, replacement_char):
    n = cps.shape[0]
    one_each = Tensor(np.arange(n + 1, dtype=np.int64), dtypes.int64) if n is not None else None
    if one_each is None:
        raise ValueError("unicode_split_with_offsets needs code points known when the function is traced.")
    return bind("UnicodeEncode", [cps, one_each], {"errors": "replace", "output_encoding": encoding,
                                                    "replacement_char": int(replacement_char)})


@tf_export("strings.unicode_transcode")
def unicode_transcode(input, input_encoding, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                      replace_control_characters=False, name=None) -> Tensor:
    """Re-encodes each string from `input_encoding` to `output_encoding` (tf.strings.unicode_transcode)."""
    return bind("UnicodeTranscode", [_strings(input)],
                {"input_encoding": _check_unicode_encoding(input_encoding),
                 "output_encoding": _check_unicode_encoding(output_encoding), "errors": errors,
                 "replacement_char": int(replacement_char),
                 "replace_control_characters": bool(replace_control_characters)})


def _decode_rows(x, input_encoding, errors, replacement_char, replace_control_characters):
    return bind("UnicodeDecode", [x], {"input_encoding": _check_unicode_encoding(input_encoding), "errors": errors,
                                       "replacement_char": int(replacement_char),
                                       "replace_control_characters": bool(replace_control_characters),
                                       "Tsplits": dtypes.int64})


def _ragged_splits(values, splits):
    from . import ragged_ops
    return ragged_ops.RaggedTensor.from_row_splits(values, splits, validate=False)


@tf_export("strings.unicode_decode")
def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    """Decodes each string into its Unicode code points (int32) (tf.strings.unicode_decode).

    Returns:
      A RaggedTensor of code points with one more dimension than `input`.
    """
    x = _strings(input)

    def fn(v):
        splits, cps = _decode_rows(v, input_encoding, errors, replacement_char, replace_control_characters)
        return _ragged_splits(cps, splits)
    return _split_rows(x, fn)


@tf_export("strings.unicode_split")
def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Splits each string into its Unicode characters (tf.strings.unicode_split).

    Returns:
      A RaggedTensor of one-character strings with one more dimension than `input`.
    """
    x = _strings(input)

    def fn(v):
        splits, cps = _decode_rows(v, input_encoding, errors, replacement_char, False)
        n = cps.shape[0] if type(cps) is Tensor else None
        one_each = Tensor(np.arange(n + 1, dtype=np.int64), dtypes.int64)
        chars = bind("UnicodeEncode", [cps, one_each], {"errors": "replace", "output_encoding": input_encoding,
                                                        "replacement_char": int(replacement_char)})
        return _ragged_splits(chars, splits)
    return _split_rows(x, fn)


@tf_export("strings.unicode_encode")
def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None) -> Tensor:  # noqa: A002
    """Encodes rows of code points into strings (tf.strings.unicode_encode).

    Args:
      input: an int32 tensor [..., chars] or RaggedTensor of code points; each innermost
        row becomes one string.
    """
    _check_unicode_encoding(output_encoding)
    attrs = {"errors": errors, "output_encoding": output_encoding, "replacement_char": int(replacement_char)}
    from . import ragged_ops
    if isinstance(input, ragged_ops.RaggedTensor):
        if input.ragged_rank == 1:
            return bind("UnicodeEncode", [input.values, input.row_splits], attrs)
        return input.with_values(unicode_encode(input.values, output_encoding, errors, replacement_char))
    x = _t(input, dtype=dtypes.int32)
    shape = x.shape.as_list()
    if not shape:
        raise ValueError("input must have rank >= 1")
    from . import array_ops
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    splits = Tensor(np.arange(rows + 1, dtype=np.int64) * shape[-1], dtypes.int64)
    out = bind("UnicodeEncode", [array_ops.reshape(x, [-1]), splits], attrs)
    return array_ops.reshape(out, shape[:-1])


# ---------------------------------------------------------------- StringFormat
def _format_number(v, kind, itemsize):
    """One element as TF's tensor summaries print it (floats: shortest of 6/9 or 15/17 digits)."""
    if kind == "b":
        return "1" if v else "0"
    if kind == "f":
        f = float(v)
        if not np.isfinite(f):
            return str(f)
        short, full = (6, 9) if itemsize <= 4 else (15, 17)
        text = "%.*g" % (short, f)
        if type(v)(float(text)) != v:
            text = "%.*g" % (full, f)
        return text
    if kind == "O":
        return '"%s"' % v.decode("utf-8", "replace")
    if kind == "c":
        return "(%s,%s)" % (_format_number(v.real, "f", itemsize // 2), _format_number(v.imag, "f", itemsize // 2))
    return str(v)


def _summarize(x, summarize):
    kind, size = x.dtype.kind, x.dtype.itemsize
    if x.dtype in (np.dtype(np.float16), dtypes.bfloat16._np):
        x, kind, size = x.astype(np.float32), "f", 4
    if x.ndim == 0:
        return _format_number(x[()], kind, size)

    def dim(a, depth):
        n = a.shape[0]
        idx = list(range(n))
        if 0 <= summarize and n > 2 * summarize:
            idx = idx[:summarize] + [None] + idx[n - summarize:]
        if a.ndim == 1:
            items = ["..." if i is None else _format_number(a[i], kind, size) for i in idx]
            return "[" + " ".join(items) + "]"
        sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
        items = ["..." if i is None else dim(a[i], depth + 1) for i in idx]
        return "[" + sep.join(items) + "]"

    return dim(x, 0)


def _format_kernel(xp, *xs, template, placeholder, summarize):
    parts = template.split(placeholder)
    text = parts[0]
    for x, p in zip(xs, parts[1:]):
        text += _summarize(np.asarray(x), summarize) + p
    return _obj(text.encode("utf-8"))


register("StringFormat", kernel=_format_kernel, infer=lambda s, a: [((), dtypes.string)], grad=NON_DIFFERENTIABLE,
         api="tf.strings.format", args=("inputs",),
         samples=lambda: [([np.int32(1), np.array([1.5, 2.0], np.float32)],
                           {"template": "x={} y={}", "placeholder": "{}", "summarize": 3}),
                          ([np.arange(24).reshape(2, 3, 4)], {"template": "{}", "placeholder": "{}", "summarize": 1})])


@tf_export("strings.format")
def format(template, inputs, placeholder="{}", summarize=3, name=None) -> Tensor:  # noqa: A001 - TF's name
    """Formats tensors into a string template, as tf.print does (tf.strings.format).

    Args:
      template: a string with one `placeholder` per input.
      inputs: a tensor or a list of tensors.
      placeholder: the placeholder text.
      summarize: elements shown at each end of every dimension (-1: all).

    Raises:
      ValueError: the number of placeholders does not match the inputs.
    """
    if isinstance(inputs, (list, tuple)):
        xs = [_t(v) for v in inputs]
    else:
        xs = [_t(inputs)]
    expected = template.count(placeholder)
    if expected != len(xs):
        raise ValueError("The template expects %d tensors, but the inputs only has %d. Please ensure the number of "
                         "placeholders in template matches inputs length." % (expected, len(xs)))
    return _checked("StringFormat", xs, {"template": str(template), "placeholder": str(placeholder),
                                     "summarize": int(summarize)})


# ---------------------------------------------------------------- FarmHash: to_hash_bucket_fast, fingerprint
def _hash_bucket_fast_kernel(xp, x, num_buckets):
    from .string_hashes import fingerprint64
    flat = x.reshape(-1)
    out = np.fromiter((fingerprint64(s) % num_buckets for s in flat), dtype=np.uint64, count=flat.size)
    return out.astype(np.int64).reshape(x.shape)


def _hash_bucket_infer(specs, attrs):
    if attrs["num_buckets"] < 1:
        raise sh.error("tf.strings.to_hash_bucket_fast", "StringToHashBucketFast",
                       "num_buckets must be >= 1, got %d" % attrs["num_buckets"])
    return [(sh.dims(specs[0]), dtypes.int64)]


register("StringToHashBucketFast", kernel=_hash_bucket_fast_kernel, infer=_hash_bucket_infer,
         grad=NON_DIFFERENTIABLE, api="tf.strings.to_hash_bucket_fast", args=("input",),
         samples=lambda: [([np.array([b"", b"a", b"hello world", b"x" * 100], dtype=object)], {"num_buckets": 7})])


@tf_export("strings.to_hash_bucket_fast")
def to_hash_bucket_fast(input, num_buckets, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Hashes strings into `num_buckets` buckets with FarmHash's Fingerprint64 (as TF does)."""
    x = convert_to_tensor(input)
    if x.dtype != dtypes.string:
        raise TypeError("Input 'input' of 'StringToHashBucketFast' Op has type %s that does not match expected type "
                        "of string." % x.dtype.name)
    return bind("StringToHashBucketFast", [x], {"num_buckets": int(num_buckets)})


def _hash_bucket_strong_kernel(xp, x, num_buckets, key):
    from .string_hashes import siphash24
    flat = x.reshape(-1)
    k0, k1 = key
    out = np.fromiter((siphash24(k0, k1, s) % num_buckets for s in flat), dtype=np.uint64, count=flat.size)
    return out.astype(np.int64).reshape(x.shape)


def _hash_bucket_strong_infer(specs, attrs):
    if len(attrs["key"]) != 2:
        raise sh.error("tf.strings.to_hash_bucket_strong", "StringToHashBucketStrong",
                       "Key must have 2 elements, got %d" % len(attrs["key"]))
    return _hash_bucket_infer(specs, attrs)


register("StringToHashBucketStrong", kernel=_hash_bucket_strong_kernel, infer=_hash_bucket_strong_infer,
         grad=NON_DIFFERENTIABLE, api="tf.strings.to_hash_bucket_strong", args=("input",),
         samples=lambda: [([np.array([b"", b"a", b"x" * 70], dtype=object)], {"num_buckets": 5, "key": (1, 2)})])


@tf_export("strings.to_hash_bucket_strong")
def to_hash_bucket_strong(input, num_buckets, key, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Hashes strings into `num_buckets` buckets with SipHash-2-4 keyed by `key` (two integers), as TF does."""
    x = convert_to_tensor(input)
    if x.dtype != dtypes.string:
        raise TypeError("Input 'input' of 'StringToHashBucketStrong' Op has type %s that does not match expected "
                        "type of string." % x.dtype.name)
    key = tuple(int(k) & ((1 << 64) - 1) for k in key)
    return bind("StringToHashBucketStrong", [x], {"num_buckets": int(num_buckets), "key": key})


def _fingerprint_kernel(xp, data, method):
    from .string_hashes import fingerprint64
    if data.ndim == 0:
        raise ValueError("data must have rank at least one")
    n = data.shape[0]
    if data.dtype == object:
        if data.ndim == 1:
            rows = [bytes(s) for s in data]
        else:  # TF fingerprints each row's strings as (fingerprint of each, combined); rows of one string are common
            rows = [b"".join(fingerprint64(bytes(s)).to_bytes(8, "little") for s in r.reshape(-1)) for r in data]
    else:
        flat = np.ascontiguousarray(data).reshape(n, -1)
        rows = [r.tobytes() for r in flat]
    out = np.empty((n, 8), np.uint8)
    for i, r in enumerate(rows):
        out[i] = np.frombuffer(fingerprint64(r).to_bytes(8, "little"), np.uint8)
    return out


def _fingerprint_infer(specs, attrs):
    d = sh.dims(specs[0])
    if d is not None and len(d) == 0:
        raise sh.error("tf.fingerprint", "Fingerprint", "`data` should have at least one dimension, got a scalar.")
    if attrs["method"] != "farmhash64":
        raise sh.error("tf.fingerprint", "Fingerprint", "Unsupported fingerprint method: %s" % attrs["method"])
    return [((None if d is None else d[0], 8), dtypes.uint8)]


register("Fingerprint", kernel=_fingerprint_kernel, infer=_fingerprint_infer, grad=NON_DIFFERENTIABLE,
         api="tf.fingerprint", args=("data",),
         samples=lambda: [([np.array([b"a", b"bc"], dtype=object)], {"method": "farmhash64"}),
                          ([np.arange(6, dtype=np.int32).reshape(2, 3)], {"method": "farmhash64"})])


@tf_export("fingerprint")
def fingerprint(data, method="farmhash64", name=None) -> Tensor:
    """A uint8 [N, 8] fingerprint of each row of `data` (FarmHash Fingerprint64, little-endian bytes)."""
    return bind("Fingerprint", [convert_to_tensor(data)], {"method": method})


# ---------------------------------------------------------------- StringToHashBucket (legacy Hash64)
_M64 = (1 << 64) - 1


def _hash64(s: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TF's legacy Hash64 (tensorflow/core/platform/hash.cc, a MurmurHash64A variant), used by StringToHashBucket."""
    m, r = 0xC6A4A7935BD1E995, 47
    n = len(s)
    h = (seed ^ (n * m)) & _M64
    full = n - n % 8
    if full:
        for k in np.frombuffer(s[:full], "<u8").tolist():
            k = (k * m) & _M64
            k ^= k >> r
            k = (k * m) & _M64
            h ^= k
            h = (h * m) & _M64
    tail = s[full:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & _M64
    h ^= h >> r
    h = (h * m) & _M64
    h ^= h >> r
    return h


def _hash_bucket_legacy_kernel(xp, string_tensor, num_buckets):
    flat = string_tensor.reshape(-1)
    out = np.fromiter((_hash64(s) % num_buckets for s in flat), dtype=np.uint64, count=flat.size)
    return out.astype(np.int64).reshape(string_tensor.shape)


def _hash_bucket_legacy_infer(specs, attrs):
    if attrs["num_buckets"] < 1:
        raise sh.error("tf.strings.to_hash_bucket", "StringToHashBucket",
                       "num_buckets must be >= 1, got %d" % attrs["num_buckets"])
    return [(sh.dims(specs[0]), dtypes.int64)]


register("StringToHashBucket", kernel=_hash_bucket_legacy_kernel, infer=_hash_bucket_legacy_infer,
         grad=NON_DIFFERENTIABLE, api="tf.strings.to_hash_bucket", args=("string_tensor",),
         samples=lambda: [([np.array([b"", b"a", b"hello world", b"x" * 17], dtype=object)], {"num_buckets": 7})])


@tf_export("strings.to_hash_bucket")
def to_hash_bucket(input, num_buckets, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Hashes strings into `num_buckets` buckets with TF's legacy Hash64 (deprecated in TF for
    tf.strings.to_hash_bucket_fast, which uses FarmHash) (tf.strings.to_hash_bucket)."""
    x = convert_to_tensor(input)
    if x.dtype != dtypes.string:
        raise TypeError("Input 'string_tensor' of 'StringToHashBucket' Op has type %s that does not match expected "
                        "type of string." % x.dtype.name)
    return bind("StringToHashBucket", [x], {"num_buckets": int(num_buckets)})


# ---------------------------------------------------------------- StringNGrams
_NGRAMS = "tf.strings.ngrams"


def _ngrams_row(tokens, widths, sep, left, right, pad_width, preserve_short):
    out = []

    def pad_of(w):
        return min(w - 1 if pad_width < 0 else pad_width, w - 1)

    def make(num, w):
        p = pad_of(w)
        for k in range(num):  # one ngram: left pads, tokens, right pads
            lp = max(0, p - k)
            rp = max(0, p - (num - (k + 1)))
            nt = w - (lp + rp)
            start = 0 if lp > 0 else k - p
            out.append(sep.join([left] * lp + tokens[start:start + nt] + [right] * rp))

    n = len(tokens)
    for w in widths:
        make(max(0, n + 2 * pad_of(w) - w + 1), w)
    if preserve_short and not out and n:
        make(1, n + 2 * pad_width)
    return out


def _ngrams_kernel(xp, data, data_splits, separator, ngram_widths, left_pad, right_pad, pad_width,
                   preserve_short_sequences):
    splits = data_splits.astype(np.int64)
    if len(splits) and (splits[0] != 0 or splits[-1] != len(data) or (np.diff(splits) < 0).any()):
        raise sh.error(_NGRAMS, "StringNGrams", "Invalid split value.")
    enc = [v.encode("utf-8") if isinstance(v, str) else v for v in (separator, left_pad, right_pad)]
    tokens = data.tolist()
    rows, lengths = [], []
    for i in range(max(len(splits) - 1, 0)):  # one Python join per ngram: strings have no vectorised path
        r = _ngrams_row(tokens[splits[i]:splits[i + 1]], ngram_widths, *enc, pad_width, preserve_short_sequences)
        rows.extend(r)
        lengths.append(len(r))
    out = np.empty(len(rows), dtype=object)
    out[:] = rows
    out_splits = np.zeros(max(len(splits), 1), dtype=data_splits.dtype)
    out_splits[1:] = np.cumsum(lengths) if lengths else []
    return out, out_splits


def _ngrams_infer(specs, attrs):
    _string_input(_NGRAMS, "StringNGrams", specs[0], 0, "data")
    d = sh.dims(specs[0])
    if d is not None and len(d) != 1:
        raise sh.error(_NGRAMS, "StringNGrams", "Shape must be rank 1 but is rank %d (argument data)" % len(d))
    s = sh.dims(specs[1])
    v0, v1 = _const(specs[0]), _const(specs[1])
    n = None if v0 is None or v1 is None else len(_ngrams_kernel(np, v0, v1, **attrs)[0])
    return [((n,), dtypes.string), (s if s is not None else (None,), specs[1].dtype)]


register("StringNGrams", kernel=_ngrams_kernel, infer=_ngrams_infer, grad=NON_DIFFERENTIABLE, api=_NGRAMS,
         num_outputs=2, args=("data", "data_splits"),
         samples=lambda: [([_str_samples(b"a", b"b", b"c", b"d"), np.array([0, 3, 3, 4], np.int64)],
                           {"separator": " ", "ngram_widths": (2,), "left_pad": "", "right_pad": "", "pad_width": 0,
                            "preserve_short_sequences": False}),
                          ([_str_samples(b"a", b"b", b"c", b"d"), np.array([0, 3, 4], np.int32)],
                           {"separator": "|", "ngram_widths": (2, 3), "left_pad": "<", "right_pad": ">",
                            "pad_width": -1, "preserve_short_sequences": False}),
                          ([_str_samples(b"a", b"b", b"c"), np.array([0, 1, 3], np.int64)],
                           {"separator": " ", "ngram_widths": (3,), "left_pad": "", "right_pad": "", "pad_width": 0,
                            "preserve_short_sequences": True})])


@tf_export("strings.ngrams")
def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None, preserve_short_sequences=False,
           name=None):
    """The ngrams of the innermost dimension of `data` (tf.strings.ngrams).

    Args:
      data: a string Tensor or RaggedTensor (rank >= 1).
      ngram_width: an int, or a list of ints (ngrams of each width, in that order).
      separator: joins the items of an ngram.
      pad_values: a string (both sides) or a pair (left, right) to pad each row with; None: no padding.
      padding_width: how many pads on each side (default: ngram_width - 1).
      preserve_short_sequences: a row too short for any ngram gives one ngram of all its items.

    Returns:
      A RaggedTensor (a dense tensor when `data` is dense) of the ngrams.
    """
    from . import array_ops, ragged_ops
    if pad_values is None:
        left, right = "", ""
    elif isinstance(pad_values, (list, tuple)):
        if not isinstance(pad_values[0], (str, bytes)) or not isinstance(pad_values[1], (str, bytes)):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left, right = pad_values[0], pad_values[1]
    else:
        if not isinstance(pad_values, (str, bytes)):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left = right = pad_values
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    rt = ragged_ops.RaggedTensor
    if not isinstance(data, rt):
        data = _t(data, dtypes.string)
    to_tensor = not isinstance(data, rt)
    if to_tensor:
        if data.shape.rank is None:
            raise ValueError("Rank of data must be known.")
        if data.shape.rank == 0:
            raise ValueError("Data must have rank>0")
        dense_shape = data.shape.as_list()[:-1] + [-1]
        if data.shape.rank == 1:
            r = rt.from_row_splits(data, Tensor(np.asarray([0, data.shape[0]], np.int64), dtypes.int64),
                                   validate=False)
            return ngrams(r, ngram_width, separator, pad_values, padding_width, preserve_short_sequences)[0]
        data = rt.from_tensor(data, ragged_rank=data.shape.rank - 1)
    if data.ragged_rank > 1:
        out = data.with_values(ngrams(data.values, ngram_width, separator, pad_values, padding_width,
                                      preserve_short_sequences))
        return array_ops.reshape(out.flat_values, dense_shape) if to_tensor else out
    widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
    for w in widths:
        if w < 1:
            raise ValueError("All ngram_widths must be greater than 0. Got %s" % (ngram_width,))
    pad_width = 0 if pad_values is None else (-1 if padding_width is None else int(padding_width))

    def text(v):
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)

    values, splits = bind("StringNGrams", [data.flat_values, data.row_splits], {
        "separator": text(separator), "ngram_widths": tuple(int(w) for w in widths), "left_pad": text(left),
        "right_pad": text(right), "pad_width": pad_width, "preserve_short_sequences": bool(preserve_short_sequences)})
    out = rt.from_row_splits(values, splits, validate=False)
    return array_ops.reshape(out.flat_values, dense_shape) if to_tensor else out


# ---------------------------------------------------------------- UnsortedSegmentJoin
_SEG_JOIN = "tf.strings.unsorted_segment_join"


def _segment_join_kernel(xp, inputs, segment_ids, num_segments, separator):
    n = int(num_segments)
    ids = np.asarray(segment_ids, np.int64)
    for r in range(ids.ndim):
        if r >= inputs.ndim or inputs.shape[r] != ids.shape[r]:
            raise sh.error(_SEG_JOIN, "UnsortedSegmentJoin", "Segment dimension is %d while input dimension is %d in "
                           "rank %d" % (ids.shape[r], inputs.ndim, r))
    if ids.size and (ids.max() >= n or ids.min() < 0):
        raise sh.error(_SEG_JOIN, "UnsortedSegmentJoin", "segment_ids are not allowed to exceed num_segments or to "
                       "have negative values.")
    inner = inputs.shape[ids.ndim:]
    width = int(np.prod(inner, dtype=np.int64))
    flat_ids = ids.reshape(-1)
    rows = inputs.reshape(len(flat_ids), width)
    sep = separator.encode("utf-8")
    order = np.argsort(flat_ids, kind="stable")
    keep = order
    sid = flat_ids[keep]
    out = np.empty((n, width), dtype=object)
    out[...] = b""
    if len(keep):
        starts = np.flatnonzero(np.concatenate([[True], sid[1:] != sid[:-1]]))
        ends = np.append(starts[1:], len(keep))
        grouped = rows[keep]
        for a, b in zip(starts.tolist(), ends.tolist()):  # one join per segment and column
            seg = grouped[a:b]
            out[sid[a]] = [sep.join(seg[:, j]) for j in range(width)]
    return out.reshape((n,) + tuple(inner))


def _fmt_shape(shape):
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _segment_join_infer(specs, attrs):
    _string_input(_SEG_JOIN, "UnsortedSegmentJoin", specs[0], 0, "inputs")
    d, i = sh.dims(specs[0]), sh.dims(specs[1])
    v = _const(specs[2])
    n = None if v is None else int(v)
    if d is None or i is None:
        return [(None, dtypes.string)]
    return [((n,) + tuple(d[len(i):]), dtypes.string)]


register("UnsortedSegmentJoin", kernel=_segment_join_kernel, infer=_segment_join_infer, grad=NON_DIFFERENTIABLE,
         api=_SEG_JOIN, args=("inputs", "segment_ids", "num_segments"),
         samples=lambda: [([_str_samples(b"a", b"b", b"c", b"d"), np.array([1, 0, 1, 0], np.int32), np.int32(3)],
                           {"separator": ","}),
                          ([_str_samples([b"a", b"b"], [b"c", b"d"]), np.array([1, 1], np.int64), np.int64(2)],
                           {"separator": ""})])


@tf_export("strings.unsorted_segment_join")
def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None) -> Tensor:
    """Joins the strings of each segment, in input order, with `separator` (tf.strings.unsorted_segment_join).

    Args:
      inputs: a string tensor.
      segment_ids: int32/int64 ids in [0, num_segments), of a prefix of `inputs`' shape.
      num_segments: the number of output segments (empty segments give '').
    """
    x = _strings(inputs)
    return _checked("UnsortedSegmentJoin", [x, _t(segment_ids), _t(num_segments)], {"separator": str(separator)})
