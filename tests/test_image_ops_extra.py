"""tf.image colour spaces, metrics, crop_and_resize, extract_patches, draw_bounding_boxes and NMS,
checked against NumPy formulas."""
import colorsys

import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(0)


def _img(*shape):
    return RNG.uniform(0, 1, shape).astype(np.float32)


def test_rgb_hsv_round_trip_and_colorsys():
    x = _img(4, 5, 3)
    hsv = tf.image.rgb_to_hsv(x).numpy()
    want = np.array([colorsys.rgb_to_hsv(*p) for p in x.reshape(-1, 3)]).reshape(x.shape)
    np.testing.assert_allclose(hsv, want, atol=1e-6)
    np.testing.assert_allclose(tf.image.hsv_to_rgb(hsv).numpy(), x, atol=1e-6)
    assert tf.image.rgb_to_hsv(x.astype(np.float64)).dtype == tf.float64
    with pytest.raises(tf.errors.FailedPreconditionError, match="3 channels"):
        tf.image.rgb_to_hsv(np.zeros((2, 4), np.float32))


def test_rgb_to_hsv_gradient_matches_finite_differences():
    x = RNG.uniform(0.1, 1, (3, 3))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(tf.image.rgb_to_hsv(xt) * tf.constant([1.0, 2.0, 3.0], tf.float64))
    g = tape.gradient(y, xt).numpy()
    eps = 1e-6
    num = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[i] += eps
        m[i] -= eps
        f = [np.sum(np.array([colorsys.rgb_to_hsv(*r) for r in a]) * [1, 2, 3]) for a in (p, m)]
        num[i] = (f[0] - f[1]) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("delta", [0.2, -0.6, 1.0])
def test_adjust_hue_rotates_hue(delta):
    x = _img(3, 4, 3)
    out = tf.image.adjust_hue(x, delta).numpy()
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in x.reshape(-1, 3)])
    hsv[:, 0] = (hsv[:, 0] + delta) % 1.0
    want = np.array([colorsys.hsv_to_rgb(*p) for p in hsv]).reshape(x.shape)
    np.testing.assert_allclose(out, want, atol=1e-5)
    with pytest.raises(ValueError, match=r"interval \[-1, 1\]"):
        tf.image.adjust_hue(x, 1.5)


@pytest.mark.parametrize("factor", [0.0, 0.4, 2.5])
def test_adjust_saturation_scales_and_clips(factor):
    x = _img(3, 4, 3)
    out = tf.image.adjust_saturation(x, factor).numpy()
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in x.reshape(-1, 3)])
    hsv[:, 1] = np.clip(hsv[:, 1] * factor, 0, 1)
    want = np.array([colorsys.hsv_to_rgb(*p) for p in hsv]).reshape(x.shape)
    np.testing.assert_allclose(out, want, atol=1e-5)


def test_hue_saturation_integer_images_and_random_variants():
    x = (_img(4, 4, 3) * 255).astype(np.uint8)
    assert tf.image.adjust_hue(x, 0.1).dtype == tf.uint8
    assert tf.image.adjust_saturation(x, 0.5).dtype == tf.uint8
    np.testing.assert_array_equal(tf.image.adjust_hue(x, 0.0).numpy(), x)
    assert tf.image.random_hue(_img(2, 2, 3), 0.2).shape == (2, 2, 3)
    assert tf.image.random_saturation(_img(2, 2, 3), 0.5, 1.5).shape == (2, 2, 3)
    a = tf.image.stateless_random_hue(_img(2, 2, 3), 0.2, seed=(1, 2))
    assert a.shape == (2, 2, 3)
    y = _img(2, 2, 3)
    np.testing.assert_array_equal(tf.image.stateless_random_saturation(y, 0.5, 1.0, (3, 4)).numpy(),
                                  tf.image.stateless_random_saturation(y, 0.5, 1.0, (3, 4)).numpy())
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        tf.image.random_hue(y, 0.7)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_saturation(y, 1.0, 0.5)


def test_yiq_yuv_are_linear_and_invert():
    x = _img(2, 3, 3).astype(np.float64)
    yiq = tf.image.rgb_to_yiq(x).numpy()
    np.testing.assert_allclose(yiq[..., 0], x @ np.array([0.299, 0.587, 0.114]), atol=1e-12)
    np.testing.assert_allclose(tf.image.yiq_to_rgb(yiq).numpy(), x, atol=2e-4)  # TF's matrices: 4 digits
    np.testing.assert_allclose(tf.image.yuv_to_rgb(tf.image.rgb_to_yuv(x)).numpy(), x, atol=2e-4)


