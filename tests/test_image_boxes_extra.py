"""tf.image.combined_non_max_suppression (against a plain NumPy reference) and
tf.image.(stateless_)sample_distorted_bounding_box (constraints, determinism, errors)."""
import numpy as np
import pytest

import tensorforge as tf

RNG = np.random.default_rng(7)


# ---------------------------------------------------------------- combined NMS
def _iou(a, b):
    ay1, ay2 = sorted((a[0], a[2]))
    ax1, ax2 = sorted((a[1], a[3]))
    by1, by2 = sorted((b[0], b[2]))
    bx1, bx2 = sorted((b[1], b[3]))
    area_a, area_b = (ay2 - ay1) * (ax2 - ax1), (by2 - by1) * (bx2 - bx1)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(min(ay2, by2) - max(ay1, by1), 0) * max(min(ax2, bx2) - max(ax1, bx1), 0)
    return inter / (area_a + area_b - inter)


def _reference(boxes, scores, mspc, total, iou_t, score_t, pad_per_class, clip):
    """Straightforward loops: greedy NMS per (batch, class), then the best detections per batch."""
    batch, n, q, _ = boxes.shape
    nc = scores.shape[2]
    per_batch = min(total, mspc * nc) if pad_per_class else total
    out_b = np.zeros((batch, per_batch, 4), np.float32)
    out_s = np.zeros((batch, per_batch), np.float32)
    out_c = np.zeros((batch, per_batch), np.float32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        dets = []
        for c in range(nc):
            bx = boxes[b, :, c if q > 1 else 0]
            order = sorted((i for i in range(n) if scores[b, i, c] > score_t), key=lambda i: (-scores[b, i, c], i))
            kept = []
            for i in order:
                if len(kept) == min(mspc, n):
                    break
                if all(_iou(bx[i], bx[j]) <= iou_t for j in kept):
                    kept.append(i)
            dets += [(scores[b, i, c], c, bx[i]) for i in kept]
        dets.sort(key=lambda d: -d[0])
        dets = dets[:per_batch]
        valid[b] = len(dets)
        for k, (s, c, box) in enumerate(dets):
            out_b[b, k] = np.clip(box, 0, 1) if clip else box
            out_s[b, k], out_c[b, k] = s, c
    return out_b, out_s, out_c, valid


def _random_case(batch, n, nc, q):
    corner = RNG.uniform(-0.2, 1.0, (batch, n, q, 2)).astype(np.float32)
    boxes = np.concatenate([corner, corner + RNG.uniform(0.05, 0.6, (batch, n, q, 2)).astype(np.float32)], -1)
    return boxes, RNG.uniform(0, 1, (batch, n, nc)).astype(np.float32)


@pytest.mark.parametrize("q_shared", [True, False])
@pytest.mark.parametrize("pad_per_class,clip", [(False, True), (True, False), (True, True), (False, False)])
def test_combined_nms_matches_reference(q_shared, pad_per_class, clip):
    for trial in range(4):
        nc = 1 + trial
        boxes, scores = _random_case(2, 9 + 3 * trial, nc, 1 if q_shared else nc)
        args = (boxes, scores, 3, 7, 0.4, 0.15 * trial)
        got = tf.image.combined_non_max_suppression(*args, pad_per_class=pad_per_class, clip_boxes=clip)
        want = _reference(*args, pad_per_class, clip)
        for g, w in zip(got, want):
            assert g.dtype == tf.as_dtype(w.dtype)
            np.testing.assert_array_equal(g.numpy(), w)


def test_combined_nms_result_structure_and_dtypes():
    boxes, scores = _random_case(3, 6, 4, 1)
    r = tf.image.combined_non_max_suppression(boxes, scores, 2, 5)
    assert type(r).__name__ == "CombinedNonMaxSuppression"
    assert r._fields == ("nmsed_boxes", "nmsed_scores", "nmsed_classes", "valid_detections")
    assert [t.dtype for t in r] == [tf.float32, tf.float32, tf.float32, tf.int32]
    assert r.nmsed_boxes.shape == (3, 5, 4) and r.nmsed_scores.shape == (3, 5)
    assert r.nmsed_classes.shape == (3, 5) and r.valid_detections.shape == (3,)
    # scores are sorted in decreasing order, classes are class indices, padding is zero
    for b in range(3):
        v = int(r.valid_detections[b])
        s = r.nmsed_scores.numpy()[b]
        assert np.all(np.diff(s[:v]) <= 0) and np.all(s[v:] == 0)
        assert set(r.nmsed_classes.numpy()[b, :v]) <= set(range(4))
    # pad_per_class: min(max_total_size, max_output_size_per_class * num_classes)
    r = tf.image.combined_non_max_suppression(boxes, scores, 2, 50, pad_per_class=True)
    assert r.nmsed_boxes.shape == (3, 8, 4)


def test_combined_nms_shared_boxes_equal_tiled_boxes():
    boxes, scores = _random_case(2, 12, 3, 1)
    shared = tf.image.combined_non_max_suppression(boxes, scores, 4, 9, 0.5)
    tiled = tf.image.combined_non_max_suppression(np.tile(boxes, (1, 1, 3, 1)), scores, 4, 9, 0.5)
    for a, b in zip(shared, tiled):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_combined_nms_clip_boxes_and_score_threshold():
    boxes = np.array([[[[-0.5, 0.2, 0.4, 1.7]], [[0.6, 0.6, 0.9, 0.9]]]], np.float32)
    scores = np.array([[[0.9], [0.3]]], np.float32)
    r = tf.image.combined_non_max_suppression(boxes, scores, 5, 3)
    np.testing.assert_array_equal(r.nmsed_boxes.numpy()[0, 0], np.float32([0, 0.2, 0.4, 1]))
    r = tf.image.combined_non_max_suppression(boxes, scores, 5, 3, clip_boxes=False)
    np.testing.assert_array_equal(r.nmsed_boxes.numpy()[0, 0], boxes[0, 0, 0])
    r = tf.image.combined_non_max_suppression(boxes, scores, 5, 3, score_threshold=0.5)
    assert int(r.valid_detections[0]) == 1
    r = tf.image.combined_non_max_suppression(boxes, scores, 5, 3, score_threshold=0.95)
    assert int(r.valid_detections[0]) == 0 and not r.nmsed_boxes.numpy().any()
    r = tf.image.combined_non_max_suppression(boxes[:, :0], scores[:, :0], 5, 3)
    assert r.nmsed_boxes.shape == (1, 3, 4) and int(r.valid_detections[0]) == 0


def test_combined_nms_errors():
    boxes, scores = _random_case(1, 5, 3, 1)
    nms = tf.image.combined_non_max_suppression
    for kwargs, msg in (({"max_output_size_per_class": 0}, "max_size_per_class must be positive"),
                        ({"max_total_size": 0}, "max_total_size must be > 0"),
                        ({"iou_threshold": 1.5}, r"iou_threshold must be in \[0, 1\]"),
                        ({"max_output_size_per_class": [2]}, "must be 0-D")):
        args = dict(boxes=boxes, scores=scores, max_output_size_per_class=2, max_total_size=4)
        args.update(kwargs)
        with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
            nms(**args)
    with pytest.raises(tf.errors.InvalidArgumentError, match="either 1 or num classes"):
        nms(np.tile(boxes, (1, 1, 2, 1)), scores, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="4 columns"):
        nms(boxes[..., :3], scores, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible shape"):
        nms(boxes, scores[:, :4], 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="same batch size"):
        nms(np.concatenate([boxes, boxes]), scores, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError):  # int64 max_total_size, as TF
        nms(boxes, scores, 2, 2 ** 33)
    with pytest.raises(tf.errors.InvalidArgumentError):  # float64 tensors are not converted, as TF
        nms(tf.constant(boxes, tf.float64), scores, 2, 4)


def test_combined_nms_in_tf_function_shapes():
    @tf.function
    def f(b, s):
        return tf.image.combined_non_max_suppression(b, s, 2, 40, pad_per_class=True)

    cf = f.get_concrete_function(tf.TensorSpec([None, 5, 1, 4]), tf.TensorSpec([None, 5, 3]))
    assert cf.structured_outputs.nmsed_boxes.shape.as_list() == [None, 6, 4]
    boxes, scores = _random_case(2, 5, 3, 1)
    got, want = f(boxes, scores), tf.image.combined_non_max_suppression(boxes, scores, 2, 40, pad_per_class=True)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# ---------------------------------------------------------------- sample_distorted_bounding_box
def _pixel_rects(boxes, h, w):
    flat = boxes.reshape(-1, 4).astype(np.float32)
    return np.stack([(flat[:, 1] * np.float32(w)).astype(int), (flat[:, 0] * np.float32(h)).astype(int),
                     (flat[:, 3] * np.float32(w)).astype(int), (flat[:, 2] * np.float32(h)).astype(int)], 1)


def _check_constraints(result, h, w, boxes, moc, ar_range, area_range, dtype=tf.int32):
    begin, size, bboxes = result
    assert begin.dtype == dtype and size.dtype == dtype and bboxes.dtype == tf.float32
    assert begin.shape == (3,) and size.shape == (3,) and bboxes.shape == (1, 1, 4)
    (y, x, z), (ch, cw, depth) = begin.numpy().tolist(), size.numpy().tolist()
    assert z == 0 and depth == -1
    np.testing.assert_allclose(bboxes.numpy().reshape(4), np.float32([y / h, x / w, (y + ch) / h, (x + cw) / w]),
                               rtol=1e-6)
    assert 0 <= y and 0 <= x and y + ch <= h and x + cw <= w and ch > 0 and cw > 0
    if (y, x, ch, cw) == (0, 0, h, w):
        return "fallback"
    # aspect ratio within the range (width is rounded from height * ratio), area within the range
    assert min(ar_range) - 0.5 / ch - 1e-6 <= cw / ch <= max(ar_range) + 0.5 / ch + 1e-6
    assert area_range[0] * h * w * (1 - 1e-6) <= ch * cw <= area_range[1] * h * w * (1 + 1e-6)
    assert ch * cw >= 10
    covered = []
    for x0, y0, x1, y1 in _pixel_rects(boxes, h, w):
        area = (x1 - x0) * (y1 - y0)
        if area:
            inter = max(min(x + cw, x1) - max(x, x0), 0) * max(min(y + ch, y1) - max(y, y0), 0)
            covered.append(np.float32(inter) / np.float32(area))
    assert max(covered) >= np.float32(moc)
    return "sampled"


def test_sample_distorted_bounding_box_honours_constraints():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6], [0.3, 0.1, 0.9, 0.4]]], np.float32)
    kinds = set()
    for i in range(60):
        h, w = int(RNG.integers(20, 200)), int(RNG.integers(20, 200))
        moc = float(RNG.choice([0.0, 0.1, 0.5, 0.9]))
        ar = (0.75, 1.33) if i % 2 else (0.5, 2.0)
        area = (0.05, 1.0) if i % 3 else (0.3, 0.7)
        r = tf.image.stateless_sample_distorted_bounding_box([h, w, 3], boxes, seed=[i, 3], min_object_covered=moc,
                                                             aspect_ratio_range=ar, area_range=area)
        kinds.add(_check_constraints(r, h, w, boxes, moc, ar, area))
        r = tf.image.sample_distorted_bounding_box(np.array([h, w, 1], np.int64), boxes, seed=i + 1,
                                                   min_object_covered=moc, aspect_ratio_range=ar, area_range=area)
        kinds.add(_check_constraints(r, h, w, boxes, moc, ar, area, tf.int64))
    assert "sampled" in kinds


