"""tf.keras.metrics.AUC: the area under the ROC or precision-recall curve, approximated by a
Riemann sum over `num_thresholds` thresholds (Keras 3's AUC)."""
from __future__ import annotations

import numpy as np

import tensorforge as tf

from ._registry import keras_export
from .losses import _convert, _epsilon
from .metrics_base import Metric
from .metrics_confusion import (AUCCurve, AUCSummationMethod, ConfusionMatrix, is_evenly_distributed_thresholds,
                                update_confusion_matrix_variables)


@keras_export("keras.metrics.AUC", "keras.metrics.auc")
class AUC(Metric):
    """Approximates the AUC (area under the curve) of the ROC or PR curves.

    The confusion-matrix counts are kept at `num_thresholds` thresholds evenly spaced in [0, 1]
    (plus epsilon margins), and the curve they trace is integrated with the chosen summation.

    Args:
      num_thresholds: the number of thresholds (default 200, must be > 1).
      curve: `"ROC"` (default), `"PR"` (precision-recall) or `"PRGAIN"`.
      summation_method: `"interpolation"` (default; for PR, Davis & Goadrich's interpolation),
        `"minoring"` or `"majoring"`.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      thresholds: explicit thresholds in [0, 1] (overrides `num_thresholds`).
      multi_label: treat each label (last axis) separately and average their AUCs.
      num_labels: the number of labels with `multi_label` (else known at the first update).
      label_weights: per-label weights, for the average (multi-label) or the counts (otherwise).
      from_logits: whether predictions are logits (a sigmoid is applied).

    Example:

    >>> m = tf.keras.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result().numpy()
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=%s"
                                 % (num_thresholds,))
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        eps = _epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = curve if isinstance(curve, AUCCurve) else AUCCurve.from_str(curve)
        self.summation_method = (summation_method if isinstance(summation_method, AUCSummationMethod)
                                 else AUCSummationMethod.from_str(summation_method))
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else _convert(label_weights, self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds used for the counts."""
        return list(self._thresholds)

    def _build(self, shape) -> None:
        """Creates the count variables (multi-label: once the number of labels is known)."""
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank %d. Full shape "
                                 "received for `y_pred`: %s" % (len(shape), shape))
            self._num_labels = shape[1]
            variable_shape = [self.num_thresholds, self._num_labels]
        else:
            variable_shape = [self.num_thresholds]
        self._build_input_shape = shape
        self.true_positives = self.add_variable(shape=variable_shape, initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=variable_shape, initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=variable_shape, initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=variable_shape, initializer="zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the confusion-matrix counts at every threshold (weighted by `sample_weight`)."""
        y_pred = _convert(y_pred)
        if not self._built:
            self._build(y_pred.shape.as_list())
        if self._from_logits:
            y_pred = tf.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives, ConfusionMatrix.TRUE_NEGATIVES: self.true_negatives,
             ConfusionMatrix.FALSE_POSITIVES: self.false_positives,
             ConfusionMatrix.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self._thresholds, thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average(self, terms):
        """Sums the Riemann terms per label and averages labels (weighted) with `multi_label`."""
        if not self.multi_label:
            return tf.reduce_sum(terms)
        by_label = tf.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return tf.reduce_mean(by_label)
        return tf.math.divide_no_nan(tf.reduce_sum(by_label * self.label_weights), tf.reduce_sum(self.label_weights))

    def interpolate_pr_auc(self):
        """The PR-AUC with Davis & Goadrich's (2006) interpolation between thresholds."""
        n = self.num_thresholds
        tp = tf.identity(self.true_positives)
        fn = tf.identity(self.false_negatives)
        dtp = tp[: n - 1] - tp[1:]
        p = tp + self.false_positives
        dp = p[: n - 1] - p[1:]
        prec_slope = tf.math.divide_no_nan(dtp, tf.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = tf.where(tf.logical_and(p[: n - 1] > 0, p[1:] > 0),
                                tf.math.divide_no_nan(p[: n - 1], tf.maximum(p[1:], 0)), tf.ones_like(p[1:]))
        pr_auc_increment = tf.math.divide_no_nan(prec_slope * (dtp + intercept * tf.math.log(safe_p_ratio)),
                                                 tf.maximum(tp[1:] + fn[1:], 0))
        return self._average(pr_auc_increment)

    def result(self):
        if self.curve == AUCCurve.PR and self.summation_method == AUCSummationMethod.INTERPOLATION:
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp = tf.identity(self.true_positives), tf.identity(self.false_positives)
        tn, fn = tf.identity(self.true_negatives), tf.identity(self.false_negatives)
        recall = tf.math.divide_no_nan(tp, tp + fn)
        if self.curve == AUCCurve.ROC:
            x, y = tf.math.divide_no_nan(fp, fp + tn), recall
        elif self.curve == AUCCurve.PR:
            x, y = recall, tf.math.divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = tf.math.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * tf.math.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * tf.math.divide_no_nan(fp, tp)
            no_tp = tf.equal(tp, 0.0)
            recall_gain = tf.where(no_tp, tf.zeros_like(recall_gain), recall_gain)
            precision_gain = tf.where(no_tp, tf.ones_like(precision_gain), precision_gain)
            x, y = tf.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == AUCSummationMethod.INTERPOLATION:
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = tf.minimum(y[: n - 1], y[1:])
        else:
            heights = tf.maximum(y[: n - 1], y[1:])
        return self._average((x[: n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            for v in (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives):
                v.assign(tf.zeros(v.shape, v.dtype))

    def get_config(self) -> dict:
        label_weights = self.label_weights
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve.value,
                  "summation_method": self.summation_method.value, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if label_weights is None else label_weights.numpy().tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return {**super().get_config(), **config}
