"""Keras 3 image augmentation layers (tensorforge/keras/layers/image_augmentation.py): NumPy
references for the deterministic layers, properties for the random ones."""
import numpy as np
import pytest

import tensorforge as tf
from keras_layer_testing import run_layer_test

L = tf.keras.layers
RNG = np.random.RandomState(0)
X = RNG.randint(0, 256, (3, 6, 7, 3)).astype("float32")
X[0, ..., 1] = 9.0  # a constant channel
GRAY_W = np.array([0.2989, 0.587, 0.114], "float32")


def np_autocontrast(x, lo=0.0, hi=255.0):
    y = (x - lo) / (hi - lo) * 255.0
    mn, mx = y.min(axis=(1, 2), keepdims=True), y.max(axis=(1, 2), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 255.0 / (mx - mn)
        out = np.clip(y * s - mn * s, 0, 255) / 255.0 * (hi - lo) + lo
    return np.where(np.isnan(out), x, out)


def np_equalize(x, bins=256, lo=0.0, hi=255.0):
    """Per-channel equalisation with the histogram over the whole batch."""
    x = (x - lo) / (hi - lo) * 255.0
    out = np.empty_like(x)
    for c in range(x.shape[-1]):
        ch = x[..., c]
        idx = np.clip((ch * (bins - 1) / 255.0).astype(np.int32), 0, bins - 1)
        hist = np.bincount(idx.ravel(), minlength=bins)
        if np.count_nonzero(hist) <= 1:
            out[..., c] = ch
            continue
        cdf = np.cumsum(hist).astype(np.float64)
        cmin = cdf[np.nonzero(cdf)[0][0]]
        den = cdf[-1] - cmin or 1.0
        lut = np.clip(np.round((cdf - cmin) * 255.0 / den), 0, 255)
        out[..., c] = lut[np.clip(ch / 255.0 * (bins - 1), 0, bins - 1).astype(np.int32)]
    return out / 255.0 * (hi - lo) + lo


def np_conv_same(x, k):
    """Depthwise 'SAME' (zero padded) correlation of NHWC x with a 2-D kernel."""
    kh, kw = k.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(x, [(0, 0), (ph, kh - 1 - ph), (pw, kw - 1 - pw), (0, 0)])
    out = np.zeros_like(x)
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * xp[:, i:i + x.shape[1], j:j + x.shape[2], :]
    return out


# ---------------------------------------------------------------- deterministic layers
@pytest.mark.parametrize("value_range", [(0, 255), (0, 1), (-1, 1)])
def test_auto_contrast_matches_numpy(value_range):
    lo, hi = value_range
    x = X / 255.0 * (hi - lo) + lo
    out = L.AutoContrast(value_range=value_range)(x)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(np.asarray(out), np_autocontrast(x, lo, hi), rtol=1e-5, atol=1e-4)
    # it applies at inference too
    np.testing.assert_allclose(np.asarray(L.AutoContrast(value_range=value_range)(x, training=False)),
                               np_autocontrast(x, lo, hi), rtol=1e-5, atol=1e-4)


def test_auto_contrast_uint8_and_single_image():
    xu = RNG.randint(20, 100, (2, 5, 5, 3)).astype("uint8")
    out = L.AutoContrast()(xu)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(np.asarray(out), np_autocontrast(xu.astype("float32")), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.AutoContrast()(X[1])), np_autocontrast(X[1:2])[0], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("bins,value_range", [(256, (0, 255)), (64, (0, 1)), (16, (0, 255))])
def test_equalization_matches_numpy(bins, value_range):
    lo, hi = value_range
    x = X / 255.0 * (hi - lo) + lo
    out = np.asarray(L.Equalization(value_range=value_range, bins=bins)(x))
    np.testing.assert_allclose(out, np_equalize(x, bins, lo, hi), rtol=1e-5, atol=1e-4 * (hi - lo))


def test_equalization_channels_first_unbatched_and_inference():
    xcf = X.transpose(0, 3, 1, 2)
    out = np.asarray(L.Equalization(data_format="channels_first")(xcf))
    np.testing.assert_allclose(out.transpose(0, 2, 3, 1), np_equalize(X), atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.Equalization()(X[2])), np_equalize(X[2:3])[0], atol=1e-3)
    xu = X.astype("uint8")
    same = L.Equalization()(xu, training=False)
    assert same.dtype == tf.uint8 and np.array_equal(np.asarray(same), xu)


