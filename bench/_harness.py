"""Shared bench plumbing: run one workload under tensorforge and, when available, under real
TensorFlow in the same run, and print one JSON line with both figures and their ratio.

Real TensorFlow is found by `import tensorflow` in this interpreter, or in the interpreter
named by the TF_PYTHON environment variable (a separate venv with tensorflow-cpu==2.21.0),
which runs this same script with `--peer tensorflow` and reports its figure back.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time


def median_time(fn, repeats: int = 7, number: int = 1) -> float:
    """Median over `repeats` of the seconds per call of `fn` (each timing runs it `number` times)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def _peer_figure(script: str, name: str):
    try:
        importlib.import_module("tensorflow")
        return None  # importable here: run in-process
    except ImportError:
        pass
    py = os.environ.get("TF_PYTHON")
    if not py:
        return {"error": "tensorflow not installed (set TF_PYTHON to a python with tensorflow-cpu==2.21.0)"}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([py, script, "--peer", "tensorflow"], capture_output=True, text=True, env=env, timeout=1800)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-1:] or "failed"}
    return json.loads(lines[-1])


def _split(result):
    """A workload returns its figure, or (figure, {extra figures})."""
    if isinstance(result, tuple):
        return result[0], result[1]
    return result, None


def run(name: str, workload, unit: str, higher_is_better: bool, script: str, **params) -> None:
    """Measures `workload(tf) -> float | (float, dict)` for tensorforge and TF and prints the JSON line."""
    p = argparse.ArgumentParser()
    p.add_argument("--peer", default=None)
    p.add_argument("--no-peer", action="store_true")
    args = p.parse_args()
    if args.peer:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        tf = importlib.import_module(args.peer)
        value, extra = _split(workload(tf))
        print(json.dumps({"value": value, "extra": extra, "version": tf.__version__}))
        return
    import tensorforge
    value, extra = _split(workload(tensorforge))
    result = {"bench": name, "unit": unit, "higher_is_better": higher_is_better, "params": params,
              "tensorforge": round(value, 4)}
    if extra:
        result["tensorforge_extra"] = {k: round(v, 3) for k, v in extra.items()}
    if not args.no_peer:
        peer = _peer_figure(script, name)
        if peer is None:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            tf = importlib.import_module("tensorflow")
            value, extra = _split(workload(tf))
            peer = {"value": value, "extra": extra, "version": tf.__version__}
        if "value" in peer:
            result["tensorflow"] = round(peer["value"], 4)
            if peer.get("extra"):
                result["tensorflow_extra"] = {k: round(v, 3) for k, v in peer["extra"].items()}
            result["tensorflow_version"] = peer["version"]
            ratio = peer["value"] / result["tensorforge"] if not higher_is_better else result["tensorforge"] / peer["value"]
            result["speedup_vs_tensorflow"] = round(ratio, 2)
        else:
            result["tensorflow"] = None
            result["tensorflow_error"] = peer["error"]
    print(json.dumps(result))
    sys.stdout.flush()
