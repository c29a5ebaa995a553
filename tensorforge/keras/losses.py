"""tf.keras.losses: Keras 3's loss functions, `Loss` classes, reductions and lookup by name.

Every loss is written with tensorforge ops, so it is differentiable under `tf.GradientTape` and
traces into tf.function graphs. Numerics follow Keras 3 on the TensorFlow backend: probabilities
are clipped to `[1e-7, 1 - 1e-7]`, `"sum_over_batch_size"` divides the weighted sum by the number
of loss elements, and a `Softmax`/`Sigmoid` output inside a graph is traced back to its logits.
"""
from __future__ import annotations

import collections
import inspect
import re
import sys
import types
import warnings
from typing import Any, Callable

import tensorforge as tf

from ._registry import keras_export, lookup

# ---------------------------------------------------------------- Keras backend settings


def _epsilon() -> float:
    """Keras' fuzz factor (`keras.backend.epsilon()`, 1e-7 by default)."""
    backend = sys.modules.get("tensorforge.keras.backend")
    return backend.epsilon() if backend is not None and hasattr(backend, "epsilon") else 1e-7


def _floatx() -> str:
    """Keras' default float type (`keras.backend.floatx()`, "float32" by default)."""
    backend = sys.modules.get("tensorforge.keras.backend")
    return backend.floatx() if backend is not None and hasattr(backend, "floatx") else "float32"


def _standardize_dtype(dtype) -> str:
    """A dtype name from None (floatx), a string, a tf.DType or a dtype policy."""
    if dtype is None:
        return _floatx()
    if hasattr(dtype, "compute_dtype"):  # a keras.DTypePolicy
        return _standardize_dtype(dtype.compute_dtype)
    if isinstance(dtype, str):
        if dtype.startswith("mixed_"):
            return dtype[len("mixed_"):]
        aliases = {"int": "int64", "float": "float32"}
        return aliases[dtype] if dtype in aliases else tf.as_dtype(dtype).name
    return tf.as_dtype(dtype).name


_NAME_UIDS: collections.defaultdict = collections.defaultdict(int)