def test_sample_distorted_bounding_box_result_structure_and_dtypes():
    boxes = tf.constant([[[0.1, 0.2, 0.5, 0.6]]])
    r = tf.image.sample_distorted_bounding_box(tf.constant([50, 40, 3], tf.uint8), boxes, seed=4)
    assert type(r).__name__ == "SampleDistortedBoundingBoxV2" and r._fields == ("begin", "size", "bboxes")
    assert r.begin.dtype == tf.uint8 and int(r.size[2]) == 255  # -1 in uint8, as TF
    r = tf.image.stateless_sample_distorted_bounding_box([50, 40, 3], boxes, seed=[1, 2])
    assert type(r).__name__ == "StatelessSampleDistortedBoundingBox"
    # the crop slices the image
    img = np.zeros((50, 40, 3), np.float32)
    crop = tf.slice(img, r.begin, r.size)
    assert crop.shape == (int(r.size[0]), int(r.size[1]), 3)


def test_sample_distorted_bounding_box_determinism():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    sl = tf.image.stateless_sample_distorted_bounding_box
    a = [t.numpy() for t in sl([120, 90, 3], boxes, seed=[5, 6])]
    b = [t.numpy() for t in sl([120, 90, 3], boxes, seed=tf.constant([5, 6], tf.int64))]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    outs = {tuple(sl([120, 90, 3], boxes, seed=[s, 0]).size.numpy()) for s in range(12)}
    assert len(outs) > 1
    st = tf.image.sample_distorted_bounding_box
    tf.random.set_seed(11)
    first = [tuple(st([120, 90, 3], boxes, seed=3).begin.numpy()) for _ in range(5)]
    tf.random.set_seed(11)
    again = [tuple(st([120, 90, 3], boxes, seed=3).begin.numpy()) for _ in range(5)]
    assert first == again and len(set(first + [tuple(st([120, 90, 3], boxes, seed=3).begin.numpy())])) > 1


