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


def list_logical_devices(device_type: str | None = None) -> list:
    if device_type is None or device_type.upper() == "CPU":
        return [PhysicalDevice("/device:CPU:0", "CPU")]
    return []


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
        _threading["intra"] = int(n)

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
