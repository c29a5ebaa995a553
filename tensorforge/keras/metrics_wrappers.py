"""Metrics that average a per-sample function: accuracies, regression errors, cross-entropies,
hinges and correlations (Keras 3's accuracy, regression, probabilistic, hinge and correlation
metrics)."""
from __future__ import annotations

import tensorforge as tf

from . import losses as L
from ._registry import keras_export
from .losses import _convert, _floatx, _reshape_target, squeeze_or_expand_to_same_rank
from .metrics_base import Mean, MeanMetricWrapper

# ---------------------------------------------------------------- per-sample functions


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred`, else 0.0."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tf.cast(tf.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_true` equals `y_pred > threshold`, else 0.0."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = tf.cast(tf.greater(y_pred, tf.cast(threshold, y_pred.dtype)), y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), _floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of one-hot `y_true` is the arg-max of `y_pred`, else 0.0."""
    y_true = tf.argmax(_convert(y_true), axis=-1)
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    true_shape = _reshape_target(y_true)
    reshape_matches = y_true.shape.rank == y_pred.shape.rank
    if reshape_matches:
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(tf.argmax(y_pred, axis=-1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), _floatx())
    return tf.reshape(matches, true_shape) if reshape_matches else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label `y_true` is the arg-max of `y_pred`, else 0.0."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        # Keras squeezes, compares, reshapes back and squeezes again: the net effect is one squeeze.
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(tf.argmax(y_pred, axis=-1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), _floatx())
    if matches.shape.rank is not None and matches.shape.rank > 1 and matches.shape[-1] == 1:
        matches = tf.squeeze(matches, -1)
    return matches


def _flatten_for_top_k(y_true, y_pred):
    true_shape = _reshape_target(y_true)
    if y_pred.shape.rank > 2:
        y_pred = tf.reshape(y_pred, [-1, y_pred.shape[-1]])
    reshape_matches = y_true.shape.rank > 1
    if reshape_matches:
        y_true = tf.reshape(y_true, [-1])
    return y_true, y_pred, true_shape, reshape_matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the arg-max of one-hot `y_true` is among the `k` largest `y_pred`, else 0.0."""
    y_pred = _convert(y_pred)
    y_true = tf.argmax(_convert(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, true_shape, reshape_matches = _flatten_for_top_k(y_true, y_pred)
    matches = tf.cast(tf.math.in_top_k(tf.cast(y_true, "int32"), y_pred, k=k), _floatx())
    return tf.reshape(matches, true_shape) if reshape_matches else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label `y_true` is among the `k` largest `y_pred`, else 0.0.

    With `from_sorted_ids=True`, `y_pred` holds class ids sorted by decreasing score.
    """
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype if from_sorted_ids else "int32")
    y_true, y_pred, true_shape, reshape_matches = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        matches = tf.reduce_any(tf.equal(tf.expand_dims(y_true, axis=1), y_pred[:, :k]), axis=1)
    else:
        matches = tf.math.in_top_k(y_true, y_pred, k=k)
    matches = tf.cast(matches, _floatx())
    return tf.reshape(matches, true_shape) if reshape_matches else matches


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine similarity between `y_true` and `y_pred` along `axis`."""
    return -L.cosine_similarity(y_true, y_pred, axis=axis)


def pearson_correlation(y_true, y_pred, axis=-1):
    """The Pearson correlation coefficient between `y_true` and `y_pred` along `axis`."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_true_norm = y_true - tf.reduce_mean(y_true, axis=axis, keepdims=True)
    y_pred_norm = y_pred - tf.reduce_mean(y_pred, axis=axis, keepdims=True)
    y_true_norm = y_true_norm / tf.math.reduce_std(y_true_norm, axis=axis, keepdims=True)
    y_pred_norm = y_pred_norm / tf.math.reduce_std(y_pred_norm, axis=axis, keepdims=True)
    return tf.reduce_mean(y_true_norm * y_pred_norm, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient between `y_true` and `y_pred` along `axis`."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_true_mean = tf.reduce_mean(y_true, axis=axis, keepdims=True)
    y_pred_mean = tf.reduce_mean(y_pred, axis=axis, keepdims=True)
    y_true_var = tf.math.reduce_variance(y_true - y_true_mean, axis=axis, keepdims=True)
    y_pred_var = tf.math.reduce_variance(y_pred - y_pred_mean, axis=axis, keepdims=True)
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + tf.square(y_true_mean - y_pred_mean)
    return tf.reduce_mean(2 * covar / (norm + L._epsilon()), axis=axis)


# Functions the metrics namespace publishes (and that deserialise by name as `fn`s).
FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, pearson_correlation, concordance_correlation)}


# ---------------------------------------------------------------- wrapper base


class _FnMetric(MeanMetricWrapper):
    """A built-in MeanMetricWrapper whose config lists its own arguments rather than `fn`."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype}
        config.update({k: getattr(self, k) for k in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


# ---------------------------------------------------------------- accuracy metrics


@keras_export("keras.metrics.Accuracy", "keras.metrics.accuracy", "keras.metrics.acc")
class Accuracy(_FnMetric):
    """How often predictions equal labels.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.

    Example:

    >>> m = tf.keras.metrics.Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> m.result().numpy()
    0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"


@keras_export("keras.metrics.BinaryAccuracy", "keras.metrics.binary_accuracy")
class BinaryAccuracy(_FnMetric):
    """How often predictions, thresholded at `threshold`, match binary labels.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      threshold: predictions above it count as 1 (default 0.5).
    """

    _config_keys = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"