def to_snake_case(name: str) -> str:
    """'SparseCategoricalAccuracy' -> 'sparse_categorical_accuracy', as Keras names objects."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix: str) -> str:
    """A unique snake_case name: 'auc', then 'auc_1', 'auc_2', ... (Keras' `auto_name`)."""
    name = to_snake_case(prefix)
    unique = "%s_%d" % (name, _NAME_UIDS[name]) if name in _NAME_UIDS else name
    _NAME_UIDS[name] += 1
    return unique


# ---------------------------------------------------------------- tensors: conversion, masks, logits


def _convert(x, dtype=None):
    """`x` as a tensor of `dtype` (casting tensors, as keras.ops.convert_to_tensor does)."""
    if tf.is_tensor(x):
        return x if dtype is None or x.dtype == dtype else tf.cast(x, dtype)
    try:
        return tf.convert_to_tensor(x, dtype=dtype)
    except (TypeError, ValueError):  # e.g. float values for an int dtype: convert, then cast
        return tf.cast(tf.convert_to_tensor(x), dtype)


def _broadcast_like(x, like):
    """`x` broadcast to the shape of `like`, also when a dimension is unknown at trace time."""
    if like.shape.is_fully_defined():
        return tf.broadcast_to(x, like.shape.as_list())
    return x * tf.ones_like(like, dtype=x.dtype)


def _reshape_target(x):
    """A shape to `tf.reshape` into that of `x`: static, with at most one unknown dimension as -1."""
    dims = x.shape.as_list() if x.shape.rank is not None else None
    if dims is not None and dims.count(None) <= 1:
        return [-1 if d is None else d for d in dims]
    return tf.shape(x)


from .masking import get_keras_mask, set_keras_mask  # noqa: E402,F401 - re-exported for losses/metrics


def _get_logits(output, from_logits: bool, op_type: str, fn_name: str):
    """The logits behind a probability tensor, when it is known (Keras' `_get_logits`).

    A tensor made by a Keras softmax/sigmoid activation carries `_keras_logits`; inside a graph,
    the output of a `Softmax`/`Sigmoid` op is traced back to that op's input.
    """
    logits = getattr(output, "_keras_logits", None)
    from_op = (logits is None and getattr(output, "_is_symbolic_tensor", False)
               and output.op.type == op_type and len(output.op.inputs) == 1)
    if from_logits and (logits is not None or from_op):
        warnings.warn('"`%s` received `from_logits=True`, but the `output` argument was produced by a %s '
                      "activation and thus does not represent logits. Was this intended?" % (fn_name, op_type),
                      stacklevel=3)
    if logits is not None:
        return logits, True
    if from_op:
        return output.op.inputs[0], True
    return output, from_logits


# ---------------------------------------------------------------- reductions and sample weights

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Checks `reduction` against Keras 3's reductions and returns it."""
    if reduction not in _REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: reduction=%s"
                         % (set(_REDUCTIONS), reduction))
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Squeezes or expands the last axis of one tensor when the ranks differ by exactly one."""
    s1, s2 = x1.shape, x2.shape
    r1, r2 = s1.rank, s2.rank
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and s1[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = tf.expand_dims(x2, -1)
        else:
            x1 = tf.squeeze(x1, -1)
    if r2 == r1 + 1 and s2[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = tf.expand_dims(x1, -1)
        else:
            x2 = tf.squeeze(x2, -1)
    return x1, x2


def _num_elements(x, dtype):
    """The number of elements of `x` as a scalar of `dtype` (static when the shape is known)."""
    if x.shape.is_fully_defined():
        n = 1
        for d in x.shape:
            n *= d
        return tf.constant(float(n), dtype=dtype)
    return tf.cast(tf.size(x), dtype)


def _scale_loss_for_distribution(value):
    """Divides by the number of replicas under a multi-replica tf.distribute strategy."""
    distribute = getattr(tf, "distribute", None)
    if distribute is not None and hasattr(distribute, "get_strategy"):
        replicas = distribute.get_strategy().num_replicas_in_sync
        if replicas > 1:
            value = value * tf.cast(1.0 / replicas, value.dtype)
    return value


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces (already weighted) loss values as Keras 3 does."""
    shape = values.shape
    if reduction is None or reduction == "none" or shape.rank == 0 or (shape.rank == 1 and shape[0] == 0):
        return values
    loss = tf.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = tf.cast(tf.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = _num_elements(values, loss.dtype)
        loss = _scale_loss_for_distribution(tf.math.divide_no_nan(loss, divisor))
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a Keras mask into `sample_weight` (masked entries weigh 0)."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        # Valid entries weigh total/valid so that the mean runs over valid entries only.
        total = _num_elements(mask, dtype)
        valid = tf.reduce_sum(tf.cast(mask, dtype))
        float_mask = tf.where(tf.cast(mask, "bool"), tf.math.divide_no_nan(total, valid), tf.zeros((), dtype))
    else:
        float_mask = tf.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = tf.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """Weights per-element losses by `sample_weight` (and `mask`), then reduces them."""
    reduction = standardize_reduction(reduction)
    values = _convert(values, dtype)
    if sample_weight is not None:
        sample_weight = _convert(sample_weight, dtype)
    if mask is not None:
        mask = _convert(mask, dtype)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = tf.cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


# ---------------------------------------------------------------- serialisation


def serialize_keras_object(obj):
    """Keras 3's serialised form of a loss/metric class instance or function."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if tf.is_tensor(obj):
        return obj.numpy().tolist()
    if isinstance(obj, types.FunctionType):
        name = getattr(obj, "_keras_registered_name", None) or obj.__name__
        return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
    cls = type(obj)
    config = serialize_keras_object(obj.get_config())
    registered = cls.__dict__.get("_keras_registered_name")
    if registered is None and cls.__module__.startswith("tensorforge.keras."):
        # A built-in class: its public Keras module ("keras.losses", "keras.metrics").
        module = "keras." + cls.__module__.split(".")[2].split("_")[0]
    else:
        module = cls.__module__
        registered = registered or cls.__name__
    return {"module": module, "class_name": cls.__name__, "config": config, "registered_name": registered}


def deserialize_keras_object(config, package: str, custom_objects: dict | None = None):
    """Rebuilds a function or class instance from `serialize_keras_object` output (or a name)."""
    if isinstance(config, str):
        obj = lookup(package, config, custom_objects)
        if obj is None:
            raise ValueError("Could not interpret %s identifier: %s" % (package[:-1], config))
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Could not interpret serialized %s: %r" % (package[:-1], config))
    class_name = config["class_name"]
    if class_name == "function":
        for name in (config.get("config"), config.get("registered_name")):
            if not isinstance(name, str) or name == "function":
                continue
            for pkg in (package, "losses"):
                fn = lookup(pkg, name, custom_objects)
                if fn is not None and not inspect.isclass(fn):
                    return fn
        raise ValueError("Unknown function %r while deserializing a %s." % (config.get("config"), package[:-1]))
    cls = None
    for name in (config.get("registered_name"), class_name):
        if isinstance(name, str):
            cls = lookup(package, name, custom_objects)
            if cls is not None:
                break
    if cls is None:
        raise ValueError("Unknown %s class %r. If it is a custom class, register it with "
                         "`@tf.keras.saving.register_keras_serializable()` or pass it in `custom_objects`."
                         % (package[:-1], class_name))
    if isinstance(cls, types.FunctionType):
        return cls
    return cls.from_config(dict(config.get("config") or {}))


def _deserialize_fn_kwargs(config: dict) -> dict:
    """A wrapper's config with its serialised `fn` turned back into a function."""
    config = dict(config)
    fn = config.get("fn")
    if isinstance(fn, (dict, str)):
        config["fn"] = deserialize_keras_object(fn, "losses")
    return config


# ---------------------------------------------------------------- base classes


@keras_export("keras.losses.Loss")
class Loss:
    """Loss base class (tf.keras.losses.Loss).

    Subclasses implement `call(y_true, y_pred)`, returning per-sample losses; `__call__` weights
    them by `sample_weight` and reduces them.

    Args:
      name: the loss instance's name (defaults to the snake_case class name, made unique).
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"`,
        or `"none"`/`None` for no reduction.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).

    Example:

    >>> class MeanSquaredError(tf.keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        self.name = name or auto_name(self.__class__.__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _standardize_dtype(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Computes the weighted, reduced loss between `y_true` and `y_pred`."""
        in_mask = get_keras_mask(y_pred)
        with tf.name_scope(self.name):
            y_pred = tf.nest.map_structure(lambda x: _convert(x, self._dtype), y_pred)
            y_true = tf.nest.map_structure(lambda x: _convert(x, self._dtype), y_true)
            losses = self.call(y_true, y_pred)
            out_mask = get_keras_mask(losses)
            if in_mask is not None and out_mask is not None:
                mask = tf.logical_and(tf.cast(in_mask, "bool"), tf.cast(out_mask, "bool"))
            else:
                mask = in_mask if in_mask is not None else out_mask
            return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                          reduction=self.reduction, dtype=self._dtype)

    def call(self, y_true, y_pred):
        """The per-sample losses; subclasses implement it."""
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


