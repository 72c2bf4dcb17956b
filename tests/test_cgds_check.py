"""examples/check_cgds.py, the known difference docs/verify.md states for CGDs 0.4.5's BCGD:
float32-sized errors on the zero-sum game-dynamics cases (named as float32 by the report),
gone with PyTorch's default dtype set to float64. Skipped without torch and CGDs
(``pip install CGDs==0.4.5``)."""

import importlib.util
import os

import pytest

pytest.importorskip("torch")
pytest.importorskip("CGDs")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "check_cgds.py")


def run(argv):
    spec = importlib.util.spec_from_file_location("check_cgds", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def test_bcgd_fails_as_float32_and_passes_with_a_float64_default(capsys):
    assert run([]) == 1
    out = capsys.readouterr().out
    assert "cgd[alpha=0.3]    24     20" in out and "Looks like float32" in out
    assert run(["--float64-default"]) == 0
    assert "RESULT: PASS (24 cases checked)" in capsys.readouterr().out
