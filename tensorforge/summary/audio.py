"""tf.summary.audio (TensorBoard's "audio" plugin), with tf.audio's EncodeWav op (ops/audio_ops.py).

Each clip of the first `max_outputs` is encoded as a 16-bit PCM WAV file, as TF's EncodeWav
does (samples scaled by 32768, rounded half away from zero, clipped to [-32768, 32767]); the
value is the `[k, 2]` string tensor of rows `[wav, label]` (labels empty), with the plugin
content `AudioPluginData{encoding: WAV}`.
"""
from __future__ import annotations


import numpy as np

from ..framework import dtypes, errors
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..ops.audio_ops import encode_wav, wav_bytes  # noqa: F401 - the op tf.summary.audio stages
from .image import check_max_outputs, check_rank
from .ops import choose_step, emit, plugin_metadata, summary_scope

__all__ = ["audio"]

# AudioPluginData{version: 0, encoding: WAV (11)}, serialized (tensorboard/plugins/audio/plugin_data.proto).
_WAV_PLUGIN_CONTENT = b"\x10\x0b"
def _sample_rate(sample_rate) -> int:
    return int(sample_rate.numpy()) if hasattr(sample_rate, "numpy") else int(sample_rate)


def _encoded_clips_eager(data, sample_rate, max_outputs) -> np.ndarray:
    t = convert_to_tensor(data, dtypes.float32)
    check_rank(t, 3)
    n = check_max_outputs(max_outputs)
    clips = np.asarray(t._value)[:n]
    rate = _sample_rate(sample_rate)
    out = np.empty((len(clips), 2), dtype=object)
    out[:, 0] = [wav_bytes(c, rate) for c in clips]
    out[:, 1] = b""
    return out


def _encoded_clips_graph(data, sample_rate, max_outputs):
    from ..ops import array_ops
    t = convert_to_tensor(data, dtypes.float32)
    check_rank(t, 3)
    n = check_max_outputs(max_outputs)
    limited = t[:n]
    k = limited.shape[0] if limited.shape.rank else None
    if k is None:
        raise errors.UnimplementedError(None, None, "tf.summary.audio inside tf.function needs a static batch size "
                                        "(the first dimension of `data`); got shape %s" % (t.shape,))
    if k == 0:
        return array_ops.zeros((0, 2), dtypes.string)
    rate = convert_to_tensor(sample_rate, dtypes.int32)
    clips = [encode_wav(c, rate) for c in array_ops.unstack(limited, num=k)]
    labels = [convert_to_tensor(b"")] * k
    return array_ops.transpose(array_ops.stack([array_ops.stack(clips), array_ops.stack(labels)]))


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """Writes an audio summary (tf.summary.audio).

    Args:
      name: a name for this summary. The summary tag used for TensorBoard will be this name
        prefixed by any active name scopes.
      data: a `Tensor` of shape `[k, t, c]`: `k` clips of `t` frames of `c` channels, with
        float values in `[-1, 1]`.
      sample_rate: an `int` or rank-0 `int32` tensor: the sample rate in Hz.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      max_outputs: at most this many clips of the batch are written. Default 3.
      encoding: optional constant `str`: only "wav" (the default) is supported.
      description: optional long-form description for this summary, as a constant `str`.
        Markdown is supported. Defaults to empty.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None; or for an unknown `encoding`.
    """
    if encoding is None:
        encoding = "wav"
    if encoding != "wav":
        raise ValueError("Unknown encoding: %r" % encoding)
    metadata = plugin_metadata("audio", description, content=_WAV_PLUGIN_CONTENT)
    with summary_scope(name, "audio_summary") as (tag, _):
        if step is not None:
            step = choose_step(step)
        if ctx.graph is None:
            return emit(tag, lambda: _encoded_clips_eager(data, sample_rate, max_outputs), step, metadata)
        return emit(tag, lambda: _encoded_clips_graph(data, sample_rate, max_outputs), step, metadata)
