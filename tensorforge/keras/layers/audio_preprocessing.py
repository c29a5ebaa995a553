"""Audio preprocessing layers: MelSpectrogram.

The spectrogram is tf.signal.stft of the reflect-padded ("centered") signal with a periodic
Hann or Hamming window zero-padded to `fft_length`, as Keras computes it; the mel filter bank
(HTK mel scale, the DC bin zeroed) is a constant made once per layer on the host.
"""
from __future__ import annotations

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...ops import array_ops, linalg_ops, math_ops, signal_ops
from .._registry import keras_export
from .convolutional import cached_constant
from .layer import Layer

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(hz):
    return _MEL_HIGH_FREQUENCY_Q * np.log(1.0 + hz / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float,
                                lower_edge_hertz: float, upper_edge_hertz: float,
                                dtype=np.float32) -> np.ndarray:
    """The [num_spectrogram_bins, num_mel_bins] triangular mel filter bank (the DC bin zeroed)."""
    f = np.float32 if dtype == np.float32 else np.float64
    freqs = np.linspace(f(0.0), f(sampling_rate) / f(2.0), num_spectrogram_bins, dtype=f)[1:]
    bins_mel = _hertz_to_mel(freqs)[:, None]
    edges = np.linspace(_hertz_to_mel(f(lower_edge_hertz)), _hertz_to_mel(f(upper_edge_hertz)), num_mel_bins + 2,
                        dtype=f)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = np.maximum(f(0.0), np.minimum(lower_slopes, upper_slopes))
    return np.pad(weights, [[1, 0], [0, 0]]).astype(dtype)


@keras_export("keras.layers.MelSpectrogram")
class MelSpectrogram(Layer):
    """Turns raw audio [samples] or [batch, samples] into mel spectrograms [(batch,) num_mel_bins,
    frames] (tf.keras.layers.MelSpectrogram).

    Frames of `sequence_length` samples every `sequence_stride` samples (the signal reflect-padded
    by fft_length // 2 at both ends) are windowed (`window`: 'hann', 'hamming' or None) and
    Fourier transformed with `fft_length` points; |STFT| ** mag_exp is projected onto
    `num_mel_bins` mel bands between `min_freq` and `max_freq` and, with `power_to_db`, turned
    into decibels relative to `ref_power`, floored at `min_power` and clipped `top_db` below the
    maximum.

    >>> tf.keras.layers.MelSpectrogram(num_mel_bins=40)(tf.random.normal([2, 16000])).shape
    TensorShape([2, 40, 32])
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True, top_db=80.0,
                 mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to   `sequence_length`. Received: "
                             "`sequence_length`=%s, `fft_length`=%s." % (self.sequence_length, self.fft_length))
        if isinstance(window, str) and window not in {"hann", "hamming"}:
            raise ValueError('If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                             "Received: window=%s" % window)
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def _window(self, dtype):
        n, fft = self.sequence_length, self.fft_length
        l_pad = (fft - n) // 2
        if self.window is None:
            return None
        if isinstance(self.window, str):
            fn = signal_ops.hann_window if self.window == "hann" else signal_ops.hamming_window
            win = fn(n, periodic=True, dtype=dtype)
        else:
            win = math_ops.cast(self.window, dtype)
            if win.shape.rank != 1 or win.shape[-1] != n:
                raise ValueError("The shape of `window` must be equal to [sequence_length].Received: window shape=%s"
                                 % (win.shape,))
        return array_ops.pad(win, [[l_pad, fft - n - l_pad]])

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype.name in ("float32", "float64") else "float32"
        x = math_ops.cast(inputs, dtype)
        rank = x.shape.rank
        half = self.fft_length // 2
        x = array_ops.pad(x, [[0, 0]] * (rank - 1) + [[half, half]], mode="REFLECT")
        win = self._window(x.dtype)
        stft = signal_ops.stft(x, frame_length=self.fft_length, frame_step=self.sequence_stride,
                               fft_length=self.fft_length, window_fn=None if win is None else (lambda n, dtype: win))
        spec = math_ops.sqrt(math_ops.square(math_ops.real(stft)) + math_ops.square(math_ops.imag(stft)))
        spec = math_ops.pow(spec, math_ops.cast(self.mag_exp, spec.dtype))
        bins = self.fft_length // 2 + 1
        np_dtype = spec.dtype.as_numpy_dtype
        matrix = cached_constant(self, ("mel", bins, spec.dtype.name), lambda: linear_to_mel_weight_matrix(
            self.num_mel_bins, bins, self.sampling_rate, self.min_freq, self.max_freq, np_dtype))
        out = linalg_ops.tensordot(spec, matrix, axes=1)
        if self.power_to_db:
            out = self._dbscale(out)
        out = array_ops.transpose(out, list(range(rank - 1)) + [rank, rank - 1])
        return math_ops.cast(out, self.compute_dtype)

    def _dbscale(self, x):
        dt = x.dtype.as_numpy_dtype
        min_power = math_ops.cast(self.min_power, x.dtype)
        log_spec = 10.0 * (math_ops.log(math_ops.maximum(x, min_power)) / np.log(10.0).astype(dt))
        ref = max(abs(float(self.ref_power)), float(self.min_power))
        log_spec = log_spec - dt(10.0 * np.log10(dt(ref)))
        return math_ops.maximum(log_spec, math_ops.reduce_max(log_spec) - math_ops.cast(self.top_db, x.dtype))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        frames = (None if shape[-1] is None else (shape[-1] + self.sequence_stride + 1) // self.sequence_stride)
        if len(shape) == 1:
            return [self.num_mel_bins, frames]
        return [shape[0], self.num_mel_bins, frames]

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(fft_length=self.fft_length, sequence_stride=self.sequence_stride,
                 sequence_length=self.sequence_length, window=self.window, sampling_rate=self.sampling_rate,
                 num_mel_bins=self.num_mel_bins, min_freq=self.min_freq, max_freq=self.max_freq,
                 power_to_db=self.power_to_db, top_db=self.top_db, mag_exp=self.mag_exp, min_power=self.min_power,
                 ref_power=self.ref_power)
        return c
