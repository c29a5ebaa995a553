"""Recurrent layers: SimpleRNN, LSTM, GRU, their cells, StackedRNNCells and the generic RNN.

Weights follow Keras 3 exactly (kernel [input, units * gates], recurrent_kernel
[units, units * gates], bias [units * gates]; GRU with reset_after has bias [2, 3 * units];
gate order i, f, c, o for LSTM and z, r, h for GRU), and the weights live in a `cell` sublayer
as in Keras 3, so `.keras` files map onto them.

The time loop is a Python loop over the (static) time steps built from tensorforge ops, so
gradients flow eagerly and inside tf.function. For the built-in cells the input projection of
every time step is one matmul before the loop; each step then only does the recurrent matmul
and elementwise gate math.
"""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.convert import convert_to_tensor, is_tensor
from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, linalg_ops, math_ops, nn_ops
from .._registry import keras_export
from .core import _activation, _init_config, _opt_config, _serialize
from .layer import Layer


def _initializer(name_or_obj):
    from .. import initializers
    return initializers.get(name_or_obj)


def _check_units(units):
    if not isinstance(units, int) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a positive integer, got %r."
                         % (units,))


def _project(x, kernel):
    """x [..., d] @ kernel [d, n] for inputs of rank 2 or 3 (one matmul, broadcast over the batch
    and time axes; unknown dimensions are fine)."""
    return linalg_ops.matmul(x, kernel)


def _zeros_state(ref, size, dtype):
    """Zeros [batch, size] where `ref` is a [batch, ...] tensor (its batch may be unknown)."""
    batch = ref.shape[0]
    if batch is not None:
        return array_ops.zeros([batch, size], dtype=dtype)
    first = array_ops.zeros_like(ref[:, :1] if ref.shape.rank == 2 else array_ops.reshape(ref, [-1, 1])[:, :1])
    return math_ops.cast(first, dtype) + array_ops.zeros([size], dtype=dtype)


def _dropout_mask(like, rate, seed):
    """A Keras dropout mask (0 or 1/(1-rate)) shaped like `like`."""
    return nn_ops.dropout(array_ops.ones_like(like), rate=rate, seed=seed)