def test_random_invert_grayscale_posterization_degeneration():
    np.testing.assert_allclose(np.asarray(L.RandomInvert(factor=(1.0, 1.0))(X)), 255.0 - X)
    np.testing.assert_allclose(np.asarray(L.RandomInvert(factor=(1.0, 1.0), value_range=(0, 1))(X / 255.0)),
                               1.0 - X / 255.0, atol=1e-6)
    gray = (X * GRAY_W).sum(-1, keepdims=True)
    np.testing.assert_allclose(np.asarray(L.RandomGrayscale(factor=1.0)(X)), np.broadcast_to(gray, X.shape),
                               rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(np.asarray(L.RandomGrayscale(factor=0.0)(X)), X)
    for bits in (1, 3, 8):
        out = np.asarray(L.RandomPosterization(factor=(bits, bits))(X))
        np.testing.assert_array_equal(out, ((X.astype(np.uint8) >> (8 - bits)) << (8 - bits)).astype("float32"))
    out01 = np.asarray(L.RandomPosterization(factor=(4, 4), value_range=(0, 1))(X / 255.0))
    np.testing.assert_allclose(out01, ((X.astype(np.uint8) >> 4) << 4) / 255.0, atol=1e-6)
    out = np.asarray(L.RandomColorDegeneration((1.0, 1.0))(X))
    np.testing.assert_allclose(out, np.broadcast_to(gray, X.shape), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.RandomColorDegeneration((0.0, 0.0))(X)), X)


def test_sharpness_blur_solarization_references():
    a, b = 1.0 / 13.0, 5.0 / 13.0
    smooth = np_conv_same(X, np.array([[a, a, a], [a, b, a], [a, a, a]], "float32"))
    np.testing.assert_allclose(np.asarray(L.RandomSharpness((0.0, 0.0))(X)), np.clip(smooth, 0, 255),
                               rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.RandomSharpness((0.5, 0.5))(X)), X, atol=1e-3)
    s = 0.7 + 1e-6
    k1 = np.exp(-0.5 * ((np.arange(5) - 2.0) / s) ** 2)
    k1 /= k1.sum()
    out = np.asarray(L.RandomGaussianBlur(factor=(1.0, 1.0), kernel_size=5, sigma=(0.7, 0.7))(X))
    np.testing.assert_allclose(out, np.clip(np_conv_same(X, np.outer(k1, k1)), 0, 255), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.Solarization()(X)), 255.0 - X)
    np.testing.assert_allclose(np.asarray(L.Solarization(value_range=(0, 1))(X / 255.0)), 1.0 - X / 255.0,
                               atol=1e-6)


def test_hue_and_saturation_identities():
    x = X / 255.0
    np.testing.assert_allclose(np.asarray(L.RandomHue((0.0, 0.0), value_range=(0, 1))(x)), x, atol=1e-5)
    np.testing.assert_allclose(np.asarray(L.RandomSaturation((0.5, 0.5), value_range=(0, 1))(x)), x, atol=1e-5)
    # saturation factor 0 -> gray: every pixel's channels equal their max (the value)
    out = np.asarray(L.RandomSaturation((0.0, 0.0))(x))
    np.testing.assert_allclose(out, np.broadcast_to(x.max(-1, keepdims=True), x.shape), atol=1e-5)
    # a half-turn hue shift keeps the value (max) and the min of each pixel
    out = np.asarray(L.RandomHue((1.0, 1.0), value_range=(0, 255))(X))
    np.testing.assert_allclose(out.max(-1), X.max(-1), atol=1e-2)
    np.testing.assert_allclose(out.min(-1), X.min(-1), atol=1e-2)


def test_geometric_identities():
    np.testing.assert_allclose(np.asarray(L.RandomShear(0.0, 0.0)(X)), X, atol=1e-4)
    np.testing.assert_allclose(np.asarray(L.RandomPerspective(scale=0.0)(X)), X, atol=1e-3)
    np.testing.assert_allclose(np.asarray(L.RandomElasticTransform(scale=0.0)(X)), X)


