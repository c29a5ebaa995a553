"""tf.signal and tf.audio: FFT ops against np.fft, complex gradients by finite differences,
windows/framing/STFT/DCT/mel against NumPy formulas, WAV encode/decode."""
import struct

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops.registry import REGISTRY, bind

FFT_OPS = ["FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D", "RFFT", "IRFFT", "RFFT2D", "IRFFT2D",
           "RFFT3D", "IRFFT3D", "FFTND", "IFFTND", "RFFTND", "IRFFTND"]


def _loss(name, arrays, cots):
    out = np.asarray(bind(name, [tf.constant(a) for a in arrays])._value)
    return float(np.sum(np.real(out) * cots.real + np.imag(out) * cots.imag))


@pytest.mark.parametrize("name", FFT_OPS)
def test_fft_gradients_match_finite_differences(name):
    """TF's convention for complex values: the gradient is dL/dRe + i dL/dIm."""
    checked = False
    for arrays, _ in REGISTRY[name].samples():
        x = np.asarray(arrays[0])
        if x.dtype not in (np.float64, np.complex128):
            continue
        inputs = [tf.constant(a) for a in arrays]
        out = bind(name, inputs)
        rng = np.random.default_rng(3)
        shape = out.shape.as_list()
        cots = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if out.dtype.is_complex else 0)
        with tf.GradientTape() as tape:
            tape.watch(inputs[0])
            out = bind(name, inputs)
            c = tf.constant(cots.astype(out.dtype.as_numpy_dtype))
            loss = tf.reduce_sum(tf.math.real(out * tf.math.conj(c))) if out.dtype.is_complex else tf.reduce_sum(out * c)
        g = np.asarray(tape.gradient(loss, inputs[0]))
        assert g.shape == x.shape and g.dtype == x.dtype
        eps = 1e-6
        num = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            for unit in ((1.0, 1j) if x.dtype.kind == "c" else (1.0,)):
                p, m = x.copy(), x.copy()
                p[j] += eps * unit
                m[j] -= eps * unit
                d = (_loss(name, [p] + list(arrays[1:]), cots) - _loss(name, [m] + list(arrays[1:]), cots)) / (2 * eps)
                num[j] += d * unit
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6, err_msg=name)
        checked = True
    assert checked


def test_fft_family_matches_numpy():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 4, 6, 8)) + 1j * rng.standard_normal((2, 4, 6, 8))).astype(np.complex64)
    for fn, ref, axes in ((tf.signal.fft, np.fft.fftn, (-1,)), (tf.signal.ifft, np.fft.ifftn, (-1,)),
                          (tf.signal.fft2d, np.fft.fft2, (-2, -1)), (tf.signal.ifft2d, np.fft.ifft2, (-2, -1)),
                          (tf.signal.fft3d, np.fft.fftn, (-3, -2, -1)), (tf.signal.ifft3d, np.fft.ifftn, (-3, -2, -1))):
        y = fn(x)
        assert y.dtype == tf.complex64
        np.testing.assert_allclose(y.numpy(), ref(x.astype(np.complex128), axes=axes), rtol=1e-4, atol=1e-4)
    r = rng.standard_normal((3, 10)).astype(np.float32)
    y = tf.signal.rfft(r)
    assert y.dtype == tf.complex64 and y.shape == (3, 6)
    np.testing.assert_allclose(y.numpy(), np.fft.rfft(r), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.signal.rfft(r, [7]).numpy(), np.fft.rfft(r, 7), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.signal.rfft(r, [16]).numpy(), np.fft.rfft(r, 16), rtol=1e-5, atol=1e-5)
    assert tf.signal.rfft(tf.constant(r.astype(np.float64))).dtype == tf.complex128
    c = np.fft.rfft(r)
    z = tf.signal.irfft(c.astype(np.complex64))
    assert z.dtype == tf.float32 and z.shape == (3, 10)
    np.testing.assert_allclose(z.numpy(), r, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.signal.irfft(c.astype(np.complex64), [9]).numpy(), np.fft.irfft(c, 9), atol=1e-5)
    m = rng.standard_normal((2, 5, 6)).astype(np.float32)
    np.testing.assert_allclose(tf.signal.rfft2d(m).numpy(), np.fft.rfft2(m), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.irfft2d(np.fft.rfft2(m).astype(np.complex64), [5, 6]).numpy(), m, atol=1e-5)
    np.testing.assert_allclose(tf.signal.rfft3d(m).numpy(), np.fft.rfftn(m), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.fftnd(m.astype(np.complex64), axes=[0, 2]).numpy(),
                               np.fft.fftn(m, axes=[0, 2]), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.fftnd(m.astype(np.complex64), norm="ortho").numpy(),
                               np.fft.fftn(m, norm="ortho"), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tf.signal.irfftnd(np.fft.rfftn(m).astype(np.complex64)).numpy(), m, atol=1e-5)
    np.testing.assert_allclose(tf.fftnd(m.astype(np.complex64), [5, 6], [1, 2]).numpy(),
                               np.fft.fftn(m, axes=[1, 2]), rtol=1e-4, atol=1e-4)


