"""keras.Input and InputLayer: symbolic inputs of functional models.

All Keras symbolic tensors live in one shared functional graph; layers called on them stage
their ops there (which gives static output shapes) and record each call in
`graph.keras_history`, from which `keras.Model(inputs, outputs)` is assembled.
"""
from __future__ import annotations

from ...framework.tensor_shape import TensorShape
from ...graph.graph import FuncGraph
from .._registry import keras_export
from .layer import Layer, _dtype_from

_GRAPH: list = []


def functional_graph() -> FuncGraph:
    """The shared graph of Keras symbolic tensors (created on first use)."""
    if not _GRAPH:
        g = FuncGraph("keras_functional")
        g.keras_history = []
        _GRAPH.append(g)
    return _GRAPH[0]


@keras_export("keras.layers.InputLayer")
class InputLayer(Layer):
    """The layer that makes a functional model's symbolic input (tf.keras.layers.InputLayer)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError("You must pass a `shape` argument.")
            shape = () if shape is None else (tuple(shape) if isinstance(shape, (list, tuple)) else (shape,))
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._dtype = _dtype_from(dtype)
        self.sparse = bool(sparse)
        self.optional = optional
        self.output = functional_graph().placeholder(TensorShape(self._batch_shape), self._dtype, name=self.name)
        self.built = True

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {"batch_shape": self._batch_shape, "dtype": self._dtype.name, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": self.optional}


@keras_export("keras.layers.Input", "keras.Input")
def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False, ragged=None):  # noqa: N802 - Keras's public name
    """A symbolic tensor to start a functional model from (tf.keras.Input).

    Args:
      shape: the shape of one sample, without the batch dimension.
      batch_size: a fixed batch size, or None.
      dtype: the input dtype (default float32).
      batch_shape: the full shape, batch dimension included (instead of `shape`).
      name: the input's name.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, optional=optional)
    _INPUT_LAYERS[id(layer.output)] = layer
    return layer.output


_INPUT_LAYERS: dict = {}


def input_layer_of(t):
    """The InputLayer that made symbolic tensor `t`, if any."""
    return _INPUT_LAYERS.get(id(t))