def test_shear_moves_rows_by_integer_offsets():
    # with x_factor s and y_factor 0 the output row y samples the input at x + (+-s) * y
    img = np.tile(np.arange(7, dtype="float32")[None, None, :, None], (1, 6, 1, 1))
    out = np.asarray(L.RandomShear(x_factor=(1.0, 1.0), fill_mode="constant", interpolation="nearest")(img))
    sign = 1 if out[0, 1, 0, 0] == 1.0 else -1
    for y in range(6):
        xs = np.arange(7) + sign * y
        expect = np.where((xs >= 0) & (xs <= 6), xs, 0).astype("float32")
        np.testing.assert_array_equal(out[0, y, :, 0], expect)


# ---------------------------------------------------------------- random layers: properties
def test_random_layers_identity_when_not_training():
    xu = X.astype("uint8")
    for layer in [L.RandomInvert(), L.RandomGrayscale(), L.RandomPosterization(3), L.RandomColorDegeneration(0.5),
                  L.RandomHue(0.3), L.RandomSaturation(0.3), L.MixUp(), L.RandomColorJitter(brightness_factor=0.3),
                  L.Equalization()]:
        out = layer(xu, training=False)
        assert out.dtype == tf.uint8, type(layer).__name__
        np.testing.assert_array_equal(np.asarray(out), xu)
    for layer in [L.RandomSharpness(0.3), L.RandomGaussianBlur(), L.RandomErasing(), L.RandomShear(0.3),
                  L.RandomPerspective(), L.RandomElasticTransform(), L.CutMix(), L.AugMix(), L.RandAugment(),
                  L.Solarization(0.3, 0.3)]:
        out = layer(xu, training=False)
        assert out.dtype == tf.float32, type(layer).__name__
        np.testing.assert_array_equal(np.asarray(out), X.astype("uint8").astype("float32"))


def test_random_outputs_stay_in_value_range():
    for layer in [L.RandomColorDegeneration((-1.0, 1.0)), L.RandomSharpness(1.0), L.RandomGaussianBlur(sigma=1.0),
                  L.RandomElasticTransform(), L.AugMix(), L.RandomColorJitter(brightness_factor=0.5,
                                                                               contrast_factor=0.5),
                  L.RandomErasing(fill_value=300.0)]:
        out = np.asarray(layer(X))
        assert out.shape == X.shape and out.min() >= 0.0 and out.max() <= 255.0, type(layer).__name__


def test_random_posterization_draws_bits_in_range():
    out = np.asarray(L.RandomPosterization(factor=(2, 5), seed=1)(np.full((64, 2, 2, 1), 255.0, "float32")))
    kept = 8 - np.log2(256 - out[:, 0, 0, 0]).astype(int)
    assert set(kept) <= {2, 3, 4} and len(set(kept)) > 1  # randint's upper bound is exclusive, as in Keras


def test_random_erasing_erases_one_box():
    x = np.ones((8, 20, 20, 3), "float32")
    out = np.asarray(L.RandomErasing(factor=(1.0, 1.0), scale=(0.1, 0.3), fill_value=0.0)(x))
    for img in out:
        ys, xs = np.nonzero(img[..., 0] == 0.0)
        assert len(ys) > 0
        box = img[ys.min():ys.max() + 1, xs.min():xs.max() + 1, 0]
        assert (box == 0.0).all()  # a filled rectangle
        assert 0.1 * 400 * 0.5 <= len(ys) <= 0.3 * 400 * 1.5


def test_mixup_mixes_images_and_labels_consistently():
    b = 6
    x = np.broadcast_to(np.arange(b, dtype="float32")[:, None, None, None], (b, 4, 4, 3)).copy()
    labels = np.eye(b, dtype="float32")
    out = L.MixUp(alpha=0.4, seed=3)({"images": x, "labels": labels})
    imgs, labs = np.asarray(out["images"]), np.asarray(out["labels"])
    np.testing.assert_allclose(labs.sum(-1), 1.0, rtol=1e-5)
    # each image equals its label-weighted mix of the constant images
    np.testing.assert_allclose(imgs[:, 0, 0, 0], labs @ np.arange(b), rtol=1e-4, atol=1e-4)
    assert np.allclose(imgs, imgs[:, :1, :1, :1])