def test_fft_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tcomplex"):
        tf.signal.fft(tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="rank of at least 1"):
        tf.signal.fft(tf.constant(1 + 1j, tf.complex64))
    with pytest.raises(ValueError, match="RFFT requires"):
        tf.signal.rfft(tf.constant([1, 2]))
    assert tf.signal.fft(np.float32([1, 2])).dtype == tf.complex64  # non-tensors convert to complex64


def test_fftshift():
    x = np.arange(10.0) - 5
    np.testing.assert_array_equal(tf.signal.fftshift(x).numpy(), np.fft.fftshift(x))
    y = np.arange(15.0).reshape(3, 5)
    np.testing.assert_array_equal(tf.signal.ifftshift(y).numpy(), np.fft.ifftshift(y))
    np.testing.assert_array_equal(tf.signal.fftshift(y, axes=1).numpy(), np.fft.fftshift(y, axes=1))


def test_windows():
    for n in (1, 4, 5, 16):
        for periodic in (True, False):
            denom = n + (1 if periodic and n % 2 == 0 else 0) - 1
            k = np.arange(n)
            want = np.ones(1) if n == 1 else 0.5 - 0.5 * np.cos(2 * np.pi * k / denom)
            np.testing.assert_allclose(tf.signal.hann_window(n, periodic).numpy(), want, atol=1e-6)
            want = np.ones(1) if n == 1 else 0.54 - 0.46 * np.cos(2 * np.pi * k / denom)
            np.testing.assert_allclose(tf.signal.hamming_window(n, periodic).numpy(), want, atol=1e-6)
    assert tf.signal.hann_window(8, dtype=tf.float64).dtype == tf.float64
    np.testing.assert_allclose(tf.signal.kaiser_window(9, beta=5.0).numpy(), np.kaiser(9, 5.0), rtol=1e-5)
    n = 8
    np.testing.assert_allclose(tf.signal.vorbis_window(n).numpy(),
                               np.sin(np.pi / 2 * np.sin(np.pi / n * (np.arange(n) + 0.5)) ** 2), atol=1e-6)
    kbd = tf.signal.kaiser_bessel_derived_window(10, beta=4.0).numpy()
    kw = np.kaiser(6, 4.0)
    half = np.sqrt(np.cumsum(kw)[:-1] / np.sum(kw))
    np.testing.assert_allclose(kbd, np.concatenate([half, half[::-1]]), rtol=1e-5)
    with pytest.raises(ValueError, match="floating point"):
        tf.signal.hann_window(4, dtype=tf.int32)


def _frames_np(x, length, step):
    n = 1 + (x.shape[-1] - length) // step
    return np.stack([x[..., i * step:i * step + length] for i in range(n)], axis=-2)


def test_frame_and_overlap_and_add():
    x = np.arange(2 * 11, dtype=np.float32).reshape(2, 11)
    f = tf.signal.frame(x, 4, 3)
    np.testing.assert_array_equal(f.numpy(), _frames_np(x, 4, 3))
    f = tf.signal.frame(x, 4, 3, pad_end=True, pad_value=-1)
    padded = np.concatenate([x, -np.ones((2, 2), np.float32)], axis=-1)
    np.testing.assert_array_equal(f.numpy(), _frames_np(padded, 4, 3))
    np.testing.assert_array_equal(tf.signal.frame(x.T, 4, 3, axis=0).numpy(),
                                  np.moveaxis(_frames_np(x, 4, 3), [0, 1, 2], [2, 0, 1]))
    frames = np.random.default_rng(0).standard_normal((3, 5, 7))
    for step in (2, 3, 7):
        want = np.zeros((3, 4 * step + 7))
        for i in range(5):
            want[:, i * step:i * step + 7] += frames[:, i]
        np.testing.assert_allclose(tf.signal.overlap_and_add(frames, step).numpy(), want, atol=1e-12)