def test_sample_distorted_bounding_box_falls_back_to_whole_image():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    whole = ([0, 0, 0], [60, 70, -1], [0, 0, 1, 1])
    for kwargs in ({"min_object_covered": 1.5}, {"area_range": (0.9, 0.1)}, {"max_attempts": 1,
                                                                             "min_object_covered": 1.01}):
        r = tf.image.stateless_sample_distorted_bounding_box([60, 70, 3], boxes, seed=[1, 1], **kwargs)
        assert r.begin.numpy().tolist() == whole[0] and r.size.numpy().tolist() == whole[1]
        assert r.bboxes.numpy().reshape(4).tolist() == whole[2]
    # no boxes with use_image_if_no_bounding_boxes: the whole image is the object
    r = tf.image.stateless_sample_distorted_bounding_box([60, 70, 3], np.zeros((1, 0, 4), np.float32), seed=[2, 3],
                                                         use_image_if_no_bounding_boxes=True)
    _check_constraints(r, 60, 70, np.array([[[0, 0, 1, 1]]], np.float32), 0.1, (0.75, 1.33), (0.05, 1.0))


def test_sample_distorted_bounding_box_errors():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    sl = tf.image.stateless_sample_distorted_bounding_box
    st = tf.image.sample_distorted_bounding_box
    err = tf.errors.InvalidArgumentError
    with pytest.raises(err, match="No bounding boxes provided"):
        sl([60, 70, 3], np.zeros((1, 0, 4), np.float32), seed=[1, 2])
    with pytest.raises(err, match="No bounding boxes provided"):
        st([60, 70, 3], np.zeros((1, 0, 4), np.float32), seed=1)
    with pytest.raises(err, match="3-dimensional"):
        st([60, 70, 3], boxes[0], seed=1)
    with pytest.raises(err, match=r"\[4\] or \[\*, 4\]"):
        st([60, 70, 3], boxes[..., :3], seed=1)
    with pytest.raises(err, match=r"must be in \[0.0, 1.0\]"):
        st([60, 70, 3], boxes + 0.6, seed=1)
    with pytest.raises(err, match="image_size must contain 3 elements"):
        st([60, 70], boxes, seed=1)
    with pytest.raises(err, match="1-dimensional"):
        st([[60, 70, 3]], boxes, seed=1)
    with pytest.raises(err, match="non-negative"):
        st([60, 70, 3], boxes, seed=1, min_object_covered=-0.5)
    with pytest.raises(err, match="Aspect ratio range"):
        st([60, 70, 3], boxes, seed=1, aspect_ratio_range=(0.0, 1.0))
    with pytest.raises(err, match="Area range must be less then or equal to 1.0"):
        st([60, 70, 3], boxes, seed=1, area_range=(0.1, 1.5))
    with pytest.raises(err, match="Max attempts"):
        st([60, 70, 3], boxes, seed=1, max_attempts=0)
    with pytest.raises(err, match="seed must have shape"):
        sl([60, 70, 3], boxes, seed=[1, 2, 3])
    with pytest.raises(err):
        st([60.0, 70.0, 3.0], boxes, seed=1)


def test_sample_distorted_bounding_box_in_tf_function():
    @tf.function
    def f(size, boxes):
        return tf.image.stateless_sample_distorted_bounding_box(size, boxes, seed=[3, 4])

    boxes = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    cf = f.get_concrete_function(tf.TensorSpec([3], tf.int32), tf.TensorSpec([None, None, 4]))
    assert cf.structured_outputs[2].shape.as_list() == [1, 1, 4]
    got = f(tf.constant([80, 90, 3]), boxes)
    want = tf.image.stateless_sample_distorted_bounding_box([80, 90, 3], boxes, seed=[3, 4])
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