def test_total_variation_psnr_gradients():
    x, y = _img(2, 5, 6, 3), _img(2, 5, 6, 3)
    tv = np.abs(np.diff(x, axis=1)).sum((1, 2, 3)) + np.abs(np.diff(x, axis=2)).sum((1, 2, 3))
    np.testing.assert_allclose(tf.image.total_variation(tf.constant(x)).numpy(), tv, rtol=1e-5)
    mse = ((x - y) ** 2).mean((1, 2, 3))
    np.testing.assert_allclose(tf.image.psnr(x, y, 1.0).numpy(), -10 * np.log10(mse), rtol=1e-5)
    dy, dx = tf.image.image_gradients(tf.constant(x))
    want_dy = np.concatenate([np.diff(x, axis=1), np.zeros_like(x[:, :1])], 1)
    np.testing.assert_allclose(dy.numpy(), want_dy)
    assert dx.shape == x.shape
    with pytest.raises(ValueError, match="4D tensor"):
        tf.image.image_gradients(tf.constant(x[0]))


def test_sobel_edges_matches_numpy_filter():
    x = _img(1, 5, 6, 2)
    out = tf.image.sobel_edges(tf.constant(x)).numpy()
    p = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32)
    want = sum(ky[i, j] * p[:, i:i + 5, j:j + 6] for i in range(3) for j in range(3))
    np.testing.assert_allclose(out[..., 0], want, atol=1e-5)
    np.testing.assert_allclose(out[..., 1], sum(ky.T[i, j] * p[:, i:i + 5, j:j + 6]
                                                for i in range(3) for j in range(3)), atol=1e-5)


def test_ssim_identical_images_is_one_and_matches_global_formula():
    x = _img(2, 16, 16, 3)
    np.testing.assert_allclose(tf.image.ssim(x, x, 1.0).numpy(), 1.0, rtol=1e-5)
    y = np.clip(x + RNG.normal(0, 0.05, x.shape), 0, 1).astype(np.float32)
    # A window covering the whole image: SSIM is the global statistic (Gaussian-weighted).
    s = tf.image.ssim(x[:, :11, :11], y[:, :11, :11], 1.0).numpy()
    g = np.exp(-0.5 * ((np.arange(11) - 5) / 1.5) ** 2)
    w = np.outer(g, g) / np.outer(g, g).sum()
    a, b = x[:, :11, :11].astype(np.float64), y[:, :11, :11].astype(np.float64)
    mx, my = (w[None, :, :, None] * a).sum((1, 2)), (w[None, :, :, None] * b).sum((1, 2))
    sxy = (w[None, :, :, None] * a * b).sum((1, 2)) - mx * my
    sxx = (w[None, :, :, None] * (a * a + b * b)).sum((1, 2)) - mx ** 2 - my ** 2
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    want = ((2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1) * (2 * sxy + c2) / (sxx + c2)).mean(-1)
    np.testing.assert_allclose(s, want, rtol=1e-4)
    ms = tf.image.ssim_multiscale(x[:, :, :, :1].repeat(12, 1).repeat(12, 2)[:, :180, :180],
                                  x[:, :, :, :1].repeat(12, 1).repeat(12, 2)[:, :180, :180], 1.0)
    np.testing.assert_allclose(ms.numpy(), 1.0, rtol=1e-4)


