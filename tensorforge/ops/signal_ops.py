"""Signal ops (tf.signal): the FFT family as registry ops, and composites built on them.

FFT/IFFT/FFT2D/IFFT2D/FFT3D/IFFT3D (complex -> complex), RFFT*/IRFFT* (real <-> complex, with
`fft_length` an int32 input as in TF) and FFTND/IFFTND/RFFTND/IRFFTND (`fft_length` and `axes`
inputs) are one registry entry each. Their gradients follow TF's convention for complex values
(the gradient is dL/dRe + i dL/dIm): the adjoint transform, scaled; for RFFT/IRFFT the dropped
Hermitian half and the input's crop/pad along the FFT axes are accounted for exactly.

Windows, framing, overlap-add, STFT/ISTFT, mel matrices, MFCCs, DCT and MDCT are composites of
ops, so that gradients and tf.function (unknown batch dimensions) work through them.
"""
from __future__ import annotations

import math

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from . import array_ops, math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import bind, register

_t = convert_to_tensor
_COMPLEX = (dtypes.complex64, dtypes.complex128)
_REAL = (dtypes.float32, dtypes.float64)
_TO_COMPLEX = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


# ================================================================ the FFT family
# name -> (kind, rank); kind is "c2c", "ic2c", "r2c", "c2r"; rank None: FFTND-style (axes input)
_FFT_OPS = {
    "FFT": ("c2c", 1, "tf.signal.fft"), "IFFT": ("ic2c", 1, "tf.signal.ifft"),
    "FFT2D": ("c2c", 2, "tf.signal.fft2d"), "IFFT2D": ("ic2c", 2, "tf.signal.ifft2d"),
    "FFT3D": ("c2c", 3, "tf.signal.fft3d"), "IFFT3D": ("ic2c", 3, "tf.signal.ifft3d"),
    "RFFT": ("r2c", 1, "tf.signal.rfft"), "IRFFT": ("c2r", 1, "tf.signal.irfft"),
    "RFFT2D": ("r2c", 2, "tf.signal.rfft2d"), "IRFFT2D": ("c2r", 2, "tf.signal.irfft2d"),
    "RFFT3D": ("r2c", 3, "tf.signal.rfft3d"), "IRFFT3D": ("c2r", 3, "tf.signal.irfft3d"),
    "FFTND": ("c2c", None, "tf.signal.fftnd"), "IFFTND": ("ic2c", None, "tf.signal.ifftnd"),
    "RFFTND": ("r2c", None, "tf.signal.rfftnd"), "IRFFTND": ("c2r", None, "tf.signal.irfftnd"),
}
_C2C = {(False, 1): "FFT", (True, 1): "IFFT", (False, 2): "FFT2D", (True, 2): "IFFT2D",
        (False, 3): "FFT3D", (True, 3): "IFFT3D"}


def _vec(v) -> tuple | None:
    """A 1-D int input's value (eager or known at trace time) as a tuple, else None."""
    c = array_ops._const(v)
    return None if c is None else tuple(int(d) for d in np.asarray(c).reshape(-1))


def _fft_kernel(kind, rank):
    def kernel(xp, x, fft_length=None, axes=None):
        if rank is None:
            ax = tuple(int(a) for a in np.asarray(axes).reshape(-1))
        else:
            ax = tuple(range(-rank, 0))
        if (x.dtype.kind == "f") != (kind == "r2c") or x.dtype.kind not in "fc":
            raise TypeError("unsupported input dtype %s" % x.dtype)  # bind reports infer's message
        s = None if fft_length is None else tuple(int(d) for d in np.asarray(fft_length).reshape(-1))
        if kind == "c2c":
            return np.fft.fftn(x, s=s, axes=ax).astype(x.dtype, copy=False)
        if kind == "ic2c":
            return np.fft.ifftn(x, s=s, axes=ax).astype(x.dtype, copy=False)
        if kind == "r2c":
            return np.fft.rfftn(x, s=s, axes=ax).astype(_TO_COMPLEX[dtypes.from_numpy(x.dtype)]._np, copy=False)
        return np.fft.irfftn(x, s=s, axes=ax).astype(x.real.dtype, copy=False)
    return kernel


def _fft_infer(op_name, kind, rank, api):
    def infer(specs, attrs):
        x = specs[0]
        allowed = _REAL if kind == "r2c" else _COMPLEX
        if x.dtype not in allowed:
            attr = "Treal" if kind == "r2c" else "Tcomplex"
            raise sh.error(api, op_name, "Value for attr '%s' of %s is not in the list of allowed values: %s"
                           % (attr, x.dtype.name, ", ".join(d.name for d in allowed)))
        d = sh.dims(x)
        out_dtype = (_TO_COMPLEX[x.dtype] if kind == "r2c" else x.dtype.real_dtype if kind == "c2r" else x.dtype)
        if rank is None:
            axes = _vec(specs[2])
            if d is None or axes is None:
                return [(None if d is None else (None,) * len(d), out_dtype)]
            ax = [a % len(d) if -len(d) <= a < len(d) else None for a in axes]
            if None in ax:
                raise sh.error(api, op_name, "axes %s out of range for an input of rank %d" % (list(axes), len(d)))
        else:
            if d is not None and len(d) < rank:
                raise sh.error(api, op_name, "Input must have rank of at least %d but got: %s" % (rank, sh.fmt(d)))
            if d is None:
                return [(None, out_dtype)]
            ax = list(range(len(d) - rank, len(d)))
        n = _vec(specs[1]) if len(specs) > 1 else None
        if kind in ("c2c", "ic2c") and len(specs) == 1:
            return [(d, out_dtype)]
        out = list(d)
        if n is None:
            for a in ax:
                out[a] = None
            return [(tuple(out), out_dtype)]
        if len(n) != len(ax):
            raise sh.error(api, op_name, "fft_length must have %d elements, got %d" % (len(ax), len(n)))
        for a, v in zip(ax, n):
            out[a] = v
        if kind == "r2c":
            out[ax[-1]] = n[-1] // 2 + 1
        return [(tuple(out), out_dtype)]
    return infer


