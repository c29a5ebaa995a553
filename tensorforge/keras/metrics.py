"""tf.keras.metrics: Keras 3's metric classes, metric functions and lookup by name.

The classes live in `metrics_base` (Metric, Mean, Sum, MeanMetricWrapper), `metrics_wrappers`
(accuracies, regression, probabilistic, hinge, correlation), `metrics_confusion` (counts,
Precision, Recall, ...AtSensitivity), `metrics_auc`, `metrics_iou` and `metrics_scores`
(F-scores, R2Score).
"""
from __future__ import annotations

import inspect
from typing import Any

from . import losses as _losses
from ._registry import lookup as _lookup
from .losses import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,  # noqa: F401
                     categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
                     mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                     mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge)
from .metrics_auc import AUC  # noqa: F401
from .metrics_base import Mean, MeanMetricWrapper, Metric, Sum, reduce_to_samplewise_values  # noqa: F401
from .metrics_confusion import (FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,  # noqa: F401
                                RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
                                TruePositives)
from .metrics_iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU  # noqa: F401
from .metrics_scores import F1Score, FBetaScore, R2Score  # noqa: F401
from .metrics_wrappers import (FUNCTIONS as _FUNCTIONS, Accuracy, BinaryAccuracy,  # noqa: F401
                               BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy, CategoricalHinge,
                               ConcordanceCorrelation, CosineSimilarity, Hinge, KLDivergence, LogCoshError,
                               MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                               MeanSquaredLogarithmicError, PearsonCorrelation, Poisson, RootMeanSquaredError,
                               SparseCategoricalAccuracy, SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy,
                               SquaredHinge, TopKCategoricalAccuracy, binary_accuracy, categorical_accuracy,
                               concordance_correlation, pearson_correlation, sparse_categorical_accuracy,
                               sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)

# Legacy tf.keras aliases of the metric functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def serialize(metric) -> Any:
    """The serialised form (a config dict) of a `Metric` instance or metric function."""
    return _losses.serialize_keras_object(metric)


def deserialize(config, custom_objects: dict | None = None):
    """A `Metric` instance or metric function from its serialised form or name."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = config.get("config")
        if name in _FUNCTIONS and not (custom_objects and name in custom_objects):
            return _FUNCTIONS[name]
    return _losses.deserialize_keras_object(config, "metrics", custom_objects)


def get(identifier):
    """A metric instance or function from a name, a config dict, a callable or None.

    Names are class names ("AUC"), their snake_case forms ("auc", "sparse_categorical_accuracy")
    and the short aliases ("mse", "mae", "mape", "msle", "bce", "acc"); a class is instantiated.

    Example:

    >>> tf.keras.metrics.get("accuracy")
    <Accuracy name=accuracy>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup("metrics", identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret metric identifier: %s" % (identifier,))
