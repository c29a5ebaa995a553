"""The committed *_pb2 modules match their .proto files, and carry TensorFlow's message names."""

import pathlib
import subprocess
import sys

import pytest

PROTOS = pathlib.Path(__file__).resolve().parent.parent / "tensorforge" / "protos"


def test_generated_modules_are_current(tmp_path):
    pytest.importorskip("grpc_tools")
    root = PROTOS.parent.parent
    sources = sorted(str(p.relative_to(root)) for p in PROTOS.glob("*.proto"))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I.", f"--python_out={tmp_path}", *sources],
                   cwd=root, check=True)
    for src in sources:
        name = pathlib.Path(src).stem + "_pb2.py"
        fresh = (tmp_path / "tensorforge" / "protos" / name).read_text()
        assert (PROTOS / name).read_text() == fresh, f"{name} is stale: run `make protos`"


def test_tensorflow_package_names():
    from tensorforge.protos import example_pb2, tensor_bundle_pb2, tensor_pb2

    assert example_pb2.Example.DESCRIPTOR.full_name == "tensorflow.Example"
    assert tensor_pb2.TensorProto.DESCRIPTOR.full_name == "tensorflow.TensorProto"
    entry = tensor_bundle_pb2.BundleEntryProto.DESCRIPTOR
    assert [(f.name, f.number) for f in entry.fields][:6] == [
        ("dtype", 1), ("shape", 2), ("shard_id", 3), ("offset", 4), ("size", 5), ("crc32c", 6)]