def _fft_axes(op):
    """The (non-negative) axes an executed FFT op transformed, and the input's rank."""
    name = op.op_def.name
    x = op.inputs[0]
    r = x.shape.rank
    if r is None:
        raise ValueError("the gradient of %s needs an input of known rank" % name)
    rank = _FFT_OPS[name][1]
    if rank is None:
        axes = _vec(op.inputs[2])
        if axes is None:
            raise ValueError("the gradient of %s needs axes known when the function is traced" % name)
        return [a % r for a in axes], r
    return list(range(r - rank, r)), r


def _size(t, axes):
    """The product of `t`'s dims along `axes`: an int when static, else a scalar int32 tensor."""
    dims = array_ops.dynamic_shape(t, "this FFT gradient")
    return array_ops._dyn_prod([dims[a] for a in axes])


def _c2c(x, axes, rank, inverse):
    """FFT/IFFT over `axes` (non-negative, of a rank-`rank` tensor) via the fitting op."""
    k = len(axes)
    if axes == list(range(rank - k, rank)) and k in (1, 2, 3):
        return bind(_C2C[(inverse, k)], [x])
    return bind("IFFTND" if inverse else "FFTND",
                [x, _i32([_dim(x, a) for a in axes]), _i32(axes)])


def _dim(x, a):
    d = x.shape._dims[a]
    if d is None:
        raise ValueError("this FFT gradient needs the transformed dimensions to be known")
    return d


def _i32(v):
    return Tensor(np.asarray(v, dtype=np.int32).reshape(-1))


def _scale(t, s, divide=False):
    """`t` (complex or real) times (or over) the size `s` (an int or a scalar int tensor)."""
    if type(s) is int:
        return math_ops.multiply(t, (1.0 / s) if divide else float(s))
    s = math_ops.cast(math_ops.cast(s, t.dtype.real_dtype), t.dtype)
    return math_ops.divide(t, s) if divide else math_ops.multiply(t, s)


def _fit(t, axis, rank, have, want):
    """Crops or zero-pads `t` along `axis` from length `have` to `want` (both ints)."""
    if have == want:
        return t
    if have < want:
        pads = [[0, 0]] * rank
        pads[axis] = [0, want - have]
        return array_ops.pad(t, pads)
    key = [slice(None)] * rank
    key[axis] = slice(0, want)
    return array_ops.slice_helper(t, tuple(key))


def _c2c_grad(op, dy):
    axes, r = _fft_axes(op)
    inverse = _FFT_OPS[op.op_def.name][0] == "ic2c"
    if len(op.inputs) == 1 or _vec(op.inputs[1]) == tuple(_dim(op.inputs[0], a) for a in axes):
        g = _c2c(dy, axes, r, not inverse)
        g = _scale(g, _size(dy, axes), divide=inverse)
        return [g] + [None] * (len(op.inputs) - 1)
    # FFTND with fft_length differing from the input: the adjoint of pad/crop then transform.
    n = _vec(op.inputs[1])
    g = _scale(_c2c(dy, axes, r, not inverse), _size(dy, axes), divide=inverse)
    for a, v in zip(axes, n):
        g = _fit(g, a, r, v, _dim(op.inputs[0], a))
    return [g, None, None]


def _static_n(op):
    n = _vec(op.inputs[1])
    if n is None:
        raise ValueError("the gradient of %s needs fft_length known when the function is traced" % op.op_def.name)
    return n