@keras_export("keras.metrics.CategoricalAccuracy", "keras.metrics.categorical_accuracy")
class CategoricalAccuracy(_FnMetric):
    """How often the arg-max of predictions matches the arg-max of one-hot labels.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"


@keras_export("keras.metrics.SparseCategoricalAccuracy", "keras.metrics.sparse_categorical_accuracy")
class SparseCategoricalAccuracy(_FnMetric):
    """How often the arg-max of predictions matches integer labels.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.

    Example:

    >>> m = tf.keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> m.result().numpy()
    0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"


@keras_export("keras.metrics.TopKCategoricalAccuracy", "keras.metrics.top_k_categorical_accuracy")
class TopKCategoricalAccuracy(_FnMetric):
    """How often the one-hot label's class is among the top `k` predictions.

    Args:
      k: how many top predictions count (default 5).
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"


@keras_export("keras.metrics.SparseTopKCategoricalAccuracy", "keras.metrics.sparse_top_k_categorical_accuracy")
class SparseTopKCategoricalAccuracy(_FnMetric):
    """How often the integer label is among the top `k` predictions.

    Args:
      k: how many top predictions count (default 5).
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      from_sorted_ids: whether `y_pred` holds class ids sorted by decreasing score.
    """

    _config_keys = ("k",)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict:
        config = super().get_config()
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


# ---------------------------------------------------------------- regression metrics


@keras_export("keras.metrics.MeanSquaredError", "keras.metrics.mean_squared_error", "keras.metrics.mse", "keras.metrics.MSE")
class MeanSquaredError(_FnMetric):
    """The mean squared error between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=L.mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.MeanAbsoluteError", "keras.metrics.mean_absolute_error", "keras.metrics.mae", "keras.metrics.MAE")
class MeanAbsoluteError(_FnMetric):
    """The mean absolute error between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=L.mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.MeanAbsolutePercentageError", "keras.metrics.mean_absolute_percentage_error",
              "keras.metrics.mape", "keras.metrics.MAPE")
class MeanAbsolutePercentageError(_FnMetric):
    """The mean absolute percentage error between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=L.mean_absolute_percentage_error, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.MeanSquaredLogarithmicError", "keras.metrics.mean_squared_logarithmic_error",
              "keras.metrics.msle", "keras.metrics.MSLE")
class MeanSquaredLogarithmicError(_FnMetric):
    """The mean squared logarithmic error between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=L.mean_squared_logarithmic_error, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.LogCoshError", "keras.metrics.log_cosh_error")
class LogCoshError(_FnMetric):
    """The mean logarithm of the hyperbolic cosine of the prediction error.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=L.log_cosh, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.KLDivergence", "keras.metrics.kl_divergence")
class KLDivergence(_FnMetric):
    """The mean Kullback-Leibler divergence between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=L.kl_divergence, name=name, dtype=dtype)


@keras_export("keras.metrics.Poisson", "keras.metrics.poisson")
class Poisson(_FnMetric):
    """The mean Poisson loss between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=L.poisson, name=name, dtype=dtype)


@keras_export("keras.metrics.Hinge", "keras.metrics.hinge")
class Hinge(_FnMetric):
    """The mean hinge loss between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=L.hinge, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.SquaredHinge", "keras.metrics.squared_hinge")
class SquaredHinge(_FnMetric):
    """The mean squared hinge loss between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=L.squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.CategoricalHinge", "keras.metrics.categorical_hinge")
class CategoricalHinge(_FnMetric):
    """The mean categorical hinge loss between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=L.categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"


@keras_export("keras.metrics.RootMeanSquaredError", "keras.metrics.root_mean_squared_error")
class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean squared error between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _convert(y_true, self._dtype)
        y_pred = _convert(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(tf.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return tf.sqrt(super().result())

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.CosineSimilarity", "keras.metrics.cosine_similarity")
class CosineSimilarity(_FnMetric):
    """The mean cosine similarity between labels and predictions along `axis`.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      axis: the axis along which the similarity is computed (default -1).
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self._direction = "up"


@keras_export("keras.metrics.PearsonCorrelation", "keras.metrics.pearson_correlation")
class PearsonCorrelation(_FnMetric):
    """The mean Pearson correlation coefficient between labels and predictions along `axis`.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      axis: the axis along which the correlation is computed (default -1).
    """

    _config_keys = ("axis",)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


@keras_export("keras.metrics.ConcordanceCorrelation", "keras.metrics.concordance_correlation")
class ConcordanceCorrelation(_FnMetric):
    """The mean concordance correlation coefficient between labels and predictions along `axis`.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      axis: the axis along which the coefficient is computed (default -1).
    """

    _config_keys = ("axis",)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


# ---------------------------------------------------------------- probabilistic metrics


@keras_export("keras.metrics.BinaryCrossentropy", "keras.metrics.binary_crossentropy", "keras.metrics.bce",
              "keras.metrics.BCE")
class BinaryCrossentropy(_FnMetric):
    """The mean binary cross-entropy between labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      from_logits: whether `y_pred` holds logits rather than probabilities.
      label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this amount.
    """

    _config_keys = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(L.binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"


@keras_export("keras.metrics.CategoricalCrossentropy", "keras.metrics.categorical_crossentropy")
class CategoricalCrossentropy(_FnMetric):
    """The mean categorical cross-entropy between one-hot labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      from_logits: whether `y_pred` holds logits rather than probabilities.
      label_smoothing: in [0, 1]; labels become `y * (1 - ls) + ls / num_classes`.
      axis: the class axis (default -1).
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(L.categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"


@keras_export("keras.metrics.SparseCategoricalCrossentropy", "keras.metrics.sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(_FnMetric):
    """The mean cross-entropy between integer labels and predictions.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      from_logits: whether `y_pred` holds logits rather than probabilities.
      ignore_class: a label whose entries are left out.
      axis: the class axis (only -1 is supported).
    """

    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(L.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"
