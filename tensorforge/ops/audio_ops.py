"""Audio ops (tf.audio): 16-bit PCM WAV encoding and decoding, byte-compatible with TensorFlow.

EncodeWav writes the canonical 44-byte RIFF/WAVE header and samples scaled by 32768, rounded
half away from zero, clamped to int16 (tf.summary.audio uses it too). DecodeWav reads the
"fmt " and "data" chunks (skipping any others) and maps int16 samples to float32 in [-1, 1) by
dividing by 32768.
"""
from __future__ import annotations

import collections
import struct

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor


def _wav_error(msg):
    return InvalidArgumentError(None, None, "%s [Op:DecodeWav]" % msg)


# ---------------------------------------------------------------- EncodeWav
_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """A `[frames, channels]` float array as the bytes of a 16-bit PCM WAV file (TF's EncodeWav)."""
    frames, channels = samples.shape
    y = (np.asarray(samples, np.float32) * np.float32(32768.0)).astype(np.float64)
    with np.errstate(invalid="ignore"):
        y = np.nan_to_num(np.trunc(y + np.copysign(0.5, y)), nan=0.0)   # C's roundf
    pcm = np.clip(y, -32768, 32767).astype("<i2").tobytes()
    block = 2 * channels
    return _HEADER.pack(b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, channels, sample_rate, sample_rate * block,
                        block, 16, b"data", len(pcm)) + pcm


def _encode_wav_kernel(xp, audio, sample_rate):
    out = np.empty((), dtype=object)
    out[()] = wav_bytes(np.asarray(audio), int(sample_rate))
    return out


def _encode_wav_infer(specs, attrs):
    audio, rate = specs
    sh.check_dtype("tf.audio.encode_wav", "EncodeWav", audio, (dtypes.float32,), "audio")
    shape = sh.dims(audio)
    if shape is not None and len(shape) != 2:
        raise sh.error("tf.audio.encode_wav", "EncodeWav", "audio must be 2-dimensional%s" % sh.fmt(shape))
    rshape = sh.dims(rate)
    if rshape is not None and len(rshape) != 0:
        raise sh.error("tf.audio.encode_wav", "EncodeWav", "Input sample_rate should be a scalar tensor, got %s "
                       "instead." % sh.fmt(rshape))
    return [((), dtypes.string)]


register("EncodeWav", kernel=_encode_wav_kernel, infer=_encode_wav_infer, grad=NON_DIFFERENTIABLE,
         api="tf.audio.encode_wav", args=("audio", "sample_rate"),
         samples=lambda: [([np.linspace(-1.2, 1.2, 14, dtype=np.float32).reshape(7, 2), np.int32(8000)], {}),
                          ([np.zeros((0, 1), np.float32), np.int32(16000)], {})])


@tf_export("audio.encode_wav")
def encode_wav(audio, sample_rate, name=None):
    """Encodes float32 `audio` [samples, channels] in [-1, 1) as a 16-bit PCM WAV string (tf.audio.encode_wav)."""
    return bind("EncodeWav", [_t(audio, dtype=dtypes.float32), _t(sample_rate, dtype=dtypes.int32)])


