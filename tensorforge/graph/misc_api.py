"""Small parts of TF's top-level API: tf.version, tf.sysconfig, tf.AggregationMethod,
tf.DeviceSpec, tf.is_symbolic_tensor, tf.guarantee_const and tf.parallel_stack."""
from __future__ import annotations

import os
import re

from .._api import tf_export
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor

# tf.version: the TF API level tensorforge implements (its own version is tensorforge.__version__).
VERSION = {"VERSION": "2.21.0", "GIT_VERSION": "tensorforge", "COMPILER_VERSION": "python",
           "GRAPH_DEF_VERSION": 2089, "GRAPH_DEF_VERSION_MIN_CONSUMER": 0, "GRAPH_DEF_VERSION_MIN_PRODUCER": 0}
for _name, _value in VERSION.items():
    tf_export("version." + _name)(_value)


@tf_export("sysconfig.get_build_info")
def get_build_info() -> dict:
    """What the build supports: no CUDA, no ROCm (tf.sysconfig.get_build_info)."""
    return {"is_cuda_build": False, "is_rocm_build": False, "is_tensorrt_build": False, "msvcp_dll_names": None}


@tf_export("sysconfig.get_include")
def get_include() -> str:
    """The package directory (there are no C++ headers)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@tf_export("sysconfig.get_lib")
def get_lib() -> str:
    return get_include()


@tf_export("sysconfig.get_compile_flags")
def get_compile_flags() -> list:
    return []


@tf_export("sysconfig.get_link_flags")
def get_link_flags() -> list:
    return []


@tf_export("AggregationMethod")
class AggregationMethod:
    """How gradients of one tensor are combined (tf.AggregationMethod); all are a sum here."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


_DEVICE_RE = re.compile(r"/(job|replica|task|device|cpu|gpu|tpu):?([^/]*)", re.IGNORECASE)


@tf_export("DeviceSpec")
class DeviceSpec:
    """A device name's parts: job, replica, task, device type and index (tf.DeviceSpec)."""

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job, self.replica, self.task = job, replica, task
        self.device_type = device_type.upper() if isinstance(device_type, str) and device_type.lower() in (
            "cpu", "gpu", "tpu") else device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec: str) -> "DeviceSpec":
        parts: dict = {}
        for key, value in _DEVICE_RE.findall(spec or ""):
            key = key.lower()
            if key in ("job",):
                parts["job"] = value
            elif key in ("replica", "task"):
                parts[key] = int(value)
            elif key == "device":
                kind, _, index = value.partition(":")
                parts["device_type"] = kind
                if index not in ("", "*"):
                    parts["device_index"] = int(index)
            else:  # /cpu:0 style
                parts["device_type"] = key
                if value not in ("", "*"):
                    parts["device_index"] = int(value)
        return cls(**parts)

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += "/job:%s" % self.job
        if self.replica is not None:
            out += "/replica:%d" % self.replica
        if self.task is not None:
            out += "/task:%d" % self.task
        if self.device_type is not None:
            out += "/device:%s:%s" % (self.device_type, "*" if self.device_index is None else self.device_index)
        return out

    def replace(self, **kwargs) -> "DeviceSpec":
        fields = dict(job=self.job, replica=self.replica, task=self.task, device_type=self.device_type,
                      device_index=self.device_index)
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def make_merged_spec(self, dev: "DeviceSpec") -> "DeviceSpec":
        return self.replace(**{k: v for k, v in vars(dev).items() if v is not None})

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and vars(self) == vars(other)

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return "<DeviceSpec(job=%s, replica=%s, task=%s, device_type=%s, device_index=%s)>" % (
            self.job, self.replica, self.task, self.device_type, self.device_index)


@tf_export("is_symbolic_tensor")
def is_symbolic_tensor(tensor) -> bool:
    """Whether `tensor` belongs to a graph being traced rather than holding a value (tf.is_symbolic_tensor)."""
    return bool(getattr(tensor, "_is_symbolic_tensor", False))


@tf_export("guarantee_const")
def guarantee_const(input, name=None):  # noqa: A002 - TF's name
    """`input` unchanged; TF uses it as a hint that the value is constant (tf.guarantee_const)."""
    from ..ops import array_ops
    return array_ops.identity(convert_to_tensor(input))


@tf_export("parallel_stack")
def parallel_stack(values, name="parallel_stack"):
    """tf.stack of `values` along a new first axis (tf.parallel_stack; TF may copy them in parallel).

    Raises:
      RuntimeError: eagerly, as TF does (it is a graph-only op).
    """
    if ctx.graph is None:
        raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")
    from ..ops import array_ops
    return array_ops.stack(values, axis=0)
