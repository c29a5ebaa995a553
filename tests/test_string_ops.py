"""tf.strings ops: behaviour checked against Python's bytes/str methods and TF's documented rules."""
import re

import numpy as np
import pytest

import tensorforge as tf

WORDS = ["ab", "cdé", "", "Hello World"]


def b(*xs):
    return [x.encode() if isinstance(x, str) else x for x in xs]


def as_list(t):
    return np.asarray(t.numpy()).tolist()


def test_length_bytes_and_chars():
    s = tf.constant(WORDS)
    out = tf.strings.length(s)
    assert out.dtype is tf.int32
    assert as_list(out) == [len(w.encode()) for w in WORDS]
    assert as_list(tf.strings.length(s, unit="UTF8_CHAR")) == [len(w) for w in WORDS]
    # Invalid UTF-8: every byte that is not a continuation byte counts as a character.
    assert as_list(tf.strings.length(tf.constant([b"\xc3", b"a\xff"]), unit="UTF8_CHAR")) == [1, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="string"):
        tf.strings.length(tf.constant([1]))


def test_upper_lower():
    s = tf.constant(["abÉé", "MiXed"])
    assert as_list(tf.strings.upper(s)) == b("ABÉé", "MIXED")  # ASCII only by default
    assert as_list(tf.strings.lower(s)) == b("abÉé", "mixed")
    assert as_list(tf.strings.upper(s, encoding="utf-8")) == b("ABÉÉ", "MIXED")
    assert as_list(tf.strings.lower(s, encoding="utf-8")) == b("abéé", "mixed")
    assert tf.strings.upper(tf.constant("x")).numpy() == b"X"


