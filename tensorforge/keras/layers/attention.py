"""Attention layers: MultiHeadAttention (Keras 3 weights) and dot-product Attention (Luong)."""
from __future__ import annotations

import math
import string

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.convert import convert_to_tensor
from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, linalg_ops, math_ops, nn_ops
from .._registry import keras_export
from .core import _init_config, _opt_config
from .layer import Layer

_LARGE_NEGATIVE = -1e9


def _letter(i: int) -> str:
    return string.ascii_lowercase[i]


def _build_proj_equation(free_dims: int, bound_dims: int, output_dims: int):
    """Keras 3's projection equation, e.g. 'abc,cde->abde' with bias axes 'de'."""
    inp = out = kernel = bias_axes = ""
    for i in range(free_dims):
        inp += _letter(i)
        out += _letter(i)
    for i in range(bound_dims):
        inp += _letter(free_dims + i)
        kernel += _letter(free_dims + i)
    for i in range(output_dims):
        c = _letter(free_dims + bound_dims + i)
        kernel += c
        out += c
        bias_axes += c
    return "%s,%s->%s" % (inp, kernel, out), bias_axes, len(out)


def _build_attention_equation(rank: int, attn_axes: tuple):
    """Keras 3's (dot product, combine) einsum equations for projected tensors of `rank`."""
    target = "".join(_letter(i) for i in range(rank))
    batch_dims = tuple(i for i in range(rank) if i not in attn_axes + (rank - 1,))
    offset = rank
    source = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letter(offset)
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes] +
                      [source[i] for i in attn_axes])
    return "%s,%s->%s" % (source, target, product), "%s,%s->%s" % (product, source, target), len(product)


def _masked_softmax(scores, mask, axes):
    """Softmax over `axes` where positions with mask False get zero weight (Keras's Softmax layer)."""
    if mask is not None:
        scores = array_ops.where(mask, scores, array_ops.zeros_like(scores) + _LARGE_NEGATIVE)
    if len(axes) == 1:
        out = nn_ops.softmax(scores, axis=axes[0])
    else:
        out = math_ops.exp(scores - math_ops.reduce_logsumexp(scores, axis=list(axes), keepdims=True))
    if mask is not None:
        out = array_ops.where(mask, out, array_ops.zeros_like(out))
    return out