def test_overlap_and_add_gradient():
    frames = tf.constant(np.random.default_rng(1).standard_normal((2, 4, 6)))
    with tf.GradientTape() as tape:
        tape.watch(frames)
        y = tf.signal.overlap_and_add(frames, 4)
        loss = tf.reduce_sum(y * tf.range(18, dtype=tf.float64))
    g = tape.gradient(loss, frames).numpy()
    want = np.stack([np.arange(i * 4, i * 4 + 6) for i in range(4)])[None].repeat(2, 0)
    np.testing.assert_allclose(g, want)


def _stft_np(x, length, step, nfft):
    k = np.arange(length)
    win = 0.5 - 0.5 * np.cos(2 * np.pi * k / (length + (length % 2 == 0) - 1))
    return np.fft.rfft(_frames_np(x, length, step) * win, nfft)


def test_stft_and_inverse():
    x = np.random.default_rng(2).standard_normal((2, 100)).astype(np.float32)
    s = tf.signal.stft(x, 16, 4)
    assert s.dtype == tf.complex64 and s.shape == (2, 22, 9)
    np.testing.assert_allclose(s.numpy(), _stft_np(x, 16, 4, 16), rtol=1e-4, atol=1e-4)
    s = tf.signal.stft(x, 12, 4, fft_length=32)
    np.testing.assert_allclose(s.numpy(), _stft_np(x, 12, 4, 32), rtol=1e-4, atol=1e-4)
    s = tf.signal.stft(x, 16, 4)
    y = tf.signal.inverse_stft(s, 16, 4, window_fn=tf.signal.inverse_stft_window_fn(4))
    assert y.shape == (2, 100)
    np.testing.assert_allclose(y.numpy()[:, 16:-16], x[:, 16:-16], atol=1e-4)


def test_stft_in_function_with_unknown_batch_and_gradient():
    @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
    def mag(x):
        return tf.abs(tf.signal.stft(x, 16, 8))
    x = np.random.default_rng(3).standard_normal((3, 64)).astype(np.float32)
    np.testing.assert_allclose(mag(x).numpy(), np.abs(_stft_np(x, 16, 8, 16)), rtol=1e-4, atol=1e-4)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def mag2(x):
        return tf.abs(tf.signal.stft(x, 16, 8, pad_end=True))
    got = mag2(x[:, :60]).numpy()
    want = np.abs(tf.signal.stft(x[:, :60], 16, 8, pad_end=True).numpy())
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

    xv = tf.constant(x.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch(xv)
        loss = tf.reduce_sum(tf.square(tf.abs(tf.signal.stft(xv, 16, 8, window_fn=None))))
    g = tape.gradient(loss, xv).numpy()
    # Parseval on each rfft frame: sum |X|^2 = N * (|x0|^2 + 2 sum_mid ... ); check numerically
    eps = 1e-6
    num = np.zeros_like(g)
    base = x.astype(np.float64)
    for j in [(0, 0), (1, 17), (2, 63), (0, 40)]:
        p, m = base.copy(), base.copy()
        p[j] += eps
        m[j] -= eps
        f = lambda v: float(np.sum(np.abs(np.fft.rfft(_frames_np(v, 16, 8))) ** 2))  # noqa: E731
        num[j] = (f(p) - f(m)) / (2 * eps)
        np.testing.assert_allclose(g[j], num[j], rtol=1e-5)


def _dct_np(x, t, ortho=False):
    n = x.shape[-1]
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    if t == 1:
        m = np.cos(np.pi * k * j / (n - 1)) * 2
        m[:, 0] = 1
        m[:, -1] = (-1.0) ** np.arange(n)
        return x @ m.T
    if t == 2:
        m = 2 * np.cos(np.pi * k * (2 * j + 1) / (2 * n))
        y = x @ m.T
        if ortho:
            y = y * np.where(np.arange(n) == 0, np.sqrt(1 / (4 * n)), np.sqrt(1 / (2 * n)))
        return y
    if t == 3:
        if ortho:
            x = x * np.where(np.arange(n) == 0, 1 / np.sqrt(n), np.sqrt(2 / n))
            m = np.cos(np.pi * j * (2 * k + 1) / (2 * n))
            return x @ m.T
        m = 2 * np.cos(np.pi * j * (2 * k + 1) / (2 * n))
        m[:, 0] = 1
        return x @ m.T
    m = 2 * np.cos(np.pi * (2 * k + 1) * (2 * j + 1) / (4 * n))
    y = x @ m.T
    return y * np.sqrt(1 / (2 * n)) if ortho else y


def test_dct_idct():
    x = np.random.default_rng(4).standard_normal((3, 8)).astype(np.float32)
    for t in (1, 2, 3, 4):
        np.testing.assert_allclose(tf.signal.dct(x, type=t).numpy(), _dct_np(x.astype(np.float64), t),
                                   rtol=1e-4, atol=1e-4)
    for t in (2, 3, 4):
        np.testing.assert_allclose(tf.signal.dct(x, type=t, norm="ortho").numpy(),
                                   _dct_np(x.astype(np.float64), t, True), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x, type=t, norm="ortho"), type=t, norm="ortho").numpy(),
                                   x, atol=1e-5)
    np.testing.assert_allclose(tf.signal.dct(x, n=5).numpy(), _dct_np(x[:, :5].astype(np.float64), 2), atol=1e-4)
    with pytest.raises(ValueError, match="Type-I"):
        tf.signal.dct(x, type=1, norm="ortho")
    with pytest.raises(NotImplementedError):
        tf.signal.dct(x, axis=0)