@keras_export("keras.losses.LossFunctionWrapper")
class LossFunctionWrapper(Loss):
    """Wraps a loss function `fn(y_true, y_pred, **kwargs)` into a `Loss` class.

    Args:
      fn: the loss function.
      reduction: see `Loss`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations.
      **kwargs: keyword arguments passed on to `fn`.
    """

    def __init__(self, fn: Callable, reduction="sum_over_batch_size", name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if tf.nest.is_nested(y_true) or tf.nest.is_nested(y_pred):
            flat_true, flat_pred = tf.nest.flatten(y_true), tf.nest.flatten(y_pred)
            if len(flat_true) != len(flat_pred):
                raise ValueError("Structures don't have the same nested structure.")
            pairs = [squeeze_or_expand_to_same_rank(t, p) for t, p in zip(flat_true, flat_pred)]
            y_true = tf.nest.pack_sequence_as(y_true, [t for t, _ in pairs])
            y_pred = tf.nest.pack_sequence_as(y_pred, [p for _, p in pairs])
        else:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict):
        if "fn" in config:
            config = _deserialize_fn_kwargs(config)
        return cls(**config)

    def __repr__(self) -> str:
        return "<LossFunctionWrapper(%s, kwargs=%s)>" % (self.fn, self._fn_kwargs)


