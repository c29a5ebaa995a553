"""Image codecs: PNG/JPEG/GIF/BMP round trips, TF's channel and dtype conversions, static
shapes inside tf.function, and InvalidArgumentError for corrupt data."""
import io
import struct
import zlib

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.framework import errors

Image = pytest.importorskip("PIL.Image")


def _image(h=6, w=9, c=3, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(dtype).max, (h, w, c), endpoint=True).astype(dtype)


def _smooth(h=32, w=48):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 5, y * 7, (x + y) * 3], axis=-1).astype(np.uint8)


def _pil_bytes(arr, fmt, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **kw)
    return buf.getvalue()


def _gif(values=(0, 128, 255), h=4, w=6):
    frames = [Image.fromarray(np.full((h, w, 3), v, np.uint8)) for v in values]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


# ---------------------------------------------------------------- PNG
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_png_round_trip(channels, dtype):
    img = _image(c=channels, dtype=dtype)
    png = tf.io.encode_png(img)
    assert png.dtype == tf.string and png.shape == ()
    out = tf.io.decode_png(png, dtype=tf.as_dtype(dtype))
    assert out.dtype == tf.as_dtype(dtype)
    np.testing.assert_array_equal(out.numpy(), img)


def test_encoded_png_is_valid_for_an_independent_decoder():
    img = _image(c=3)
    data = tf.io.encode_png(img, compression=9).numpy()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    ihdr = data[16:16 + length]
    assert kind == b"IHDR" and struct.unpack(">IIBBBBB", ihdr) == (9, 6, 8, 2, 0, 0, 0)
    assert struct.unpack(">I", data[16 + length:20 + length])[0] == zlib.crc32(kind + ihdr)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), img)


def test_png_batch_encoding():
    batch = np.stack([_image(seed=i) for i in range(3)]).reshape(3, 1, 6, 9, 3)
    out = tf.io.encode_png(batch)
    assert out.shape == (3, 1)
    for i in range(3):
        np.testing.assert_array_equal(tf.io.decode_png(out.numpy()[i, 0]).numpy(), batch[i, 0])


def _png16_with_filter(img, filter_type):
    """A 16-bit PNG whose every row uses `filter_type`, filtered here with NumPy."""
    h, w, c = img.shape
    bpp = 2 * c
    raw = img.astype(">u2").view(np.uint8).reshape(h, -1).astype(np.int32)
    left = np.zeros_like(raw)
    left[:, bpp:] = raw[:, :-bpp]
    up = np.zeros_like(raw)
    up[1:] = raw[:-1]
    upleft = np.zeros_like(raw)
    upleft[1:, bpp:] = raw[:-1, :-bpp]
    p = left + up - upleft
    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
    pred = [0, left, up, (left + up) // 2, paeth][filter_type]
    rows = np.concatenate([np.full((h, 1), filter_type), (raw - pred) % 256], axis=1).astype(np.uint8)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 16, {3: 2, 4: 6, 2: 4}[c], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("filter_type", [0, 1, 2, 3, 4])
def test_16bit_color_png_keeps_all_16_bits(filter_type):
    img = _image(h=4, w=5, c=3, dtype=np.uint16, seed=filter_type)
    data = _png16_with_filter(img, filter_type)
    np.testing.assert_array_equal(tf.io.decode_png(data, dtype=tf.uint16).numpy(), img)
    np.testing.assert_array_equal(tf.io.decode_png(data).numpy(), (img >> 8).astype(np.uint8))


def test_png_channel_conversions_follow_libpng():
    img = _image(c=3)
    png = tf.io.encode_png(img)
    x = img.astype(np.int64)
    gray = ((9797 * x[..., 0] + 19234 * x[..., 1] + 3737 * x[..., 2]) >> 15).astype(np.uint8)
    np.testing.assert_array_equal(tf.io.decode_png(png, channels=1).numpy()[..., 0], gray)
    rgba = tf.io.decode_png(png, channels=4).numpy()
    np.testing.assert_array_equal(rgba[..., :3], img)
    assert (rgba[..., 3] == 255).all()
    la = tf.io.encode_png(_image(c=2))
    rgb = tf.io.decode_png(la, channels=3).numpy()
    np.testing.assert_array_equal(rgb, np.repeat(_image(c=2)[..., :1], 3, axis=-1))


def test_decode_dtypes_scale_like_tf():
    img = _image(c=3)
    png = tf.io.encode_png(img)
    np.testing.assert_array_equal(tf.io.decode_png(png, dtype=tf.uint16).numpy(), img.astype(np.uint16) * 257)
    f = tf.io.decode_image(png, dtype=tf.float32)
    assert f.dtype == tf.float32
    np.testing.assert_array_equal(f.numpy(), img.astype(np.float32) / np.float32(255))
    i32 = tf.io.decode_image(png, dtype=tf.int32)  # through uint16 and convert_image_dtype
    assert i32.dtype == tf.int32
    np.testing.assert_array_equal(i32.numpy(), (img.astype(np.int64) * 257 * 32768).astype(np.int32))


# ---------------------------------------------------------------- JPEG
def test_jpeg_round_trip():
    img = _smooth()
    jpg = tf.io.encode_jpeg(img, quality=95)
    assert tf.io.is_jpeg(jpg).numpy() and not tf.io.is_jpeg(tf.io.encode_png(img)).numpy()
    out = tf.io.decode_jpeg(jpg).numpy()
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - img).mean() < 2.0
    assert tf.io.decode_jpeg(jpg, channels=1).shape == (32, 48, 1)
    assert tf.io.decode_jpeg(jpg, ratio=2).shape == (16, 24, 3)
    np.testing.assert_array_equal(tf.io.extract_jpeg_shape(jpg).numpy(), [32, 48, 3])
    gray = tf.io.encode_jpeg(img[..., :1], format="grayscale")
    assert tf.io.decode_jpeg(gray).shape == (32, 48, 1) and tf.io.decode_jpeg(gray, channels=3).shape == (32, 48, 3)
    crop = tf.io.decode_and_crop_jpeg(jpg, [2, 3, 10, 20])
    np.testing.assert_array_equal(crop.numpy(), out[2:12, 3:23])