def test_mdct_round_trip():
    x = np.random.default_rng(5).standard_normal((2, 64)).astype(np.float32)
    m = tf.signal.mdct(x, 16, norm="ortho")
    assert m.shape == (2, 7, 8)
    y = tf.signal.inverse_mdct(m, norm="ortho")
    np.testing.assert_allclose(y.numpy()[:, 8:-8], x[:, 8:56], atol=1e-4)


def test_mel_matrix_and_mfccs():
    w = tf.signal.linear_to_mel_weight_matrix(10, 65, 16000, 100.0, 7000.0)
    assert w.shape == (65, 10) and w.dtype == tf.float32
    mel = lambda f: 1127.0 * np.log(1 + f / 700.0)  # noqa: E731
    freqs = mel(np.linspace(0, 8000, 65)[1:])[:, None]
    edges = np.linspace(mel(100.0), mel(7000.0), 12)
    lo, c, hi = edges[:-2], edges[1:-1], edges[2:]
    want = np.maximum(0, np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)))
    np.testing.assert_allclose(w.numpy(), np.concatenate([np.zeros((1, 10)), want]), atol=1e-5)
    with pytest.raises(ValueError, match="Nyquist"):
        tf.signal.linear_to_mel_weight_matrix(10, 65, 8000, 100.0, 5000.0)
    logmel = np.random.default_rng(6).standard_normal((4, 10)).astype(np.float32)
    np.testing.assert_allclose(tf.signal.mfccs_from_log_mel_spectrograms(logmel).numpy(),
                               _dct_np(logmel.astype(np.float64), 2) / np.sqrt(20), rtol=1e-4, atol=1e-4)


def _wav_np(samples, rate):
    q = np.clip(np.trunc(samples * 32768.0 + np.copysign(0.5, samples)), -32768, 32767).astype("<i2").tobytes()
    ch = samples.shape[1]
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(q), b"WAVE", b"fmt ", 16, 1, ch, rate, rate * 2 * ch,
                       2 * ch, 16, b"data", len(q)) + q


def test_wav_encode_decode():
    a = np.array([[0.5, -0.25], [1.0, -1.0], [2e-5, -2.3e-5], [1.5, -1.6]], np.float32)
    b = tf.audio.encode_wav(a, 16000)
    assert b.dtype == tf.string and b.shape == ()
    assert b.numpy() == _wav_np(a.astype(np.float64), 16000)
    audio, rate = tf.audio.decode_wav(b)
    assert audio.dtype == tf.float32 and rate.dtype == tf.int32 and int(rate) == 16000
    np.testing.assert_array_equal(audio.numpy(), np.frombuffer(b.numpy()[44:], "<i2").reshape(4, 2) / 32768.0)
    out = tf.audio.decode_wav(b, desired_channels=1, desired_samples=6)
    assert out.audio.shape == (6, 1)
    np.testing.assert_array_equal(out.audio.numpy()[:4, 0], audio.numpy()[:, 0])
    np.testing.assert_array_equal(out.audio.numpy()[4:], 0)
    mono = tf.audio.encode_wav([[0.5], [0.25]], 8000)
    np.testing.assert_array_equal(tf.audio.decode_wav(mono, desired_channels=3).audio.numpy(), [[0.5] * 3, [0.25] * 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="RIFF"):
        tf.audio.decode_wav(b"nonsense-not-a-wav-file")


def test_decode_wav_in_function():
    b = tf.audio.encode_wav(np.zeros((5, 2), np.float32), 44100)

    @tf.function
    def f(s):
        return tf.audio.decode_wav(s, desired_channels=2)
    audio, rate = f(b)
    assert audio.shape == (5, 2) and int(rate) == 44100