class _DropoutRNNCellBase(Layer):
    """Shared parts of the built-in cells: weights, config, dropout and the split of a step into an
    input projection (vectorised over time by the RNN layer) and a recurrent update."""

    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        _check_units(units)
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.units = units
        self.activation = _activation(activation)
        self.recurrent_activation = _activation(recurrent_activation) if recurrent_activation is not None else None
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.output_size = units

    def _bias_shape(self):
        return (self.units * self._gates,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError("The last dimension of the inputs to %s should be defined. Found None. Full input "
                             "shape received: %s" % (type(self).__name__, input_shape))
        n = self.units * self._gates
        self.kernel = self.add_weight(shape=(in_dim, n), name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, n), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=self._bias_shape(), name="bias", initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    # -- the two halves of a step
    def _input_bias(self):
        return self.bias

    def project_inputs(self, inputs, input_mask=None):
        """The input part of the gates for inputs [batch, (time,) features]: one matmul (+ bias)."""
        if input_mask is not None:
            inputs = inputs * (input_mask if inputs.shape.rank == input_mask.shape.rank else
                               array_ops.expand_dims(input_mask, 1))
        z = _project(inputs, self.kernel)
        bias = self._input_bias()
        return z + bias if bias is not None else z

    def recurrent_step(self, z, states, recurrent_mask=None):  # pragma: no cover - overridden
        raise NotImplementedError

    def dropout_masks(self, step_input, state, training):
        """(input mask, recurrent mask) for one sequence (None when not training or rate 0)."""
        if not training:
            return None, None
        in_mask = _dropout_mask(step_input, self.dropout, self.seed) if 0.0 < self.dropout < 1.0 else None
        rec_mask = (_dropout_mask(state, self.recurrent_dropout, self.seed)
                    if 0.0 < self.recurrent_dropout < 1.0 else None)
        return in_mask, rec_mask

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        state_list = list(states) if nested else [states]
        in_mask, rec_mask = self.dropout_masks(inputs, state_list[0], training)
        out, new_states = self.recurrent_step(self.project_inputs(inputs, in_mask), state_list, rec_mask)
        if not nested and len(new_states) == 1:
            return out, new_states[0]
        return out, list(new_states)

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [array_ops.zeros([batch_size, d], dtype=self.compute_dtype) for d in sizes]

    def _cell_config(self, extra_before=(), extra_after=()) -> dict:
        c = super().get_config()
        c["units"] = self.units
        c["activation"] = _serialize(self.activation)
        if self.recurrent_activation is not None:
            c["recurrent_activation"] = _serialize(self.recurrent_activation)
        c["use_bias"] = self.use_bias
        c.update(extra_before)
        c.update(kernel_initializer=_init_config(self.kernel_initializer),
                 recurrent_initializer=_init_config(self.recurrent_initializer),
                 bias_initializer=_init_config(self.bias_initializer),
                 kernel_regularizer=_opt_config("regularizers", self.kernel_regularizer),
                 recurrent_regularizer=_opt_config("regularizers", self.recurrent_regularizer),
                 bias_regularizer=_opt_config("regularizers", self.bias_regularizer),
                 kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 recurrent_constraint=_opt_config("constraints", self.recurrent_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint),
                 dropout=self.dropout, recurrent_dropout=self.recurrent_dropout)
        c.update(extra_after)
        c["seed"] = self.seed
        return c


@keras_export("keras.layers.SimpleRNNCell")
class SimpleRNNCell(_DropoutRNNCellBase):
    """The cell of SimpleRNN: h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)
    (tf.keras.layers.SimpleRNNCell)."""

    _gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.state_size = units

    def recurrent_step(self, z, states, recurrent_mask=None):
        h = states[0]
        if recurrent_mask is not None:
            h = h * recurrent_mask
        out = z + linalg_ops.matmul(h, self.recurrent_kernel)
        if self.activation is not None:
            out = self.activation(out)
        return out, [out]

    def get_config(self) -> dict:
        return self._cell_config()


@keras_export("keras.layers.LSTMCell")
class LSTMCell(_DropoutRNNCellBase):
    """The cell of LSTM, with Keras 3's gate order i, f, c, o (tf.keras.layers.LSTMCell).

    i, f, o = recurrent_activation(z_i, z_f, z_o); c = f * c_prev + i * activation(z_c);
    h = o * activation(c), where z = x @ kernel + h_prev @ recurrent_kernel + bias.
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = _initializer(self.bias_initializer), self.units

        def unit_forget_bias(shape, dtype=None):
            return array_ops.concat([base((units,), dtype=dtype), array_ops.ones((units,), dtype=dtype),
                                     base((units * 2,), dtype=dtype)], 0)
        return unit_forget_bias

    def recurrent_step(self, z, states, recurrent_mask=None):
        h_tm1, c_tm1 = states[0], states[1]
        if recurrent_mask is not None:
            h_tm1 = h_tm1 * recurrent_mask
        z = z + linalg_ops.matmul(h_tm1, self.recurrent_kernel)
        z_i, z_f, z_c, z_o = array_ops.split(z, 4, axis=-1)
        ra = self.recurrent_activation
        c = ra(z_f) * c_tm1 + ra(z_i) * self.activation(z_c)
        h = ra(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        return self._cell_config(extra_before={"unit_forget_bias": self.unit_forget_bias})


@keras_export("keras.layers.GRUCell")
class GRUCell(_DropoutRNNCellBase):
    """The cell of GRU, with Keras 3's gate order z, r, h (tf.keras.layers.GRUCell).

    With `reset_after=True` (the default, cuDNN-compatible) the bias is [2, 3 * units] (input and
    recurrent biases) and the reset gate multiplies the recurrent candidate after its matmul.
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.reset_after = reset_after
        self.state_size = units

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def recurrent_step(self, z, states, recurrent_mask=None):
        h_tm1 = states[0]
        h_in = h_tm1 * recurrent_mask if recurrent_mask is not None else h_tm1
        u = self.units
        x_zr, x_h = array_ops.split(z, [2 * u, u], axis=-1)
        ra = self.recurrent_activation
        if self.reset_after:
            inner = linalg_ops.matmul(h_in, self.recurrent_kernel)
            if self.bias is not None:
                inner = inner + self.bias[1]
            r_zr, r_h = array_ops.split(inner, [2 * u, u], axis=-1)
            zg, r = array_ops.split(ra(x_zr + r_zr), 2, axis=-1)
            hh = self.activation(x_h + r * r_h)
        else:
            k_zr, k_h = array_ops.split(self.recurrent_kernel, [2 * u, u], axis=-1)
            zg, r = array_ops.split(ra(x_zr + linalg_ops.matmul(h_in, k_zr)), 2, axis=-1)
            hh = self.activation(x_h + linalg_ops.matmul(r * h_in, k_h))
        h = hh + zg * (h_tm1 - hh)
        return h, [h]

    def get_config(self) -> dict:
        return self._cell_config(extra_after={"reset_after": self.reset_after})


@keras_export("keras.layers.StackedRNNCells")
class StackedRNNCells(Layer):
    """Cells stacked into one cell: each cell's output is the next one's input
    (tf.keras.layers.StackedRNNCells)."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell) or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `call` method and a `state_size` attribute. Received "
                                 "cells=%r" % (cells,))
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
                out.append([array_ops.zeros([batch_size, d], dtype=self.compute_dtype) for d in sizes])
        return out

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            size = getattr(cell, "output_size", None) or cell.state_size
            size = size[0] if isinstance(size, (list, tuple)) else size
            shape = TensorShape(shape.as_list()[:-1] + [size])
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, state in zip(self.cells, states):
            nested = isinstance(state, (list, tuple))
            kw = {"training": training} if getattr(cell, "_call_has_training", False) else {}
            inputs, new = cell(inputs, list(state) if nested else [state], **kw)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            new_states.append(new if nested else new[0])
        return inputs, new_states

    def get_config(self) -> dict:
        from ..optimizers._serial import serialize_object
        c = super().get_config()
        c["cells"] = [serialize_object(cell) for cell in self.cells]
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def deserialize_layer(config, custom_objects=None):
    """A layer from its Keras 3 serialised dict ({"module", "class_name", "config", ...})."""
    from ..optimizers._serial import deserialize_object
    return deserialize_object(config, "layers", custom_objects=custom_objects, printable_module_name="layer")


def _flat_states(states):
    out = []
    for s in states:
        out.extend(_flat_states(s) if isinstance(s, (list, tuple)) else [s])
    return out


def _pack_states(structure, flat):
    it = iter(flat)

    def pack(s):
        return [pack(x) for x in s] if isinstance(s, (list, tuple)) else next(it)
    return [pack(s) for s in structure]


@keras_export("keras.layers.RNN")
class RNN(Layer):
    """Runs a cell over the time axis of [batch, time, features] inputs (tf.keras.layers.RNN).

    Args:
      cell: an RNN cell (a layer with `call(inputs, states)` and `state_size`), or a list of
        cells (stacked).
      return_sequences: return the output of every step ([batch, time, units]), not only the last.
      return_state: also return the final states.
      go_backwards: process the sequence in reverse (and return the reversed sequence).
      stateful: keep the final states of each batch as the initial states of the next (the batch
        size must then be static, e.g. `keras.Input(batch_shape=(32, 10, 8))`); `reset_states()`
        zeroes them.
      unroll: accepted for compatibility; the loop is always unrolled over the static time steps.
      zero_output_for_mask: give masked steps zero outputs instead of the previous output.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError("Argument `cell` should have a `call` method. Received: cell=%r" % (cell,))
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list of "
                             "integers, one integer per RNN state). Received: cell=%r" % (cell,))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.states = None  # stateful: non-trainable variables holding the states between batches
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        state_size = cell.state_size
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = TensorShape(sequences_shape)
        if shape.rank is not None and shape.rank < 3:
            raise ValueError("Input 0 of layer %s should have rank >= 3 ([batch, time, features]); received "
                             "input shape %s" % (self.name, shape))
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(TensorShape([shape[0]] + shape.as_list()[2:]))
            self.cell.built = True
        if self.stateful:
            if shape.rank is None or shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 "batch size: sequence.shape=%s" % (shape,))
            self._make_states(shape[0])
        self.built = True

    def _make_states(self, batch: int) -> None:
        from ...framework import nest
        from ...framework.variables import Variable
        ref = array_ops.zeros([batch, 1], dtype=self.compute_dtype)
        self.states = nest.map_structure(
            lambda z: Variable(z, trainable=False, name="rnn_state"), self._zero_states(ref))

    def reset_states(self, states=None) -> None:
        """Zeroes the states of a stateful RNN (or sets them to `states`)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        from ...framework import nest
        if self.states is None:
            return
        if states is None:
            nest.map_structure(lambda v: v.assign(array_ops.zeros_like(v)), self.states)
        else:
            flat = nest.flatten(states)
            for v, value in zip(nest.flatten(self.states), flat):
                v.assign(convert_to_tensor(value, dtype=v.dtype))

    reset_state = reset_states

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.state_size[0]
            size = size[0] if isinstance(size, (list, tuple)) else size
        return size

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        out = (batch, length, self._output_size()) if self.return_sequences else (batch, self._output_size())
        if not self.return_state:
            return out
        states = []
        for s in self.state_size:
            states.extend([(batch, d) for d in s] if isinstance(s, (list, tuple)) else [(batch, s)])
        return (out, *states)

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            state = fn(batch_size=batch_size)
            return list(state) if isinstance(state, (list, tuple)) else [state]
        return [array_ops.zeros([batch_size, d], dtype=self.compute_dtype) for d in self.state_size]

    def _zero_states(self, ref):
        dtype = self.compute_dtype
        if isinstance(self.cell, StackedRNNCells):
            # Keras 3 nests the states per cell; built-in cells always keep theirs in a list.
            out = []
            for c in self.cell.cells:
                size = c.state_size
                if isinstance(size, (list, tuple)) or isinstance(c, _DropoutRNNCellBase):
                    out.append([_zeros_state(ref, d, dtype) for d in (size if isinstance(size, (list, tuple))
                                                                      else [size])])
                else:
                    out.append(_zeros_state(ref, size, dtype))
            return out
        return [_zeros_state(ref, s, dtype) for s in self.state_size]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if not self.stateful:
            return self._finish(*self._call_states(sequences, initial_state, mask, training))
        from ...framework import nest
        if initial_state is None:
            initial_state = nest.map_structure(lambda v: v.read_value(), self.states)
        output, states = self._call_states(sequences, initial_state, mask, training)
        for v, new in zip(nest.flatten(self.states), _flat_states(states)):
            v.assign(new)
        return self._finish(output, states)

    def _call_states(self, sequences, initial_state, mask, training):
        """(output, final states) of the layer on `sequences`."""
        x = sequences
        if x.dtype != self.compute_dtype and x.dtype.is_floating:
            x = math_ops.cast(x, self.compute_dtype)
        steps = x.shape[1]
        if initial_state is None:
            states = self._zero_states(x[:, 0])
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            states = [[convert_to_tensor(v, dtype=self.compute_dtype) for v in s] if isinstance(s, (list, tuple))
                      else convert_to_tensor(s, dtype=self.compute_dtype) for s in states]
        if steps is None:  # only while tracing: a symbolic loop over the time steps
            return self._run_while(sequences, x, states, mask, training)
        if mask is not None:
            mask = array_ops.unstack(math_ops.cast(convert_to_tensor(mask), "bool"), num=steps, axis=1)
            mask = [array_ops.expand_dims(m, -1) for m in mask]
            if self.go_backwards:
                mask = mask[::-1]
        if isinstance(self.cell, _DropoutRNNCellBase):
            outputs, states = self._run_builtin(x, states, mask, training)
        else:
            outputs, states = self._run_cell(x, states, mask, training)
        return array_ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1], states

    def _finish(self, output, states):
        if self.return_state:
            return (output, *states)
        return output

    def _run_while(self, sequences, x, states, mask, training):
        """The time loop as tf.while_loop, for an unknown number of time steps (graphs only: a
        functional model built on keras.Input((None, features)), or a tf.function traced with an
        unknown time dimension). Returns (output, final states). Forward only: the gradient of
        the per-step gather needs the time dimension, so training needs static time steps."""
        from ...graph import control_flow
        if not is_tensor(sequences) or getattr(sequences, "graph", None) is None:
            raise ValueError("Layer %s needs a known number of time steps; received input shape %s"
                             % (self.name, x.shape))
        cell = self.cell
        builtin = isinstance(cell, _DropoutRNNCellBase)
        kw = {"training": training} if not builtin and getattr(cell, "_call_has_training", False) else {}
        rec_mask = None
        seq = x
        if builtin:
            in_mask, rec_mask = cell.dropout_masks(x[:, 0], states[0], training)
            seq = cell.project_inputs(x, in_mask)
        seq = array_ops.transpose(seq, [1, 0] + list(range(2, seq.shape.rank)))
        n = array_ops.shape(seq)[0]
        mask_tm = None
        if mask is not None:
            mask_tm = array_ops.transpose(math_ops.cast(convert_to_tensor(mask), "bool"), [1, 0])
        structure = states
        flat0 = _flat_states(states)
        prev0 = _zeros_state(x[:, 0], self._output_size(), self.compute_dtype)
        loop_vars = [array_ops.zeros([], dtype="int32"), prev0, flat0]
        if self.return_sequences:
            loop_vars.append(control_flow.TensorArray(self.compute_dtype, size=n))

        def body(i, prev, flat, *acc):
            t = n - 1 - i if self.go_backwards else i
            inp = array_ops.gather(seq, t)
            st = _pack_states(structure, flat)
            if builtin:
                out, new = cell.recurrent_step(inp, st, rec_mask)
            else:
                out, new = cell(inp, st, **kw)
                new = list(new) if isinstance(new, (list, tuple)) else [new]
            new_flat = _flat_states(new)
            if mask_tm is not None:
                m = array_ops.expand_dims(array_ops.gather(mask_tm, t), -1)
                out, new_flat, _ = self._apply_mask(m, out, new_flat, flat, prev)
            result = [i + 1, out, new_flat]
            if acc:
                result.append(acc[0].write(i, out))
            return result

        result = control_flow.while_loop(lambda i, *rest: i < n, body, loop_vars)
        final = _pack_states(structure, result[2])
        if self.return_sequences:
            stacked = result[3].stack()
            return array_ops.transpose(stacked, [1, 0] + list(range(2, stacked.shape.rank))), final
        return result[1], final
    def _run_builtin(self, x, states, mask, training):
        """The fast path of the built-in cells: the input projection of all steps in one matmul."""
        cell = self.cell
        in_mask, rec_mask = cell.dropout_masks(x[:, 0], states[0], training)
        z = cell.project_inputs(x, in_mask)
        steps = array_ops.unstack(z, axis=1)
        if self.go_backwards:
            steps = steps[::-1]
        outputs = []
        prev = None
        for t, z_t in enumerate(steps):
            out, new_states = cell.recurrent_step(z_t, states, rec_mask)
            if mask is not None:
                out, new_states, prev = self._apply_mask(mask[t], out, new_states, states, prev)
            states = new_states
            outputs.append(out)
        return outputs, states

    def _run_cell(self, x, states, mask, training):
        """The generic path: the cell is called once per step."""
        kw = {"training": training} if getattr(self.cell, "_call_has_training", False) else {}
        steps = array_ops.unstack(x, axis=1)
        if self.go_backwards:
            steps = steps[::-1]
        structure = states
        outputs = []
        prev = None
        for t, x_t in enumerate(steps):
            out, new = self.cell(x_t, states, **kw)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            if mask is not None:
                flat_new, flat_old = _flat_states(new), _flat_states(states)
                out, flat_new, prev = self._apply_mask(mask[t], out, flat_new, flat_old, prev)
                new = _pack_states(structure, flat_new)
            states = new
            outputs.append(out)
        return outputs, states

    def _apply_mask(self, m, out, new_states, old_states, prev):
        new_states = [array_ops.where(m, n, o) for n, o in zip(new_states, old_states)]
        if self.zero_output_for_mask or prev is None:
            masked_out = array_ops.where(m, out, array_ops.zeros_like(out))
        else:
            masked_out = array_ops.where(m, out, prev)
        return masked_out, new_states, masked_out

    def compute_mask(self, inputs, mask=None):
        """The output mask: the time mask with `return_sequences`, none otherwise (as Keras's RNN);
        with `return_state`, the states carry no mask."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.cell.state_size if isinstance(self.cell.state_size, (list, tuple))
                                        else [self.cell.state_size])
        return out

    def get_config(self) -> dict:
        from ..optimizers._serial import serialize_object
        c = super().get_config()
        c.update(self._rnn_config())
        c["cell"] = serialize_object(self.cell)
        return c

    def _rnn_config(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)