# ---------------------------------------------------------------- DecodeWav
def _decode_bytes(b: bytes):
    if len(b) < 12 or b[:4] != b"RIFF":
        raise _wav_error("Header mismatch: Expected RIFF but found %s" % b[:4].decode("latin-1"))
    if b[8:12] != b"WAVE":
        raise _wav_error("Header mismatch: Expected WAVE but found %s" % b[8:12].decode("latin-1"))
    pos = 12
    fmt = None
    while pos + 8 <= len(b):
        cid = b[pos:pos + 4]
        size = struct.unpack_from("<I", b, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(b):
                raise _wav_error("Bad fmt chunk size %d" % size)
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", b, body)
            if tag != 1:
                raise _wav_error("Can only read PCM wav files. Found format tag %d" % tag)
            if channels == 0:
                raise _wav_error("Bad number of channels: 0")
            if bits != 16:
                raise _wav_error("Can only read 16-bit WAV files, but received %d" % bits)
            fmt = (channels, rate)
        elif cid == b"data":
            if fmt is None:
                raise _wav_error("Found data chunk before fmt chunk")
            channels, rate = fmt
            end = min(len(b), body + size)
            n = (end - body) // (2 * channels)
            samples = np.frombuffer(b, dtype="<i2", count=n * channels, offset=body)
            return samples.reshape(n, channels), rate
        pos = body + size + (size & 1)
    raise _wav_error("No data chunk found" if fmt is not None else "No fmt chunk found")


def _contents_bytes(contents) -> bytes:
    data = contents[()]
    return data.encode("latin-1") if isinstance(data, str) else bytes(data)


def _decode_kernel(xp, contents, desired_channels=-1, desired_samples=-1):
    if contents.ndim != 0:
        raise InvalidArgumentError(None, None, "contents must be a scalar [Op:DecodeWav]")
    pcm, rate = _decode_bytes(_contents_bytes(contents))
    n, ch = pcm.shape
    out_ch = ch if desired_channels <= 0 else desired_channels
    out_n = n if desired_samples <= 0 else desired_samples
    out = np.zeros((out_n, out_ch), np.float32)
    take = min(n, out_n)
    src = pcm[:take].astype(np.float32) * np.float32(1.0 / 32768.0)
    if out_ch <= ch:
        out[:take] = src[:, :out_ch]
    else:  # more channels than the file has: the first channel is repeated
        out[:take, :ch] = src
        out[:take, ch:] = src[:, :1]
    return out, np.asarray(rate, np.int32)


def _decode_infer(specs, attrs):
    s = specs[0]
    if s.dtype is not dtypes.string:
        raise sh.error("tf.audio.decode_wav", "DecodeWav", "cannot compute DecodeWav as input #0(zero-based) was "
                       "expected to be a string tensor but is a %s tensor" % s.dtype.name)
    c = attrs.get("desired_channels", -1)
    n = attrs.get("desired_samples", -1)
    if type(s) is Tensor and s._value.ndim == 0 and (c <= 0 or n <= 0):  # eager: the header says
        pcm, _ = _decode_bytes(_contents_bytes(s._value))
        c = c if c > 0 else pcm.shape[1]
        n = n if n > 0 else pcm.shape[0]
    return [((n if n > 0 else None, c if c > 0 else None), dtypes.float32), ((), dtypes.int32)]


def _decode_samples():
    pcm = S.ints(-32768, 32768, 6, 2, dtype=np.int64).astype("<i2").tobytes()
    wav = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 2, 22050, 22050 * 4, 4,
                      16, b"data", len(pcm)) + pcm
    obj = np.empty((), dtype=object)
    obj[()] = wav
    return [([obj], {"desired_channels": -1, "desired_samples": -1}),
            ([obj], {"desired_channels": 1, "desired_samples": 8}),
            ([obj], {"desired_channels": 3, "desired_samples": 4})]


register("DecodeWav", kernel=_decode_kernel, infer=_decode_infer, grad=NON_DIFFERENTIABLE, num_outputs=2,
         api="tf.audio.decode_wav", args=("contents",), samples=_decode_samples)


@tf_export("audio.decode_wav")
def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """Decodes a 16-bit PCM WAV string to (audio float32 [samples, channels], sample_rate int32) (tf.audio.decode_wav).

    desired_channels/desired_samples (when > 0) keep the first channels (or repeat the first one) and
    truncate or zero-pad the samples.
    """
    audio, rate = bind("DecodeWav", [_t(contents, dtype=dtypes.string)],
                       {"desired_channels": int(desired_channels), "desired_samples": int(desired_samples)})
    return _DecodeWavOutput(audio, rate)


_DecodeWavOutput = collections.namedtuple("DecodeWav", ["audio", "sample_rate"])
