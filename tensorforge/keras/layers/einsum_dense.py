"""keras.layers.EinsumDense: a dense layer whose contraction is an einsum equation (Keras 3)."""
from __future__ import annotations

import re

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.tensor_shape import TensorShape
from ...ops import linalg_ops
from .._registry import keras_export
from .core import _activation, _init_config, _opt_config, _serialize
from .input_spec import InputSpec, InputSpecChecked
from .layer import Layer


def _analyze_einsum_string(equation: str, bias_axes, input_shape, output_shape):
    """Keras's weight-shape analysis: (kernel_shape, bias_shape, full_output_shape, input_axes,
    output_axes) for `equation` ("ab,bc->ac", "...ab,bc->...ac" or "ab...,bc->ac...")."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    m = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", dotted)
    if m:
        return _analyze_split_string(m, bias_axes, input_shape, output_shape)
    m = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", dotted)
    if m:
        return _analyze_split_string(m, bias_axes, input_shape, output_shape, left_elided=True)
    m = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", dotted)
    if m:
        return _analyze_split_string(m, bias_axes, input_shape, output_shape)
    raise ValueError("Invalid einsum equation '%s'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], "
                     "or [X]...,[Y]->[Z]...." % (equation,))


def _analyze_split_string(split, bias_axes, input_shape, output_shape, left_elided=False):
    input_spec, weight_spec, output_spec = split.group(1), split.group(2), split.group(3)
    input_shape = list(input_shape)
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0 and not left_elided:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])
    if left_elided:
        input_dim_map = {dim: (i + elided) - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: (i + elided) for i, dim in enumerate(output_spec)}
    else:
        input_dim_map = {dim: i for i, dim in enumerate(input_spec)}
        output_dim_map = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        in_size = input_shape[input_dim_map[dim]]
        if dim in output_dim_map:
            out_size = output_shape[output_dim_map[dim]]
            if out_size is not None and out_size != in_size:
                raise ValueError("Input shape and output shape do not match at shared dimension '%s'. Input shape is "
                                 "%s, and output shape is %s." % (dim, in_size, out_size))
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError("Dimension '%s' was specified in the output '%s' but has no corresponding dim in the input "
                             "spec '%s' or weight spec '%s'" % (dim, output_spec, input_spec, output_spec))
    weight_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[dim]])
            output_axes.append(i)
        elif dim in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[dim]])
            input_axes.append(i)
        else:
            raise ValueError("Weight dimension '%s' did not have a match in either the input spec '%s' or the output "
                             "spec '%s'. For this layer, the weight must be fully specified."
                             % (dim, input_spec, output_spec))
    bias_shape = None
    if bias_axes is not None:
        num_left_elided = elided if left_elided else 0
        idx_map = {c: output_shape[i + num_left_elided] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError("Bias dimension '%s' was requested, but is not part of the output spec '%s'"
                                 % (c, output_spec))
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [idx_map[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    return weight_shape, bias_shape, output_shape, input_axes, output_axes


@keras_export("keras.layers.EinsumDense")
class EinsumDense(InputSpecChecked, Layer):
    """A layer computing einsum(equation, inputs, kernel) + bias (tf.keras.layers.EinsumDense).

    `output_shape` gives the output's shape without the batch axis (None where it follows the
    input); `bias_axes` names the output axes (letters of the equation) that get a bias.

    Example:

    >>> layer = tf.keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
    >>> layer(tf.ones([2, 3, 5])).shape
    TensorShape([2, 3, 4, 8])
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None, gptq_unpacked_column_size=None,
                 quantization_config=None, activity_regularizer=None, **kwargs):
        from .. import constraints, initializers, regularizers
        if lora_rank:
            raise ValueError("EinsumDense(lora_rank=...) is not supported by tensorforge.")
        if quantization_config is not None:
            raise ValueError("EinsumDense(quantization_config=...) is not supported by tensorforge.")
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer)
                         if activity_regularizer is not None else None, **kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = _activation(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer) if kernel_regularizer is not None else None
        self.bias_regularizer = regularizers.get(bias_regularizer) if bias_regularizer is not None else None
        self.kernel_constraint = constraints.get(kernel_constraint) if kernel_constraint is not None else None
        self.bias_constraint = constraints.get(bias_constraint) if bias_constraint is not None else None
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False
        self.gptq_unpacked_column_size = gptq_unpacked_column_size
        self.quantization_config = quantization_config
        self.full_output_shape = None

    def _kernel_initializer_for(self, input_axes, output_axes):
        """Keras passes the kernel's input/output axes to variance-scaling initializers (for the fans)."""
        from .. import initializers
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (init.input_axes is None or init.output_axes is None):
            config = init.get_config()
            config.update(input_axes=input_axes, output_axes=output_axes)
            return type(init).from_config(config)
        return init

    def build(self, input_shape):
        input_shape = list(TensorShape(input_shape).as_list())
        kernel_shape, bias_shape, full_output_shape, input_axes, output_axes = _analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.full_output_shape = tuple(full_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape),
                                      initializer=self._kernel_initializer_for(input_axes, output_axes),
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, training=None):
        x = linalg_ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        if self.activation is not None:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(_analyze_einsum_string(self.equation, self.bias_axes, list(input_shape),
                                            self.partial_output_shape)[2])

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(output_shape=self.partial_output_shape, equation=self.equation,
                 activation=_serialize(self.activation), bias_axes=self.bias_axes,
                 kernel_initializer=_init_config(self.kernel_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint), quantization_config=None)
        return c