def test_cutmix_pastes_pixels_and_mixes_labels_by_area():
    b = 5
    x = np.broadcast_to(np.arange(b, dtype="float32")[:, None, None, None], (b, 10, 10, 1)).copy()
    out = L.CutMix(seed=2)({"images": x, "labels": np.eye(b, dtype="float32")})
    imgs, labs = np.asarray(out["images"]), np.asarray(out["labels"])
    np.testing.assert_allclose(labs.sum(-1), 1.0, rtol=1e-5)
    for i in range(b):
        values = set(np.unique(imgs[i]).tolist())
        assert values <= {float(i), *[float(j) for j in range(b)]} and len(values) <= 2
        own = (imgs[i] == i).mean()
        if len(values) == 2:  # own label weight ~ the fraction of own pixels
            assert abs(labs[i, i] - own) < 0.25
    # unbatched: unchanged
    np.testing.assert_array_equal(np.asarray(L.CutMix()(X[0])), X[0])


def test_seeds_reproduce_with_global_seed():
    outs = []
    for _ in range(2):
        tf.random.set_seed(7)
        outs.append(np.asarray(L.RandomShear(0.3, 0.3, seed=4)(X)))
    np.testing.assert_array_equal(outs[0], outs[1])


def test_augmix_and_randaugment_shapes():
    for layer in [L.AugMix(seed=1), L.AugMix(all_ops=False, num_chains=2), L.RandAugment(num_ops=3)]:
        out = layer(X)
        assert out.shape == X.shape and out.dtype == tf.float32
        assert layer(X[0]).shape == X[0].shape


# ---------------------------------------------------------------- graph modes
@pytest.mark.parametrize("make", [
    lambda: L.AutoContrast(), lambda: L.Equalization(), lambda: L.RandomInvert(), lambda: L.RandomHue(0.2),
    lambda: L.RandomGaussianBlur(), lambda: L.RandomErasing(), lambda: L.RandomShear(0.2),
    lambda: L.RandomPerspective(), lambda: L.RandomElasticTransform(), lambda: L.MixUp(), lambda: L.CutMix(),
    lambda: L.RandAugment(), lambda: L.AugMix(num_chains=1)])
def test_tf_function_and_dataset_map(make):
    layer = make()
    assert tf.function(lambda a: layer(a))(tf.constant(X)).shape == X.shape
    batches = list(tf.data.Dataset.from_tensor_slices(X).batch(2).map(lambda a: layer(a)))
    assert [tuple(b.shape) for b in batches] == [(2, 6, 7, 3), (1, 6, 7, 3)]
    singles = list(tf.data.Dataset.from_tensor_slices(X).map(lambda a: layer(a)))
    assert len(singles) == 3 and tuple(singles[0].shape) == (6, 7, 3)


def test_deterministic_layers_same_inside_tf_function():
    layer = L.Pipeline([L.Equalization(), L.AutoContrast(), L.RandomInvert(factor=(1.0, 1.0))])
    eager = np.asarray(layer(X))
    np.testing.assert_allclose(eager, 255.0 - np_autocontrast(np_equalize(X)), atol=1e-3)
    np.testing.assert_allclose(np.asarray(tf.function(lambda a: layer(a))(tf.constant(X))), eager, atol=1e-4)


# ---------------------------------------------------------------- pipeline, boxes, configs and errors
def test_pipeline_passes_training_and_round_trips():
    p = L.Pipeline([L.RandomInvert(factor=(1.0, 1.0)), L.AutoContrast()], name="pipe")
    np.testing.assert_allclose(np.asarray(p(X, training=False)), np_autocontrast(X), atol=1e-3)
    cfg = p.get_config()
    assert set(cfg) == {"layers", "name"} and cfg["name"] == "pipe" and len(cfg["layers"]) == 2
    q = L.Pipeline.from_config(cfg)
    np.testing.assert_allclose(np.asarray(q(X)), np.asarray(p(X)), atol=1e-4)
    with pytest.raises(ValueError, match="must contain a `layers` key"):
        L.Pipeline.from_config({"name": "x"})