def test_join_and_reduce_join():
    s = tf.constant(["ab", "cd"])
    assert as_list(tf.strings.join([s, s], separator="-")) == [b"ab-ab", b"cd-cd"]
    assert as_list(tf.strings.join([s, "x"])) == [b"abx", b"cdx"]
    assert as_list(tf.strings.join(["a", s], separator=" ")) == [b"a ab", b"a cd"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input shapes do not match"):
        tf.strings.join([s, tf.constant(["a", "b", "c"])])
    with pytest.raises(tf.errors.InvalidArgumentError, match="string"):
        tf.strings.join([tf.constant([1]), tf.constant([2])])
    m = tf.constant([["a", "b"], ["c", "d"]])
    assert tf.strings.reduce_join(m).numpy() == b"abcd"
    assert as_list(tf.strings.reduce_join(m, axis=1, separator=",")) == [b"a,b", b"c,d"]
    assert as_list(tf.strings.reduce_join(m, axis=-2)) == [b"ac", b"bd"]
    out = tf.strings.reduce_join(m, axis=0, keepdims=True)
    assert out.shape == (1, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dimension"):
        tf.strings.reduce_join(m, axis=2)


def test_to_number():
    out = tf.strings.to_number(tf.constant(["1.5", "2", " -3e2 ", "inf", "-0x10"]))
    assert out.dtype is tf.float32
    np.testing.assert_array_equal(out.numpy(), np.array([1.5, 2, -300, np.inf, -16], np.float32))
    assert np.isnan(tf.strings.to_number(tf.constant("nan"), tf.float64).numpy())
    out = tf.strings.to_number(tf.constant(["15", " -2 "]), out_type=tf.int64)
    assert out.dtype is tf.int64 and as_list(out) == [15, -2]
    for bad, dtype in (("x", tf.float32), ("1.5", tf.int32), ("99999999999", tf.int32), ("", tf.float32),
                       ("1_0", tf.float32)):
        with pytest.raises(tf.errors.InvalidArgumentError, match="StringToNumberOp could not correctly convert"):
            tf.strings.to_number(tf.constant([bad]), out_type=dtype)


def test_as_string_matches_printf():
    x = np.array([1.5, 2.0, 1e10, 1.0 / 3, -0.25], np.float32)
    assert as_list(tf.strings.as_string(x)) == [("%f" % v).encode() for v in x.astype(np.float64)]
    assert as_list(tf.strings.as_string(x, precision=2)) == [("%.2f" % v).encode() for v in x.astype(np.float64)]
    assert as_list(tf.strings.as_string(x, scientific=True)) == [("%e" % v).encode() for v in x.astype(np.float64)]
    assert as_list(tf.strings.as_string(x, shortest=True)) == [("%g" % v).encode() for v in x.astype(np.float64)]
    assert as_list(tf.strings.as_string(tf.constant([1, 22]), width=4, fill="0")) == [b"0001", b"0022"]
    assert as_list(tf.strings.as_string(tf.constant([1, 22]), width=4)) == [b"   1", b"  22"]
    assert as_list(tf.strings.as_string(tf.constant([True, False]))) == [b"true", b"false"]
    assert as_list(tf.strings.as_string(tf.constant([1.5 + 2j], tf.complex64))) == [b"(1.500000,2.000000)"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="precision not supported"):
        tf.strings.as_string(tf.constant([1]), precision=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot select both"):
        tf.strings.as_string(x, scientific=True, shortest=True)


def test_strip_and_substr():
    assert as_list(tf.strings.strip(tf.constant(["  a b \n", "\tq", ""]))) == [b"a b", b"q", b""]
    s = tf.constant(["hello", "world"])
    assert as_list(tf.strings.substr(s, 1, 3)) == [b"ell", b"orl"]
    assert as_list(tf.strings.substr(s, [0, 2], [2, 10])) == [b"he", b"rld"]
    assert as_list(tf.strings.substr(s, -3, 2)) == [b"ll", b"rl"]
    assert as_list(tf.strings.substr(s, 5, 2)) == [b"", b""]
    assert as_list(tf.strings.substr(tf.constant(["héllo"]), 1, 2, unit="UTF8_CHAR")) == b("él")
    with pytest.raises(tf.errors.InvalidArgumentError, match="pos 7 out of range"):
        tf.strings.substr(s, 7, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.strings.substr(s, -6, 2)


def test_regex():
    s = tf.constant(["abc abc", "a1", ""])
    out = tf.strings.regex_full_match(s, "[a-z ]+")
    assert out.dtype is tf.bool
    assert as_list(out) == [bool(re.fullmatch("[a-z ]+", w)) for w in ["abc abc", "a1", ""]]
    assert as_list(tf.strings.regex_replace(s, "b(c)", r"X\1")) == [b"aXc aXc", b"a1", b""]
    assert as_list(tf.strings.regex_replace(s, "b", "X", replace_global=False)) == [b"aXc abc", b"a1", b""]
    assert as_list(tf.strings.regex_replace(s, "b", r"<\0>")) == [b"a<b>c a<b>c", b"a1", b""]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid pattern"):
        tf.strings.regex_full_match(s, "(a")


def _rows(r):
    return r.to_list() if hasattr(r, "to_list") else as_list(r)


def test_split():
    r = tf.strings.split(tf.constant(["a b  c", "d", ""]))
    assert _rows(r) == [[w.encode() for w in s.split()] for s in ["a b  c", "d", ""]]
    r = tf.strings.split(tf.constant(["a,b,,c", "d", ""]), sep=",")
    assert _rows(r) == [[w.encode() for w in s.split(",")] for s in ["a,b,,c", "d", ""]]
    assert _rows(tf.strings.split(tf.constant(["a b c"]), maxsplit=1)) == [[b"a", b"b c"]]
    assert _rows(tf.strings.split(tf.constant(["a<>b<>c"]), sep="<>")) == [[b"a", b"b", b"c"]]
    dense = tf.strings.split(tf.constant("a b c"))  # a scalar gives a plain vector
    assert as_list(dense) == [b"a", b"b", b"c"]


def test_bytes_and_unicode_split():
    assert _rows(tf.strings.bytes_split(tf.constant(["hé", "x"]))) == [[b"h", b"\xc3", b"\xa9"], [b"x"]]
    assert as_list(tf.strings.bytes_split(tf.constant("ab"))) == [b"a", b"b"]
    assert _rows(tf.strings.unicode_split(tf.constant(["hé", "x"]), "UTF-8")) == [[b"h", "é".encode()], [b"x"]]
    assert _rows(tf.strings.unicode_split(tf.constant([b"h\xffa"]), "UTF-8")) == [[b"h", "\ufffd".encode(), b"a"]]
    assert _rows(tf.strings.unicode_decode(tf.constant(["hé", "x"]), "UTF-8")) == [[104, 233], [120]]
    assert tf.strings.unicode_encode(tf.constant([104, 233]), "UTF-8").numpy() == "hé".encode()


def test_format():
    out = tf.strings.format("x={} y={}", [tf.constant(1), tf.constant([1.5, 2.0])])
    assert out.dtype is tf.string and out.numpy() == b"x=1 y=[1.5 2]"
    assert tf.strings.format("{}", tf.constant("s")).numpy() == b'"s"'
    assert tf.strings.format("{}", tf.constant([[1, 2], [3, 4]])).numpy() == b"[[1 2]\n [3 4]]"
    assert tf.strings.format("{}", tf.constant(np.arange(10))).numpy() == b"[0 1 2 ... 7 8 9]"
    assert tf.strings.format("{}", tf.constant(np.arange(10)), summarize=-1).numpy() == \
        ("[" + " ".join(str(i) for i in range(10)) + "]").encode()
    assert tf.strings.format("{}", tf.constant([True, False])).numpy() == b"[1 0]"
    assert tf.strings.format("{}", tf.constant([0.1, 1 / 3], tf.float32)).numpy() == b"[0.1 0.333333343]"
    with pytest.raises(ValueError, match="template expects 2 tensors"):
        tf.strings.format("{} {}", tf.constant(1))


def test_string_ops_are_not_differentiable():
    from tensorforge.ops.registry import REGISTRY
    for name in ("StringLength", "StringUpper", "StringJoin", "ReduceJoin", "StringToNumber", "AsString",
                 "StringStrip", "Substr", "StaticRegexFullMatch", "StaticRegexReplace", "StringSplitV2",
                 "StringFormat", "UnicodeDecode", "UnicodeEncode"):
        assert not REGISTRY[name].differentiable, name


def test_unicode_offsets_and_transcode():
    x = tf.constant(["héllo", b"a\xffb", "", b"\xe4\xb8x"])  # str and bytes mix, as TF allows
    cps, offsets = tf.strings.unicode_decode_with_offsets(x, "UTF-8")
    assert cps.to_list() == [[104, 233, 108, 108, 111], [97, 0xFFFD, 98], [], [0xFFFD, 120]]
    # byte offsets: é takes two bytes; an invalid run is replaced once, at its start
    assert offsets.to_list() == [[0, 1, 3, 4, 5], [0, 1, 2], [], [0, 2]]
    chars, offsets2 = tf.strings.unicode_split_with_offsets(x, "UTF-8")
    assert chars.to_list()[0] == [c.encode() for c in "héllo"] and offsets2.to_list() == offsets.to_list()
    utf16 = tf.strings.unicode_transcode(x, "UTF-8", "UTF-16-BE").numpy().tolist()
    assert utf16[0] == "héllo".encode("utf-16-be") and utf16[1] == "a\ufffdb".encode("utf-16-be")
    assert tf.strings.unicode_transcode([b"a\xffb"], "UTF-8", "UTF-8", replacement_char=ord("?")).numpy().tolist() \
        == [b"a?b"]
    scalar_cps, scalar_offsets = tf.strings.unicode_decode_with_offsets(tf.constant("hé"), "UTF-8")
    assert scalar_cps.numpy().tolist() == [104, 233] and scalar_offsets.numpy().tolist() == [0, 1]
    nested, nested_offsets = tf.strings.unicode_decode_with_offsets(tf.constant([["hé", "x"], ["", "ab"]]), "UTF-8")
    assert nested.to_list() == [[[104, 233], [120]], [[], [97, 98]]]
    assert nested_offsets.to_list() == [[[0, 1], [0]], [[], [0, 1]]]
