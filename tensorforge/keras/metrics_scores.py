"""Per-class score metrics: FBetaScore, F1Score and R2Score (Keras 3's f_score_metrics and R2Score).
Their per-class state variables are created at the first update, once the number of classes is known."""
from __future__ import annotations

import warnings

import tensorforge as tf

from ._registry import keras_export
from .losses import _broadcast_like, _convert, _epsilon, squeeze_or_expand_to_same_rank
from .metrics_base import Metric


def _check_2d(metric: str, y_true_shape, y_pred_shape) -> None:
    if y_pred_shape.rank != 2 or y_true_shape.rank != 2:
        raise ValueError("%s expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                         "y_pred.shape=%s and y_true.shape=%s." % (metric, y_pred_shape, y_true_shape))
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError("%s expects 2D inputs with shape (batch_size, output_dim), with output_dim fully defined "
                         "(not None). Received input shapes: y_pred.shape=%s and y_true.shape=%s."
                         % (metric, y_pred_shape, y_true_shape))


@keras_export("keras.metrics.FBetaScore", "keras.metrics.f_beta_score")
class FBetaScore(Metric):
    """The F-beta score: `(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`.

    Args:
      average: `None` (one score per class), `"micro"` (global counts), `"macro"` (unweighted
        mean of class scores) or `"weighted"` (mean weighted by class support).
      beta: the weight of recall against precision (a Python float > 0; default 1.0).
      threshold: predictions above it count as positive; `None` takes each row's arg-max.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             "'weighted'}. Received: average=%s" % (average,))
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. Received: beta=%s of type "
                             "'%s'" % (beta, type(beta)))
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. Received: beta=%s" % (beta,))
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. Received: "
                                 "threshold=%s of type '%s'" % (threshold, type(threshold)))
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 "Received: threshold=%s" % (threshold,))
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        _check_2d("FBetaScore", y_true_shape, y_pred_shape)
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable(name=name, shape=shape, initializer="zeros", dtype=self.dtype))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _convert(y_true, self.dtype)
        y_pred = _convert(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            threshold = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = tf.logical_and(y_pred >= threshold, tf.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = tf.cast(y_pred, self.dtype)
        if sample_weight is not None:
            sample_weight = tf.expand_dims(_convert(sample_weight, self.dtype), 1)

        def weighted_sum(val):
            if sample_weight is not None:
                val = val * sample_weight
            return tf.reduce_sum(val, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        eps = _epsilon()
        tp = tf.identity(self.true_positives)
        precision = tf.divide(tp, tp + self.false_positives + eps)
        recall = tf.divide(tp, tp + self.false_negatives + eps)
        beta2 = self.beta ** 2
        f_score = tf.divide(precision * recall, beta2 * precision + recall + eps) * (1 + beta2)
        if self.average == "weighted":
            weights = tf.divide(self.intermediate_weights, tf.reduce_sum(self.intermediate_weights) + eps)
            return tf.reduce_sum(f_score * weights)
        if self.average is not None:  # micro, macro
            return tf.reduce_mean(f_score)
        return f_score

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))


@keras_export("keras.metrics.F1Score", "keras.metrics.f1_score")
class F1Score(FBetaScore):
    """The F1 score, the harmonic mean of precision and recall (FBetaScore with beta=1).

    Args:
      average: `None`, `"micro"`, `"macro"` or `"weighted"` (see `FBetaScore`).
      threshold: predictions above it count as positive; `None` takes each row's arg-max.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.

    Example:

    >>> m = tf.keras.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.result().numpy()
    array([0.49999997, 0.79999995, 0.66666657], dtype=float32)
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config


@keras_export("keras.metrics.R2Score", "keras.metrics.r2_score")
class R2Score(Metric):
    """The coefficient of determination R^2 (optionally adjusted for `num_regressors`).

    Args:
      class_aggregation: `"uniform_average"` (default), `"variance_weighted_average"` or `None`
        (one score per output).
      num_regressors: the number of independent regressors, for the adjusted R^2 (default 0).
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of %s. Received: "
                             "class_aggregation=%s" % (valid, class_aggregation))
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
                             "num_regressors=%s" % (num_regressors,))
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        _check_2d("R2Score", y_true_shape, y_pred_shape)
        shape = [y_pred_shape[-1]]
        self.squared_sum = self.add_variable(name="squared_sum", shape=shape, initializer="zeros")
        self.sum = self.add_variable(name="sum", shape=shape, initializer="zeros")
        self.total_mse = self.add_variable(name="residual", shape=shape, initializer="zeros")
        self.count = self.add_variable(name="count", shape=shape, initializer="zeros")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _convert(y_true, self._dtype)
        y_pred = _convert(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        sample_weight = _convert(1 if sample_weight is None else sample_weight, self.dtype)
        if sample_weight.shape.rank == 1:
            sample_weight = tf.expand_dims(sample_weight, axis=1)
        sample_weight = tf.cast(_broadcast_like(sample_weight, y_true), y_true.dtype)
        weighted_y_true = y_true * sample_weight
        self.sum.assign_add(tf.reduce_sum(weighted_y_true, axis=0))
        self.squared_sum.assign_add(tf.reduce_sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign_add(tf.reduce_sum((y_true - y_pred) ** 2 * sample_weight, axis=0))
        self.count.assign_add(tf.reduce_sum(sample_weight, axis=0))
        self.num_samples.assign_add(tf.cast(tf.size(y_true), self.num_samples.dtype))

    def result(self):
        total_sum = tf.identity(self.sum)
        mean = total_sum / self.count
        total = self.squared_sum - total_sum * mean
        raw_scores = 1 - (self.total_mse / total)
        raw_scores = tf.where(tf.math.is_inf(raw_scores), tf.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = tf.reduce_mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = tf.reduce_sum(total * raw_scores) / tf.reduce_sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            num_samples = float(self.num_samples.numpy())
            if self.num_regressors > num_samples - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            elif self.num_regressors == num_samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
            else:
                n = tf.cast(self.num_samples, "float32")
                p = tf.constant(float(self.num_regressors), "float32")
                r2_score = 1.0 - ((1.0 - r2_score) * (n - 1.0)) / (n - p - 1.0)
        return r2_score

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
