"""tf.image: resizing (against straightforward NumPy references of TF's kernels), flips and
rotations, crops and pads, dtype conversion and colour adjustments, with TF's errors."""
import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(0)
IMG = RNG.uniform(0, 255, (2, 5, 7, 3)).astype(np.float32)
IMG_U8 = IMG.astype(np.uint8)


def _np(t):
    return np.asarray(t.numpy())


# ---------------------------------------------------------------- NumPy references (one pixel at a time)
def _ref_bilinear(x, oh, ow):
    n, h, w, c = x.shape
    sy, sx = h / oh, w / ow
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        fy = (i + 0.5) * sy - 0.5
        y0 = int(np.floor(fy))
        ly = fy - y0
        ya, yb = min(max(y0, 0), h - 1), min(max(y0 + 1, 0), h - 1)
        for j in range(ow):
            fx = (j + 0.5) * sx - 0.5
            x0 = int(np.floor(fx))
            lx = fx - x0
            xa, xb = min(max(x0, 0), w - 1), min(max(x0 + 1, 0), w - 1)
            top = x[:, ya, xa] * (1 - lx) + x[:, ya, xb] * lx
            bot = x[:, yb, xa] * (1 - lx) + x[:, yb, xb] * lx
            out[:, i, j] = top * (1 - ly) + bot * ly
    return out


def _ref_nearest(x, oh, ow):
    n, h, w, c = x.shape
    ys = np.minimum(np.floor((np.arange(oh) + 0.5) * h / oh).astype(int), h - 1)
    xs = np.minimum(np.floor((np.arange(ow) + 0.5) * w / ow).astype(int), w - 1)
    return x[:, ys][:, :, xs]


def _keys_cubic(t, a=-0.5):
    t = abs(t)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    if t < 2:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return 0.0


def _cubic_weights(size, out):
    m = np.zeros((out, size))
    for i in range(out):
        f = (i + 0.5) * size / out - 0.5
        base = int(np.floor(f))
        for k in range(base - 1, base + 3):
            if 0 <= k < size:  # TF drops taps outside the image and renormalises
                m[i, k] = _keys_cubic(f - k)
        m[i] /= m[i].sum()
    return m


def _ref_bicubic(x, oh, ow):
    my, mx = _cubic_weights(x.shape[1], oh), _cubic_weights(x.shape[2], ow)
    return np.einsum("yh,nhwc,xw->nyxc", my, x.astype(np.float64), mx)


def _area_weights(size, out):
    m = np.zeros((out, size))
    s = size / out
    for i in range(out):
        lo, hi = i * s, (i + 1) * s
        for k in range(size):
            m[i, k] = max(0.0, min(k + 1, hi) - max(k, lo)) / s
    return m


def _ref_area(x, oh, ow):
    my, mx = _area_weights(x.shape[1], oh), _area_weights(x.shape[2], ow)
    return np.einsum("yh,nhwc,xw->nyxc", my, x.astype(np.float64), mx)


SIZES = [(3, 4), (10, 15), (5, 7), (2, 11), (1, 1), (8, 3)]