def test_max_num_bounding_boxes():
    boxes = {"boxes": np.arange(3 * 2 * 4, dtype="float32").reshape(3, 2, 4), "labels": np.ones((3, 2), "int32")}
    out = L.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")({"images": X, "bounding_boxes": boxes})
    b, lab = np.asarray(out["bounding_boxes"]["boxes"]), np.asarray(out["bounding_boxes"]["labels"])
    assert b.shape == (3, 4, 4) and lab.shape == (3, 4)
    np.testing.assert_array_equal(b[:, :2], boxes["boxes"])
    assert (b[:, 2:] == -1).all() and (lab[:, 2:] == -1).all()
    out = L.MaxNumBoundingBoxes(1, bounding_box_format="xyxy")({"images": X, "bounding_boxes": boxes})
    np.testing.assert_array_equal(np.asarray(out["bounding_boxes"]["boxes"]), boxes["boxes"][:, :1])
    with pytest.raises(ValueError, match="bounding box format"):
        L.MaxNumBoundingBoxes(4)({"images": X, "bounding_boxes": boxes})


@pytest.mark.parametrize("layer,keys", [
    (L.AutoContrast(), {"value_range"}),
    (L.Equalization(), {"bins", "value_range"}),
    (L.RandomInvert(), {"factor", "value_range", "seed"}),
    (L.RandomGrayscale(), {"factor"}),
    (L.RandomPosterization(4), {"factor", "value_range", "seed"}),
    (L.RandomColorDegeneration(0.5), {"factor", "value_range", "seed"}),
    (L.RandomHue(0.3), {"factor", "value_range", "seed"}),
    (L.RandomSaturation(0.3), {"factor", "value_range", "seed"}),
    (L.RandomSharpness(0.3), {"factor", "value_range", "seed"}),
    (L.RandomGaussianBlur(), {"factor", "kernel_size", "sigma", "value_range", "seed"}),
    (L.RandomErasing(), {"factor", "scale", "fill_value", "value_range", "seed"}),
    (L.MixUp(), {"alpha", "seed"}),
    (L.CutMix(), {"factor", "seed"}),
    (L.RandomColorJitter(), {"value_range", "brightness_factor", "contrast_factor", "saturation_factor",
                             "hue_factor", "seed"}),
    (L.RandomShear(0.2), {"x_factor", "y_factor", "fill_mode", "interpolation", "seed", "fill_value"}),
    (L.RandomPerspective(), {"factor", "scale", "interpolation", "fill_value", "seed"}),
    (L.RandomElasticTransform(), {"factor", "scale", "interpolation", "fill_mode", "fill_value", "value_range",
                                  "seed"}),
    (L.AugMix(), {"value_range", "num_chains", "chain_depth", "factor", "alpha", "all_ops", "interpolation",
                  "seed"}),
    (L.RandAugment(), {"value_range", "num_ops", "factor", "interpolation", "seed"}),
    (L.MaxNumBoundingBoxes(3), {"max_number"}),
    (L.Solarization(), {"value_range", "addition_factor", "threshold_factor", "seed"}),
])
def test_get_config_keys_and_round_trip(layer, keys):
    cfg = layer.get_config()
    assert set(cfg) == {"name", "trainable", "dtype", "data_format"} | keys
    if not isinstance(layer, L.RandomShear):  # Keras's RandomShear cannot re-read its own negative factors
        again = type(layer).from_config(cfg)
        assert again.get_config() == cfg


def test_config_values_match_keras_conventions():
    assert L.RandomInvert().get_config()["factor"] == (0, 1.0)
    assert L.RandomPosterization(4).get_config()["factor"] == (1, 4)
    assert L.RandomHue(0.3).get_config()["factor"] == (0, 0.3)
    assert L.RandomSaturation(0.3).get_config()["factor"] == (-0.3, 0.3)
    assert L.RandomGaussianBlur().get_config()["kernel_size"] == (3, 3)
    assert L.RandomShear(0.2).get_config()["y_factor"] == (-0.0, 0.0)
    assert L.AugMix().get_config()["factor"] == (0, 0.3)
    assert L.Equalization(value_range=(255, 0)).get_config()["value_range"] == [0, 255]


