"""keras.layers.Layer: the base of every layer and model.

A layer owns variables (made by `add_weight` in `build`, on the first call, when the input
shape is known) and computes `call`. Called on Keras symbolic tensors (from `keras.Input`),
a layer stages its ops in the shared functional graph and records the call, which is how
functional models are built; called on tensors, it computes; inside tf.function, it traces.
"""
from __future__ import annotations

import inspect
import re
import threading

from ...framework import dtypes
from ...framework.context import graph_scope
from ...framework.nest import flatten, map_structure
from ...framework.tensor_shape import TensorShape
from .. import dtype_policies
from ..masking import get_keras_mask, set_keras_mask
from ..variables import KerasVariable
from .._registry import keras_export

_names = threading.local()
_call_context = threading.local()


class _NameScope:
    """Keras's name scope of a layer while it builds or calls: variables created inside get the
    path of the enclosing layers ('sequential/dense/kernel', 'lstm/lstm_cell/kernel')."""

    __slots__ = ("layer", "pushed")

    def __init__(self, layer):
        self.layer = layer

    def __enter__(self):
        stack = _scope_stack()
        self.pushed = not stack or stack[-1] is not self.layer
        if self.pushed:
            stack.append(self.layer)

    def __exit__(self, *exc):
        if self.pushed:
            _scope_stack().pop()


def _scope_stack() -> list:
    stack = getattr(_call_context, "scopes", None)
    if stack is None:
        stack = _call_context.scopes = []
    return stack


def _weight_path(layer, name: str) -> str:
    stack = _scope_stack()
    names = [lay.name for lay in stack]
    if not stack or stack[-1] is not layer:
        names.append(layer.name)
    return "/".join(names + [name])