# ---------------------------------------------------------------- backend cross-entropies


def _check_same_shape(target, output, rank_only: bool = False) -> None:
    if target.shape.rank is not None and output.shape.rank is not None:
        if target.shape.rank != output.shape.rank:
            raise ValueError("Arguments `target` and `output` must have the same rank (ndim). Received: "
                             "target.shape=%s, output.shape=%s" % (target.shape, output.shape))
        for a, b in zip(target.shape, output.shape):
            if a is not None and b is not None and a != b:
                raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                                 "target.shape=%s, output.shape=%s" % (target.shape, output.shape))


def _categorical_crossentropy_op(target, output, from_logits=False, axis=-1):
    """Keras' backend categorical cross-entropy between `target` and probabilities/logits."""
    target = _convert(target)
    output = _convert(output)
    if target.shape.rank is not None and target.shape.rank < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: target.shape=%s, "
                         "output.shape=%s" % (target.shape, output.shape))
    _check_same_shape(target, output)
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def _sparse_categorical_crossentropy_op(target, output, from_logits=False, axis=-1):
    """Keras' backend sparse categorical cross-entropy: integer `target`, probabilities/logits."""
    output = _convert(output)
    if axis != -1 and axis != output.shape.rank - 1:
        raise ValueError("Only axis=-1 is currently supported. Received: axis=%s" % (axis,))
    output, from_logits = _get_logits(output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    target = tf.cast(_convert(target), "int64")
    t_shape, o_shape = target.shape, output.shape
    if t_shape.rank is not None and t_shape.rank == o_shape.rank and t_shape[-1] == 1:
        target = tf.squeeze(target, -1)
        t_shape = target.shape
    if o_shape.rank is not None and o_shape.rank < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: output.shape=%s" % (o_shape,))
    if t_shape.rank is not None and o_shape.rank is not None:
        if t_shape.rank != o_shape.rank - 1:
            raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape=%s, "
                             "output.shape=%s" % (t_shape, o_shape))
        for a, b in zip(t_shape, o_shape[:-1]):
            if a is not None and b is not None and a != b:
                raise ValueError("Arguments `target` and `output` must have the same shape up until the last "
                                 "dimension: target.shape=%s, output.shape=%s" % (t_shape, o_shape))
    if not from_logits:
        eps = _epsilon()
        output = tf.math.log(tf.clip_by_value(output, eps, 1 - eps))
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def _binary_crossentropy_op(target, output, from_logits=False):
    """Keras' backend element-wise binary cross-entropy."""
    target = _convert(target)
    output = _convert(output)
    _check_same_shape(target, output)
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.math.log(output)
    bce += (1 - target) * tf.math.log(1 - output)
    return -bce


def _l2_normalize(x, axis=-1):
    """Keras' `normalize(x, order=2)`: x * min(rsqrt(sum(x**2)), 1/epsilon)."""
    if x.shape.rank == 0:
        x = tf.expand_dims(x, 0)
    inv_norm = tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
    return x * tf.minimum(inv_norm, tf.cast(1.0 / _epsilon(), x.dtype))


def _y_pair(y_true, y_pred, squeeze: bool = True):
    """`y_pred` as a tensor and `y_true` in its dtype, with ranks reconciled."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    if squeeze:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _smooth_categorical(y_true, label_smoothing, dtype):
    if not label_smoothing:
        return y_true
    classes = y_true.shape[-1]
    num_classes = tf.cast(classes if classes is not None else tf.shape(y_true)[-1], dtype)
    return y_true * (1.0 - label_smoothing) + tf.constant(label_smoothing, dtype) / num_classes


def _check_axis(axis) -> None:
    if isinstance(axis, bool):
        raise ValueError("`axis` must be of type `int`. Received: axis=%s of type %s" % (axis, type(axis)))


def _warn_one_class(fn_name: str, y_pred) -> None:
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn("In loss %s, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
                      "Received: y_pred.shape=%s. Consider using 'binary_crossentropy' if you only have 2 classes."
                      % (fn_name, y_pred.shape), SyntaxWarning, stacklevel=3)


# ---------------------------------------------------------------- loss functions


@keras_export("keras.losses.mean_squared_error", "keras.losses.mse", "keras.losses.MSE")
def mean_squared_error(y_true, y_pred):
    """Mean of `square(y_true - y_pred)` over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


