"""Convolutional LSTM layers: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D.

An LSTM whose input and recurrent transformations are convolutions (Shi et al. 2015). Weights
follow Keras 3: a `conv_lstm_cell` sublayer with kernel [*kernel_size, channels, 4 * filters],
recurrent_kernel [*kernel_size, filters, 4 * filters] and bias [4 * filters], gates in the order
i, f, c, o. The input convolution of every time step is one convolution over the batch and time
axes before the loop; each step then does the recurrent convolution ('same' padding, stride 1)
and the gate math. The layer reuses RNN's machinery (stateful states, return_state, masks).
"""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework.convert import convert_to_tensor
from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, math_ops, nn_ops
from .._registry import keras_export
from .convolutional import (
    check_input_spec, conv_output_length, resolve, shape_tuple, standardize_data_format, standardize_padding,
    standardize_tuple, tf_data_format)
from .core import _activation, _init_config, _opt_config, _serialize
from .layer import Layer
from .rnn import RNN, _dropout_mask


class ConvLSTMCell(Layer):
    """The cell of the ConvLSTM layers (Keras's ConvLSTMCell): one step
    i, f, o = recurrent_activation(.), c = f * c_prev + i * activation(.), h = o * activation(c),
    where each gate is conv(x, kernel_g) + conv(h_prev, recurrent_kernel_g) + bias_g."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.rank = rank
        if rank > 3:
            raise ValueError("Rank %s convolutions are not currently implemented. Received: rank=%s" % (rank, rank))
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides", allow_zero=True)
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide "
                             "`strides=1` or `dilation_rate=1`. Received: strides=%s and dilation_rate=%s"
                             % (self.strides, self.dilation_rate))
        self.activation = _activation(activation)
        self.recurrent_activation = _activation(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = resolve("initializers", kernel_initializer)
        self.recurrent_initializer = resolve("initializers", recurrent_initializer)
        self.bias_initializer = resolve("initializers", bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = resolve("regularizers", kernel_regularizer)
        self.recurrent_regularizer = resolve("regularizers", recurrent_regularizer)
        self.bias_regularizer = resolve("regularizers", bias_regularizer)
        self.kernel_constraint = resolve("constraints", kernel_constraint)
        self.recurrent_constraint = resolve("constraints", recurrent_constraint)
        self.bias_constraint = resolve("constraints", bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.dropout_mask_count = 4
        self.state_size = -1  # the states are feature maps: see compute_output_shape
        self.kernel = self.recurrent_kernel = self.bias = None

    # -- shapes
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape) -> tuple:
        return tuple(shape[1:-1] if self.data_format == "channels_last" else shape[2:])

    def build(self, inputs_shape, states_shape=None):
        shape = shape_tuple(inputs_shape)
        self.spatial_dims = self._spatial(shape)
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial dimension. Received "
                             "invalid input shape: input_shape=%s" % (shape,))
        if shape[self._channel_axis()] is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be defined. Found None. Full "
                             "input shape received: input_shape=%s" % (shape,))
        self.input_dim = input_dim = shape[self._channel_axis()]
        self.kernel_shape = self.kernel_size + (input_dim, self.filters * 4)
        self.kernel = self.add_weight(shape=self.kernel_shape, initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, self.filters * 4),
                                                initializer=self.recurrent_initializer, name="recurrent_kernel",
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                base, f = self.bias_initializer, self.filters

                def init(shape, dtype=None):
                    return array_ops.concat([base((f,), dtype=dtype), array_ops.ones((f,), dtype=dtype),
                                             base((2 * f,), dtype=dtype)], 0)
            self.bias = self.add_weight(shape=(self.filters * 4,), name="bias", initializer=init,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def compute_output_shape(self, inputs_shape, states_shape=None):
        shape = shape_tuple(inputs_shape)
        lengths = tuple(conv_output_length(n, self.kernel_size[i], self.strides[i], self.padding,
                                           self.dilation_rate[i]) for i, n in enumerate(self._spatial(shape)))
        out = ((shape[0],) + lengths + (self.filters,) if self.data_format == "channels_last"
               else (shape[0], self.filters) + lengths)
        return out, [out, out]

    def get_initial_state(self, batch_size=None):
        if self.data_format == "channels_last":
            shape = (batch_size,) + tuple(self.spatial_dims) + (self.input_dim,)
        else:
            shape = (batch_size, self.input_dim) + tuple(self.spatial_dims)
        state_shape = self.compute_output_shape(shape)[0]
        return [array_ops.zeros(state_shape, dtype=self.compute_dtype),
                array_ops.zeros(state_shape, dtype=self.compute_dtype)]

    def zero_states(self, ref):
        """Zero (h, c) for the step input `ref` [batch, ...] (its batch size may be unknown)."""
        out = self.compute_output_shape(ref.shape)[0]
        if out[0] is not None:
            z = array_ops.zeros(out, dtype=self.compute_dtype)
        else:
            z = array_ops.zeros(array_ops.concat([array_ops.shape(ref)[:1], list(out[1:])], 0),
                                dtype=self.compute_dtype)
        return [z, z]

    # -- the computation
    def _fmt(self) -> str:
        return tf_data_format(self.data_format, self.rank + 2)

    def input_conv(self, x, w, b=None):
        out = nn_ops.convolution(x, w, strides=list(self.strides), padding=self.padding.upper(),
                                 data_format=self._fmt(), dilations=list(self.dilation_rate))
        if b is not None:
            out = nn_ops.bias_add(out, b, data_format=self._fmt())
        return out

    def recurrent_conv(self, h, w):
        return nn_ops.convolution(h, w, strides=[1] * self.rank, padding="SAME", data_format=self._fmt())

    def _split(self, t, n=4):
        return array_ops.split(t, n, axis=self._channel_axis())

    def _concat(self, parts):
        return array_ops.concat(parts, axis=self._channel_axis())

    def dropout_masks(self, step_input, state, training):
        """(4 input masks, 4 recurrent masks) for one sequence (None when not training or rate 0)."""
        if not training:
            return None, None
        in_masks = ([_dropout_mask(step_input, self.dropout, self.seed) for _ in range(4)]
                    if 0.0 < self.dropout < 1.0 else None)
        rec_masks = ([_dropout_mask(state, self.recurrent_dropout, self.seed) for _ in range(4)]
                     if 0.0 < self.recurrent_dropout < 1.0 else None)
        return in_masks, rec_masks

    def project_inputs(self, x, in_masks=None):
        """The input convolutions of all gates (+ bias) for step inputs x [n, ...]; with dropout masks
        [n, ...] or [1, ...], each gate convolves its own masked input."""
        if in_masks is None:
            return self.input_conv(x, self.kernel, self.bias)
        kernels = array_ops.split(self.kernel, 4, axis=self.rank + 1)
        biases = array_ops.split(self.bias, 4) if self.bias is not None else [None] * 4
        return self._concat([self.input_conv(x * m, k, b) for m, k, b in zip(in_masks, kernels, biases)])

    def recurrent_step(self, z, states, rec_masks=None):
        """One step from the input part `z` of the gates and the states [h, c]: (h, [h, c])."""
        h_tm1, c_tm1 = states[0], states[1]
        if rec_masks is None:
            r = self.recurrent_conv(h_tm1, self.recurrent_kernel)
        else:
            kernels = array_ops.split(self.recurrent_kernel, 4, axis=self.rank + 1)
            r = self._concat([self.recurrent_conv(h_tm1 * m, k) for m, k in zip(rec_masks, kernels)])
        z_i, z_f, z_c, z_o = self._split(z + r)
        ra = self.recurrent_activation
        c = ra(z_f) * c_tm1 + ra(z_i) * self.activation(z_c)
        h = ra(z_o) * self.activation(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        in_masks, rec_masks = self.dropout_masks(inputs, states[0], training)
        return self.recurrent_step(self.project_inputs(inputs, in_masks), list(states), rec_masks)

    def _params_config(self) -> dict:
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": _serialize(self.activation),
                "recurrent_activation": _serialize(self.recurrent_activation), "use_bias": self.use_bias,
                "kernel_initializer": _init_config(self.kernel_initializer),
                "recurrent_initializer": _init_config(self.recurrent_initializer),
                "bias_initializer": _init_config(self.bias_initializer), "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": _opt_config("regularizers", self.kernel_regularizer),
                "recurrent_regularizer": _opt_config("regularizers", self.recurrent_regularizer),
                "bias_regularizer": _opt_config("regularizers", self.bias_regularizer)}

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(self._params_config())
        c.update(kernel_constraint=_opt_config("constraints", self.kernel_constraint),
                 recurrent_constraint=_opt_config("constraints", self.recurrent_constraint),
                 bias_constraint=_opt_config("constraints", self.bias_constraint), dropout=self.dropout,
                 recurrent_dropout=self.recurrent_dropout, seed=self.seed)
        return c

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        rank = config.pop("rank", len(config["kernel_size"]) if isinstance(config.get("kernel_size"),
                                                                            (list, tuple)) else 2)
        return cls(rank, **config)


_CELL_ATTRS = frozenset((
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout"))


class ConvLSTM(RNN):
    """The N-D convolutional LSTM layer (Keras's ConvLSTM): runs a ConvLSTMCell over the time axis
    of [batch, time, *spatial, channels] (or [batch, time, channels, *spatial]) inputs."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        if kwargs.get("activity_regularizer") is not None:
            kwargs["activity_regularizer"] = resolve("regularizers", kwargs["activity_regularizer"])
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.rank = rank

    def __getattr__(self, name):
        # The cell's hyper-parameters read through the layer (layer.filters, layer.padding, ...).
        if name in _CELL_ATTRS:
            cell = self.__dict__.get("cell")
            if cell is not None:
                return getattr(cell, name)
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def build(self, sequences_shape, initial_state_shape=None):
        shape = shape_tuple(sequences_shape)
        check_input_spec(self, shape, ndim=self.rank + 3)
        if not self.cell.built:
            self.cell.build(TensorShape((shape[0],) + shape[2:]))
            self.cell.built = True
        if self.stateful:
            if shape[0] is None:
                raise ValueError("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic "
                                 "batch size: sequence.shape=%s" % (shape,))
            self._make_states(shape[0])
        self.built = True

    def _make_states(self, batch: int) -> None:
        from ...framework.variables import Variable
        step = (batch,) + tuple(self._build_step_shape())
        ref = array_ops.zeros(step, dtype=self.compute_dtype)
        self.states = [Variable(z, trainable=False, name="rnn_state") for z in self.cell.zero_states(ref)]

    def _build_step_shape(self):
        cell = self.cell
        if cell.data_format == "channels_last":
            return tuple(cell.spatial_dims) + (cell.input_dim,)
        return (cell.input_dim,) + tuple(cell.spatial_dims)

    def _zero_states(self, ref):
        return self.cell.zero_states(ref)

    def get_initial_state(self, batch_size):
        return self.cell.get_initial_state(batch_size)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = shape_tuple(sequences_shape)
        batch, steps = shape[0], shape[1]
        state = tuple(self.cell.compute_output_shape((batch,) + shape[2:])[0][1:])
        out = (batch, steps) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return out, (batch,) + state, (batch,) + state
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    # -- the time loop
    def _call_states(self, sequences, initial_state, mask, training):
        cell = self.cell
        x = sequences
        if x.dtype != self.compute_dtype and x.dtype.is_floating:
            x = math_ops.cast(x, self.compute_dtype)
        check_input_spec(self, shape_tuple(x.shape), ndim=self.rank + 3)
        if initial_state is None:
            states = cell.zero_states(x[:, 0])
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            states = [convert_to_tensor(s, dtype=self.compute_dtype) for s in states]
            if len(states) != 2:
                raise ValueError("An `initial_state` was passed that is not compatible with `cell.state_size`. "
                                 "Received state of length %d; expected 2 (h and c)." % len(states))
        in_masks, rec_masks = cell.dropout_masks(x[:, 0], states[0], training)
        z = self._project_all(x, in_masks)  # [batch, time, *state dims, 4 * filters]
        steps = x.shape[1]
        if mask is not None:
            mask = math_ops.cast(convert_to_tensor(mask), "bool")
            mask = array_ops.reshape(mask, [-1 if d is None else d for d in mask.shape.as_list()[:2]]
                                     + [1] * (self.rank + 1))
        if steps is None:
            return self._loop_while(z, states, mask, rec_masks)
        zs = array_ops.unstack(z, num=steps, axis=1)
        ms = array_ops.unstack(mask, num=steps, axis=1) if mask is not None else None
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, prev = [], None
        for t in order:
            out, new = cell.recurrent_step(zs[t], states, rec_masks)
            if ms is not None:
                out, new, prev = self._apply_mask(ms[t], out, new, states, prev)
            states = new
            outputs.append(out)
        return (array_ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]), states

    def _project_all(self, x, in_masks):
        """The input convolutions of every time step at once (the batch and time axes merged)."""
        shape = x.shape.as_list()
        flat = array_ops.reshape(x, [-1] + shape[2:])
        if in_masks is not None:  # the same masks at every step
            rep = array_ops.shape(x)[1]
            in_masks = [array_ops.reshape(array_ops.tile(array_ops.expand_dims(m, 1),
                                                         [1, rep] + [1] * (self.rank + 1)), [-1] + shape[2:])
                        for m in in_masks]
        z = self.cell.project_inputs(flat, in_masks)
        tail = z.shape.as_list()[1:]
        if shape[0] is not None and shape[1] is not None:
            return array_ops.reshape(z, shape[:2] + tail)
        return array_ops.reshape(z, array_ops.concat([array_ops.shape(x)[:2], tail], 0))

    def _loop_while(self, z, states, mask, rec_masks):
        """The time loop as tf.while_loop, for an unknown number of time steps (graphs only)."""
        from ...graph import control_flow
        if getattr(z, "graph", None) is None:
            raise ValueError("Layer %s needs a known number of time steps; received input shape %s"
                             % (self.name, z.shape))
        perm = [1, 0] + list(range(2, z.shape.rank))
        seq = array_ops.transpose(z, perm)
        n = array_ops.shape(seq)[0]
        mask_tm = array_ops.transpose(mask, perm) if mask is not None else None
        prev0 = array_ops.zeros_like(states[0])
        loop_vars = [array_ops.zeros([], dtype="int32"), prev0, list(states)]
        if self.return_sequences:
            loop_vars.append(control_flow.TensorArray(self.compute_dtype, size=n))

        def body(i, prev, st, *acc):
            t = n - 1 - i if self.go_backwards else i
            out, new = self.cell.recurrent_step(array_ops.gather(seq, t), st, rec_masks)
            if mask_tm is not None:
                out, new, _ = self._apply_mask(array_ops.gather(mask_tm, t), out, new, st, prev)
            result = [i + 1, out, new]
            if acc:
                result.append(acc[0].write(i, out))
            return result

        result = control_flow.while_loop(lambda i, *rest: i < n, body, loop_vars)
        if self.return_sequences:
            stacked = result[3].stack()
            return array_ops.transpose(stacked, perm), list(result[2])
        return result[1], list(result[2])

    # -- configuration
    def get_config(self) -> dict:
        c = Layer.get_config(self)
        c.update(self._rnn_config())
        c.update(self.cell._params_config())
        c.update(activity_regularizer=_opt_config("regularizers", self.activity_regularizer),
                 kernel_constraint=_opt_config("constraints", self.cell.kernel_constraint),
                 recurrent_constraint=_opt_config("constraints", self.cell.recurrent_constraint),
                 bias_constraint=_opt_config("constraints", self.cell.bias_constraint), dropout=self.cell.dropout,
                 recurrent_dropout=self.cell.recurrent_dropout, seed=self.cell.seed)
        return c

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _make_conv_lstm(rank: int, doc: str):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        ConvLSTM.__init__(
            self, rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
            stateful=stateful, **kwargs)
    name = "ConvLSTM%dD" % rank
    cls = type(name, (ConvLSTM,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})
    cls.__qualname__ = name
    return keras_export("keras.layers." + name)(cls)


ConvLSTM1D = _make_conv_lstm(1, """1-D convolutional LSTM over [batch, time, steps, channels] inputs
(tf.keras.layers.ConvLSTM1D).

>>> layer = tf.keras.layers.ConvLSTM1D(4, 3, padding="same", return_sequences=True)
>>> layer(tf.ones([2, 5, 8, 3])).shape
TensorShape([2, 5, 8, 4])
""")
ConvLSTM2D = _make_conv_lstm(2, """2-D convolutional LSTM over [batch, time, rows, cols, channels] inputs
(tf.keras.layers.ConvLSTM2D).

>>> tf.keras.layers.ConvLSTM2D(4, 3)(tf.ones([2, 5, 8, 8, 3])).shape
TensorShape([2, 6, 6, 4])
""")
ConvLSTM3D = _make_conv_lstm(3, """3-D convolutional LSTM over [batch, time, d1, d2, d3, channels] inputs
(tf.keras.layers.ConvLSTM3D).

>>> tf.keras.layers.ConvLSTM3D(2, 3, padding="same")(tf.ones([1, 3, 4, 4, 4, 1])).shape
TensorShape([1, 4, 4, 4, 2])
""")