def unique_layer_name(base: str) -> str:
    """Keras's automatic names: dense, dense_1, dense_2, ..."""
    counts = getattr(_names, "counts", None)
    if counts is None:
        counts = _names.counts = {}
    n = counts.get(base, 0)
    counts[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


def _snake(name: str) -> str:
    """Keras's to_snake_case: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    name = re.sub(r"\W+", "", name)
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def dtype_policy_config(policy) -> dict:
    """A layer's serialised dtype policy (`policy` is a DTypePolicy or a DType)."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": policy.name}, "registered_name": None}


def _dtype_from(value):
    if value is None:  # the default dtype: keras.config.floatx()
        from ..config import floatx
        return dtypes.as_dtype(floatx())
    if isinstance(value, dict):  # a serialised DTypePolicy
        value = value.get("config", {}).get("name", "float32")
    return dtypes.as_dtype(value)


def _autocast(t, dtype):
    from ...framework.convert import convert_to_tensor
    from ...ops.math_ops import cast
    if isinstance(t, __import__("numpy").ndarray) and t.dtype.kind == "f":
        t = convert_to_tensor(t)
    d = getattr(t, "dtype", None)
    if d is not None and getattr(d, "is_floating", False) and d is not dtype and hasattr(t, "shape"):
        return cast(t, dtype)
    return t


def functional_graph_of(x):
    """The functional graph a Keras symbolic input belongs to, or None for real tensors."""
    for t in flatten(x):
        g = getattr(t, "graph", None)
        if g is not None and getattr(g, "keras_history", None) is not None:
            return g
    return None


# Weights Keras 3 keeps in private attributes (for quantization), by class: checkpoints use those names.
_CHECKPOINT_RENAMES = {
    "Dense": {"kernel": "_kernel"}, "BaseConv": {"kernel": "_kernel"}, "EinsumDense": {"kernel": "_kernel"},
    "_EinsumProjection": {"kernel": "_kernel"}, "Embedding": {"embeddings": "_embeddings"},
}
_CHECKPOINT_SKIP = frozenset(("_layers", "_trainable_weights", "_non_trainable_weights", "_losses", "_regularizers",
                              "_tf_checkpoint_restorer"))


def _is_metric(value) -> bool:
    return any(c.__name__ == "Metric" and c.__module__.endswith("keras.metrics_base") for c in type(value).__mro__)


@keras_export("keras.layers.Layer")
class Layer:
    """The base class of layers (tf.keras.layers.Layer).

    Subclasses create weights in `build(input_shape)` with `add_weight` and compute in
    `call(inputs, ...)`; `call` may take `training` and `mask` arguments.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_name_scoped", False):
            # As Keras does: a layer's build runs in its name scope however it is called, so
            # weights made there (or by sublayers built there) get the enclosing layers' path.
            def scoped_build(self, *args, __build=build, **kw):
                with _NameScope(self):
                    return __build(self, *args, **kw)
            scoped_build._name_scoped = True
            scoped_build.__doc__, scoped_build.__name__, scoped_build.__wrapped__ = build.__doc__, "build", build
            cls.build = scoped_build

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True, name=None,
                 **kwargs):
        for k in ("input_shape", "input_dim", "batch_input_shape", "batch_size", "input_length"):
            kwargs.pop(k, None)  # Keras 2 arguments Sequential-style users still pass
        if kwargs:
            raise TypeError("Unrecognized keyword arguments passed to %s: %s" % (type(self).__name__, kwargs))
        object.__setattr__(self, "_layers", [])
        self.name = name or unique_layer_name(_snake(type(self).__name__))
        self._trainable = trainable
        self._set_dtype_policy(dtype)
        self._autocast = bool(autocast)
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        if activity_regularizer is not None:
            from .. import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        self.built = False
        self.supports_masking = False
        self._build_shapes = None
        params = inspect.signature(self.call).parameters
        self._call_has_training = "training" in params
        default = params["training"].default if "training" in params else None
        self._call_training_default = None if default is inspect.Parameter.empty else default
        self._call_has_mask = "mask" in params

    # -- attribute tracking: sublayers assigned as attributes (or in lists) are tracked
    def __setattr__(self, name, value):
        layers = self.__dict__.get("_layers")
        if layers is not None and name != "_layers":
            for v in flatten(value) if isinstance(value, (list, tuple, dict)) else [value]:
                if isinstance(v, Layer) and v is not self and not any(v is l for l in layers):
                    layers.append(v)
        object.__setattr__(self, name, value)

    # -- properties
    def _set_dtype_policy(self, dtype) -> None:
        policy = dtype_policies.get(dtype)
        self._dtype_policy = policy
        self._dtype = policy._variable          # weights are stored in this dtype
        self._compute_dtype = policy._compute   # inputs, and weights as `call` reads them, are cast to this

    @property
    def dtype(self):
        """The dtype of the layer's weights (the policy's variable dtype)."""
        return self._dtype

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype

    @property
    def dtype_policy(self):
        """The layer's keras.DTypePolicy."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._set_dtype_policy(value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool):
        self._trainable = bool(value)
        for l in self._layers:
            l.trainable = value

    @property
    def layers(self) -> list:
        return list(self._layers)

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        out = list(self._trainable_weights)
        for l in self._layers:
            out.extend(w for w in l.trainable_weights if not any(w is o for o in out))
        return out

    @property
    def non_trainable_weights(self) -> list:
        out = list(self._non_trainable_weights) + ([] if self._trainable else list(self._trainable_weights))
        for l in self._layers:
            for w in (l.non_trainable_weights if self._trainable else l.weights):
                if not any(w is o for o in out):
                    out.append(w)
        return out

    @property
    def weights(self) -> list:
        out = list(self._trainable_weights) + list(self._non_trainable_weights)
        for l in self._layers:
            out.extend(w for w in l.weights if not any(w is o for o in out))
        return out

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def _self_and_sublayers(self) -> list:
        """This layer and every layer inside it, each once, outermost first."""
        out, seen, todo = [], set(), [self]
        while todo:
            layer = todo.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            todo.extend(layer._layers)
        return out

    @property
    def losses(self) -> list:
        """The losses of the last call (add_loss, activity regularizers) of this layer and its
        sublayers, then the weight regularization terms, computed now (as Keras 3 does)."""
        layers = self._self_and_sublayers()
        out = [loss for layer in layers for loss in layer._losses]
        for layer in layers:
            for reg, var in getattr(layer, "_regularizers", ()):
                if var.trainable:
                    out.append(reg(var))
        return out

    def _clear_losses(self) -> None:
        for layer in self._self_and_sublayers():
            layer._losses = []

    def add_loss(self, loss) -> None:
        """Adds a loss tensor (e.g. an activity regularization term) to the layer's losses."""
        self._losses.append(loss)

    # -- weights
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", overwrite_with_gradient=False,
                   name=None):
        """Creates a variable of this layer, initialised by `initializer` (default glorot_uniform
        for floats, zeros otherwise)."""
        from .. import initializers
        dtype = _dtype_from(dtype) if dtype is not None else self._dtype
        shape = tuple(TensorShape(shape or ()).as_list())
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        var = KerasVariable(lambda: init(shape, dtype=dtype), trainable=trainable, dtype=dtype, autocast=autocast,
                            name=name or "variable", constraint=constraint,
                            path=_weight_path(self, name or "variable"))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        if regularizer is not None:
            from .. import regularizers
            reg = regularizers.get(regularizer)
            self._regularizers = getattr(self, "_regularizers", []) + [(reg, var)]
        return var

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in `weights` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Sets the weights from NumPy arrays, in `weights` order."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError("You called `set_weights(weights)` on layer '%s' with a weight list of length %d, but "
                             "the layer was expecting %d weights." % (self.name, len(weights), len(params)))
        for p, w in zip(params, weights):
            w_shape = tuple(getattr(w, "shape", ()))
            if tuple(p.shape.as_list()) != w_shape:
                raise ValueError("Layer %s weight shape %s is not compatible with provided weight shape %s."
                                 % (self.name, tuple(p.shape.as_list()), w_shape))
            p.assign(w if not hasattr(w, "dtype") or w.dtype == p.dtype.as_numpy_dtype else
                     __import__("numpy").asarray(w, dtype=p.dtype.as_numpy_dtype))

    def count_params(self) -> int:
        return int(sum(w.shape.num_elements() for w in self.weights))

    # -- building and calling
    def build(self, input_shape) -> None:
        """Creates the layer's weights for inputs of `input_shape`; the default makes none."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = map_structure(lambda t: TensorShape(t.shape), inputs)
        self._build_shapes = map_structure(lambda s: tuple(s.as_list()) if s.rank is not None else None, shapes)
        with _NameScope(self):
            self.build(shapes if not isinstance(shapes, TensorShape) else shapes)
        self.built = True

    def __call__(self, *args, **kwargs):
        if not args:
            raise ValueError("Layer %s was called without inputs." % self.name)
        inputs = args[0]
        graph = functional_graph_of(args)
        if graph is not None:
            # Only the outermost call is a node of a functional model: calls a layer makes to its
            # sublayers inside `call` are part of that node.
            depth = getattr(_call_context, "depth", 0)
            _call_context.depth = depth + 1
            try:
                with graph_scope(graph):
                    outputs = self._call_and_build(inputs, args, kwargs)
            finally:
                _call_context.depth = depth
            if depth == 0:
                graph.keras_history.append((self, args, kwargs, outputs))
            return outputs
        return self._call_and_build(inputs, args, kwargs)

    def _call_and_build(self, inputs, args, kwargs):
        from ...framework.convert import convert_to_tensor, is_tensor
        if not isinstance(inputs, (list, tuple, dict)) and not is_tensor(inputs) and inputs is not None:
            inputs = convert_to_tensor(inputs, dtype_hint=self._compute_dtype)
            args = (inputs,) + tuple(args[1:])
        if self._compute_dtype.is_floating and self._autocast:
            # Keras autocasts floating inputs to the layer's compute dtype (float64 NumPy data included).
            cast = map_structure(lambda t: _autocast(t, self._compute_dtype), inputs)
            if cast is not inputs:
                inputs = cast
                args = (inputs,) + tuple(args[1:])
        self._maybe_build(inputs)
        if self._call_has_training:
            # Explicit argument, else the enclosing call's, else the default of `call` (Keras 3).
            training = kwargs.get("training")
            if training is None:
                training = getattr(_call_context, "training", None)
            if training is None:
                training = self._call_training_default
            kwargs = dict(kwargs, training=training)
        elif "training" in kwargs:
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        # Keras masks: a call that takes `mask` gets its inputs' masks; outputs carry compute_mask's.
        in_mask = kwargs.get("mask")
        if in_mask is None:
            masks = map_structure(get_keras_mask, inputs)
            in_mask = None if all(m is None for m in flatten(masks)) else masks
            if in_mask is not None and self._call_has_mask:
                kwargs = dict(kwargs, mask=in_mask)
        prev = getattr(_call_context, "training", None)
        _call_context.training = kwargs.get("training", prev)
        stack = _scope_stack()
        if not stack:  # a new outermost call: the last call's losses are dropped, as Keras does
            self._clear_losses()
        pushed = not stack or stack[-1] is not self
        if pushed:
            stack.append(self)  # sublayers built inside `call` are named under this layer
        # Weights read inside `call` are cast to the compute dtype when it differs (mixed precision).
        autocast = self._compute_dtype if self._compute_dtype is not self._dtype and self._autocast else None
        prev_autocast = dtype_policies.set_autocast_dtype(autocast)
        try:
            outputs = self.call(*args, **kwargs)
        finally:
            dtype_policies.set_autocast_dtype(prev_autocast)
            _call_context.training = prev
            if pushed:
                stack.pop()
        out_mask = self.compute_mask(inputs, in_mask)
        if out_mask is not None:
            for o, m in zip(flatten(outputs), flatten(out_mask) if isinstance(out_mask, (list, tuple)) else
                            [out_mask] * len(flatten(outputs))):
                if m is not None and get_keras_mask(o) is None:
                    set_keras_mask(o, m)
        if self.activity_regularizer is not None:
            from ...ops import array_ops, math_ops
            for o in flatten(outputs):
                loss = self.activity_regularizer(o)
                if o.shape.rank:  # per example, as Keras 3 normalises it
                    loss = math_ops.div_no_nan(loss, math_ops.cast(array_ops.shape(o)[0], loss.dtype))
                self.add_loss(loss)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask for layers that support masking, else None."""
        return mask if self.supports_masking else None

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by running `call` on symbolic inputs."""
        from .input_layer import Input
        x = map_structure(lambda s: Input(batch_shape=tuple(s)), input_shape,) if isinstance(
            input_shape, (list, dict)) else Input(batch_shape=tuple(input_shape))
        out = self(x)
        return map_structure(lambda t: tuple(t.shape.as_list()), out)

    # -- checkpoint dependencies (tf.train.Checkpoint; see tensorforge/train/_trackable.py)
    def _trackable_children(self) -> dict:
        """The checkpoint dependencies, named as Keras 3 on TensorFlow names them: the attributes in
        assignment order (the checkpoint keeps variables, layers, optimizers and modules), with the
        weights Keras keeps under private names renamed (Dense's `kernel` is `_kernel`), then any
        weight not held in an attribute, under its own name. Metrics are not dependencies."""
        renames = {}
        for cls in reversed(type(self).__mro__):
            renames.update(_CHECKPOINT_RENAMES.get(cls.__name__, ()))
        out = {}
        for name, value in vars(self).items():
            if name not in _CHECKPOINT_SKIP and value is not self and not _is_metric(value):
                out[renames.get(name, name)] = value
        held = {id(v) for v in out.values()}
        for w in self._trainable_weights + self._non_trainable_weights:
            if id(w) not in held:
                out.setdefault(w.name, w)
        return out

    # -- configuration
    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self._dtype_policy)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self):
        if self._build_shapes is not None:
            return {"input_shape": self._build_shapes}
        return None

    def build_from_config(self, config):
        if config and "input_shape" in config and not self.built:
            shape = config["input_shape"]
            with _NameScope(self):
                self.build(TensorShape(shape) if shape is None or not isinstance(shape[0], (list, tuple)) else
                           [TensorShape(s) for s in shape])
            self.built = True

    def __repr__(self):
        return "<%s name=%s, built=%s>" % (type(self).__name__, self.name, self.built)