@pytest.mark.parametrize("size", SIZES)
def test_resize_bilinear_matches_reference(size):
    out = tf.image.resize(IMG, size)
    assert out.dtype is tf.float32 and out.shape == (2,) + size + (3,)
    np.testing.assert_allclose(_np(out), _ref_bilinear(IMG.astype(np.float64), *size), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("size", SIZES)
def test_resize_nearest_matches_reference(size):
    out = tf.image.resize(IMG_U8, size, method="nearest")
    assert out.dtype is tf.uint8
    np.testing.assert_array_equal(_np(out), _ref_nearest(IMG_U8, *size))


@pytest.mark.parametrize("size", SIZES)
def test_resize_bicubic_matches_reference(size):
    out = tf.image.resize(IMG, size, method=tf.image.ResizeMethod.BICUBIC)
    assert out.dtype is tf.float32
    # TF samples the cubic kernel from a 1024-entry table: agreement to ~1e-3 of the range.
    np.testing.assert_allclose(_np(out), _ref_bicubic(IMG, *size), atol=0.5)


@pytest.mark.parametrize("size", SIZES)
def test_resize_area_matches_reference(size):
    out = tf.image.resize(IMG, size, method="area")
    assert out.dtype is tf.float32
    np.testing.assert_allclose(_np(out), _ref_area(IMG, *size), rtol=1e-5, atol=1e-3)


def test_resize_dtypes_and_ranks():
    for method in ("bilinear", "bicubic", "area"):
        for src in (np.uint8, np.int32, np.float16, np.float64):
            assert tf.image.resize(IMG.astype(src), (3, 3), method=method).dtype is tf.float32
    assert tf.image.resize(IMG.astype(np.float64), (3, 3), method="nearest").dtype is tf.float64
    one = tf.image.resize(IMG[0], (4, 9))
    assert one.shape == (4, 9, 3)
    np.testing.assert_allclose(_np(one), _np(tf.image.resize(IMG, (4, 9)))[0], rtol=1e-6)
    np.testing.assert_allclose(_np(tf.image.resize(IMG_U8, (4, 9))), _ref_bilinear(IMG_U8.astype(float), 4, 9),
                               rtol=1e-5, atol=1e-3)


def test_resize_same_size_is_identity():
    np.testing.assert_allclose(_np(tf.image.resize(IMG, (5, 7))), IMG, rtol=1e-6)
    np.testing.assert_array_equal(_np(tf.image.resize(IMG_U8, (5, 7), method="nearest")), IMG_U8)


def test_resize_preserve_aspect_ratio():
    img = np.zeros((4, 5, 3), np.float32)
    assert tf.image.resize(img, (8, 10), preserve_aspect_ratio=True).shape == (8, 10, 3)
    # scale = min(3/4, 10/5) = 0.75: width round(3.75) = 4
    assert tf.image.resize(img, (3, 10), preserve_aspect_ratio=True).shape == (3, 4, 3)
    assert tf.image.resize(img, (100, 10), preserve_aspect_ratio=True).shape == (8, 10, 3)


def test_resize_errors():
    with pytest.raises(ValueError, match="'size' must be a 1-D Tensor of 2 elements"):
        tf.image.resize(IMG, [3])
    with pytest.raises(ValueError, match="'images' must have either 3 or 4 dimensions."):
        tf.image.resize(IMG[0, 0], [2, 2])
    with pytest.raises(ValueError, match="Resize method is not implemented: foo"):
        tf.image.resize(IMG, [2, 2], method="foo")
    with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive"):
        tf.image.resize(IMG, [0, 2])


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("size", [(3, 4), (11, 16), (5, 7)])
def test_resize_gradient_is_the_adjoint(method, size):
    # <resize(x), g> == <x, d/dx <resize(x), g>> for the linear resize map.
    x = tf.constant(IMG / 255.0)
    g = RNG.standard_normal((2,) + size + (3,)).astype(np.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.image.resize(x, size, method=method)
        loss = tf.reduce_sum(y * tf.constant(g))
    dx = tape.gradient(loss, x)
    assert dx.shape == x.shape and dx.dtype is tf.float32
    # The map itself, column by column, from resizing unit images.
    ref = np.zeros(IMG.shape, np.float64)
    for i in range(5):
        for j in range(7):
            e = np.zeros((1, 5, 7, 1), np.float32)
            e[0, i, j, 0] = 1
            col = _np(tf.image.resize(e, size, method=method))[0, :, :, 0]
            ref[:, i, j, :] = np.einsum("yx,nyxc->nc", col, g)
    np.testing.assert_allclose(_np(dx), ref, rtol=1e-4, atol=1e-5)


def test_resize_area_has_no_gradient():
    x = tf.constant(IMG)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.image.resize(x, (2, 3), method="area")
    assert tape.gradient(y, x) is None


# ---------------------------------------------------------------- flips, rotations, transpose
def test_flips_rot90_transpose():
    for img, o in ((IMG_U8, 1), (IMG_U8[0], 0)):
        np.testing.assert_array_equal(_np(tf.image.flip_left_right(img)), np.flip(img, o + 1))
        np.testing.assert_array_equal(_np(tf.image.flip_up_down(img)), np.flip(img, o))
        np.testing.assert_array_equal(_np(tf.image.transpose(img)), np.swapaxes(img, o, o + 1))
        for k in range(-2, 6):
            np.testing.assert_array_equal(_np(tf.image.rot90(img, k)), np.rot90(img, k, axes=(o, o + 1)))


def test_flip_errors():
    with pytest.raises(ValueError, match=r"'image' \(shape \(5, 3\)\) must be at least three-dimensional."):
        tf.image.flip_left_right(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
        tf.image.flip_up_down(np.zeros((1, 2, 3, 4, 5)))


def test_random_flips():
    tf.random.set_seed(1)
    seen = set()
    for _ in range(20):
        out = _np(tf.image.random_flip_left_right(IMG_U8[0]))
        if np.array_equal(out, IMG_U8[0]):
            seen.add("same")
        else:
            np.testing.assert_array_equal(out, IMG_U8[0, :, ::-1])
            seen.add("flipped")
    assert seen == {"same", "flipped"}
    batch = np.repeat(IMG_U8[:1], 16, axis=0)
    out = _np(tf.image.random_flip_up_down(batch, seed=3))
    flipped = [not np.array_equal(o, batch[0]) for o in out]
    for o, f in zip(out, flipped):
        np.testing.assert_array_equal(o, batch[0, ::-1] if f else batch[0])
    assert 0 < sum(flipped) < 16
    a = _np(tf.image.stateless_random_flip_left_right(batch, seed=[1, 2]))
    np.testing.assert_array_equal(a, _np(tf.image.stateless_random_flip_left_right(batch, seed=[1, 2])))


# ---------------------------------------------------------------- crops and pads
def test_crop_and_pad_to_bounding_box():
    np.testing.assert_array_equal(_np(tf.image.crop_to_bounding_box(IMG_U8, 1, 2, 3, 4)), IMG_U8[:, 1:4, 2:6])
    np.testing.assert_array_equal(_np(tf.image.crop_to_bounding_box(IMG_U8[0], 0, 3, 5, 2)), IMG_U8[0, :, 3:5])
    padded = _np(tf.image.pad_to_bounding_box(IMG_U8, 1, 2, 8, 12))
    np.testing.assert_array_equal(padded, np.pad(IMG_U8, [(0, 0), (1, 2), (2, 3), (0, 0)]))
    padded3 = _np(tf.image.pad_to_bounding_box(IMG_U8[0], 0, 3, 6, 10))
    np.testing.assert_array_equal(padded3, np.pad(IMG_U8[0], [(0, 1), (3, 0), (0, 0)]))


def test_crop_pad_errors():
    with pytest.raises(ValueError, match="offset_height must be >= 0."):
        tf.image.crop_to_bounding_box(IMG, -1, 0, 2, 2)
    with pytest.raises(ValueError, match="height must be >= target \\+ offset."):
        tf.image.crop_to_bounding_box(IMG, 1, 1, 5, 2)
    with pytest.raises(ValueError, match="target_width must be > 0."):
        tf.image.crop_to_bounding_box(IMG, 1, 1, 2, 0)
    with pytest.raises(ValueError, match="width must be <= target - offset"):
        tf.image.pad_to_bounding_box(IMG, 1, 1, 8, 3)
    with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
        tf.image.pad_to_bounding_box(np.zeros((2, 2)), 0, 0, 3, 3)
    with pytest.raises(ValueError, match="target_height must be > 0."):
        tf.image.resize_with_crop_or_pad(IMG, 0, 3)


@pytest.mark.parametrize("target", [(3, 4), (9, 12), (4, 15), (12, 5), (5, 7), (2, 2)])
def test_resize_with_crop_or_pad(target):
    th, tw = target

    def ref(img):
        h, w = img.shape[-3:-1]
        out = np.zeros(img.shape[:-3] + (th, tw, img.shape[-1]), img.dtype)
        # centre crop (floor of half the excess) then centre pad (floor of half the room)
        ch, cw = max((h - th) // 2, 0), max((w - tw) // 2, 0)
        ph, pw = max((th - h) // 2, 0), max((tw - w) // 2, 0)
        hh, ww = min(h, th), min(w, tw)
        out[..., ph:ph + hh, pw:pw + ww, :] = img[..., ch:ch + hh, cw:cw + ww, :]
        return out

    np.testing.assert_array_equal(_np(tf.image.resize_with_crop_or_pad(IMG_U8, th, tw)), ref(IMG_U8))
    np.testing.assert_array_equal(_np(tf.image.resize_with_crop_or_pad(IMG_U8[0], th, tw)), ref(IMG_U8[0]))


def test_central_crop():
    img = np.arange(2 * 10 * 8 * 1).reshape(2, 10, 8, 1)
    for f in (0.5, 0.33, 0.9):
        top, left = int((10 - 10 * f) / 2), int((8 - 8 * f) / 2)
        np.testing.assert_array_equal(_np(tf.image.central_crop(img, f)), img[:, top:10 - top, left:8 - left])
        np.testing.assert_array_equal(_np(tf.image.central_crop(img[0], f)), img[0, top:10 - top, left:8 - left])
    np.testing.assert_array_equal(_np(tf.image.central_crop(img, 1.0)), img)
    with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
        tf.image.central_crop(img, 0.0)


# ---------------------------------------------------------------- dtype conversion and colour
def _int_limits(d):
    return np.iinfo(d).min, np.iinfo(d).max


def test_convert_image_dtype_int_to_float_and_back():
    u = np.array([0, 1, 127, 128, 255], np.uint8)
    f = tf.image.convert_image_dtype(u, tf.float32)
    assert f.dtype is tf.float32
    np.testing.assert_array_equal(_np(f), u.astype(np.float32) * np.float32(1.0 / 255))
    x = np.array([-0.1, 0.0, 0.25, 0.5, 0.999, 1.0, 1.5], np.float32)
    back = tf.image.convert_image_dtype(x, tf.uint8, saturate=True)
    np.testing.assert_array_equal(_np(back), np.clip(x * np.float32(255.5), 0, 255).astype(np.uint8))
    i16 = tf.image.convert_image_dtype(x[1:6], tf.int16)
    np.testing.assert_array_equal(_np(i16), np.trunc(x[1:6] * np.float32(32767.5)).astype(np.int16))


def test_convert_image_dtype_between_ints():
    u = np.array([0, 1, 128, 255], np.uint8)
    np.testing.assert_array_equal(_np(tf.image.convert_image_dtype(u, tf.int16)), u.astype(np.int16) * 128)
    np.testing.assert_array_equal(_np(tf.image.convert_image_dtype(u, tf.int32)), u.astype(np.int32) * 2 ** 23)
    i = np.array([0, 2 ** 23, 2 ** 31 - 1], np.int32)
    np.testing.assert_array_equal(_np(tf.image.convert_image_dtype(i, tf.uint8)), (i // 2 ** 23).astype(np.uint8))
    np.testing.assert_array_equal(_np(tf.image.convert_image_dtype(i, tf.int32)), i)


def test_convert_image_dtype_float_to_float_and_errors():
    x = np.array([0.1, 0.7], np.float64)
    out = tf.image.convert_image_dtype(x, tf.float16)
    assert out.dtype is tf.float16
    np.testing.assert_array_equal(_np(out), x.astype(np.float16))
    with pytest.raises(AttributeError, match="image dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(tf.constant(["a"]), tf.float32)
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(x, tf.string)


def test_grayscale():
    g = tf.image.rgb_to_grayscale(IMG / 255.0)
    assert g.shape == (2, 5, 7, 1) and g.dtype is tf.float32
    ref = (IMG / 255.0).astype(np.float32) @ np.array([0.2989, 0.5870, 0.1140], np.float32)
    np.testing.assert_allclose(_np(g)[..., 0], ref, rtol=1e-6)
    gu = tf.image.rgb_to_grayscale(IMG_U8)
    assert gu.dtype is tf.uint8
    ref_u = (IMG_U8 / 255.0) @ np.array([0.2989, 0.5870, 0.1140])
    assert np.abs(_np(gu)[..., 0].astype(int) - np.trunc(ref_u * 255.5)).max() <= 1
    rgb = tf.image.grayscale_to_rgb(_np(gu))
    np.testing.assert_array_equal(_np(rgb), np.repeat(_np(gu), 3, axis=-1))
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1."):
        tf.image.grayscale_to_rgb(IMG)
    with pytest.raises(ValueError, match="must be at least two-dimensional"):
        tf.image.grayscale_to_rgb(np.zeros(3))


def test_adjust_brightness():
    x = IMG / 255.0
    out = tf.image.adjust_brightness(x.astype(np.float32), 0.1)
    np.testing.assert_allclose(_np(out), x.astype(np.float32) + np.float32(0.1), rtol=1e-6)
    u = tf.image.adjust_brightness(IMG_U8, 0.3)
    assert u.dtype is tf.uint8
    ref = np.clip((IMG_U8 * np.float32(1 / 255) + np.float32(0.3)) * np.float32(255.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(_np(u), ref)
    d = tf.image.adjust_brightness(x.astype(np.float64), -0.2)
    assert d.dtype is tf.float64


def test_adjust_contrast():
    x = (IMG / 255.0).astype(np.float32)
    for f in (0.5, 1.7, -1.0):
        mean = x.mean(axis=(1, 2), keepdims=True)
        np.testing.assert_allclose(_np(tf.image.adjust_contrast(x, f)), (x - mean) * f + mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_np(tf.image.adjust_contrast(x[0], f)), (x[0] - mean[0]) * f + mean[0],
                                   rtol=1e-5, atol=1e-6)
    u = tf.image.adjust_contrast(IMG_U8, 2.0)
    assert u.dtype is tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input must be at least 3-D, got shape\[5,3\]"):
        tf.image.adjust_contrast(np.zeros((5, 3), np.float32), 2.0)


def test_per_image_standardization():
    out = tf.image.per_image_standardization(IMG_U8)
    assert out.dtype is tf.float32
    x = IMG_U8.astype(np.float64)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1 / np.sqrt(5 * 7 * 3))
    np.testing.assert_allclose(_np(out), (x - mean) / std, rtol=1e-4, atol=1e-5)
    flat = tf.image.per_image_standardization(np.ones((3, 3, 1)))
    np.testing.assert_array_equal(_np(flat), 0)


# ---------------------------------------------------------------- random crops, resize_with_pad, random adjustments
def test_random_crop():
    x = np.arange(6 * 8 * 3).reshape(6, 8, 3)
    tf.random.set_seed(4)
    offsets = set()
    for _ in range(30):
        c = _np(tf.image.random_crop(x, [2, 3, 3]))
        i, j = np.argwhere(x[..., 0] == c[0, 0, 0])[0]
        np.testing.assert_array_equal(c, x[i:i + 2, j:j + 3])
        offsets.add((i, j))
    assert len(offsets) > 5
    a = _np(tf.image.stateless_random_crop(x, [4, 4, 3], seed=[1, 2]))
    np.testing.assert_array_equal(a, _np(tf.image.stateless_random_crop(x, [4, 4, 3], seed=[1, 2])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf.image.random_crop(np.zeros((2, 3)), [3, 3])


def test_resize_with_pad():
    img = np.ones((5, 7, 3), np.uint8)
    out = tf.image.resize_with_pad(img, 4, 9)
    assert out.shape == (4, 9, 3) and out.dtype is tf.float32
    # ratio = max(7/9, 5/4) = 1.25: resized to 4 x 5, padded by floor((9 - 5.6) / 2) = 1 on the left
    expected = np.zeros((4, 9), np.float32)
    expected[:, 1:6] = 1
    np.testing.assert_array_equal(_np(out)[..., 0], expected)
    near = tf.image.resize_with_pad(np.ones((2, 5, 7, 3), np.uint8), 11, 3, method="nearest")
    assert near.dtype is tf.uint8 and near.shape == (2, 11, 3, 3)
    np.testing.assert_array_equal(_np(near)[0, :, :, 0].sum(axis=1), [0] * 4 + [3, 3] + [0] * 5)


def test_random_brightness_and_contrast_ranges():
    x = (IMG[0] / 255.0).astype(np.float32)
    tf.random.set_seed(0)
    for _ in range(5):
        d = _np(tf.image.random_brightness(x, 0.2)) - x
        assert np.allclose(d, d.flat[0], atol=1e-6) and -0.2 <= d.flat[0] < 0.2
        out = _np(tf.image.random_contrast(x, 0.5, 1.5))
        mean = x.mean(axis=(0, 1))
        f = (out - mean) / (x - mean)
        assert np.allclose(f, f.flat[0], atol=1e-3) and 0.5 <= f.flat[0] < 1.5
    a = _np(tf.image.stateless_random_brightness(x, 0.3, seed=[1, 2]))
    np.testing.assert_array_equal(a, _np(tf.image.stateless_random_brightness(x, 0.3, seed=[1, 2])))
    with pytest.raises(ValueError, match="max_delta must be non-negative."):
        tf.image.random_brightness(x, -1.0)
    with pytest.raises(ValueError, match="upper must be > lower."):
        tf.image.random_contrast(x, 1.0, 0.5)


def test_adjust_gamma():
    x = (IMG / 255.0).astype(np.float32)
    np.testing.assert_allclose(_np(tf.image.adjust_gamma(x, 2.0, 0.5)), 0.5 * x ** 2, rtol=1e-5)
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number."):
        tf.image.adjust_gamma(x, -1.0)