def test_jpeg_errors():
    img = _smooth()
    with pytest.raises(errors.InvalidArgumentError, match=r"image must have 1 or 3 channels, got \[32,48,4\]"):
        tf.io.encode_jpeg(np.zeros((32, 48, 4), np.uint8))
    with pytest.raises(errors.InvalidArgumentError, match=r"format grayscale expects 1 channels"):
        tf.io.encode_jpeg(img, format="grayscale")
    with pytest.raises(errors.InvalidArgumentError, match=r"quality must be in \[0,100\], got 101"):
        tf.io.encode_jpeg(img, quality=101)
    jpg = tf.io.encode_jpeg(img).numpy()
    with pytest.raises(errors.InvalidArgumentError, match="JPEG does not support 4 channels"):
        tf.io.decode_jpeg(jpg, channels=4)
    with pytest.raises(errors.InvalidArgumentError, match="ratio must be 1, 2, 4, or 8, got 3"):
        tf.io.decode_jpeg(jpg, ratio=3)
    with pytest.raises(errors.InvalidArgumentError, match="jpeg::Uncompress failed"):
        tf.io.decode_jpeg(jpg[:len(jpg) // 2])
    with pytest.raises(errors.InvalidArgumentError, match="Invalid JPEG data or crop window"):
        tf.io.decode_and_crop_jpeg(jpg, [0, 0, 40, 10])


# ---------------------------------------------------------------- GIF, BMP, any format
def test_gif_frames():
    data = _gif()
    frames = tf.io.decode_gif(data)
    assert frames.shape == (3, 4, 6, 3) and frames.dtype == tf.uint8
    np.testing.assert_array_equal(frames.numpy()[:, 0, 0, 0], [0, 128, 255])
    assert tf.io.decode_image(data).shape == (3, 4, 6, 3)
    first = tf.io.decode_image(data, expand_animations=False)
    assert first.shape == (4, 6, 3) and (first.numpy() == 0).all()
    assert tf.io.decode_png(_gif((7,))).shape == (4, 6, 3)  # a single-frame GIF is a still image
    with pytest.raises(errors.InvalidArgumentError, match="Got 3 frames, but animated gifs can only be decoded"):
        tf.io.decode_png(data)
    with pytest.raises(errors.InvalidArgumentError, match="channels must be 0 or 3 for GIF, got 1"):
        tf.io.decode_image(data, channels=1)
    assert tf.io.decode_gif(tf.io.encode_png(_image())).shape == (1, 6, 9, 3)


def test_bmp_and_format_sniffing():
    img = _image()
    bmp = _pil_bytes(img, "BMP")
    np.testing.assert_array_equal(tf.io.decode_image(bmp).numpy(), img)
    np.testing.assert_array_equal(tf.io.decode_bmp(bmp).numpy(), img)
    with pytest.raises(errors.InvalidArgumentError, match="Trying to decode BMP format using a wrong op"):
        tf.io.decode_png(bmp)
    with pytest.raises(errors.InvalidArgumentError, match="Trying to decode PNG format using DecodeBmp op"):
        tf.io.decode_bmp(tf.io.encode_png(img))
    # every decoder reads every (still) format, as in TF 2.x
    jpg = tf.io.encode_jpeg(_smooth())
    assert tf.io.decode_png(jpg).shape == (32, 48, 3)
    np.testing.assert_array_equal(tf.io.decode_jpeg(tf.io.encode_png(img)).numpy(), img)


@pytest.mark.parametrize("fn", [tf.io.decode_png, tf.io.decode_jpeg, tf.io.decode_image, tf.io.decode_gif])
def test_corrupt_data_is_invalid_argument(fn):
    with pytest.raises(errors.InvalidArgumentError, match="Unknown image file format. One of JPEG, JPEG XL, PNG"):
        fn(b"definitely not an image")
    with pytest.raises(errors.InvalidArgumentError, match="Input is empty."):
        fn(b"")
    with pytest.raises(errors.InvalidArgumentError, match=r"`contents` must be scalar but got shape\[1\]"):
        fn([b"x"])


def test_truncated_png():
    png = tf.io.encode_png(_image()).numpy()
    with pytest.raises(errors.InvalidArgumentError, match="Invalid PNG data, size 60"):
        tf.io.decode_png(png[:60])


def test_encode_png_errors():
    with pytest.raises(errors.InvalidArgumentError, match=r"images must be at least rank 3\[2,2\]"):
        tf.io.encode_png(np.zeros((2, 2), np.uint8))
    with pytest.raises(errors.InvalidArgumentError, match="image must have 1, 2, 3, or 4 channels, got 5"):
        tf.io.encode_png(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(errors.InvalidArgumentError, match=r"compression should be in \[-1,9\], got 10"):
        tf.io.encode_png(np.zeros((2, 2, 3), np.uint8), compression=10)
    with pytest.raises(errors.InvalidArgumentError, match="not in the list of allowed values: uint8, uint16"):
        tf.io.encode_png(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(errors.InternalError, match="PNG encoding failed"):
        tf.io.encode_png(np.zeros((0, 2, 3), np.uint8))
    with pytest.raises(errors.InvalidArgumentError, match="`channels` must be 0, 1, 3 or 4 but got 2"):
        tf.io.decode_png(tf.io.encode_png(np.zeros((2, 2, 3), np.uint8)), channels=2)


# ---------------------------------------------------------------- graphs
def test_static_shapes_in_tf_function():
    png = tf.io.encode_png(_image())
    spec = tf.TensorSpec([], tf.string)
    cases = [(lambda s: tf.io.decode_png(s, channels=3), [None, None, 3], (6, 9, 3)),
             (lambda s: tf.io.decode_png(s, dtype=tf.uint16), [None, None, None], (6, 9, 3)),
             (lambda s: tf.io.decode_jpeg(s, channels=1), [None, None, 1], (6, 9, 1)),
             (lambda s: tf.io.decode_image(s, channels=3, expand_animations=False), [None, None, 3], (6, 9, 3)),
             (lambda s: tf.io.decode_gif(s), [None, None, None, 3], (1, 6, 9, 3)),
             (lambda s: tf.io.decode_and_crop_jpeg(s, [0, 0, 2, 4], channels=3), [2, 4, 3], (2, 4, 3))]
    for fn, static, real in cases:
        f = tf.function(fn)
        assert f.get_concrete_function(spec).structured_outputs.shape.as_list() == static
        src = tf.io.encode_jpeg(_image()) if static == [2, 4, 3] else png
        assert f(src).shape == real
    image = tf.function(lambda s: tf.io.decode_image(s))
    assert image.get_concrete_function(spec).structured_outputs.shape.rank is None
    enc = tf.function(lambda x: tf.io.encode_png(x))
    out = enc.get_concrete_function(tf.TensorSpec([None, 2, None, None, 3], tf.uint8)).structured_outputs
    assert out.shape.as_list() == [None, 2] and out.dtype == tf.string


def test_tf_image_aliases_are_exported():
    from tensorforge._api import EXPORTS
    for name in ("decode_png", "decode_jpeg", "decode_image", "encode_png", "encode_jpeg", "decode_gif",
                 "decode_bmp", "is_jpeg", "extract_jpeg_shape", "decode_and_crop_jpeg"):
        assert EXPORTS["image." + name] is getattr(tf.io, name)
