"""keras.layers.Masking: marks timesteps whose features all equal `mask_value` as padding."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...ops import array_ops, math_ops
from .._registry import keras_export
from ..masking import set_keras_mask
from .layer import Layer


@keras_export("keras.layers.Masking")
class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value` (tf.keras.layers.Masking).

    The output is the input with masked timesteps zeroed, and carries a Keras mask (True where a
    timestep is kept) that downstream layers such as LSTM, GRU and GlobalAveragePooling1D use.

    Example:

    >>> x = np.array([[[1.0], [0.0], [2.0]]], np.float32)
    >>> tf.keras.layers.Masking()(x)._keras_mask.numpy()
    array([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config", None):
            from ..saving import deserialize_keras_object
            mask_value = deserialize_keras_object(mask_value)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs, keepdims):
        value = math_ops.cast(self.mask_value, inputs.dtype)
        return math_ops.reduce_any(math_ops.not_equal(inputs, value), axis=-1, keepdims=keepdims)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, False)

    def call(self, inputs):
        keep = self._keep(inputs, True)
        outputs = array_ops.where(keep, inputs, array_ops.zeros_like(inputs))
        set_keras_mask(outputs, array_ops.squeeze(keep, [-1]))
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c["mask_value"] = self.mask_value
        return c
