"""Conformance against golden results made by real TensorFlow 2.21 (../shared/conformance).

Each case runs through the shared harness itself, so what is compared (values, dtypes,
gradients, tolerances) is exactly what `harness.py check` compares.
"""
import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFORMANCE = os.path.join(ROOT, "..", "shared", "conformance")
GOLDEN = os.path.join(CONFORMANCE, "golden")
# The prefixes whose every case must pass; later capabilities add theirs.
PREFIXES = ("math.", "reduce.", "linalg.", "array.", "nn.", "tape.", "strings.", "function.", "keras.", "losses.",
            "metrics.", "optimizers.", "train.", "data.", "io.")


def _load_harness():
    spec = importlib.util.spec_from_file_location("tf_conformance_harness", os.path.join(CONFORMANCE, "harness.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _case_ids():
    if not os.path.exists(GOLDEN):
        return []
    with open(os.path.join(GOLDEN, "manifest.json")) as f:
        cases = json.load(f)["cases"]
    return [c["id"] for c in cases if c["id"].startswith(PREFIXES)]


CASE_IDS = _case_ids()


def test_conformance_suite_is_present():
    assert CASE_IDS, "../shared/conformance/golden is missing: the conformance suite cannot run"


@pytest.fixture(scope="module")
def harness():
    return _load_harness()


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_matches_tensorflow(harness, case_id, tmp_path, capsys):
    report = tmp_path / "report.json"
    harness.check(GOLDEN, "tensorforge", only=(case_id,), json_path=str(report))
    results = json.loads(report.read_text())
    assert case_id in results
    assert results[case_id] is None, "%s: %s" % (case_id, results[case_id])