def test_errors():
    with pytest.raises(ValueError, match="value_range"):
        L.AutoContrast(value_range=5)
    with pytest.raises(ValueError, match="`factor` should be between 0 and 1"):
        L.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match=r"range \[1, 8\]"):
        L.RandomPosterization(9)
    with pytest.raises(ValueError, match="kernel_size must be an odd number"):
        L.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(NotImplementedError, match="Unknown `fill_mode`"):
        L.RandomShear(0.2, fill_mode="bogus")
    with pytest.raises(ValueError, match="in the range \\[0, 1.0\\]"):
        L.RandomShear(1.5)
    with pytest.raises(ValueError, match="`scale` argument should be a number in the range"):
        L.RandomPerspective(scale=2.0)
    with pytest.raises(NotImplementedError, match="Unknown `interpolation`"):
        L.RandomElasticTransform(interpolation="cubic")
    with pytest.raises(ValueError, match="rank 3 .* or 4"):
        L.AutoContrast()(np.zeros((2, 2), "float32"))
    with pytest.raises(ValueError, match="Invalid channel size"):
        L.RandomGrayscale(1.0)(np.zeros((1, 2, 2, 2), "float32"))
    with pytest.raises(ValueError, match="addition_factor"):
        L.Solarization(addition_factor=2.0)


def np_clahe(x, clip_limit, grid):
    """CLAHE as Keras 3 defines it, written with loops over tiles and pixels."""
    b, h, w, c = x.shape
    gh, gw = grid
    th, tw = -(-h // gh), -(-w // gw)
    xp = np.pad(x, [(0, 0), (0, th * gh - h), (0, tw * gw - w), (0, 0)], mode="symmetric")
    pix = np.clip(xp.astype(np.int32), 0, 255)
    cdf = np.zeros((b, gh + 2, gw + 2, c, 256))
    for i in range(gh):
        for j in range(gw):
            tile = pix[:, i * th:(i + 1) * th, j * tw:(j + 1) * tw, :]
            for n in range(b):
                for ch in range(c):
                    hist = np.bincount(tile[n, ..., ch].ravel(), minlength=256).astype(np.float64)
                    if clip_limit > 0:
                        lim = clip_limit * th * tw / 256.0
                        cl = np.minimum(hist, lim)
                        hist = cl + (hist - cl).sum() / 256.0
                    cd = np.cumsum(hist)
                    den = th * tw - cd.min() or 1.0
                    cdf[n, i + 1, j + 1, ch] = np.clip((cd - cd.min()) * 255.0 / den, 0, 255)
    cdf[:, 0], cdf[:, -1] = cdf[:, 1], cdf[:, -2]
    cdf[:, :, 0], cdf[:, :, -1] = cdf[:, :, 1], cdf[:, :, -2]
    out = np.zeros(xp.shape)
    for y in range(xp.shape[1]):
        fy = (y - th / 2.0) / th + 1.0
        y0 = int(np.floor(fy))
        wy = fy - y0
        y0c, y1c = np.clip([y0, y0 + 1], 0, gh + 1)
        for xx in range(xp.shape[2]):
            fx = (xx - tw / 2.0) / tw + 1.0
            x0 = int(np.floor(fx))
            wx = fx - x0
            x0c, x1c = np.clip([x0, x0 + 1], 0, gw + 1)
            p = pix[:, y, xx, :]
            bi, ci = np.arange(b)[:, None], np.arange(c)[None, :]
            top = cdf[bi, y0c, x0c, ci, p] * (1 - wx) + cdf[bi, y0c, x1c, ci, p] * wx
            bot = cdf[bi, y1c, x0c, ci, p] * (1 - wx) + cdf[bi, y1c, x1c, ci, p] * wx
            out[:, y, xx, :] = top * (1 - wy) + bot * wy
    return out[:, :h, :w, :]


@pytest.mark.parametrize("clip_limit,grid", [(4.0, (8, 8)), (2.0, (3, 4)), (0, (2, 2))])
def test_clahe_matches_numpy(clip_limit, grid):
    x = RNG.randint(0, 256, (2, 17, 13, 3)).astype("float32")
    x[1] = np.clip(x[1] * 0.3 + 40, 0, 255)
    layer = L.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=clip_limit, tile_grid_size=grid)
    expect = np_clahe(x, clip_limit, grid)
    np.testing.assert_allclose(np.asarray(layer(x)), expect, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(np.asarray(layer(x, training=False)), expect, rtol=1e-4, atol=1e-3)
    cf = L.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=clip_limit, tile_grid_size=grid,
                                                        data_format="channels_first")
    np.testing.assert_allclose(np.asarray(cf(x.transpose(0, 3, 1, 2))).transpose(0, 2, 3, 1), expect, atol=1e-3)
    out01 = L.ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 1), clip_limit=clip_limit,
                                                           tile_grid_size=grid)(x / 255.0)
    np.testing.assert_allclose(np.asarray(out01), expect / 255.0, atol=1e-5)
    xu = x.astype("uint8")
    out_u = layer(xu)
    assert out_u.dtype == tf.uint8  # cast back to the input dtype (truncating), as Keras does
    np.testing.assert_array_equal(np.asarray(out_u), np_clahe(xu.astype("float32"), clip_limit, grid)
                                  .astype("float32").astype("uint8"))


