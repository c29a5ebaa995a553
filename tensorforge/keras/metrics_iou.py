"""Intersection-over-union metrics: IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU (Keras 3's
iou_metrics). They accumulate a `(num_classes, num_classes)` confusion matrix."""
from __future__ import annotations

import warnings

import tensorforge as tf

from ._registry import keras_export
from .losses import _broadcast_like, _convert, _epsilon, squeeze_or_expand_to_same_rank
from .metrics_base import Metric


def confusion_matrix(labels, predictions, num_classes: int, weights=None, dtype="int32"):
    """The `(num_classes, num_classes)` matrix of (weighted) label/prediction pair counts."""
    labels = _convert(labels, dtype)
    predictions = _convert(predictions, dtype)
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    indices = tf.cast(tf.stack([labels, predictions], axis=1), "int64")
    values = tf.ones_like(predictions) if weights is None else tf.cast(_convert(weights, dtype), dtype)
    num_classes = int(num_classes)
    return tf.scatter_nd(indices, values, [num_classes, num_classes])


class _IoUBase(Metric):
    """Accumulates the confusion matrix for the IoU metrics."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(name=name, dtype=dtype or "int")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(name="total_confusion_matrix", shape=(num_classes, num_classes),
                                          initializer="zeros", dtype=self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's (weighted) confusion matrix; labels outside [0, num_classes) are skipped."""
        if not self.sparse_y_true:
            y_true = tf.argmax(_convert(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(_convert(y_pred), axis=self.axis)
        y_true = _convert(y_true, self.dtype)
        y_pred = _convert(y_pred, self.dtype)
        if y_pred.shape.rank > 1:
            y_pred = tf.reshape(y_pred, [-1])
        if y_true.shape.rank > 1:
            y_true = tf.reshape(y_true, [-1])
        if sample_weight is None:
            sample_weight = 1
        elif hasattr(sample_weight, "dtype") and "float" in str(sample_weight.dtype) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                          "weight due to type casting Consider using integer weights.", stacklevel=2)
        sample_weight = _convert(sample_weight, self.dtype)
        if sample_weight.shape.rank > 1:
            sample_weight = tf.reshape(sample_weight, [-1])
        sample_weight = _broadcast_like(sample_weight, y_true)
        num_cls = tf.constant(self.num_classes, y_true.dtype)
        in_bounds = tf.logical_and(tf.logical_and(tf.greater_equal(y_true, 0), tf.less(y_true, num_cls)),
                                   tf.logical_and(tf.greater_equal(y_pred, 0), tf.less(y_pred, num_cls)))
        if self.ignore_class is not None:
            in_bounds = tf.logical_and(in_bounds, tf.not_equal(y_true, tf.cast(self.ignore_class, y_true.dtype)))
        zero = tf.zeros((), y_true.dtype)
        y_true = tf.where(in_bounds, y_true, zero)
        y_pred = tf.where(in_bounds, y_pred, zero)
        sample_weight = tf.where(in_bounds, sample_weight, tf.zeros((), sample_weight.dtype))
        current_cm = confusion_matrix(y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self.dtype)
        return self.total_cm.assign_add(current_cm)

    def reset_state(self) -> None:
        self.total_cm.assign(tf.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


@keras_export("keras.metrics.IoU", "keras.metrics.io_u")
class IoU(_IoUBase):
    """Intersection-over-union `TP / (TP + FP + FN)`, averaged over `target_class_ids`.

    Args:
      num_classes: the number of classes.
      target_class_ids: the class ids whose IoUs are averaged.
      name: the metric instance's name.
      dtype: the dtype of the confusion matrix (default int64).
      ignore_class: a label whose entries are skipped.
      sparse_y_true: whether labels are class ids (else one-hot / scores, arg-maxed on `axis`).
      sparse_y_pred: whether predictions are class ids (else scores, arg-maxed on `axis`).
      axis: the class axis for non-sparse inputs (default -1).

    Example:

    >>> m = tf.keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> m.result().numpy()
    0.3333333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis, dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError("Target class id %s is out of range, which is [0, %s)." % (max(target_class_ids),
                                                                                       num_classes))
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """The mean IoU over the target classes with a non-empty union."""
        cm = tf.identity(self.total_cm)
        sum_over_row = tf.cast(tf.reduce_sum(cm, axis=0), self.dtype)
        sum_over_col = tf.cast(tf.reduce_sum(cm, axis=1), self.dtype)
        true_positives = tf.cast(tf.linalg.diag_part(cm), self.dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        ids = tf.constant(self.target_class_ids, "int32")
        true_positives = tf.cast(tf.gather(true_positives, ids, axis=-1), "float32")
        denominator = tf.cast(tf.gather(denominator, ids, axis=-1), "float32")
        valid_entries = tf.cast(tf.greater(denominator, 1e-9), "float32")
        num_valid_entries = tf.reduce_sum(valid_entries)
        iou = tf.divide(true_positives, denominator + _epsilon())
        iou = tf.where(tf.cast(valid_entries, "bool"), iou, tf.zeros((), iou.dtype))
        return tf.divide(tf.reduce_sum(iou, axis=self.axis), num_valid_entries + _epsilon())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_export("keras.metrics.BinaryIoU", "keras.metrics.binary_io_u")
class BinaryIoU(IoU):
    """IoU of binary labels against predictions thresholded at `threshold` (`>=` counts as 1).

    Args:
      target_class_ids: which of the classes (0, 1) are averaged (default both).
      threshold: predictions at or above it count as class 1 (default 0.5).
      name: the metric instance's name.
      dtype: the dtype of the confusion matrix.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _convert(y_true, self.dtype)
        y_pred = _convert(y_pred, "float32")
        y_pred = tf.cast(y_pred >= self.threshold, self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self._dtype}


@keras_export("keras.metrics.MeanIoU", "keras.metrics.mean_io_u")
class MeanIoU(IoU):
    """The IoU averaged over all `num_classes` classes.

    Args:
      num_classes: the number of classes.
      name: the metric instance's name.
      dtype: the dtype of the confusion matrix (default int64).
      ignore_class: a label whose entries are skipped.
      sparse_y_true: whether labels are class ids.
      sparse_y_pred: whether predictions are class ids.
      axis: the class axis for non-sparse inputs (default -1).

    Example:

    >>> m = tf.keras.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> m.result().numpy()
    0.3333333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(name=name, num_classes=num_classes, target_class_ids=list(range(num_classes)), axis=axis,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_export("keras.metrics.OneHotIoU", "keras.metrics.one_hot_io_u")
class OneHotIoU(IoU):
    """IoU for one-hot labels (and score predictions, unless `sparse_y_pred`), over `target_class_ids`.

    Args:
      num_classes: the number of classes.
      target_class_ids: the class ids whose IoUs are averaged.
      name: the metric instance's name.
      dtype: the dtype of the confusion matrix.
      ignore_class: a label whose entries are skipped.
      sparse_y_pred: whether predictions are class ids (default False).
      axis: the class axis (default -1).
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self._dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


@keras_export("keras.metrics.OneHotMeanIoU", "keras.metrics.one_hot_mean_io_u")
class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels (and score predictions, unless `sparse_y_pred`).

    Args:
      num_classes: the number of classes.
      name: the metric instance's name.
      dtype: the dtype of the confusion matrix.
      ignore_class: a label whose entries are skipped.
      sparse_y_pred: whether predictions are class ids (default False).
      axis: the class axis (default -1).
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
