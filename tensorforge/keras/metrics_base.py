"""The Keras `Metric` base class and the reduction metrics (`Sum`, `Mean`, `MeanMetricWrapper`).

A metric keeps its state in non-trainable `tf.Variable`s, made when the metric is built (in
`__init__` for most metrics, eagerly), and updates them with `assign`/`assign_add`, so that
`update_state` runs both eagerly and inside a tf.function.
"""
from __future__ import annotations

import importlib
from typing import Callable

import tensorforge as tf

from . import losses as losses_module
from ._registry import keras_export
from .losses import _broadcast_like, _convert, _floatx, _standardize_dtype, apply_mask, auto_name, get_keras_mask


def _initial_value(initializer, shape, dtype):
    """The initial value of a metric variable from a Keras initializer identifier."""
    if initializer is None or initializer in ("zeros", "Zeros"):
        return tf.zeros(shape, dtype)
    if initializer in ("ones", "Ones"):
        return tf.ones(shape, dtype)
    if isinstance(initializer, (str, dict)):
        try:
            initializers = importlib.import_module("tensorforge.keras.initializers")
        except ImportError:
            raise ValueError("Could not interpret initializer identifier: %r" % (initializer,)) from None
        initializer = initializers.get(initializer)
    if callable(initializer):
        return initializer(shape, dtype=dtype)
    return tf.cast(tf.broadcast_to(_convert(initializer), shape), dtype)


@keras_export("keras.metrics.Metric", "keras.metrics.metric")
class Metric:
    """Encapsulates metric logic and state (tf.keras.metrics.Metric).

    Subclasses create their state variables with `add_variable`/`add_weight` in `__init__` and
    implement `update_state(...)` and `result()`; calling a metric runs `update_state` and returns
    `result()`.

    Args:
      dtype: the dtype of the metric's computations (default `keras.backend.floatx()`).
      name: the metric instance's name (defaults to the snake_case class name, made unique).

    Example:

    >>> class BinaryTruePositives(tf.keras.metrics.Metric):
    ...     def __init__(self, name="binary_true_positives", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.true_positives = self.add_weight(name="tp", initializer="zeros")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         hits = tf.cast(tf.logical_and(tf.cast(y_true, tf.bool), tf.cast(y_pred, tf.bool)), self.dtype)
    ...         self.true_positives.assign_add(tf.reduce_sum(hits))
    ...     def result(self):
    ...         return self.true_positives
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or auto_name(self.__class__.__name__)
        self._dtype = _standardize_dtype(dtype)
        self._metrics: list = []
        self._variables: list = []

    def __setattr__(self, name, value):
        # Sub-metrics assigned as attributes contribute their variables (as Keras' tracker does).
        if isinstance(value, Metric) and "_metrics" in self.__dict__ and value not in self._metrics:
            self._metrics.append(value)
        object.__setattr__(self, name, value)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list:
        """The metric's state variables, its sub-metrics' included."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name: str | None = None):
        """Creates a non-trainable state variable of the metric."""
        self._check_super_called()
        dtype = _standardize_dtype(dtype) if dtype is not None else _floatx()
        shape = tuple(shape) if shape is not None else ()
        with tf.name_scope(self.name.replace("/", ">")):
            variable = tf.Variable(lambda: _initial_value(initializer, shape, dtype), trainable=False, name=name,
                                   dtype=dtype, aggregation=_aggregation(aggregation),
                                   synchronization=tf.VariableSynchronization.ON_READ)
        try:
            variable.path = "%s/%s" % (self.name.replace("/", ">"), name or "variable")
        except AttributeError:
            pass
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name: str | None = None):
        """Creates a non-trainable state variable of the metric (zeros by default)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def reset_state(self) -> None:
        """Sets every state variable back to zeros."""
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))

    def update_state(self, *args, **kwargs):
        """Accumulates statistics for the metric; subclasses implement it."""
        raise NotImplementedError

    def result(self):
        """The current value of the metric, from its state variables; subclasses implement it."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with the arguments and returns the result."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return "<%s name=%s>" % (self.__class__.__name__, self.name)

    __str__ = __repr__


