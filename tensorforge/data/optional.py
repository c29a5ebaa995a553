"""tf.experimental.Optional: a value that may be absent (from Iterator.get_next_as_optional)."""
from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import structure


class Optional:
    """Either holds a value (a structure of tensors) or is empty (`tf.experimental.Optional`)."""

    def __init__(self, value, spec, has):
        self._value, self.element_spec, self._has = value, spec, has

    @staticmethod
    def from_value(value) -> "Optional":
        value = structure.normalize(value)
        return Optional(value, structure.spec_of(value), True)

    @staticmethod
    def empty(element_spec) -> "Optional":
        return Optional(None, element_spec, False)

    def has_value(self, name=None) -> Tensor:
        return Tensor(np.array(self._has))

    def get_value(self, name=None):
        if not self._has:
            raise InvalidArgumentError(None, None, "The optional does not have a value")
        return self._value
