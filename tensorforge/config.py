"""tf.config: devices and runtime settings."""
from __future__ import annotations

from typing import NamedTuple


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")


def list_physical_devices(device_type: str | None = None) -> list:
    """The physical devices of a type ('CPU', 'GPU'); only the CPU exists here."""
    if device_type is None or device_type.upper() == "CPU":
        return [_CPU]
    return []


class LogicalDevice(NamedTuple):
    """A device the runtime places ops on (tf.config.LogicalDevice)."""
    name: str
    device_type: str


class LogicalDeviceConfiguration(NamedTuple):
    """How to split a physical device into logical ones (tf.config.LogicalDeviceConfiguration)."""
    memory_limit: int | None = None
    experimental_priority: int | None = None
    experimental_device_ordinal: int | None = None


def list_logical_devices(device_type: str | None = None) -> list:
    if device_type is None or device_type.upper() == "CPU":
        return [LogicalDevice("/device:CPU:0", "CPU")]
    return []


_logical_configs: dict = {}


def set_logical_device_configuration(device, logical_devices) -> None:
    """Records the logical devices of `device`; the CPU stays one logical device here (TF would
    split it for tests of multi-device code)."""
    if device not in list_physical_devices():
        raise ValueError("Unrecognized device: %s" % (device,))
    _logical_configs[device.name] = list(logical_devices) if logical_devices is not None else None


def get_logical_device_configuration(device):
    return _logical_configs.get(device.name)


_soft_placement = [True]


def set_soft_device_placement(enabled: bool) -> None:
    """Whether an op without a kernel on its device may run elsewhere (always the CPU here)."""
    _soft_placement[0] = bool(enabled)


def get_soft_device_placement() -> bool:
    return _soft_placement[0]


def get_visible_devices(device_type: str | None = None) -> list:
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type: str | None = None) -> None:
    pass  # only the CPU exists; hiding GPUs that are not there is a no-op, as in TF


class experimental:  # noqa: N801 - TF's namespace
    @staticmethod
    def set_memory_growth(device, enable: bool) -> None:
        if device.device_type != "GPU":
            raise ValueError("Cannot set memory growth on device when virtual devices configured")

    @staticmethod
    def get_memory_growth(device) -> bool:
        return False


_threading = {"inter": 0, "intra": 0}


class threading:  # noqa: N801
    @staticmethod
    def set_inter_op_parallelism_threads(n: int) -> None:
        _threading["inter"] = int(n)

    @staticmethod
    def set_intra_op_parallelism_threads(n: int) -> None:
        """Threads one op may use (0: one per CPU): our elementwise/pooling kernels' threads and the
        BLAS library's (matmuls, convolutions)."""
        _threading["intra"] = int(n)
        from . import _blas
        _blas.set_threads(int(n))

    @staticmethod
    def get_inter_op_parallelism_threads() -> int:
        return _threading["inter"]

    @staticmethod
    def get_intra_op_parallelism_threads() -> int:
        return _threading["intra"]


_functions_run_eagerly = [False]  # read by tf.function on every call


def run_functions_eagerly(run_eagerly: bool) -> None:
    _functions_run_eagerly[0] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _functions_run_eagerly[0]


experimental_run_functions_eagerly = run_functions_eagerly  # TF's deprecated names
experimental_functions_run_eagerly = functions_run_eagerly


# ---------------------------------------------------------------- tf.config.optimizer
# TF's option names, in the order get_experimental_options lists them. Toggles are listed once
# set; the two "disable_*" flags always; min_graph_nodes when not 0.
_OPTIMIZER_TOGGLES = (
    "layout_optimizer", "constant_folding", "shape_optimization", "remapping", "arithmetic_optimization",
    "dependency_optimization", "loop_optimization", "function_optimization", "debug_stripper",
    "disable_model_pruning", "scoped_allocator_optimization", "pin_to_host_optimization",
    "implementation_selector", "auto_mixed_precision", "use_plugin_optimizers", "disable_meta_optimizer",
    "auto_mixed_precision_onednn_bfloat16", "auto_mixed_precision_mkl")
_OPTIMIZER_FLAGS = ("disable_model_pruning", "disable_meta_optimizer")
_optimizer_options: dict = {}
_jit = [""]


def _optimizer_option(name: str):
    """The value set for optimizer option `name`, or None when it was never set (the default)."""
    return _optimizer_options.get(name)


class optimizer:  # noqa: N801 - TF's namespace
    """tf.config.optimizer: switches for the graph passes that every traced tf.function goes through.

    tensorforge implements `constant_folding`, `arithmetic_optimization` (simplification and
    common subexpression elimination), `dependency_optimization` (Identity removal), `remapping`
    (elementwise fusion), `debug_stripper`, `disable_model_pruning` (dead-code elimination),
    `disable_meta_optimizer` and `min_graph_nodes`; see tensorforge/graph/passes. The other
    names TF accepts (layout_optimizer, shape_optimization, loop_optimization,
    function_optimization, scoped_allocator_optimization, pin_to_host_optimization,
    implementation_selector, auto_mixed_precision, ...) are recorded and reported but change
    nothing here. Options apply to functions traced after they are set.
    """

    @staticmethod
    def set_experimental_options(options: dict) -> None:
        """Sets optimizer options, e.g. `{"constant_folding": False, "remapping": True}`.

        Args:
          options: a dict of option name to value (bool toggles; `min_graph_nodes` an int). Keys
            not listed above are accepted and ignored, as TF does.
        """
        _optimizer_options.update(options)

    @staticmethod
    def get_experimental_options() -> dict:
        """The options set so far, in TF's form: set toggles, both disable flags, min_graph_nodes."""
        out = {}
        for name in _OPTIMIZER_TOGGLES:
            value = _optimizer_options.get(name)
            if name in _OPTIMIZER_FLAGS:
                out[name] = bool(value)
            elif value is not None:
                out[name] = bool(value)
        nodes = _optimizer_options.get("min_graph_nodes")
        if nodes:
            out["min_graph_nodes"] = int(nodes)
        return out

    @staticmethod
    def set_jit(enabled) -> None:
        """Records XLA auto-clustering (True or "autoclustering"); tensorforge's executor has none."""
        _jit[0] = "autoclustering" if enabled is True or enabled == "autoclustering" else ""

    @staticmethod
    def get_jit() -> str:
        """"autoclustering" after set_jit(True), else "" (TF's values)."""
        return _jit[0]