def _r2c_grad(op, dy):
    """RFFT: x -> crop/pad -> F -> keep the first N//2+1; the adjoint is Re(N * IFFT(zero-fill))."""
    axes, r = _fft_axes(op)
    n = _static_n(op)
    g = _fit(dy, axes[-1], r, n[-1] // 2 + 1, n[-1])
    g = math_ops.real(_scale(_c2c(g, axes, r, True), int(np.prod(n))))
    x = op.inputs[0]
    for a, v in zip(axes, n):
        g = _fit(g, a, r, v, _dim(x, a))
    return [g] + [None] * (len(op.inputs) - 1)


def _c2r_grad(op, dy):
    """IRFFT: the Hermitian half-spectrum's adjoint is RFFT(dy) * [1, 2, ..., 2, (1 if N even)] / N."""
    axes, r = _fft_axes(op)
    n = _static_n(op)
    x = op.inputs[0]
    m = n[-1] // 2 + 1
    mask = np.full(m, 2.0)
    mask[0] = 1.0
    if n[-1] % 2 == 0:
        mask[-1] = 1.0
    mask /= float(np.prod(n))
    shape = [1] * r
    shape[axes[-1]] = m
    g = _r2c(dy, n, axes, r)
    g = math_ops.multiply(g, Tensor(mask.reshape(shape).astype(x.dtype._np)))
    for i, (a, v) in enumerate(zip(axes, n)):
        g = _fit(g, a, r, m if i == len(axes) - 1 else v, _dim(x, a))
    return [g] + [None] * (len(op.inputs) - 1)


def _r2c(x, n, axes, rank):
    k = len(axes)
    if axes == list(range(rank - k, rank)) and k in (1, 2, 3):
        return bind(("RFFT", "RFFT2D", "RFFT3D")[k - 1], [x, _i32(n)])
    return bind("RFFTND", [x, _i32(n), _i32(axes)])


def _complex_sample(*shape, dtype=np.complex128):
    return (S.normal(*shape) + 1j * S.normal(*shape)).astype(dtype)


def _fft_samples(kind, rank):
    def samples():
        out = []
        if rank is None:
            shapes = [((2, 3, 4), (1, 2)), ((3, 4), (0, 1)), ((4, 5), (0,))]
        else:
            shapes = [((2, 3, 4, 5)[4 - rank - 1:], tuple(range(-rank, 0))), ((3, 4, 6)[3 - rank:], tuple(range(-rank, 0)))]
        for shape, axes in shapes:
            ax_arr = [np.asarray(axes, np.int32)] if rank is None else []
            if kind in ("c2c", "ic2c"):
                x = _complex_sample(*shape)
                if rank is None:
                    n = np.asarray([shape[a] for a in axes], np.int32)
                    out.append(([x, n] + ax_arr, {}))
                else:
                    out.append(([x], {}))
                out.append(([x.astype(np.complex64)] + ([n] + ax_arr if rank is None else []), {}))
            elif kind == "r2c":
                n_same = [shape[a] for a in axes]
                n_other = list(n_same)
                n_other[-1] += 1  # zero-padding along the last axis
                if len(n_other) > 1:
                    n_other[0] -= 1  # cropping along the first
                x = S.normal(*shape)
                out.append(([x, np.asarray(n_same, np.int32)] + ax_arr, {}))
                out.append(([x, np.asarray(n_other, np.int32)] + ax_arr, {}))
                out.append(([x.astype(np.float32), np.asarray(n_same, np.int32)] + ax_arr, {}))
            else:
                n_even = [shape[a] for a in axes]
                n_even[-1] = 2 * (shape[axes[-1]] - 1)
                n_odd = list(n_even)
                n_odd[-1] += 1
                n_crop = list(n_even)
                n_crop[-1] = max(2, n_even[-1] - 3)
                x = _complex_sample(*shape)
                for n in (n_even, n_odd, n_crop):
                    out.append(([x, np.asarray(n, np.int32)] + ax_arr, {}))
                out.append(([x.astype(np.complex64), np.asarray(n_even, np.int32)] + ax_arr, {}))
        return out
    return samples


_GRADS = {"c2c": _c2c_grad, "ic2c": _c2c_grad, "r2c": _r2c_grad, "c2r": _c2r_grad}
for _name, (_kind, _rank, _api) in _FFT_OPS.items():
    _args = ("input",) if _kind in ("c2c", "ic2c") and _rank is not None else (
        ("input", "fft_length") if _rank is not None else ("input", "fft_length", "axes"))
    register(_name, kernel=_fft_kernel(_kind, _rank), infer=_fft_infer(_name, _kind, _rank, _api),
             grad=_GRADS[_kind], samples=_fft_samples(_kind, _rank), api=_api, args=_args)
del _name, _kind, _rank, _api, _args


# ---------------------------------------------------------------- public FFT functions
def _complex_input(x):
    """TF converts non-tensor FFT inputs to complex64 (the op's default Tcomplex)."""
    if isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False) or hasattr(x, "_as_tensor"):
        return _t(x)
    return _t(x, dtype=dtypes.complex64)


def _c2c_public(op_name, doc):
    def fn(input, name=None):  # noqa: A002 - TF's argument name
        return bind(op_name, [_complex_input(input)])
    fn.__name__ = op_name.lower()
    fn.__doc__ = doc
    return fn


fft = tf_export("signal.fft")(_c2c_public("FFT", "1-D discrete Fourier transform over the inner-most dimension (tf.signal.fft)."))
ifft = tf_export("signal.ifft")(_c2c_public("IFFT", "1-D inverse DFT over the inner-most dimension (tf.signal.ifft)."))
fft2d = tf_export("signal.fft2d")(_c2c_public("FFT2D", "2-D DFT over the inner-most 2 dimensions (tf.signal.fft2d)."))
ifft2d = tf_export("signal.ifft2d")(_c2c_public("IFFT2D", "2-D inverse DFT over the inner-most 2 dimensions (tf.signal.ifft2d)."))
fft3d = tf_export("signal.fft3d")(_c2c_public("FFT3D", "3-D DFT over the inner-most 3 dimensions (tf.signal.fft3d)."))
ifft3d = tf_export("signal.ifft3d")(_c2c_public("IFFT3D", "3-D inverse DFT over the inner-most 3 dimensions (tf.signal.ifft3d)."))


def _fft_length_arg(fft_length):
    if isinstance(fft_length, Tensor) or getattr(fft_length, "_is_symbolic_tensor", False):
        v = _vec(fft_length)
        if v is None:
            return math_ops.cast(fft_length, dtypes.int32)
        return _i32(v)
    return _i32(np.asarray(fft_length).reshape(-1))