class _BuiltinRNN(RNN):
    """SimpleRNN/LSTM/GRU: an RNN over their own cell, with the cell's arguments flattened in."""

    _cell_class: type = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, activity_regularizer=None, use_cudnn="auto",
                 cell_kwargs=None, **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, "
                             "False}. Received: use_cudnn=%r" % (use_cudnn,))
        kwargs.pop("implementation", None)
        cell = self._cell_class(units, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                                name=self._cell_name, **(cell_kwargs or {}))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        # Cell hyper-parameters read through the layer (layer.units, layer.activation, ...).
        if name in ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
                    "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                    "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "seed"):
            cell = self.__dict__.get("cell")
            if cell is not None and hasattr(cell, name):
                return getattr(cell, name)
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def get_config(self) -> dict:
        c = Layer.get_config(self)
        c.update(self._rnn_config())
        cell = self.cell.get_config()
        for k in ("name", "trainable", "dtype", "seed"):
            cell.pop(k, None)
        reg = self.activity_regularizer
        after = [k for k in ("kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                             "recurrent_dropout", "reset_after") if k in cell]
        for k, v in cell.items():
            if k not in after:
                c[k] = v
        c["activity_regularizer"] = _opt_config("regularizers", reg)
        for k in after:
            c[k] = cell[k]
        if not isinstance(self, SimpleRNN):
            c["seed"] = self.cell.seed
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


_CELL_ARGS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed")


@keras_export("keras.layers.SimpleRNN")
class SimpleRNN(_BuiltinRNN):
    """A fully-connected RNN whose output is fed back as the next input state (tf.keras.layers.SimpleRNN).

    Example:

    >>> x = tf.random.normal([4, 10, 8])
    >>> tf.keras.layers.SimpleRNN(5)(x).shape
    TensorShape([4, 5])
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, **kwargs):
        local = locals()
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer,
                         cell_kwargs={k: local[k] for k in _CELL_ARGS}, **kwargs)


@keras_export("keras.layers.LSTM")
class LSTM(_BuiltinRNN):
    """Long Short-Term Memory layer (Hochreiter 1997) with Keras 3's weights (tf.keras.layers.LSTM).

    Example:

    >>> x = tf.random.normal([4, 10, 8])
    >>> out, h, c = tf.keras.layers.LSTM(5, return_sequences=True, return_state=True)(x)
    >>> out.shape, h.shape
    (TensorShape([4, 10, 5]), TensorShape([4, 5]))
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        local = locals()
        cell_kwargs = {k: local[k] for k in _CELL_ARGS + ("recurrent_activation", "unit_forget_bias")}
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, use_cudnn=use_cudnn, cell_kwargs=cell_kwargs,
                         **kwargs)


@keras_export("keras.layers.GRU")
class GRU(_BuiltinRNN):
    """Gated Recurrent Unit (Cho et al. 2014) with Keras 3's weights (tf.keras.layers.GRU).

    Example:

    >>> x = tf.random.normal([4, 10, 8])
    >>> tf.keras.layers.GRU(5)(x).shape
    TensorShape([4, 5])
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        local = locals()
        cell_kwargs = {k: local[k] for k in _CELL_ARGS + ("recurrent_activation", "reset_after")}
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, use_cudnn=use_cudnn, cell_kwargs=cell_kwargs,
                         **kwargs)
