"""The Keras 3 `.keras` zip (config.json, metadata.json, model.weights.h5) and `.weights.h5` files.

Writes go to a temporary file in the target's directory that is `os.replace`d into place, so
a failed save never leaves a partial file.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import zipfile

from . import serialization, weights_h5

KERAS_VERSION = "3.15.1"
CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
VARS_FILENAME = "model.weights.h5"
_MAX_UNCOMPRESSED = 1 << 34  # refuse zip bombs


def _h5py():
    """h5py, imported on first use: Keras's weight files are HDF5 (the optional `h5` extra)."""
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving or loading Keras models and weights (.keras, .weights.h5, .h5) needs h5py: "
                          "pip install 'tensorforge[h5]' (or pip install h5py).") from None
    return h5py


def _atomic_write(filepath, write) -> None:
    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(filepath), dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def model_config(model) -> dict:
    """The model's config.json content."""
    config = serialization.serialize_layer(model)
    compile_config = serialization.compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def save_model(model, filepath, overwrite: bool = True, zipped: bool = True) -> None:
    """Writes `model` to a Keras 3 `.keras` file."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError("The filename must end in `.keras`. Received: filepath=%s" % filepath)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError("File %s already exists and overwrite=False." % filepath)
    config_json = json.dumps(model_config(model))
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    buf = io.BytesIO()
    with _h5py().File(buf, "w") as h5:
        weights_h5.write_weights(model, h5)

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILENAME, metadata)
            zf.writestr(CONFIG_FILENAME, config_json)
            zf.writestr(VARS_FILENAME, buf.getvalue())
    _atomic_write(filepath, write)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """Reads a Keras 3 `.keras` file back into a model."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise ValueError("File not found: filepath=%s. Please ensure the file is an accessible `.keras` zip file."
                         % filepath)
    if not zipfile.is_zipfile(filepath):
        raise ValueError("File format not supported: filepath=%s. Keras 3 only supports V3 `.keras` files and "
                         "legacy H5 format files (`.h5` extension)." % filepath)
    with zipfile.ZipFile(filepath, "r") as zf:
        if sum(i.file_size for i in zf.infolist()) > _MAX_UNCOMPRESSED:
            raise ValueError("Refusing to load %s: its uncompressed size is too large." % filepath)
        names = set(zf.namelist())
        config = json.loads(zf.read(CONFIG_FILENAME))
        with serialization.SafeModeScope(safe_mode):
            model = serialization.deserialize_layer(config, custom_objects)
        compile_config = config.get("compile_config")
        if compile and compile_config:
            serialization.compile_from_config(model, compile_config, custom_objects)
        if VARS_FILENAME in names:
            with _h5py().File(io.BytesIO(zf.read(VARS_FILENAME)), "r") as h5:
                weights_h5.read_weights(model, h5, skip_optimizer=not (compile and compile_config))
        elif "model.weights.npz" in names:
            raise ValueError("Loading `model.weights.npz` archives is not supported; re-save with the .h5 store.")
    return model


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes the model's weights to a Keras 3 `.weights.h5` file."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5`. Received: filepath=%s" % filepath)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError("File %s already exists and overwrite=False." % filepath)

    def write(f):
        with _h5py().File(f, "w") as h5:
            weights_h5.write_weights(model, h5)
    _atomic_write(filepath, write)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Loads weights from a `.weights.h5` file (or the weights inside a `.keras` file)."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        with zipfile.ZipFile(filepath, "r") as zf, _h5py().File(io.BytesIO(zf.read(VARS_FILENAME)), "r") as h5:
            weights_h5.read_weights(model, h5)
        return
    if not filepath.endswith(".weights.h5"):
        raise ValueError("File format not supported: filepath=%s. Keras 3 only supports V3 `.keras` and "
                         "`.weights.h5` files." % filepath)
    with _h5py().File(filepath, "r") as h5:
        weights_h5.read_weights(model, h5)