def _real_input(x, what="RFFT"):
    if not (isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False) or hasattr(x, "_as_tensor")):
        a = np.asarray(x)
        x = _t(a.astype(np.float32)) if a.dtype.kind == "f" else _t(x)  # TF prefers float32
    else:
        x = _t(x)
    if x.dtype not in _REAL:
        raise ValueError("%s requires tf.float32 or tf.float64 inputs, got: %s" % (what, x))
    return x


def _rfft_public(op_name, rank):
    def fn(input_tensor, fft_length=None, name=None):
        x = _real_input(input_tensor)
        d = sh.dims(x)
        if d is not None and len(d) < rank:
            raise ValueError("Shape %s must have rank at least %d" % (x.shape, rank))
        if fft_length is None:
            if d is None or None in d[-rank:]:
                raise ValueError("%s needs fft_length when the transformed dimensions are unknown" % op_name)
            fft_length = d[-rank:]
        return bind(op_name, [x, _fft_length_arg(fft_length)])
    fn.__name__ = op_name.lower()
    fn.__doc__ = ("Real-valued %d-D DFT over the inner-most %d dimension(s); the last dimension of the "
                  "result holds fft_length[-1] // 2 + 1 unique components (tf.signal.%s)." % (rank, rank, op_name.lower()))
    return fn


def _irfft_public(op_name, rank):
    def fn(input_tensor, fft_length=None, name=None):
        x = _complex_input(input_tensor)
        if x.dtype not in _COMPLEX:
            raise ValueError("IRFFT requires tf.complex64 or tf.complex128 inputs, got: %s" % x)
        d = sh.dims(x)
        if d is not None and len(d) < rank:
            raise ValueError("Shape %s must have rank at least %d" % (x.shape, rank))
        if fft_length is None:
            if d is None or None in d[-rank:]:
                raise ValueError("%s needs fft_length when the transformed dimensions are unknown" % op_name)
            fft_length = list(d[-rank:])
            fft_length[-1] = max(0, 2 * (fft_length[-1] - 1))
        return bind(op_name, [x, _fft_length_arg(fft_length)])
    fn.__name__ = op_name.lower()
    fn.__doc__ = ("Inverse real-valued %d-D DFT over the inner-most %d dimension(s) (tf.signal.%s)."
                  % (rank, rank, op_name.lower()))
    return fn


rfft = tf_export("signal.rfft")(_rfft_public("RFFT", 1))
irfft = tf_export("signal.irfft")(_irfft_public("IRFFT", 1))
rfft2d = tf_export("signal.rfft2d")(_rfft_public("RFFT2D", 2))
irfft2d = tf_export("signal.irfft2d")(_irfft_public("IRFFT2D", 2))
rfft3d = tf_export("signal.rfft3d")(_rfft_public("RFFT3D", 3))
irfft3d = tf_export("signal.irfft3d")(_irfft_public("IRFFT3D", 3))


def _nd_args(x, fft_length, axes, inverse_real=False):
    d = sh.dims(x)
    if d is None:
        raise ValueError("the N-D FFT needs an input of known rank")
    axes = list(range(len(d))) if axes is None else [int(a) for a in np.asarray(
        array_ops._const(axes) if not isinstance(axes, (list, tuple, int)) else axes).reshape(-1)]
    if fft_length is None:
        fft_length = [d[a] for a in axes]
        if None in fft_length:
            raise ValueError("the N-D FFT needs fft_length when the transformed dimensions are unknown")
        if inverse_real:
            fft_length[-1] = max(0, 2 * (fft_length[-1] - 1))
    n = _fft_length_arg(fft_length)
    return n, axes


def _norm_factor(n, norm, forward):
    """The factor TF's N-D wrappers apply to the input for `norm` (None, "backward", "forward", "ortho")."""
    if norm in (None, "backward"):
        return None
    v = _vec(n)
    if v is None:
        raise ValueError("norm=%r needs fft_length known when the function is traced" % norm)
    size = float(np.prod(v))
    if norm == "forward":
        return 1.0 / size if forward else size
    if norm == "ortho":
        return 1.0 / math.sqrt(size) if forward else math.sqrt(size)
    raise ValueError("Unknown norm %r: expected None, 'backward', 'forward' or 'ortho'" % (norm,))


def _nd_public(op_name, kind):
    def fn(input_tensor, fft_length=None, axes=None, norm=None, name=None):
        if kind == "r2c":
            x = _real_input(input_tensor)
        else:
            x = _complex_input(input_tensor)
        n, ax = _nd_args(x, fft_length, axes, inverse_real=kind == "c2r")
        f = _norm_factor(n, norm, forward=kind in ("c2c", "r2c"))
        if f is not None:
            x = math_ops.multiply(x, f)
        return bind(op_name, [x, n, _i32(ax)])
    fn.__name__ = op_name.lower()
    fn.__doc__ = "N-D %s over `axes` (all by default); norm is None/'backward', 'forward' or 'ortho' (tf.signal.%s)." % (
        {"c2c": "DFT", "ic2c": "inverse DFT", "r2c": "real DFT", "c2r": "inverse real DFT"}[kind], op_name.lower())
    return fn


fftnd_wrapper = tf_export("signal.fftnd")(_nd_public("FFTND", "c2c"))
ifftnd_wrapper = tf_export("signal.ifftnd")(_nd_public("IFFTND", "ic2c"))
rfftnd_wrapper = tf_export("signal.rfftnd")(_nd_public("RFFTND", "r2c"))
irfftnd_wrapper = tf_export("signal.irfftnd")(_nd_public("IRFFTND", "c2r"))


