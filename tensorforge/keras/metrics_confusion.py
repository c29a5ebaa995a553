"""Confusion-matrix metrics: TruePositives ... FalseNegatives, Precision, Recall, the
sensitivity/specificity family and AUC (Keras 3's confusion_metrics and metrics_utils).

Counts are accumulated per threshold. Evenly spaced thresholds (AUC's default) take Keras' bucketed
path (one segment sum and a reversed cumulative sum); other thresholds compare every prediction
with every threshold at once.
"""
from __future__ import annotations

import enum

import numpy as np

import tensorforge as tf

from ._registry import keras_export
from .losses import _broadcast_like, _epsilon, squeeze_or_expand_to_same_rank
from .metrics_base import Metric

NEG_INF = -1e10


class ConfusionMatrix(enum.Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(enum.Enum):
    """The curve an `AUC` metric integrates: ROC, PR (precision-recall) or PRGAIN."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key: str) -> "AUCCurve":
        for curve in AUCCurve:
            if key in (curve.value, curve.value.lower()):
                return curve
        raise ValueError('Invalid AUC curve value: "%s". Expected values are ["PR", "ROC", "PRGAIN"]' % (key,))


class AUCSummationMethod(enum.Enum):
    """How an `AUC` metric sums its Riemann terms: interpolation, majoring or minoring."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key: str) -> "AUCSummationMethod":
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError('Invalid AUC summation method value: "%s". Expected values are ["interpolation", '
                         '"majoring", "minoring"]' % (key,))


def _to_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple, np.ndarray)) else [x]


def parse_init_thresholds(thresholds, default_threshold=0.5) -> list:
    """The thresholds as a list, checked to lie in [0, 1]."""
    if thresholds is not None:
        invalid = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError("Threshold values must be in [0, 1]. Received: %s" % (invalid,))
    return _to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """Whether the thresholds are `i / (n - 1)` for i in range(n), n >= 3 (up to epsilon)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=_epsilon()))


def _filter_top_k(x, k):
    """Keeps the `k` largest entries of each row of `x`, setting the others to NEG_INF."""
    _, top_k_idx = tf.math.top_k(x, k)
    depth = x.shape[-1] if x.shape[-1] is not None else tf.shape(x)[-1]
    top_k_mask = tf.reduce_sum(tf.one_hot(top_k_idx, depth, axis=-1, dtype=x.dtype), axis=-2)
    return x * top_k_mask + NEG_INF * (1 - top_k_mask)


def _reverse_cumsum(x, axis=-1):
    return tf.reverse(tf.cumsum(tf.reverse(x, [axis]), axis=axis), [axis])


def _update_evenly(variables_to_update, y_true, y_pred, num_thresholds, multi_label=False, sample_weights=None,
                   label_weights=None, thresholds_with_epsilon=False):
    """Keras' optimized update for evenly spaced thresholds: bucket each prediction once."""
    dtype = y_pred.dtype
    if sample_weights is None:
        sample_weights = tf.ones((), dtype)
    else:
        sample_weights = _broadcast_like(tf.cast(sample_weights, dtype), y_pred)
        if not multi_label:
            sample_weights = tf.reshape(sample_weights, [-1])
    if label_weights is None:
        label_weights = tf.ones((), dtype)
    else:
        label_weights = _broadcast_like(tf.expand_dims(label_weights, 0), y_pred)
        if not multi_label:
            label_weights = tf.reshape(label_weights, [-1])
    weights = tf.cast(sample_weights * label_weights, y_true.dtype)
    y_pred = tf.clip_by_value(y_pred, 0.0, 1.0)
    y_true = tf.cast(tf.cast(y_true, "bool"), y_true.dtype)
    if not multi_label:
        y_true = tf.reshape(y_true, [-1])
        y_pred = tf.reshape(y_pred, [-1])
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = tf.math.ceil(y_pred * tf.cast(num_thresholds - 1, dtype)) - 1
    if thresholds_with_epsilon:
        buckets = tf.nn.relu(buckets)
    buckets = tf.cast(buckets, "int32")
    if multi_label:
        # One segment sum over all labels: label j's buckets are offset by j * num_thresholds.
        true_labels = tf.transpose(true_labels)
        false_labels = tf.transpose(false_labels)
        buckets = tf.transpose(buckets)
        num_labels = buckets.shape[0]
        if num_labels is not None:
            offsets = tf.expand_dims(tf.range(num_labels) * num_thresholds, 1)
            ids = tf.reshape(tf.where(buckets >= 0, buckets + offsets, -tf.ones_like(buckets)), [-1])

            def bucket_sums(labels):
                sums = tf.math.unsorted_segment_sum(tf.reshape(labels, [-1]), ids, num_labels * num_thresholds)
                return tf.reshape(sums, [num_labels, num_thresholds])
        else:  # an unknown number of labels: sum one-hot buckets instead
            one_hot = tf.one_hot(buckets, num_thresholds, dtype=dtype)

            def bucket_sums(labels):
                return tf.reduce_sum(one_hot * tf.expand_dims(labels, -1), axis=1)

        tp = tf.transpose(_reverse_cumsum(bucket_sums(true_labels), axis=1))
        fp = tf.transpose(_reverse_cumsum(bucket_sums(false_labels), axis=1))
    else:
        tp = _reverse_cumsum(tf.math.unsorted_segment_sum(true_labels, buckets, num_thresholds), axis=0)
        fp = _reverse_cumsum(tf.math.unsorted_segment_sum(false_labels, buckets, num_thresholds), axis=0)
    updates = {ConfusionMatrix.TRUE_POSITIVES: lambda: tp, ConfusionMatrix.FALSE_POSITIVES: lambda: fp,
               ConfusionMatrix.TRUE_NEGATIVES: lambda: tf.reduce_sum(false_labels, axis=-1) - fp,
               ConfusionMatrix.FALSE_NEGATIVES: lambda: tf.reduce_sum(true_labels, axis=-1) - tp}
    for key, variable in variables_to_update.items():
        variable.assign_add(updates[key]())