def _aggregation(aggregation):
    names = {"sum": "SUM", "mean": "MEAN", "only_first_replica": "ONLY_FIRST_REPLICA", "none": "NONE", None: "NONE"}
    if isinstance(aggregation, tf.VariableAggregation):
        return aggregation
    return getattr(tf.VariableAggregation, names.get(aggregation, "SUM"))


def reduce_to_samplewise_values(values, sample_weight, reduce_fn: Callable, dtype):
    """Reduces `values` to one value per sample, weighted by `sample_weight` (Keras' helper)."""
    dtype = dtype or _floatx()
    mask = get_keras_mask(values)
    values = tf.cast(_convert(values), dtype)
    if sample_weight is not None:
        sample_weight = _convert(sample_weight, dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = losses_module.squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.shape.rank
        values_ndim = values.shape.rank
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = _broadcast_like(sample_weight, values)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    values_ndim = values.shape.rank
    if values_ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values_ndim)))
    return values, sample_weight


@keras_export("keras.metrics.Sum", "keras.metrics.sum")
class Sum(Metric):
    """The (weighted) sum of the given values.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.

    Example:

    >>> m = tf.keras.metrics.Sum()
    >>> m.update_state([1, 3, 5, 7])
    >>> m.result().numpy()
    16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, reduce_fn=tf.reduce_sum, dtype=self.dtype)
        self.total.assign_add(tf.reduce_sum(values))

    def reset_state(self) -> None:
        self.total.assign(tf.zeros((), self.total.dtype))

    def result(self):
        return tf.cast(tf.identity(self.total), self.dtype)


@keras_export("keras.metrics.Mean", "keras.metrics.mean")
class Mean(Metric):
    """The (weighted) mean of the given values.

    Args:
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.

    Example:

    >>> m = tf.keras.metrics.Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> m.result().numpy()
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, reduce_fn=tf.reduce_mean,
                                                            dtype=self.dtype)
        self.total.assign_add(tf.reduce_sum(values))
        if sample_weight is not None:
            num_samples = tf.reduce_sum(sample_weight)
        elif values.shape.rank >= 1:
            num_samples = values.shape[0] if values.shape[0] is not None else tf.shape(values)[0]
        else:
            num_samples = 1
        self.count.assign_add(tf.cast(num_samples, dtype=self.dtype))

    def reset_state(self) -> None:
        self.total.assign(tf.zeros((), self.total.dtype))
        self.count.assign(tf.zeros((), self.count.dtype))

    def result(self):
        return tf.math.divide_no_nan(tf.cast(self.total, self.dtype), tf.cast(self.count, dtype=self.dtype))


@keras_export("keras.metrics.MeanMetricWrapper", "keras.metrics.mean_metric_wrapper")
class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
      fn: the per-sample metric function, `fn(y_true, y_pred, **kwargs)`.
      name: the metric instance's name.
      dtype: the dtype of the metric's computations.
      **kwargs: keyword arguments passed on to `fn`.

    Example:

    >>> m = tf.keras.metrics.MeanMetricWrapper(tf.keras.losses.mean_squared_error)
    >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    >>> m.result().numpy()
    0.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_builtin_loss(fn):
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, dtype=self.dtype, reduction="sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = losses_module.serialize_keras_object(self._fn)
        config.update(losses_module.serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        if "fn" in config:
            config = dict(config)
            fn = config["fn"]
            if isinstance(fn, (dict, str)):
                from . import metrics
                config["fn"] = metrics.deserialize(fn)
        return cls(**config)


def _is_builtin_loss(fn) -> bool:
    """Whether `fn` is one of Keras' loss functions or `Loss` instances (lower is better)."""
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return module == losses_module.__name__ or type(fn).__module__ == losses_module.__name__