class _EinsumProjection(Layer):
    """The projections of MultiHeadAttention (Keras 3's EinsumDense sublayers named query, key,
    value and attention_output): einsum(equation, inputs, kernel) + bias."""

    def __init__(self, equation, output_shape, bias_axes, kernel_initializer, bias_initializer,
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        inp, rest = self.equation.split(",")
        kernel_spec, out_spec = rest.split("->")
        dims = list(TensorShape(input_shape).as_list())
        sizes = dict(zip(inp, dims))
        for c, d in zip(out_spec[1:], self.partial_output_shape):
            if d is not None:
                sizes[c] = d
        kernel_shape = tuple(sizes[c] for c in kernel_spec)
        self.kernel = self.add_weight(shape=kernel_shape, name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.bias_axes:
            bias_shape = []
            first = min(out_spec.index(c) for c in self.bias_axes)
            for c in out_spec[first:]:
                bias_shape.append(sizes[c] if c in self.bias_axes else 1)
            self.bias = self.add_weight(shape=tuple(bias_shape), name="bias", initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        out = linalg_ops.einsum(self.equation, inputs, self.kernel)
        return out + self.bias if self.bias is not None else out


@keras_export("keras.layers.MultiHeadAttention")
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al. 2017) with Keras 3's weights
    (tf.keras.layers.MultiHeadAttention).

    The query, key and value projections have kernels [dim, num_heads, key_dim] and biases
    [num_heads, key_dim]; the output projection has kernel [num_heads, value_dim, dim] and bias [dim].

    Call arguments: `query`, `value`, `key=None`, `attention_mask=None` (a boolean
    [batch, target, source] mask, True where attention is allowed), `return_attention_scores`,
    `training`, `use_causal_mask`.

    Example:

    >>> x = tf.random.normal([2, 5, 8])
    >>> out, scores = tf.keras.layers.MultiHeadAttention(2, 4)(x, x, return_attention_scores=True)
    >>> out.shape, scores.shape
    (TensorShape([2, 5, 8]), TensorShape([2, 2, 5, 5]))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected a positive integer. "
                             "Received: num_heads=%r" % (num_heads,))
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a positive integer. "
                             "Received: key_dim=%r" % (key_dim,))
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a positive integer or "
                             "`None`. Received: value_dim=%r" % (value_dim,))
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. Received: sliding_window=%r"
                             % (sliding_window,))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape or None
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer
        self._kernel_regularizer = kernel_regularizer
        self._bias_regularizer = bias_regularizer
        self._kernel_constraint = kernel_constraint
        self._bias_constraint = bias_constraint
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple.Received: attention_axes=%r"
                             % (attention_axes,))
        self._attention_axes = tuple(attention_axes) if attention_axes else None
        self._config_attention_axes = attention_axes
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))
        self._sublayers_built = False

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _projection(self, rank, bound, out_dims, name, activation=None):
        eq, bias_axes, out_rank = _build_proj_equation(rank - 1, bound_dims=bound, output_dims=len(out_dims))
        return _EinsumProjection(eq, [None] * (out_rank - 1 - len(out_dims)) + list(out_dims),
                                 bias_axes if self._use_bias else None, self._kernel_initializer,
                                 self._bias_initializer, self._kernel_regularizer, self._bias_regularizer,
                                 self._kernel_constraint, self._bias_constraint, name=name, dtype=self.dtype)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:  # built on the first call, when the value's shape is known too
            return
        query_shape = tuple(TensorShape(query_shape).as_list())
        value_shape = tuple(TensorShape(value_shape).as_list())
        given_key_shape = key_shape
        key_shape = value_shape if key_shape is None else tuple(TensorShape(key_shape).as_list())
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             "value_shape=%s and key_shape=%s" % (value_shape, key_shape))
        rank = len(query_shape)
        self._query_dense = self._projection(rank, 1, [self._num_heads, self._key_dim], "query")
        _build(self._query_dense, query_shape)
        self._key_dense = self._projection(len(key_shape), 1, [self._num_heads, self._key_dim], "key")
        _build(self._key_dense, key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(rank, 1, [self._num_heads, self._value_dim], "gate")
            _build(self._gate_dense, query_shape)
        self._value_dense = self._projection(len(value_shape), 1, [self._num_heads, self._value_dim], "value")
        _build(self._value_dense, value_shape)
        proj_rank = len(value_shape) + 1
        axes = self._config_attention_axes
        if axes is None:
            self._attention_axes = tuple(range(1, proj_rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (proj_rank - 1) + a for a in axes)
        self._dot_product_equation, self._combine_equation, scores_rank = _build_attention_equation(
            proj_rank, self._attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        out_shape = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        self._output_dense = self._projection(rank, 2, out_shape, "attention_output")
        _build(self._output_dense, query_shape[:-1] + (self._num_heads, self._value_dim))
        self._sublayers_built = True
        self._mha_build_config = {"shapes_dict": {"query_shape": query_shape, "value_shape": value_shape}}
        if given_key_shape is not None:
            self._mha_build_config["shapes_dict"]["key_shape"] = key_shape
        self.built = True

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape = tuple(query_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        auto = None
        if query_mask is not None:
            auto = array_ops.expand_dims(math_ops.cast(query_mask, "bool"), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = array_ops.expand_dims(math_ops.cast(m, "bool"), -2)
                auto = m if auto is None else math_ops.logical_and(auto, m)
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask or self._sliding_window is not None:
            if t is None or s is None:
                raise ValueError("use_causal_mask and sliding_window need static sequence lengths; got query shape "
                                 "%s and value shape %s" % (query.shape, value.shape))
            rows, cols = np.arange(t)[:, None], np.arange(s)[None, :]
            static = np.ones((1, t, s), bool)
            if use_causal_mask:
                static &= (rows >= cols)[None]
            if self._sliding_window is not None:
                static &= (np.abs(rows - cols) < self._sliding_window)[None]
            m = convert_to_tensor(static)
            auto = m if auto is None else math_ops.logical_and(auto, m)
        if attention_mask is not None:
            attention_mask = math_ops.cast(attention_mask, "bool")
        if auto is not None:
            attention_mask = auto if attention_mask is None else math_ops.logical_and(attention_mask, auto)
        return attention_mask

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        query = query * math_ops.cast(self._inverse_sqrt_key_dim, query.dtype)
        scores = linalg_ops.einsum(self._dot_product_equation, key, query)
        mask = attention_mask
        if mask is not None:
            axis = -len(self._attention_axes) * 2 - 1
            for _ in range(scores.shape.rank - mask.shape.rank):
                mask = array_ops.expand_dims(mask, axis)
        scores = _masked_softmax(scores, mask, self._norm_axes)
        weights = scores
        if training and self._dropout > 0.0:
            weights = nn_ops.dropout(scores, rate=self._dropout, seed=self.seed)
        return linalg_ops.einsum(self._combine_equation, weights, value), scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value = convert_to_tensor(value, dtype_hint=self.compute_dtype)
        if not self._sublayers_built:
            self.build(query.shape, value.shape, None if key is None else key.shape)
        key = value if key is None else convert_to_tensor(key, dtype_hint=self.compute_dtype)
        if attention_mask is not None:
            attention_mask = convert_to_tensor(attention_mask)
        attention_mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                                      attention_mask, use_causal_mask)
        # The projections are built with this layer; calling them directly keeps them out of the
        # functional graph's node list (they are part of this layer's node).
        gate = math_ops.sigmoid(self._gate_dense.call(query)) if self._use_gate else None
        q = self._query_dense.call(query)
        k = self._key_dense.call(key)
        v = self._value_dense.call(value)
        output, scores = self._compute_attention(q, k, v, attention_mask, training)
        if gate is not None:
            output = output * gate
        output = self._output_dense.call(output)
        if return_attention_scores:
            return output, scores
        return output

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(num_heads=self._num_heads, key_dim=self._key_dim, value_dim=self._value_dim, dropout=self._dropout,
                 use_bias=self._use_bias, use_gate=self._use_gate, output_shape=self._output_shape,
                 attention_axes=self._attention_axes, sliding_window=self._sliding_window,
                 kernel_initializer=_init_config(self._kernel_initializer),
                 bias_initializer=_init_config(self._bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self._kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self._bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self._kernel_constraint),
                 bias_constraint=_opt_config("constraints", self._bias_constraint), seed=self.seed)
        return c

    def get_build_config(self):
        return getattr(self, "_mha_build_config", None)

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self._sublayers_built:
            self.build(shapes["query_shape"], shapes["value_shape"], shapes.get("key_shape"))


def _build(layer, shape):
    layer._build_shapes = tuple(shape)
    layer.build(TensorShape(shape))
    layer.built = True


@keras_export("keras.layers.Attention")
class Attention(Layer):
    """Dot-product (Luong-style) attention over [query, value] or [query, value, key]
    (tf.keras.layers.Attention).

    scores = query @ key^T (times a learned `scale` if `use_scale`), or with
    score_mode="concat" sum(tanh(query + key)) times a learned weight; the output is
    softmax(scores) @ value.

    Example:

    >>> q, v = tf.random.normal([2, 3, 4]), tf.random.normal([2, 5, 4])
    >>> tf.keras.layers.Attention()([q, v]).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: "
                             "score_mode=%s" % (score_mode,))
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.scale = None
        self.concat_score_weight = None

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("%s layer must be called on a list of inputs, namely [query, value] or [query, value, "
                             "key]. Received: inputs=%r." % (name, inputs))
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError("%s layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, "
                             "key]. Received length: %d." % (name, len(inputs)))
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError("%s layer mask must be a list, namely [query_mask, value_mask]. Received: mask=%r."
                                 % (name, mask))
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError("%s layer accepts mask list of length 2 or 3. Received: inputs=%r, mask=%r."
                                 % (name, inputs, mask))

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones", trainable=True)
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones",
                                                       trainable=True)
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = linalg_ops.matmul(query, key, transpose_b=True)
            if self.scale is not None:
                scores = scores * self.scale
            return scores
        q = array_ops.expand_dims(query, -2)
        k = array_ops.expand_dims(key, -3)
        s = q + k
        if self.scale is not None:
            s = s * self.scale
        return self.concat_score_weight * math_ops.reduce_sum(math_ops.tanh(s), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        q = convert_to_tensor(inputs[0], dtype_hint=self.compute_dtype)
        v = convert_to_tensor(inputs[1], dtype_hint=self.compute_dtype)
        k = convert_to_tensor(inputs[2], dtype_hint=self.compute_dtype) if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = None
        if v_mask is not None:
            scores_mask = array_ops.expand_dims(math_ops.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            t, s = scores.shape[-2], scores.shape[-1]
            if t is None or s is None:
                raise ValueError("use_causal_mask needs static sequence lengths; got scores of shape %s"
                                 % (scores.shape,))
            causal = convert_to_tensor(np.tril(np.ones((1, t, s), bool)))
            scores_mask = causal if scores_mask is None else math_ops.logical_and(scores_mask, causal)
        if scores_mask is not None:
            scores = array_ops.where(scores_mask, scores, scores - 1.0e9)
        weights = nn_ops.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = nn_ops.dropout(weights, rate=self.dropout, seed=self.seed)
        output = linalg_ops.matmul(dropped, v)
        if q_mask is not None:
            qm = array_ops.expand_dims(math_ops.cast(q_mask, "bool"), -1)
            output = array_ops.where(qm, output, array_ops.zeros_like(output))
        if return_attention_scores:
            return output, weights
        return output

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(use_scale=self.use_scale, score_mode=self.score_mode, dropout=self.dropout, seed=self.seed)
        return c


@keras_export("keras.layers.AdditiveAttention")
class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention over [query, value] or [query, value, key]
    (tf.keras.layers.AdditiveAttention).

    scores = sum(scale * tanh(query[:, :, None] + key[:, None]), axis=-1), with a learned
    `scale` of shape [dim] if `use_scale`; the output is softmax(scores) @ value.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        dim = list(input_shape[0])[-1]
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=[dim], initializer="glorot_uniform", trainable=True)
        self.built = True

    def _calculate_scores(self, query, key):
        q = array_ops.expand_dims(query, -2)
        k = array_ops.expand_dims(key, -3)
        t = math_ops.tanh(q + k)
        return math_ops.reduce_sum(self.scale * t if self.use_scale else t, axis=-1)

    def get_config(self) -> dict:
        c = super().get_config()
        del c["score_mode"]
        return c


@keras_export("keras.layers.GroupQueryAttention")
class GroupedQueryAttention(Layer):
    """Grouped-query attention (Ainslie et al. 2023): `num_query_heads` query heads share
    `num_key_value_heads` key/value heads (tf.keras.layers.GroupQueryAttention).

    Weights, as Keras 3's: query kernel [dim, num_query_heads, head_dim], key and value kernels
    [dim, num_key_value_heads, head_dim] (biases [heads, head_dim]), an optional sigmoid `gate`
    projection like the query's, and the output kernel [num_query_heads, head_dim, dim] with bias
    [dim]. Call arguments: `query`, `value`, `key=None`, `query_mask`, `value_mask`, `key_mask`,
    `attention_mask`, `return_attention_scores`, `training`, `use_causal_mask`.

    >>> x = tf.random.normal([2, 5, 8])
    >>> tf.keras.layers.GroupQueryAttention(4, 4, 2)(x, x).shape
    TensorShape([2, 5, 8])
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. Received: sliding_window=%s"
                             % (sliding_window,))
        self.sliding_window = self._sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to "
                             "use flash attention.")
        from importlib import import_module
        get = {m: import_module("tensorforge.keras." + m).get for m in ("initializers", "regularizers",
                                                                        "constraints")}
        self.kernel_initializer = get["initializers"](kernel_initializer)
        self.bias_initializer = get["initializers"](bias_initializer)
        self.kernel_regularizer = get["regularizers"](kernel_regularizer)
        self.bias_regularizer = get["regularizers"](bias_regularizer)
        self.activity_regularizer = get["regularizers"](activity_regularizer)
        self.kernel_constraint = get["constraints"](kernel_constraint)
        self.bias_constraint = get["constraints"](bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        self._sublayers_built = False

    def _dense(self, equation, output_shape, bias_axes, name):
        # A fresh initializer per projection (Keras clones them so that they differ).
        ki = type(self.kernel_initializer).from_config(self.kernel_initializer.get_config())
        bi = type(self.bias_initializer).from_config(self.bias_initializer.get_config())
        return _EinsumProjection(equation, output_shape, bias_axes if self.use_bias else None, ki, bi,
                                 self.kernel_regularizer, self.bias_regularizer, self.kernel_constraint,
                                 self.bias_constraint, name=name, dtype=self.dtype_policy)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:  # built on the first call, when the value's shape is known too
            return
        query_shape = tuple(TensorShape(query_shape).as_list())
        value_shape = tuple(TensorShape(value_shape).as_list())
        key_shape = value_shape if key_shape is None else tuple(TensorShape(key_shape).as_list())
        self.feature_dim = query_shape[-1]
        u, v, h = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("bqm,muh->bquh", (None, u, h), "uh", "query")
        _build(self._query_dense, query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", (None, v, h), "vh", "key")
        _build(self._key_dense, key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", (None, u, h), "uh", "gate")
            _build(self._gate_dense, query_shape)
        self._value_dense = self._dense("bkm,mvh->bkvh", (None, v, h), "vh", "value")
        _build(self._value_dense, value_shape)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output")
        _build(self._output_dense, (None, None, u, h))
        self._sublayers_built = True
        self._gqa_build_config = {"shapes_dict": {"query_shape": query_shape, "value_shape": value_shape,
                                                  "key_shape": key_shape}}
        self.built = True

    def _compute_attention(self, query, key, value, attention_mask=None, training=None, fused=False):
        """(output, scores). `fused`: Keras's dot_product_attention path (no dropout, no scores
        returned), where a query whose keys are all masked attends uniformly instead of to nothing."""
        query = query * math_ops.cast(self._inverse_sqrt_head_dim, query.dtype)
        scores = linalg_ops.einsum(self._dot_product_equation, query, key)  # [batch, heads, target, source]
        mask = attention_mask
        if mask is not None:
            for _ in range(scores.shape.rank - mask.shape.rank):
                mask = array_ops.expand_dims(mask, -3)
        if fused and mask is not None:
            scores = nn_ops.softmax(array_ops.where(mask, scores, array_ops.zeros_like(scores) + _LARGE_NEGATIVE))
        else:
            scores = _masked_softmax(scores, mask, (-1,))
        weights = scores
        if training and self.dropout > 0.0:
            weights = nn_ops.dropout(scores, rate=self.dropout, seed=self.seed)
        return linalg_ops.einsum(self._combine_equation, weights, value), scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        from ..masking import get_keras_mask
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is enabled. Please "
                             "disable flash attention to access attention scores.")
        value = convert_to_tensor(value, dtype_hint=self.compute_dtype)
        key = None if key is None else convert_to_tensor(key, dtype_hint=self.compute_dtype)
        # Keras fills `<arg>_mask` from the arguments' Keras masks.
        query_mask = get_keras_mask(query) if query_mask is None else query_mask
        value_mask = get_keras_mask(value) if value_mask is None else value_mask
        key_mask = get_keras_mask(key) if key_mask is None and key is not None else key_mask
        if not self._sublayers_built:
            self.build(query.shape, value.shape, None if key is None else key.shape)
        if key is None:
            key = value
        if attention_mask is not None:
            attention_mask = convert_to_tensor(attention_mask)
        attention_mask = MultiHeadAttention._compute_attention_mask(
            self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = math_ops.sigmoid(self._gate_dense.call(query)) if self.use_gate else None
        q = self._query_dense.call(query)
        k = array_ops.repeat(self._key_dense.call(key), self.num_repeats, axis=2)
        v = array_ops.repeat(self._value_dense.call(value), self.num_repeats, axis=2)
        fused = not (self.dropout > 0.0 or return_attention_scores)
        output, scores = self._compute_attention(q, k, v, attention_mask, training, fused)
        if gate is not None:
            output = output * gate
        output = self._output_dense.call(output)
        if return_attention_scores:
            return output, scores
        return output

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, but are %s, %s. "
                             "Received: query_shape=%s, value_shape=%s"
                             % (query_shape[-1], value_shape[-1], query_shape, value_shape))
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             "value_shape=%s and key_shape=%s" % (value_shape, key_shape))
        return query_shape

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(head_dim=self.head_dim, num_query_heads=self.num_query_heads,
                 num_key_value_heads=self.num_key_value_heads, use_bias=self.use_bias, use_gate=self.use_gate,
                 sliding_window=self.sliding_window, dropout=self.dropout,
                 kernel_initializer=_init_config(self.kernel_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint), seed=self.seed)
        return c

    def get_build_config(self):
        return getattr(self, "_gqa_build_config", None)

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self._sublayers_built:
            self.build(shapes["query_shape"], shapes["value_shape"], shapes.get("key_shape"))


GroupQueryAttention = GroupedQueryAttention