@keras_export("keras.losses.mean_absolute_error", "keras.losses.mae", "keras.losses.MAE")
def mean_absolute_error(y_true, y_pred):
    """Mean of `abs(y_true - y_pred)` over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


@keras_export("keras.losses.mean_absolute_percentage_error", "keras.losses.mape", "keras.losses.MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)))` over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    eps = tf.constant(_epsilon(), y_pred.dtype)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), eps))
    return 100.0 * tf.reduce_mean(diff, axis=-1)


@keras_export("keras.losses.mean_squared_logarithmic_error", "keras.losses.msle", "keras.losses.MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean of `square(log(y_pred + 1) - log(y_true + 1))` (inputs floored at epsilon)."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    eps = tf.constant(_epsilon(), y_pred.dtype)
    first_log = tf.math.log(tf.maximum(y_pred, eps) + 1.0)
    second_log = tf.math.log(tf.maximum(y_true, eps) + 1.0)
    return tf.reduce_mean(tf.square(first_log - second_log), axis=-1)


@keras_export("keras.losses.cosine_similarity")
def cosine_similarity(y_true, y_pred, axis=-1):
    """The negated cosine similarity between `y_true` and `y_pred` along `axis`."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    return -tf.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


@keras_export("keras.losses.huber")
def huber(y_true, y_pred, delta=1.0):
    """Huber loss: quadratic for errors up to `delta`, linear beyond; mean over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    delta = _convert(delta, y_pred.dtype)
    error = tf.subtract(y_pred, y_true)
    abs_error = tf.abs(error)
    half = tf.constant(0.5, abs_error.dtype)
    return tf.reduce_mean(tf.where(abs_error <= delta, half * tf.square(error),
                                   delta * abs_error - half * tf.square(delta)), axis=-1)


@keras_export("keras.losses.log_cosh")
def log_cosh(y_true, y_pred):
    """Mean of `log(cosh(y_pred - y_true))` over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred)
    x = y_pred - y_true
    log2 = tf.constant(0.6931471805599453, y_pred.dtype)
    return tf.reduce_mean(x + tf.math.softplus(x * -2.0) - log2, axis=-1)


@keras_export("keras.losses.hinge")
def hinge(y_true, y_pred):
    """Mean of `maximum(1 - y_true * y_pred, 0)`; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _y_pair(y_true, y_pred, squeeze=False)
    y_true = _labels_to_hinge(y_true)
    return tf.reduce_mean(tf.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@keras_export("keras.losses.squared_hinge")
def squared_hinge(y_true, y_pred):
    """Mean of `square(maximum(1 - y_true * y_pred, 0))`; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _y_pair(y_true, y_pred, squeeze=False)
    y_true = _labels_to_hinge(y_true)
    return tf.reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def _labels_to_hinge(y_true):
    """Maps labels to -1/1 when they are all 0 or 1 (Keras' `convert_binary_labels_to_hinge`)."""
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0), tf.equal(y_true, 1)))
    return tf.where(is_binary, 2.0 * y_true - 1.0, y_true)