def test_metrics_in_tf_function_with_unknown_batch():
    @tf.function(input_signature=[tf.TensorSpec([None, 16, 16, 3]), tf.TensorSpec([None, 16, 16, 3])])
    def f(a, b):
        return (tf.image.ssim(a, b, 1.0), tf.image.psnr(a, b, 1.0), tf.image.total_variation(a),
                tf.image.sobel_edges(a), tf.image.image_gradients(a)[0], tf.image.adjust_hue(a, 0.1),
                tf.image.adjust_saturation(a, 0.5), tf.image.rgb_to_hsv(a), tf.image.rgb_to_yuv(a))
    x, y = _img(2, 16, 16, 3), _img(2, 16, 16, 3)
    got = f(x, y)
    want = (tf.image.ssim(x, y, 1.0), tf.image.psnr(x, y, 1.0), tf.image.total_variation(tf.constant(x)),
            tf.image.sobel_edges(tf.constant(x)), tf.image.image_gradients(tf.constant(x))[0],
            tf.image.adjust_hue(x, 0.1), tf.image.adjust_saturation(x, 0.5), tf.image.rgb_to_hsv(x),
            tf.image.rgb_to_yuv(x))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_ssim_gradient_flows():
    x, y = tf.constant(_img(1, 12, 12, 1)), tf.constant(_img(1, 12, 12, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.image.ssim(x, y, 1.0))
    g = tape.gradient(loss, x)
    assert g.shape == x.shape and np.isfinite(g.numpy()).all()


def _bilinear(img, yy, xx):
    y0, x0 = np.floor(yy).astype(int), np.floor(xx).astype(int)
    y1, x1 = np.ceil(yy).astype(int), np.ceil(xx).astype(int)
    ly, lx = yy - y0, xx - x0
    top = img[y0, x0] * (1 - lx) + img[y0, x1] * lx
    bot = img[y1, x0] * (1 - lx) + img[y1, x1] * lx
    return top * (1 - ly) + bot * ly


def test_crop_and_resize_bilinear_nearest_extrapolation():
    img = _img(2, 6, 7, 2)
    boxes = np.array([[0.1, 0.2, 0.9, 0.8], [-0.5, 0.0, 0.5, 1.0]], np.float32)
    out = tf.image.crop_and_resize(img, boxes, [1, 0], [3, 4], extrapolation_value=-1.0).numpy()
    assert out.shape == (2, 3, 4, 2) and out.dtype == np.float32
    ys = 0.1 * 5 + np.arange(3) * 0.8 * 5 / 2
    xs = 0.2 * 6 + np.arange(4) * 0.6 * 6 / 3
    want = np.array([[_bilinear(img[1], y, x) for x in xs] for y in ys])
    np.testing.assert_allclose(out[0], want, atol=1e-5)
    assert (out[1, 0] == -1.0).all()  # row above the image
    near = tf.image.crop_and_resize(img, [[0.0, 0.0, 1.0, 1.0]], [0], [6, 7], method="nearest").numpy()
    np.testing.assert_allclose(near[0], img[0])


def test_crop_and_resize_gradients_match_finite_differences():
    img = RNG.standard_normal((1, 5, 6, 1))
    boxes = np.array([[0.13, 0.21, 0.81, 0.77]])
    cot = RNG.standard_normal((1, 3, 4, 1))

    def f(i, b):
        return float(np.sum(tf.image.crop_and_resize(i, b.astype(np.float32), [0], [3, 4]).numpy() * cot))

    it, bt = tf.constant(img.astype(np.float32)), tf.constant(boxes.astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch([it, bt])
        loss = tf.reduce_sum(tf.image.crop_and_resize(it, bt, [0], [3, 4]) * cot.astype(np.float32))
    gi, gb = tape.gradient(loss, [it, bt])
    # Bilinear sampling is linear in the image: the gradient is the sampling weight matrix transposed.
    num = np.zeros_like(img)
    for idx in np.ndindex(img.shape):
        e = np.zeros_like(img)
        e[idx] = 1
        num[idx] = f(e.astype(np.float32), boxes)
    np.testing.assert_allclose(gi.numpy(), num, atol=1e-4)
    eps = 1e-3
    for k in range(4):
        p, m = boxes.copy(), boxes.copy()
        p[0, k] += eps
        m[0, k] -= eps
        np.testing.assert_allclose(gb.numpy()[0, k], (f(img, p) - f(img, m)) / (2 * eps), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_extract_patches_matches_loops_and_gradient(padding):
    x = _img(2, 7, 6, 2)
    k, s, r = (2, 3), (2, 1), (1, 2)
    out = tf.image.extract_patches(x, [1, *k, 1], [1, *s, 1], [1, *r, 1], padding).numpy()
    keff = [k[i] + (k[i] - 1) * (r[i] - 1) for i in range(2)]
    if padding == "VALID":
        oh, ow = [-(-(x.shape[1 + i] - keff[i] + 1) // s[i]) for i in range(2)]
        p = x
    else:
        oh, ow = [-(-x.shape[1 + i] // s[i]) for i in range(2)]
        tot = [max((o - 1) * s[i] + keff[i] - x.shape[1 + i], 0) for i, o in enumerate((oh, ow))]
        p = np.pad(x, [(0, 0), (tot[0] // 2, tot[0] - tot[0] // 2), (tot[1] // 2, tot[1] - tot[1] // 2), (0, 0)])
    want = np.zeros((2, oh, ow, k[0] * k[1] * 2), np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = p[:, i * s[0]:i * s[0] + keff[0]:r[0], j * s[1]:j * s[1] + keff[1]:r[1]]
            want[:, i, j] = patch.reshape(2, -1)
    np.testing.assert_array_equal(out, want)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(tf.image.extract_patches(xt, [1, *k, 1], [1, *s, 1], [1, *r, 1], padding))
    counts = tf.image.extract_patches(np.ones_like(x), [1, *k, 1], [1, *s, 1], [1, *r, 1], padding)
    assert float(tf.reduce_sum(tape.gradient(y, xt))) == pytest.approx(float(tf.reduce_sum(counts)))


def test_draw_bounding_boxes_outline():
    img = np.zeros((1, 5, 5, 3), np.float32)
    out = tf.image.draw_bounding_boxes(img, [[[0.25, 0.25, 0.75, 1.0]]], [[1.0, 0.0, 0.0, 1.0]]).numpy()[0]
    mask = np.zeros((5, 5), bool)
    mask[1, 1:5] = mask[3, 1:5] = mask[1:4, 1] = mask[1:4, 4] = True
    np.testing.assert_array_equal(out[..., 0] == 1.0, mask)
    assert (out[..., 1:] == 0).all()


def _greedy_nms(boxes, scores, max_out, thr, score_thr=-np.inf):
    def iou(a, b):
        ih = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        iw = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = ih * iw
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    sel = []
    for i in order:
        if scores[i] <= score_thr or len(sel) == max_out:
            continue
        if all(iou(boxes[i], boxes[j]) <= thr for j in sel):
            sel.append(i)
    return sel


def test_non_max_suppression_greedy_with_ties():
    c = RNG.uniform(0, 1, (40, 2)).astype(np.float32)
    boxes = np.concatenate([c, c + RNG.uniform(0.1, 0.4, (40, 2)).astype(np.float32)], 1)
    scores = np.round(RNG.uniform(0, 1, 40), 1).astype(np.float32)
    for thr in (0.0, 0.3, 0.6):
        got = tf.image.non_max_suppression(boxes, scores, 15, thr).numpy()
        assert got.dtype == np.int32
        assert list(got) == _greedy_nms(boxes, scores, 15, thr)
    got = tf.image.non_max_suppression(boxes, scores, 40, 0.5, score_threshold=0.45).numpy()
    assert list(got) == _greedy_nms(boxes, scores, 40, 0.5, 0.45)
    idx, sc = tf.image.non_max_suppression_with_scores(boxes, scores, 10, 0.5)
    np.testing.assert_array_equal(sc.numpy(), scores[idx.numpy()])
    idx, valid = tf.image.non_max_suppression_padded(boxes, scores, 50, 0.5, pad_to_max_output_size=True)
    assert idx.shape == (50,) and int(valid) == len(_greedy_nms(boxes, scores, 50, 0.5))
    ov = RNG.uniform(0, 1, (10, 10)).astype(np.float32)
    ov = (ov + ov.T) / 2
    sel = tf.image.non_max_suppression_overlaps(ov, scores[:10], 10, 0.5).numpy()
    for a in range(len(sel)):
        for b in range(a):
            assert ov[sel[a], sel[b]] <= 0.5


def test_soft_nms_decays_overlapping_scores():
    boxes = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    idx, sc = tf.image.non_max_suppression_with_scores(boxes, scores, 3, 1.0, soft_nms_sigma=0.5)
    iou = 0.9 / 1.1
    assert list(idx.numpy()) == [0, 2, 1]
    np.testing.assert_allclose(sc.numpy(), [0.9, 0.7, 0.8 * np.exp(-0.5 * iou * iou / 0.5)], rtol=1e-5)


def test_box_ops_in_tf_function_and_dataset_map():
    boxes = np.array([[0, 0, 1, 1], [0, 0.05, 1, 1.05], [0.5, 0.5, 0.9, 0.9]], np.float32)
    scores = np.array([0.6, 0.9, 0.3], np.float32)

    @tf.function
    def f(b, s, n):
        return tf.image.non_max_suppression(b, s, n, 0.5)
    np.testing.assert_array_equal(f(boxes, scores, tf.constant(3)).numpy(), [1, 2])
    img = _img(4, 8, 8, 3)
    ds = tf.data.Dataset.from_tensor_slices(img).map(
        lambda x: tf.image.crop_and_resize(x[None], [[0.1, 0.1, 0.9, 0.9]], [0], [4, 4])[0])
    got = np.stack([d.numpy() for d in ds])
    np.testing.assert_allclose(got, tf.image.crop_and_resize(img, np.tile([[0.1, 0.1, 0.9, 0.9]], (4, 1)),
                                                             np.arange(4), [4, 4]).numpy())
    ds = tf.data.Dataset.from_tensor_slices(img).map(lambda x: tf.image.adjust_hue(x, 0.2))
    np.testing.assert_allclose(np.stack([d.numpy() for d in ds]), tf.image.adjust_hue(img, 0.2).numpy())
