"""The PyTorch game-dynamics example: a second, independent implementation of LA, LOLA, SOS,
EG, CGD and LSS passes the game-dynamics cases in float64 and float32, and a planted LOLA
bug fails them. Skipped without torch."""

import importlib.util
import os

import pytest

pytest.importorskip("torch")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "verify_pytorch_dynamics.py")


def load_example():
    spec = importlib.util.spec_from_file_location("verify_pytorch_dynamics", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("flags", [[], ["--float32"]], ids=["float64", "float32"])
def test_pytorch_dynamics_pass_every_case(capsys, flags):
    assert load_example().main(flags) == 0
    out = capsys.readouterr().out
    assert "RESULT: PASS" in out and "50 of 50 cases" in out


def test_a_lola_with_the_shaping_sign_flipped_fails_only_lola(capsys):
    assert load_example().main(["--lola-sign"]) == 1
    out = capsys.readouterr().out
    assert "lola[alpha=0.3]: MISMATCH" in out and "sos[alpha=0.3,a=0.5,b=0.1]: MISMATCH" not in out