def update_confusion_matrix_variables(variables_to_update: dict, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False):
    """Adds the (weighted) confusion-matrix counts of a batch to `variables_to_update`.

    Args:
      variables_to_update: `{ConfusionMatrix.X: variable}`; each variable has one entry per threshold
        (`(num_thresholds, num_labels)` when `multi_label`).
      y_true: labels (0/1, or bool).
      y_pred: predictions in [0, 1].
      thresholds: a list or array of thresholds; a prediction above a threshold counts as positive.
      top_k: keep only each row's `k` largest predictions.
      class_id: only count this class (the last axis of `y_pred`).
      sample_weight: optional weights, broadcastable to `y_pred`.
      multi_label: count each label (last axis) separately.
      label_weights: per-label weights (only without `multi_label`).
      thresholds_distributed_evenly: use the bucketed update (thresholds evenly spaced in [0, 1]).
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    if not variables_to_update:
        return
    invalid_keys = [k for k in variables_to_update if k not in list(ConfusionMatrix)]
    if invalid_keys:
        raise ValueError('Invalid keys: "%s". Valid variable key options are: "%s"' % (invalid_keys,
                                                                                     list(ConfusionMatrix)))
    dtype = list(variables_to_update.values())[0].dtype
    y_true = tf.cast(y_true, dtype)
    y_pred = tf.cast(y_pred, dtype)
    thresholds_with_epsilon = False
    if thresholds_distributed_evenly:
        thresholds_with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    num_thresholds = len(thresholds)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = tf.expand_dims(tf.cast(sample_weight, dtype), axis=-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             "num_classes), found shape: %s" % (y_pred.shape,))
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if label_weights is not None:
        label_weights = tf.cast(label_weights, dtype)
    if thresholds_distributed_evenly:
        return _update_evenly(variables_to_update, y_true, y_pred, num_thresholds, multi_label=multi_label,
                              sample_weights=sample_weight, label_weights=label_weights,
                              thresholds_with_epsilon=thresholds_with_epsilon)

    thresholds = tf.constant(thresholds, dtype=dtype)
    if multi_label:
        # [T, N, L]: every prediction against every threshold.
        preds = tf.expand_dims(y_pred, 0)
        labels = tf.expand_dims(tf.cast(y_true, "bool"), 0)
        thresh = tf.reshape(thresholds, [num_thresholds, 1, 1])
    else:
        # [T, N * L]
        preds = tf.reshape(y_pred, [1, -1])
        labels = tf.reshape(tf.cast(y_true, "bool"), [1, -1])
        thresh = tf.reshape(thresholds, [num_thresholds, 1])
    pred_is_pos = tf.greater(preds, thresh)
    weights = None
    if sample_weight is not None:
        weights = _broadcast_like(tf.cast(sample_weight, dtype), y_pred)
        weights = tf.expand_dims(weights, 0) if multi_label else tf.reshape(weights, [1, -1])
    if label_weights is not None and not multi_label:
        lw = tf.reshape(_broadcast_like(tf.expand_dims(label_weights, 0), y_pred), [1, -1])
        weights = lw if weights is None else weights * lw

    def count(label, pred, variable):
        both = tf.logical_and(label, pred)
        if weights is not None:
            hits = tf.where(both, tf.cast(weights, variable.dtype), tf.zeros((), variable.dtype))
        else:
            hits = tf.cast(both, variable.dtype)
        variable.assign_add(tf.reduce_sum(hits, 1))

    pred_is_neg = label_is_neg = None
    for key, variable in variables_to_update.items():
        if key in (ConfusionMatrix.FALSE_NEGATIVES, ConfusionMatrix.TRUE_NEGATIVES) and pred_is_neg is None:
            pred_is_neg = tf.logical_not(pred_is_pos)
        if key in (ConfusionMatrix.FALSE_POSITIVES, ConfusionMatrix.TRUE_NEGATIVES) and label_is_neg is None:
            label_is_neg = tf.logical_not(labels)
        label, pred = {ConfusionMatrix.TRUE_POSITIVES: (labels, pred_is_pos),
                       ConfusionMatrix.FALSE_NEGATIVES: (labels, pred_is_neg),
                       ConfusionMatrix.FALSE_POSITIVES: (label_is_neg, pred_is_pos),
                       ConfusionMatrix.TRUE_NEGATIVES: (label_is_neg, pred_is_neg)}[key]
        count(label, pred, variable)


# ---------------------------------------------------------------- counts


class _ConfusionMatrixConditionCount(Metric):
    """Counts one confusion-matrix condition per threshold."""

    _condition: ConfusionMatrix

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the condition's counts (weighted by `sample_weight`)."""
        return update_confusion_matrix_variables({self._condition: self.accumulator}, y_true, y_pred,
                                                 thresholds=self.thresholds, sample_weight=sample_weight,
                                                 thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        return self.accumulator[0] if len(self.thresholds) == 1 else tf.identity(self.accumulator)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


_COUNT_ARGS = """

    Args:
      thresholds: a float or list of floats in [0, 1]; a prediction above a threshold counts as
        positive. One count per threshold (default 0.5).
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """


@keras_export("keras.metrics.TruePositives", "keras.metrics.true_positives")
class TruePositives(_ConfusionMatrixConditionCount):
    __doc__ = "The (weighted) number of true positives." + _COUNT_ARGS
    _condition = ConfusionMatrix.TRUE_POSITIVES


@keras_export("keras.metrics.FalsePositives", "keras.metrics.false_positives")
class FalsePositives(_ConfusionMatrixConditionCount):
    __doc__ = "The (weighted) number of false positives." + _COUNT_ARGS
    _condition = ConfusionMatrix.FALSE_POSITIVES


@keras_export("keras.metrics.TrueNegatives", "keras.metrics.true_negatives")
class TrueNegatives(_ConfusionMatrixConditionCount):
    __doc__ = "The (weighted) number of true negatives." + _COUNT_ARGS
    _condition = ConfusionMatrix.TRUE_NEGATIVES


@keras_export("keras.metrics.FalseNegatives", "keras.metrics.false_negatives")
class FalseNegatives(_ConfusionMatrixConditionCount):
    __doc__ = "The (weighted) number of false negatives." + _COUNT_ARGS
    _condition = ConfusionMatrix.FALSE_NEGATIVES


# ---------------------------------------------------------------- precision and recall


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall: true positives and one other count per threshold."""

    _other: tuple  # (ConfusionMatrix condition, variable name)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=default_threshold)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros", name="true_positives")
        other = self.add_variable(shape=(n,), initializer="zeros", name=self._other[1])
        setattr(self, self._other[1], other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates true positives and the other count (weighted by `sample_weight`)."""
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives, self._other[0]: getattr(self, self._other[1])},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly, top_k=self.top_k,
            class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = tf.identity(self.true_positives)
        result = tf.math.divide_no_nan(tp, tp + getattr(self, self._other[1]))
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


