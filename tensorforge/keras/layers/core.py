"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Identity."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...ops import array_ops, linalg_ops, nn_ops
from .._registry import keras_export
from .layer import Layer


def _activation(name):
    from .. import activations
    return activations.get(name)


def _serialize(obj):
    from .. import activations
    return activations.serialize(obj)


def _init_config(name_or_obj):
    from .. import initializers
    return initializers.serialize(initializers.get(name_or_obj))


def _opt_config(module, obj):
    if obj is None:
        return None
    from importlib import import_module
    mod = import_module("tensorforge.keras." + module)
    return mod.serialize(mod.get(obj))


@keras_export("keras.layers.Dense")
class Dense(Layer):
    """A densely connected layer: activation(inputs @ kernel + bias) (tf.keras.layers.Dense)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer. Received: "
                             "units=%r" % (units,))
        self.units = units
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.supports_masking = True

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be defined. Found None. "
                             "Full input shape received: %s" % (input_shape,))
        self.kernel = self.add_weight(shape=(in_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                                      name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None
        self.built = True

    def call(self, inputs):
        x = linalg_ops.matmul(inputs, self.kernel) if inputs.shape.rank == 2 else \
            linalg_ops.tensordot(inputs, self.kernel, [[inputs.shape.rank - 1], [0]])
        if self.bias is not None:
            x = nn_ops.bias_add(x, self.bias)
        return self.activation(x) if self.activation is not None else x

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(units=self.units, activation=_serialize(self.activation), use_bias=self.use_bias,
                 kernel_initializer=_init_config(self.kernel_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint), quantization_config=None)
        return c


@keras_export("keras.layers.Activation")
class Activation(Layer):
    """Applies an activation function (tf.keras.layers.Activation)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activation(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        c = super().get_config()
        c["activation"] = _serialize(self.activation)
        return c


@keras_export("keras.layers.Dropout")
class Dropout(Layer):
    """Zeroes a `rate` fraction of inputs during training, scaling the rest (tf.keras.layers.Dropout)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             "Received: rate=%r" % (rate,))
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return nn_ops.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return inputs

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(rate=self.rate, seed=self.seed, noise_shape=self.noise_shape)
        return c


@keras_export("keras.layers.Flatten")
class Flatten(Layer):
    """Flattens each sample to one dimension (tf.keras.layers.Flatten)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.shape.rank > 2:
            x = array_ops.transpose(x, [0] + list(range(2, x.shape.rank)) + [1])
        inner = x.shape.as_list()[1:]
        n = 1
        for d in inner:
            n = None if n is None or d is None else n * d
        if n is not None:
            return array_ops.reshape(x, [-1, n])
        if x.shape[0] is not None:
            return array_ops.reshape(x, [x.shape[0], -1])
        raise ValueError("Flatten needs the batch size or the sample shape to be known; got %s" % x.shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c["data_format"] = self.data_format
        return c


@keras_export("keras.layers.Reshape")
class Reshape(Layer):
    """Reshapes each sample to `target_shape` (tf.keras.layers.Reshape)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        batch = inputs.shape[0]
        return array_ops.reshape(inputs, [batch if batch is not None else -1] + list(self.target_shape))

    def get_config(self) -> dict:
        c = super().get_config()
        c["target_shape"] = self.target_shape
        return c


@keras_export("keras.layers.Identity")
class Identity(Layer):
    """Returns its input (tf.keras.layers.Identity)."""

    def call(self, inputs):
        return inputs
