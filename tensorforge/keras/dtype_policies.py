"""Keras 3's dtype policies (keras.DTypePolicy, tf.keras.mixed_precision): a layer's policy names
the dtype its weights are stored in (`variable_dtype`) and the dtype it computes in
(`compute_dtype`). "mixed_float16" and "mixed_bfloat16" keep float32 weights and compute in the
16-bit type; layers cast their inputs, and their weights as they read them, to the compute dtype.
"""
from __future__ import annotations

import threading

from ..framework import dtypes
from ._registry import keras_export

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


def _default_floatx() -> str:
    try:
        from .config import floatx
    except ImportError:  # keras.config not present: Keras's default
        return "float32"
    return floatx()


@keras_export("keras.DTypePolicy", "keras.dtype_policies.DTypePolicy", "keras.mixed_precision.DTypePolicy",
              "keras.mixed_precision.Policy")
class DTypePolicy:
    """The dtypes a layer stores its weights in and computes in (keras.DTypePolicy).

    Args:
      name: "mixed_float16", "mixed_bfloat16", or a dtype name such as "float32"; None takes
        `keras.config.floatx()`.

    Example:

    >>> p = tf.keras.mixed_precision.Policy("mixed_float16")
    >>> p.compute_dtype, p.variable_dtype
    ('float16', 'float32')
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = _default_floatx()
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. Received: name=%s (of type %s)"
                            % (name, type(name)))
        self._name = name
        if name in _MIXED:
            self._compute_dtype, self._variable_dtype = _MIXED[name], "float32"
        else:
            try:
                dtype = dtypes.as_dtype(name).name
            except (TypeError, ValueError):
                raise ValueError("Cannot convert '%s' to a mixed precision DTypePolicy. Valid policies include "
                                 "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as "
                                 "'float32'." % name) from None
            self._compute_dtype = self._variable_dtype = dtype
        self._compute = dtypes.as_dtype(self._compute_dtype)
        self._variable = dtypes.as_dtype(self._variable_dtype)

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    @property
    def quantization_mode(self):
        return None

    def convert_input(self, x, autocast: bool, dtype):
        """`x` as a tensor of `dtype` when it is floating and `autocast` is set."""
        from ..framework.convert import convert_to_tensor
        from ..ops.math_ops import cast
        x = convert_to_tensor(x)
        dtype = dtypes.as_dtype(dtype)
        if autocast and x.dtype.is_floating and x.dtype is not dtype:
            return cast(x, dtype)
        return x

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self) -> str:
        return '<DTypePolicy "%s">' % self._name


_state = threading.local()


@keras_export("keras.mixed_precision.set_global_policy", "keras.mixed_precision.set_dtype_policy",
              "keras.config.set_dtype_policy")
def set_global_policy(policy) -> None:
    """Sets the policy layers take when they are given no dtype (e.g. "mixed_float16").

    Args:
      policy: a DTypePolicy or a policy name; None resets it to `keras.config.floatx()`.
    """
    if policy is None:
        _state.policy = None
        return
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as "
                         "'mixed_float16') or a `DTypePolicy` instance. Received: policy=%s (of type %s)"
                         % (policy, type(policy)))
    if not policy.compute_dtype.startswith(("float", "bfloat")):
        raise ValueError("set_global_policy can only be used to set the global policy to floating-point policies, "
                         "such as 'float32' and 'mixed_float16'. Received: policy=%s" % policy)
    _state.policy = policy


@keras_export("keras.mixed_precision.global_policy", "keras.mixed_precision.dtype_policy",
              "keras.config.dtype_policy")
def global_policy() -> DTypePolicy:
    """The policy layers take when they are given no dtype."""
    policy = getattr(_state, "policy", None)
    return policy if policy is not None else DTypePolicy(_default_floatx())


def get(identifier) -> DTypePolicy:
    """A policy from a layer's `dtype` argument: None, a name, a DType, a serialised policy or a policy."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(identifier.get("config", identifier).get("name", _default_floatx()))
    if isinstance(identifier, dtypes.DType):
        return DTypePolicy(identifier.name)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    return DTypePolicy(dtypes.as_dtype(identifier).name)


# The compute dtype of the layer whose `call` is running, when it differs from its weights' dtype:
# Keras layer weights read in that scope are cast to it (Keras 3's AutocastScope).
def autocast_dtype():
    return getattr(_state, "autocast", None)


def set_autocast_dtype(dtype) -> object:
    prev = getattr(_state, "autocast", None)
    _state.autocast = dtype
    return prev