_PR_ARGS = """

    Args:
      thresholds: a float or list of floats in [0, 1]; a prediction above a threshold counts as
        positive. One value per threshold (default 0.5, or all top-k predictions with `top_k`).
      top_k: only the `k` largest predictions of each row count as positive.
      class_id: compute the metric for this class (last axis) only.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """


@keras_export("keras.metrics.Precision", "keras.metrics.precision")
class Precision(_PrecisionRecall):
    __doc__ = "Precision: `true_positives / (true_positives + false_positives)`." + _PR_ARGS
    _other = (ConfusionMatrix.FALSE_POSITIVES, "false_positives")


@keras_export("keras.metrics.Recall", "keras.metrics.recall")
class Recall(_PrecisionRecall):
    __doc__ = "Recall: `true_positives / (true_positives + false_negatives)`." + _PR_ARGS
    _other = (ConfusionMatrix.FALSE_NEGATIVES, "false_negatives")


# ---------------------------------------------------------------- sensitivity / specificity family


class SensitivitySpecificityBase(Metric):
    """Keeps all four counts at `num_thresholds` evenly spaced thresholds; subclasses pick a
    best value of one rate under a constraint on another."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=%s"
                             % (num_thresholds,))
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros", name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), initializer="zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), initializer="zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), initializer="zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the four confusion-matrix counts (weighted by `sample_weight`)."""
        update_confusion_matrix_variables(self._counts(), y_true, y_pred, thresholds=self.thresholds,
                                          thresholds_distributed_evenly=self._thresholds_distributed_evenly,
                                          class_id=self.class_id, sample_weight=sample_weight)

    def _counts(self) -> dict:
        return {ConfusionMatrix.TRUE_POSITIVES: self.true_positives,
                ConfusionMatrix.TRUE_NEGATIVES: self.true_negatives,
                ConfusionMatrix.FALSE_POSITIVES: self.false_positives,
                ConfusionMatrix.FALSE_NEGATIVES: self.false_negatives}

    def _rates(self):
        tp, fp = tf.identity(self.true_positives), tf.identity(self.false_positives)
        tn, fn = tf.identity(self.true_negatives), tf.identity(self.false_negatives)
        return {"sensitivity": tf.math.divide_no_nan(tp, tp + fn), "specificity": tf.math.divide_no_nan(tn, tn + fp),
                "precision": tf.math.divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        feasible = tf.greater_equal(constrained, self.value)
        return tf.maximum(tf.reduce_max(tf.where(feasible, dependent, tf.zeros_like(dependent))),
                          tf.zeros((), dependent.dtype))

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates[self._constrained], rates[self._dependent])

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name: str, value) -> None:
    if value < 0 or value > 1:
        raise ValueError("Argument `%s` must be in the range [0, 1]. Received: %s=%s" % (name, name, value))


