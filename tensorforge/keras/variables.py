"""Keras 3's view of a layer weight: a tf.Variable whose `name` is the short name ('kernel')
and whose `path` says which layer owns it ('dense/kernel'), printed as Keras prints it."""
from __future__ import annotations

import numpy as np

from ..framework.variables import Variable
from .dtype_policies import autocast_dtype


class KerasVariable(Variable):
    """A layer weight (Keras 3's `keras.Variable` on the TensorFlow backend)."""

    def __init__(self, *args, path: str = "", autocast: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self._short_name = self._name[:-2].rsplit("/", 1)[-1]
        self.path = path or self._short_name
        self.autocast = autocast

    def _as_tensor(self):
        value = super()._as_tensor()
        dtype = autocast_dtype()  # set while a mixed-precision layer's `call` runs
        if dtype is not None and self.autocast and value.dtype is not dtype and value.dtype.is_floating:
            from ..ops.math_ops import cast
            return cast(value, dtype)
        return value

    @property
    def name(self) -> str:
        return self._short_name

    def __repr__(self) -> str:
        return "<Variable path=%s, shape=%s, dtype=%s, value=%s>" % (
            self.path, tuple(self.shape.as_list()), self.dtype.name, np.array2string(np.asarray(self.numpy())))