@keras_export("keras.losses.categorical_hinge")
def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` per sample."""
    y_true, y_pred = _y_pair(y_true, y_pred, squeeze=False)
    pos = tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tf.maximum(neg - pos + 1.0, tf.zeros((), y_pred.dtype))


@keras_export("keras.losses.kl_divergence", "keras.losses.kld", "keras.losses.KLD")
def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`, inputs clipped to [eps, 1]."""
    y_true, y_pred = _y_pair(y_true, y_pred, squeeze=False)
    eps = _epsilon()
    y_true = tf.clip_by_value(y_true, eps, 1)
    y_pred = tf.clip_by_value(y_pred, eps, 1)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


@keras_export("keras.losses.poisson")
def poisson(y_true, y_pred):
    """Mean of `y_pred - y_true * log(y_pred + epsilon)` over the last axis."""
    y_true, y_pred = _y_pair(y_true, y_pred, squeeze=False)
    eps = tf.constant(_epsilon(), y_pred.dtype)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + eps), axis=-1)


@keras_export("keras.losses.categorical_crossentropy")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy between one-hot `y_true` and probabilities (or logits) `y_pred`."""
    _check_axis(axis)
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    _warn_one_class("categorical_crossentropy", y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    return _categorical_crossentropy_op(y_true, y_pred, from_logits=from_logits, axis=axis)


@keras_export("keras.losses.categorical_focal_crossentropy")
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Categorical focal cross-entropy: cross-entropy weighted by `alpha * (1 - p) ** gamma`."""
    _check_axis(axis)
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    _warn_one_class("categorical_focal_crossentropy", y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    if from_logits:
        y_pred = tf.nn.softmax(y_pred, axis=axis)
    output = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    cce = -y_true * tf.math.log(output)
    weighting = tf.multiply(tf.pow(1.0 - output, gamma), alpha)
    return tf.reduce_sum(tf.multiply(weighting, cce), axis=axis)


@keras_export("keras.losses.sparse_categorical_crossentropy")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy between integer labels `y_true` and probabilities (or logits) `y_pred`.

    Entries whose label is `ignore_class` get a loss of 0 and are masked out of the reduction.
    """
    y_true = _convert(y_true)
    y_pred = _convert(y_pred)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[axis] == 1:
        y_true = tf.squeeze(y_true, axis)
    valid_mask = None
    if ignore_class is not None:
        valid_mask = tf.not_equal(y_true, tf.cast(ignore_class, y_true.dtype))
        y_true = tf.where(valid_mask, y_true, tf.zeros((), y_true.dtype))
        y_pred = tf.where(tf.expand_dims(valid_mask, axis), y_pred, tf.zeros((), y_pred.dtype))
    res = _sparse_categorical_crossentropy_op(y_true, y_pred, from_logits=from_logits, axis=axis)
    if valid_mask is not None:
        valid_mask = tf.reshape(valid_mask, _reshape_target(res))
        res = tf.where(valid_mask, res, tf.zeros((), res.dtype))
        set_keras_mask(res, valid_mask)
    return res


@keras_export("keras.losses.binary_crossentropy", "keras.losses.bce", "keras.losses.BCE")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over `axis`."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return tf.reduce_mean(_binary_crossentropy_op(y_true, y_pred, from_logits=from_logits), axis=axis)


@keras_export("keras.losses.binary_focal_crossentropy")
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Binary focal cross-entropy: cross-entropy weighted by `(1 - p_t) ** gamma`, averaged over `axis`."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = tf.sigmoid(y_pred)
    bce = _binary_crossentropy_op(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = tf.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return tf.reduce_mean(focal_bce, axis=axis)


@keras_export("keras.losses.dice")
def dice(y_true, y_pred, axis=None):
    """Dice loss `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)`."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    intersection = tf.reduce_sum(y_true * y_pred, axis=axis)
    score = tf.divide(2.0 * intersection,
                      tf.reduce_sum(y_true, axis=axis) + tf.reduce_sum(y_pred, axis=axis) + _epsilon())
    return 1 - score


@keras_export("keras.losses.tversky")
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss: `1 - TP / (TP + alpha * FP + beta * FN + epsilon)` on soft counts."""
    y_pred = _convert(y_pred)
    y_true = _convert(y_true, y_pred.dtype)
    intersection = tf.reduce_sum(y_true * y_pred, axis=axis)
    fp = tf.reduce_sum((1 - y_pred) * y_true, axis=axis)
    fn = tf.reduce_sum(y_pred * (1 - y_true), axis=axis)
    return 1 - tf.divide(intersection, intersection + fp * alpha + fn * beta + _epsilon())


# ---------------------------------------------------------------- Loss classes


class _Wrapper(LossFunctionWrapper):
    """A built-in wrapper whose config lists its own arguments rather than `fn`."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = Loss.get_config(self)
        config.update({k: getattr(self, k) for k in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


@keras_export("keras.losses.MeanSquaredError")
class MeanSquaredError(_Wrapper):
    """Mean of squares of errors between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.MeanAbsoluteError")
class MeanAbsoluteError(_Wrapper):
    """Mean of absolute differences between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.MeanAbsolutePercentageError")
class MeanAbsolutePercentageError(_Wrapper):
    """Mean absolute percentage error between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.MeanSquaredLogarithmicError")
class MeanSquaredLogarithmicError(_Wrapper):
    """Mean squared logarithmic error between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.LogCosh")
class LogCosh(_Wrapper):
    """Logarithm of the hyperbolic cosine of the prediction error.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.Hinge")
class Hinge(_Wrapper):
    """Hinge loss between labels (-1/1, or 0/1 mapped to -1/1) and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.SquaredHinge")
class SquaredHinge(_Wrapper):
    """Squared hinge loss between labels (-1/1, or 0/1 mapped to -1/1) and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.CategoricalHinge")
class CategoricalHinge(_Wrapper):
    """Categorical hinge loss between one-hot labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.KLDivergence")
class KLDivergence(_Wrapper):
    """Kullback-Leibler divergence between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.Poisson")
class Poisson(_Wrapper):
    """Poisson loss between labels and predictions.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.CosineSimilarity")
class CosineSimilarity(_Wrapper):
    """Negated cosine similarity between labels and predictions along `axis`.

    Args:
      axis: the axis along which the similarity is computed (default -1).
      reduction, name, dtype: see `Loss`.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


@keras_export("keras.losses.Huber")
class Huber(_Wrapper):
    """Huber loss: `0.5 * x**2` for `|x| <= delta`, `delta * |x| - 0.5 * delta**2` beyond.

    Args:
      delta: where the loss turns from quadratic to linear (default 1.0).
      reduction, name, dtype: see `Loss`.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


@keras_export("keras.losses.BinaryCrossentropy")
class BinaryCrossentropy(_Wrapper):
    """Binary cross-entropy between 0/1 labels and predicted probabilities (or logits).

    Args:
      from_logits: whether `y_pred` holds logits rather than probabilities.
      label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this amount.
      axis: the axis the loss is averaged over (default -1).
      reduction, name, dtype: see `Loss`.

    Example:

    >>> tf.keras.losses.BinaryCrossentropy()([[0.0], [1.0]], [[0.1], [0.8]]).numpy()
    0.16425204
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@keras_export("keras.losses.BinaryFocalCrossentropy")
class BinaryFocalCrossentropy(_Wrapper):
    """Binary focal cross-entropy (Lin et al., 2017), for imbalanced binary classification.

    Args:
      apply_class_balancing: weigh positives by `alpha` and negatives by `1 - alpha`.
      alpha: the class-balancing weight (default 0.25).
      gamma: the focusing parameter (default 2.0).
      from_logits, label_smoothing, axis: as in `BinaryCrossentropy`.
      reduction, name, dtype: see `Loss`.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


@keras_export("keras.losses.CategoricalCrossentropy")
class CategoricalCrossentropy(_Wrapper):
    """Cross-entropy between one-hot labels and predicted class probabilities (or logits).

    Args:
      from_logits: whether `y_pred` holds logits rather than probabilities.
      label_smoothing: in [0, 1]; labels become `y * (1 - ls) + ls / num_classes`.
      axis: the class axis (default -1).
      reduction, name, dtype: see `Loss`.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@keras_export("keras.losses.CategoricalFocalCrossentropy")
class CategoricalFocalCrossentropy(_Wrapper):
    """Categorical focal cross-entropy, for imbalanced multi-class classification.

    Args:
      alpha: the weighting factor (default 0.25).
      gamma: the focusing parameter (default 2.0).
      from_logits, label_smoothing, axis: as in `CategoricalCrossentropy`.
      reduction, name, dtype: see `Loss`.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


@keras_export("keras.losses.SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(_Wrapper):
    """Cross-entropy between integer labels and predicted class probabilities (or logits).

    Args:
      from_logits: whether `y_pred` holds logits rather than probabilities.
      ignore_class: a label whose entries are left out of the loss (e.g. a padding class).
      reduction: see `Loss`.
      axis: the class axis (only -1 is supported).
      name, dtype: see `Loss`.

    Example:

    >>> loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> loss(tf.constant([1, 0]), tf.constant([[0.5, 2.0], [1.0, -1.0]])).numpy()
    0.16417064
    """

    _config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class


@keras_export("keras.losses.Dice")
class Dice(_Wrapper):
    """Dice loss between labels and predictions, reduced over `axis` (all axes by default)."""

    _config_keys = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


@keras_export("keras.losses.Tversky")
class Tversky(_Wrapper):
    """Tversky loss: Dice with false positives weighted by `alpha` and false negatives by `beta`."""

    _config_keys = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis


class Reduction:
    """Legacy reduction names (tf.keras.losses.Reduction)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError('Invalid Reduction Key: %s. Expected keys are "%s"' % (key, cls.all()))


# Legacy tf.keras aliases that `get` does not resolve.
kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
mse, MSE = mean_squared_error, mean_squared_error
mae, MAE = mean_absolute_error, mean_absolute_error
mape, MAPE = mean_absolute_percentage_error, mean_absolute_percentage_error
msle, MSLE = mean_squared_logarithmic_error, mean_squared_logarithmic_error
kld, KLD = kl_divergence, kl_divergence
bce, BCE = binary_crossentropy, binary_crossentropy


# ---------------------------------------------------------------- lookup


def serialize(loss) -> Any:
    """The serialised form (a config dict) of a `Loss` instance or loss function."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects: dict | None = None):
    """A `Loss` instance or loss function from its serialised form or name."""
    return deserialize_keras_object(name, "losses", custom_objects)


def get(identifier):
    """A loss function or `Loss` instance from a name, a config dict, a callable or None.

    Example:

    >>> tf.keras.losses.get("mse")
    <function mean_squared_error at ...>
    >>> tf.keras.losses.get("CategoricalCrossentropy")
    <LossFunctionWrapper(<function categorical_crossentropy at ...>, kwargs={...})>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = lookup("losses", identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret loss identifier: %s" % (identifier,))


# ---------------------------------------------------------------- CTC


@keras_export("keras.losses.ctc")
def ctc(y_true, y_pred):
    """CTC (Connectionist Temporal Classification) loss per sample.

    Args:
      y_true: `(batch_size, max_length)` integer labels; `0` is the blank/mask index.
      y_pred: `(batch_size, max_length, num_classes)` logits (not softmax-normalised).
    """
    y_true = tf.convert_to_tensor(y_true)
    y_pred = tf.convert_to_tensor(y_pred)
    if y_true.shape.rank != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in integer "
                         "format. Received: y_true.shape=%s" % (tuple(y_true.shape.as_list()),))
    if y_pred.shape.rank != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, num_classes)`. "
                         "Received: y_pred.shape=%s" % (tuple(y_pred.shape.as_list()),))
    shape = tf.shape(y_pred)
    input_length = tf.fill([shape[0]], shape[1])
    label_length = tf.cast(tf.reduce_sum(tf.cast(tf.not_equal(y_true, tf.cast(0, y_true.dtype)), "int32"), axis=-1),
                           "int32")
    target = tf.cast(y_true, "int32")
    result_dtype = "float64" if y_pred.dtype == tf.float64 else (
        y_pred.dtype.name if y_pred.dtype.is_floating else "float32")
    compute_dtype = "float32" if result_dtype == "float64" else result_dtype
    output = tf.cast(y_pred, compute_dtype)
    loss = tf.nn.ctc_loss(labels=target, logits=output, label_length=label_length, logit_length=input_length,
                          blank_index=0, logits_time_major=False)
    return tf.cast(loss, result_dtype)


@keras_export("keras.losses.CTC")
class CTC(_Wrapper):
    """CTC (Connectionist Temporal Classification) loss.

    Args:
      reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`.
      name: the loss instance's name.
      dtype: the dtype of the loss computations (default `keras.backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)