@keras_export("keras.metrics.SensitivityAtSpecificity", "keras.metrics.sensitivity_at_specificity")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) at thresholds where specificity >= `specificity`.

    Args:
      specificity: the required specificity, in [0, 1].
      num_thresholds: how many evenly spaced thresholds to evaluate (default 200).
      class_id: compute the metric for this class (last axis) only.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    _constrained, _dependent = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "specificity": self.specificity}


@keras_export("keras.metrics.SpecificityAtSensitivity", "keras.metrics.specificity_at_sensitivity")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity at thresholds where sensitivity (recall) >= `sensitivity`.

    Args:
      sensitivity: the required sensitivity, in [0, 1].
      num_thresholds: how many evenly spaced thresholds to evaluate (default 200).
      class_id: compute the metric for this class (last axis) only.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    _constrained, _dependent = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "sensitivity": self.sensitivity}


@keras_export("keras.metrics.PrecisionAtRecall", "keras.metrics.precision_at_recall")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision at thresholds where recall >= `recall`.

    Args:
      recall: the required recall, in [0, 1].
      num_thresholds: how many evenly spaced thresholds to evaluate (default 200).
      class_id: compute the metric for this class (last axis) only.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    _constrained, _dependent = "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(value=recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "recall": self.recall}


@keras_export("keras.metrics.RecallAtPrecision", "keras.metrics.recall_at_precision")
class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall at thresholds where precision >= `precision`.

    Args:
      precision: the required precision, in [0, 1].
      num_thresholds: how many evenly spaced thresholds to evaluate (default 200).
      class_id: compute the metric for this class (last axis) only.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    _constrained, _dependent = "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(value=precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "precision": self.precision}
