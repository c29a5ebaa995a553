"""keras.layers.Embedding: rows of a trainable [input_dim, output_dim] table looked up by index."""
from __future__ import annotations

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...ops import array_ops, math_ops
from .._registry import keras_export
from .convolutional import cached_constant, resolve
from .core import _init_config, _opt_config
from .layer import Layer


@keras_export("keras.layers.Embedding")
class Embedding(Layer):
    """Turns non-negative integer indices into dense vectors (tf.keras.layers.Embedding).

    The output is `embeddings[inputs]` (shape `inputs.shape + (output_dim,)`); the gradient of the
    table is an `IndexedSlices` holding only the looked-up rows. With `mask_zero=True`, index 0
    is padding and `compute_mask` gives `inputs != 0`.

    Example:

    >>> layer = tf.keras.layers.Embedding(10, 3)
    >>> layer(tf.constant([[1, 2], [3, 0]])).shape
    TensorShape([2, 2, 3])
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError("`%s` must be a positive integer. Received: %s=%r (of type %s)."
                                 % (name, name, value, type(value).__name__))
        super().__init__(**kwargs)
        self.activity_regularizer = resolve("regularizers", self.activity_regularizer)
        if lora_rank:
            raise NotImplementedError("LoRA (lora_rank=%r) is not supported by Embedding in tensorforge." % lora_rank)
        if quantization_config is not None:
            raise NotImplementedError("Quantized embeddings are not supported by tensorforge.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = resolve("initializers", embeddings_initializer)
        self.embeddings_regularizer = resolve("regularizers", embeddings_regularizer)
        self.embeddings_constraint = resolve("constraints", embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.embeddings = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        ids = inputs if inputs.dtype in (dtypes.int32, dtypes.int64) else math_ops.cast(inputs, dtypes.int32)
        # Keras wraps negative indices ("fill" mode of take).
        zero = cached_constant(self, ("zero", ids.dtype), lambda: np.zeros((), ids.dtype.as_numpy_dtype))
        size = cached_constant(self, ("size", ids.dtype), lambda: np.asarray(self.input_dim, ids.dtype.as_numpy_dtype))
        ids = array_ops.where(math_ops.less(ids, zero), math_ops.add(ids, size), ids)
        out = array_ops.gather(self.embeddings, ids)
        return out if out.dtype == self.compute_dtype else math_ops.cast(out, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return math_ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(input_dim=self.input_dim, output_dim=self.output_dim,
                 embeddings_initializer=_init_config(self.embeddings_initializer),
                 embeddings_regularizer=_opt_config("regularizers", self.embeddings_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 embeddings_constraint=_opt_config("constraints", self.embeddings_constraint),
                 mask_zero=self.mask_zero, quantization_config=None)
        return c


@keras_export("keras.layers.ReversibleEmbedding")
class ReversibleEmbedding(Embedding):
    """An embedding that can also be called in reverse to project hidden states back onto the
    vocabulary (tf.keras.layers.ReversibleEmbedding).

    `layer(ids)` looks up embeddings as `Embedding` does; `layer(hidden, reverse=True)` returns
    logits `hidden @ embeddings^T` (with `tie_weights=True`, the default) or `hidden @
    reverse_embeddings` (a separate [output_dim, input_dim] weight). `logit_soft_cap` squashes the
    logits to `tanh(logits / cap) * cap`; `reverse_dtype` is the dtype of the reverse projection.

    >>> layer = tf.keras.layers.ReversibleEmbedding(10, 4)
    >>> layer(tf.constant([[1, 2]])).shape, layer(tf.ones([1, 2, 4]), reverse=True).shape
    (TensorShape([1, 2, 4]), TensorShape([1, 2, 10]))
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer,
                                                      name="reverse_embeddings", trainable=True)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            out = super().call(inputs)
            if self.mask_zero:
                from ..masking import set_keras_mask
                set_keras_mask(out, math_ops.not_equal(inputs, 0))
            return out
        kernel = array_ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        x = inputs
        if self.reverse_dtype is not None:
            x = math_ops.cast(x, self.reverse_dtype)
            kernel = math_ops.cast(kernel, self.reverse_dtype)
        elif kernel.dtype != x.dtype:
            kernel = math_ops.cast(kernel, x.dtype)
        from ...ops import linalg_ops
        logits = linalg_ops.matmul(x, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = math_ops.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None  # the mask of a lookup is set in `call`, as Keras does

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape.append(self.output_dim)
        return shape

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(tie_weights=self.tie_weights, reverse_dtype=self.reverse_dtype, logit_soft_cap=self.logit_soft_cap)
        return c