def _raw_nd(op_name):
    def fn(input, fft_length, axes, name=None):  # noqa: A002 - TF's argument name
        x = _complex_input(input) if op_name != "RFFTND" else _real_input(input)
        return bind(op_name, [x, _fft_length_arg(fft_length), _fft_length_arg(axes)])
    fn.__name__ = op_name.lower()
    fn.__doc__ = "The raw %s op: transforms `input` over `axes` with lengths `fft_length` (tf.%s)." % (
        op_name, op_name.lower())
    return fn


fftnd = tf_export("fftnd")(_raw_nd("FFTND"))
ifftnd = tf_export("ifftnd")(_raw_nd("IFFTND"))
rfftnd = tf_export("rfftnd")(_raw_nd("RFFTND"))
irfftnd = tf_export("irfftnd")(_raw_nd("IRFFTND"))


def _shift(x, axes, sign):
    x = _t(x)
    d = sh.dims(x)
    if d is None:
        raise ValueError("fftshift needs a tensor of known rank")
    if axes is None:
        axes = list(range(len(d)))
    elif isinstance(axes, (int, np.integer)):
        axes = [int(axes)]
    else:
        axes = [int(a) for a in axes]
    dims = array_ops.dynamic_shape(x, "fftshift")
    shifts = []
    for a in axes:
        n = dims[a]
        shifts.append(sign * (n // 2) if type(n) is int else math_ops.multiply(math_ops.floordiv(n, 2), sign))
    if all(type(s) is int for s in shifts):
        return array_ops.roll(x, shifts, axes)
    return array_ops.roll(x, array_ops.stack([_t(s) for s in shifts]), axes)


@tf_export("signal.fftshift")
def fftshift(x, axes=None, name=None) -> Tensor:
    """Shifts the zero-frequency component to the centre of the spectrum, like np.fft.fftshift (tf.signal.fftshift)."""
    return _shift(x, axes, 1)


@tf_export("signal.ifftshift")
def ifftshift(x, axes=None, name=None) -> Tensor:
    """The inverse of fftshift, like np.fft.ifftshift (tf.signal.ifftshift)."""
    return _shift(x, axes, -1)


# ================================================================ windows
def _window_length(window_length) -> int:
    v = array_ops._const(window_length) if not isinstance(window_length, (int, np.integer)) else window_length
    if v is None:
        raise ValueError("window_length must be known when the function is traced")
    v = np.asarray(v)
    if v.ndim != 0:
        raise ValueError("Shape %s must have rank 0" % (list(v.shape),))
    return int(v)


def _window_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError("dtype must be a floating point type. Found %s" % dtype)
    return dtype


def _const_window(w, dtype):
    return Tensor(np.asarray(w, dtype=np.float64).astype(dtype._np))


def _raised_cosine(window_length, periodic, dtype, a, b):
    dtype = _window_dtype(dtype)
    n = _window_length(window_length)
    if n == 1:
        return _const_window(np.ones(1), dtype)
    p = bool(np.asarray(array_ops._const(periodic) if not isinstance(periodic, (bool, int)) else periodic))
    denom = n + (1 if p and n % 2 == 0 else 0) - 1
    k = np.arange(n, dtype=np.float64)
    return _const_window(a - b * np.cos(2.0 * np.pi * k / denom), dtype)


@tf_export("signal.hann_window")
def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """A Hann window: 0.5 - 0.5 cos(2 pi n / N) (tf.signal.hann_window)."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5)


@tf_export("signal.hamming_window")
def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """A Hamming window: 0.54 - 0.46 cos(2 pi n / N) (tf.signal.hamming_window)."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46)


def _kaiser(n, beta):
    if n == 1:
        return np.ones(1)
    half = np.float32((n - 1) / 2.0)
    arg = np.arange(-half, half + np.float32(0.1), dtype=np.float32).astype(np.float64)
    num = beta * np.sqrt(np.maximum(0.0, 1.0 - np.square(arg / float(half))))
    return np.i0(num) / np.i0(beta)


@tf_export("signal.kaiser_window")
def kaiser_window(window_length, beta=12., dtype=dtypes.float32, name=None) -> Tensor:
    """A Kaiser window: I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta) (tf.signal.kaiser_window)."""
    dtype = _window_dtype(dtype)
    return _const_window(_kaiser(_window_length(window_length), float(np.asarray(_value(beta)))), dtype)


@tf_export("signal.kaiser_bessel_derived_window")
def kaiser_bessel_derived_window(window_length, beta=12., dtype=dtypes.float32, name=None) -> Tensor:
    """A Kaiser-Bessel derived window, for MDCT (tf.signal.kaiser_bessel_derived_window)."""
    dtype = _window_dtype(dtype)
    n = _window_length(window_length)
    kw = _kaiser(n // 2 + 1, float(np.asarray(_value(beta))))
    csum = np.cumsum(kw)
    half = np.sqrt(csum[:-1] / csum[-1])
    return _const_window(np.concatenate([half, half[::-1]]), dtype)


@tf_export("signal.vorbis_window")
def vorbis_window(window_length, dtype=dtypes.float32, name=None) -> Tensor:
    """A Vorbis power-complementary window: sin(pi/2 sin^2(pi (n + 0.5) / N)) (tf.signal.vorbis_window)."""
    dtype = _window_dtype(dtype)
    n = _window_length(window_length)
    k = np.arange(n, dtype=np.float64)
    return _const_window(np.sin(np.pi / 2.0 * np.square(np.sin(np.pi / n * (k + 0.5)))), dtype)


def _value(v):
    """A Python/NumPy value or a tensor whose value is known now."""
    if isinstance(v, Tensor) or getattr(v, "_is_symbolic_tensor", False):
        c = array_ops._const(v)
        if c is None:
            raise ValueError("%s must be known when the function is traced" % (v,))
        return c
    return v


# ================================================================ framing and overlap-add
@tf_export("signal.frame")
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None) -> Tensor:
    """Expands `axis` of `signal` into frames of `frame_length` taken every `frame_step` samples (tf.signal.frame).

    The result has shape signal.shape[:axis] + [num_frames, frame_length] + signal.shape[axis+1:].
    """
    signal = _t(signal)
    d = sh.dims(signal)
    if d is None or len(d) < 1:
        raise ValueError("Shape %s must have rank at least 1" % (signal.shape,))
    length = int(_value(frame_length))
    step = int(_value(frame_step))
    axis = int(_value(axis))
    rank = len(d)
    axis = range(rank)[axis]
    n = d[axis]
    if n is not None:
        if pad_end:
            num_frames = max(0, -(-n // step))
            pad = max(0, length + step * (num_frames - 1) - n)
        else:
            num_frames = max(0, (n - length + step) // step)
            pad = 0
        if pad:
            pads = [[0, 0]] * rank
            pads[axis] = [0, pad]
            signal = array_ops.pad(signal, pads, constant_values=pad_value)
        idx = Tensor((np.arange(num_frames, dtype=np.int32)[:, None] * step
                      + np.arange(length, dtype=np.int32)[None, :]))
        return array_ops.gather(signal, idx, axis=axis)
    # An unknown length along `axis` (inside tf.function): frame indices are computed at run time.
    n = array_ops.shape(signal)[axis]
    if pad_end:
        num_frames = math_ops.floordiv(math_ops.add(n, step - 1), step)
        pads = [[0, 0]] * rank
        pads[axis] = [0, length]  # enough for the last frame; never read beyond it
        signal = array_ops.pad(signal, pads, constant_values=pad_value)
    else:
        num_frames = math_ops.maximum(0, math_ops.add(math_ops.floordiv(math_ops.subtract(n, length), step), 1))
    starts = math_ops.multiply(array_ops.range(num_frames), step)
    idx = math_ops.add(array_ops.expand_dims(starts, 1), Tensor(np.arange(length, dtype=np.int32)[None, :]))
    return array_ops.gather(signal, idx, axis=axis)


@tf_export("signal.overlap_and_add")
def overlap_and_add(signal, frame_step, name=None) -> Tensor:
    """Reconstructs a signal from frames [..., frames, frame_length] overlapping by frame_step (tf.signal.overlap_and_add)."""
    signal = _t(signal)
    d = sh.dims(signal)
    if d is None or len(d) < 2:
        raise ValueError("Shape %s must have rank at least 2" % (signal.shape,))
    if not isinstance(frame_step, (int, np.integer)):
        fs = _t(frame_step)
        if not fs.dtype.is_integer:
            raise ValueError("frame_step must be an integer. Got %s" % fs.dtype)
    step = int(_value(frame_step))
    rank = len(d)
    length = d[-1]
    if length is None:
        raise ValueError("overlap_and_add needs the frame length (the last dimension) known")
    dims = array_ops.dynamic_shape(signal, "overlap_and_add")
    outer, frames = dims[:-2], dims[-2]
    if step == length:
        return array_ops.reshape(signal, outer + [-1] if all(type(o) is int for o in outer) else outer + [
            math_ops.multiply(frames, length)])
    segments = -(-length // step)
    extra = segments * step - length
    if extra:
        signal = array_ops.pad(signal, [[0, 0]] * (rank - 1) + [[0, extra]])
    chunks = array_ops.reshape(signal, outer + [frames, segments, step])
    total = None
    for s in range(segments):
        part = array_ops.slice_helper(chunks, (Ellipsis, s, slice(None)))  # [..., frames, step]
        part = array_ops.pad(part, [[0, 0]] * (rank - 2) + [[s, segments - 1 - s], [0, 0]])
        total = part if total is None else math_ops.add(total, part)
    nblocks = frames + segments - 1 if type(frames) is int else math_ops.add(frames, segments - 1)
    out = array_ops.reshape(total, outer + [nblocks * step if type(nblocks) is int else math_ops.multiply(nblocks, step)])
    if extra:
        out = array_ops.slice_helper(out, (Ellipsis, slice(0, -extra)))
    return out


# ================================================================ STFT
def _enclosing_power_of_two(v: int) -> int:
    return int(2 ** np.ceil(np.log(v) / np.log(2.0)))


@tf_export("signal.stft")
def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False,
         name=None) -> Tensor:
    """Short-time Fourier transform of real `signals` [..., samples] -> [..., frames, fft_length // 2 + 1] (tf.signal.stft)."""
    signals = _t(signals)
    if signals.shape.rank is not None and signals.shape.rank < 1:
        raise ValueError("Shape %s must have rank at least 1" % (signals.shape,))
    frame_length = int(_value(frame_length))
    fft_length = _enclosing_power_of_two(frame_length) if fft_length is None else int(_value(fft_length))
    framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        framed = math_ops.multiply(framed, window_fn(frame_length, dtype=framed.dtype))
    return rfft(framed, [fft_length])


@tf_export("signal.inverse_stft_window_fn")
def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window_fn for inverse_stft inverting `forward_window_fn` (tf.signal.inverse_stft_window_fn)."""
    def inverse_stft_window_fn_inner(frame_length, dtype):
        step = int(_value(frame_step))
        length = int(_value(frame_length))
        forward = forward_window_fn(length, dtype=dtype)
        denom = math_ops.square(forward)
        overlaps = -(-length // step)
        denom = array_ops.pad(denom, [(0, overlaps * step - length)])
        denom = array_ops.reshape(denom, [overlaps, step])
        denom = math_ops.reduce_sum(denom, 0, keepdims=True)
        denom = array_ops.tile(denom, [overlaps, 1])
        denom = array_ops.reshape(denom, [overlaps * step])[:length]
        return array_ops.where(math_ops.equal(denom, 0.0), array_ops.zeros_like(forward),
                               math_ops.divide(forward, denom))
    return inverse_stft_window_fn_inner


@tf_export("signal.inverse_stft")
def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None) -> Tensor:
    """Inverse short-time Fourier transform: [..., frames, fft_unique_bins] -> [..., samples] (tf.signal.inverse_stft)."""
    stfts = _complex_input(stfts)
    if stfts.shape.rank is not None and stfts.shape.rank < 2:
        raise ValueError("Shape %s must have rank at least 2" % (stfts.shape,))
    frame_length = int(_value(frame_length))
    fft_length = _enclosing_power_of_two(frame_length) if fft_length is None else int(_value(fft_length))
    real_frames = irfft(stfts, [fft_length])
    rank = real_frames.shape.rank
    real_frames = _fit(real_frames, rank - 1, rank, fft_length, frame_length)
    if window_fn is not None:
        real_frames = math_ops.multiply(real_frames, window_fn(frame_length, dtype=stfts.dtype.real_dtype))
    return overlap_and_add(real_frames, frame_step)


# ================================================================ mel scale and MFCCs
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(f):
    return _MEL_HIGH_FREQUENCY_Q * np.log(1.0 + f / _MEL_BREAK_FREQUENCY_HERTZ)


@tf_export("signal.linear_to_mel_weight_matrix")
def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000, lower_edge_hertz=125.0,
                                upper_edge_hertz=3800.0, dtype=dtypes.float32, name=None) -> Tensor:
    """A [num_spectrogram_bins, num_mel_bins] matrix of triangular mel filters (tf.signal.linear_to_mel_weight_matrix)."""
    num_mel_bins = int(_value(num_mel_bins))
    num_spectrogram_bins = int(_value(num_spectrogram_bins))
    sample_rate = float(np.asarray(_value(sample_rate)))
    lower_edge_hertz = float(np.asarray(_value(lower_edge_hertz)))
    upper_edge_hertz = float(np.asarray(_value(upper_edge_hertz)))
    dtype = dtypes.as_dtype(dtype)
    if num_mel_bins <= 0:
        raise ValueError("num_mel_bins must be positive. Got: %s" % num_mel_bins)
    if lower_edge_hertz < 0.0:
        raise ValueError("lower_edge_hertz must be non-negative. Got: %s" % lower_edge_hertz)
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f" % (lower_edge_hertz, upper_edge_hertz))
    if sample_rate <= 0.0:
        raise ValueError("sample_rate must be positive. Got: %s" % sample_rate)
    if upper_edge_hertz > sample_rate / 2:
        raise ValueError("upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
                         "Got %s for sample_rate: %s" % (upper_edge_hertz, sample_rate))
    if not dtype.is_floating:
        raise ValueError("dtype must be a floating point type. Got: %s" % dtype)
    linear = np.linspace(0.0, sample_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _hertz_to_mel(linear)[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    with np.errstate(all="ignore"):
        lower_slopes = (bins_mel - lower) / (center - lower)
        upper_slopes = (upper - bins_mel) / (upper - center)
    w = np.maximum(0.0, np.minimum(lower_slopes, upper_slopes))
    w = np.concatenate([np.zeros((1, num_mel_bins)), w], axis=0)
    return Tensor(w.astype(dtype._np))


@tf_export("signal.mfccs_from_log_mel_spectrograms")
def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None) -> Tensor:
    """MFCCs: the orthonormal DCT-II of log-mel spectrograms [..., num_mel_bins] (tf.signal.mfccs_from_log_mel_spectrograms)."""
    x = _t(log_mel_spectrograms)
    d = sh.dims(x)
    if d is None or d[-1] is None:
        raise ValueError("mfccs_from_log_mel_spectrograms needs the number of mel bins (the last dimension) known")
    if d[-1] == 0:
        raise ValueError("num_mel_bins must be positive. Got: %s" % x)
    return math_ops.multiply(dct(x, type=2), 1.0 / math.sqrt(d[-1] * 2.0))


# ================================================================ DCT / MDCT
def _validate_dct(x, dct_type, n, axis, norm):
    if axis != -1:
        raise NotImplementedError("axis must be -1. Got: %s" % axis)
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        d = sh.dims(x)
        if d is not None and d[-1] is not None and d[-1] < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError("Unknown normalization. Expected None or 'ortho', got: %s" % norm)


def _dct_internal(x, dct_type, n, norm):
    d = sh.dims(x)
    if d is None or d[-1] is None:
        raise ValueError("dct needs the transformed (last) dimension known")
    rank = len(d)
    if n is not None:
        x = _fit(x, rank - 1, rank, d[-1], n)
    m = n if n is not None else d[-1]
    rdt = x.dtype
    cdt = _TO_COMPLEX[rdt]
    k = np.arange(m, dtype=np.float64)
    if dct_type == 1:
        rev = array_ops.slice_helper(x, (Ellipsis, slice(-2, 0, -1)))
        return math_ops.real(rfft(array_ops.concat([x, rev], axis=-1)))
    if dct_type == 2:
        scale = Tensor((2.0 * np.exp(-1j * np.pi * k / (2.0 * m))).astype(cdt._np))
        spec = array_ops.slice_helper(rfft(x, [2 * m]), (Ellipsis, slice(0, m)))
        out = math_ops.real(math_ops.multiply(spec, scale))
        if norm == "ortho":
            w = np.full(m, math.sqrt(2.0) * 0.5 / math.sqrt(m))
            w[0] = 0.5 / math.sqrt(m)
            out = math_ops.multiply(out, Tensor(w.astype(rdt._np)))
        return out
    if dct_type == 3:
        if norm == "ortho":
            w = np.full(m, math.sqrt(m) * math.sqrt(0.5))
            w[0] = math.sqrt(m)
            x = math_ops.multiply(x, Tensor(w.astype(rdt._np)))
        else:
            x = math_ops.multiply(x, float(m))
        scale = Tensor((2.0 * np.exp(1j * np.pi * k / (2.0 * m))).astype(cdt._np))
        spec = math_ops.multiply(math_ops.cast(x, cdt), scale)
        return array_ops.slice_helper(irfft(spec, [2 * m]), (Ellipsis, slice(0, m)))
    out = _dct_internal(x, 2, 2 * m, None)
    out = array_ops.slice_helper(out, (Ellipsis, slice(1, None, 2)))
    if norm == "ortho":
        out = math_ops.multiply(out, math.sqrt(0.5) / math.sqrt(m))
    return out


@tf_export("signal.dct")
def dct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:  # noqa: A002 - TF's argument names
    """Discrete cosine transform (types I-IV) over the last axis, as scipy.fftpack.dct (tf.signal.dct)."""
    x = _t(input)
    _validate_dct(x, type, n, axis, norm)
    return _dct_internal(x, type, n, norm)


@tf_export("signal.idct")
def idct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:  # noqa: A002 - TF's argument names
    """Inverse DCT: the DCT of the inverse type (idct(dct(x), norm='ortho') == x) (tf.signal.idct)."""
    x = _t(input)
    _validate_dct(x, type, n, axis, norm)
    return _dct_internal(x, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm)


@tf_export("signal.mdct")
def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None) -> Tensor:
    """Modified DCT of `signals` with 50%-overlapping frames (tf.signal.mdct)."""
    signals = _t(signals)
    frame_length = int(_value(frame_length))
    if frame_length % 4 != 0:
        raise ValueError("The frame length must be a multiple of 4.")
    framed = frame(signals, frame_length, frame_length // 2, pad_end=pad_end)
    if window_fn is not None:
        framed = math_ops.multiply(framed, window_fn(frame_length, dtype=framed.dtype))
    else:
        framed = math_ops.multiply(framed, 1.0 / np.sqrt(2))
    q = frame_length // 4
    a, b, c, e = (array_ops.slice_helper(framed, (Ellipsis, slice(i * q, (i + 1) * q))) for i in range(4))
    first = math_ops.subtract(math_ops.negative(array_ops.reverse(c, [-1])), e)
    second = math_ops.subtract(a, array_ops.reverse(b, [-1]))
    return dct(array_ops.concat([first, second], axis=-1), type=4, norm=norm)


@tf_export("signal.inverse_mdct")
def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None) -> Tensor:
    """Inverse modified DCT: frames [..., frames, frame_length // 2] -> [..., samples] (tf.signal.inverse_mdct)."""
    mdcts = _t(mdcts)
    d = sh.dims(mdcts)
    if d is None or len(d) < 2 or d[-1] is None:
        raise ValueError("inverse_mdct needs a tensor of rank >= 2 with a known last dimension")
    half = d[-1]
    if norm is None:
        res = math_ops.multiply(dct(mdcts, type=4), 0.5 / half)
    elif norm == "ortho":
        res = dct(mdcts, type=4, norm="ortho")
    else:
        raise ValueError("Unknown normalization. Expected None or 'ortho', got: %s" % norm)
    h = half // 2
    first = array_ops.slice_helper(res, (Ellipsis, slice(0, h)))
    second = array_ops.slice_helper(res, (Ellipsis, slice(h, None)))
    frames = array_ops.concat([second, math_ops.negative(array_ops.reverse(second, [-1])),
                               math_ops.negative(array_ops.reverse(first, [-1])), math_ops.negative(first)], axis=-1)
    if window_fn is not None:
        frames = math_ops.multiply(frames, window_fn(2 * half, dtype=mdcts.dtype))
    else:
        frames = math_ops.multiply(frames, 1.0 / np.sqrt(2))
    return overlap_and_add(frames, half)