def test_clahe_graph_modes_and_config():
    layer = L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 3))
    eager = np.asarray(layer(X))
    np.testing.assert_allclose(np.asarray(tf.function(lambda a: layer(a))(tf.constant(X))), eager, atol=1e-4)
    got = np.concatenate([np.asarray(b) for b in tf.data.Dataset.from_tensor_slices(X).batch(2).map(layer)])
    np.testing.assert_allclose(got, eager, atol=1e-4)
    cfg = layer.get_config()
    assert set(cfg) == {"name", "trainable", "dtype", "data_format", "value_range", "clip_limit", "tile_grid_size"}
    assert type(layer).from_config(cfg).get_config() == cfg


@pytest.mark.parametrize("cls,kwargs,call_kwargs", [
    (L.AutoContrast, {}, {}),
    (L.Equalization, {"bins": 32}, {}),
    (L.ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (2, 2)}, {}),
    (L.Solarization, {"threshold_factor": 0.0}, {}),
    (L.RandomInvert, {"factor": (1.0, 1.0)}, {}),
    (L.RandomGrayscale, {"factor": 1.0}, {}),
    (L.RandomPosterization, {"factor": (3, 3)}, {}),
    (L.RandomColorDegeneration, {"factor": 0.4, "seed": 1}, {"training": False}),
    (L.RandomHue, {"factor": 0.4}, {"training": False}),
    (L.RandomSaturation, {"factor": 0.4}, {"training": False}),
    (L.RandomSharpness, {"factor": 0.4}, {"training": False}),
    (L.RandomGaussianBlur, {"kernel_size": 5}, {"training": False}),
    (L.RandomErasing, {"fill_value": 3.0}, {"training": False}),
    (L.RandomColorJitter, {"brightness_factor": 0.2, "hue_factor": 0.1}, {"training": False}),
    (L.RandomShear, {"x_factor": (0.0, 0.3)}, {"training": False}),
    (L.RandomPerspective, {"scale": 0.5}, {"training": False}),
    (L.RandomElasticTransform, {"scale": 0.5}, {"training": False}),
    (L.MixUp, {"alpha": 0.5}, {"training": False}),
    (L.CutMix, {}, {"training": False}),
    (L.AugMix, {"num_chains": 2}, {"training": False}),
    (L.RandAugment, {"num_ops": 1}, {"training": False}),
])
def test_run_layer_test(cls, kwargs, call_kwargs):
    x = RNG.randint(0, 256, (2, 8, 8, 3)).astype("float32")
    run_layer_test(cls, kwargs, input_data=x, input_shape=x.shape, expected_output_shape=x.shape,
                   expected_num_trainable_weights=0, call_kwargs=call_kwargs)
