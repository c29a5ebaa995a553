"""Layer wrappers: Bidirectional (a recurrent layer run both ways) and TimeDistributed (a layer
applied to every time step)."""
from __future__ import annotations

import copy

from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, math_ops
from .._registry import keras_export
from .layer import Layer


def _serialize_layer(layer) -> dict:
    from ..optimizers._serial import serialize_object
    return serialize_object(layer)


def _deserialize_layer(config, custom_objects=None):
    from .rnn import deserialize_layer
    return deserialize_layer(config, custom_objects)


def _build_child(layer, shape) -> None:
    """Builds a wrapped layer for `shape`, recording its build shape like a first call would."""
    if layer.built:
        return
    shape = TensorShape(shape)
    layer._build_shapes = tuple(shape.as_list()) if shape.rank is not None else None
    layer.build(shape)
    layer.built = True


def _call_nested(layer, inputs, **kwargs):
    """Runs a built sublayer's `call` directly: its outputs may be this layer's outputs, and a
    nested `__call__` would also record them as a separate node of a functional model."""
    layer._maybe_build(inputs)
    return layer.call(inputs, **kwargs)


@keras_export("keras.layers.Wrapper")
class Wrapper(Layer):
    """The base of layers that wrap another layer (tf.keras.layers.Wrapper)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Layer %r supplied to Wrapper isn't a supported layer type. Please ensure wrapped layer "
                             "is a valid Keras layer." % (layer,))
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        _build_child(self.layer, input_shape)
        self.built = True

    def get_config(self) -> dict:
        c = super().get_config()
        c["layer"] = _serialize_layer(self.layer)
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = _deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)


@keras_export("keras.layers.TimeDistributed")
class TimeDistributed(Wrapper):
    """Applies `layer` to every time step of [batch, time, ...] inputs (tf.keras.layers.TimeDistributed).

    The batch and time axes are merged so the wrapped layer runs once on [batch * time, ...].

    Example:

    >>> x = tf.random.normal([4, 10, 8])
    >>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(3))(x).shape
    TensorShape([4, 10, 3])
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    @staticmethod
    def _child_shape(input_shape):
        shape = TensorShape(input_shape)
        if shape.rank is None or shape.rank < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             "received: %s" % (tuple(shape.as_list()) if shape.rank is not None else None,))
        dims = shape.as_list()
        return TensorShape([dims[0]] + dims[2:])

    def build(self, input_shape):
        _build_child(self.layer, self._child_shape(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(tuple(self._child_shape(input_shape).as_list()))
        return (child[0], tuple(input_shape)[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        dims = inputs.shape.as_list()
        self._child_shape(dims)
        batch, steps, inner = dims[0], dims[1], dims[2:]
        if None in inner or (batch is None and steps is None):
            raise ValueError("TimeDistributed needs static feature dimensions and a known batch size or number of "
                             "time steps; received input shape %s" % (tuple(dims),))
        x = array_ops.reshape(inputs, [-1] + inner)
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if self.layer._call_has_mask and mask is not None:
            kwargs["mask"] = array_ops.reshape(mask, [-1] + mask.shape.as_list()[2:])
        y = self.layer(x, **kwargs)
        out_inner = y.shape.as_list()[1:]
        lead = [batch, -1] if batch is not None else [-1, steps]
        return array_ops.reshape(y, lead + out_inner)


@keras_export("keras.layers.Bidirectional")
class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and a copy of it backwards, merging both outputs
    (tf.keras.layers.Bidirectional).

    Args:
      layer: a recurrent layer (RNN, LSTM, GRU, ...); Bidirectional makes its own forward and
        backward copies from the layer's config.
      merge_mode: "concat" (default), "sum", "mul", "ave" or None (return both outputs).
      backward_layer: an explicit backward layer (its `go_backwards` must differ from `layer`'s).

    Example:

    >>> x = tf.random.normal([4, 10, 8])
    >>> tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(5))(x).shape
    TensorShape([4, 10])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             "Received: %r" % (layer,))
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. Received: %r"
                             % (backward_layer,))
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError('Invalid merge mode. Received: %s. Merge mode should be one of {"sum", "mul", "ave", '
                             '"concat", None}' % (merge_mode,))
        Layer.__init__(self, **kwargs)
        config = _serialize_layer(layer)
        config["config"]["name"] = "forward_" + _removeprefix(layer.name, "forward_")
        self.forward_layer = _deserialize_layer(config)
        if backward_layer is None:
            config = _serialize_layer(layer)
            config["config"]["go_backwards"] = True
            config["config"]["name"] = "backward_" + _removeprefix(layer.name, "backward_")
            self.backward_layer = _deserialize_layer(config)
        else:
            self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            n = len(weights)
            self._initial_weights = (weights[: n // 2], weights[n // 2:])
        else:
            self._initial_weights = None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    @property
    def layer(self):
        return self.forward_layer

    def _verify_layer_config(self):
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. "
                             "Received: forward_layer.go_backwards %s, backward_layer.go_backwards=%s"
                             % (self.forward_layer.go_backwards, self.backward_layer.go_backwards))
        for a in ("stateful", "return_sequences", "return_state"):
            fv, bv = getattr(self.forward_layer, a), getattr(self.backward_layer, a)
            if fv != bv:
                raise ValueError('Forward layer and backward layer are expected to have the same value for attribute '
                                 '"%s", got "%s" for forward layer and "%s" for backward layer' % (a, fv, bv))

    def build(self, sequences_shape, initial_state_shape=None):
        _build_child(self.forward_layer, sequences_shape)
        _build_child(self.backward_layer, sequences_shape)
        if self._initial_weights is not None:
            self.forward_layer.set_weights(self._initial_weights[0])
            self.backward_layer.set_weights(self._initial_weights[1])
            self._initial_weights = None
        self.built = True

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            out, states = out[0], tuple(out[1:])
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2 if out[-1] is not None else None,)
        elif self.merge_mode is None:
            out = [tuple(out), tuple(out)]
        if self.return_state:
            if self.merge_mode is None:
                return tuple(out) + states + states
            return (tuple(out),) + states + states
        return tuple(out) if self.merge_mode is not None else out

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": bool(training)} if self.forward_layer._call_has_training else {}
        if self.forward_layer._call_has_mask and mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        if forward_state is not None:
            y = _call_nested(self.forward_layer, sequences, initial_state=forward_state, **kwargs)
            y_rev = _call_nested(self.backward_layer, sequences, initial_state=backward_state, **kwargs)
        else:
            y = _call_nested(self.forward_layer, sequences, **kwargs)
            y_rev = _call_nested(self.backward_layer, sequences, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = array_ops.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = array_ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = math_ops.multiply(y + y_rev, 0.5)
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return output + states if self.merge_mode is None else (output,) + states
        return output

    def get_config(self) -> dict:
        c = Layer.get_config(self)
        c["merge_mode"] = self.merge_mode
        c["layer"] = _serialize_layer(self.forward_layer)
        c["backward_layer"] = _serialize_layer(self.backward_layer)
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = _deserialize_layer(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize_layer(backward, custom_objects)
        return cls(**config)


def _removeprefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text
