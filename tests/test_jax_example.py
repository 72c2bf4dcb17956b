"""The JAX example (examples/verify_jax.py): an AgA written with ``jax.grad`` and ``jax.vjp``
passes the games' and the PPO minibatches' cases, a run that forgets ``jax_enable_x64`` is
flagged as float32 instead of passing, and a planted mean in ``l_c`` fails with its hint.
Skipped without JAX; slow (each run ~20 s of CPU, JAX op by op): the default suite runs the
ten-line JAX check of docs/verify.md and the adapter's float32 flag instead
(tests/test_conformance_adapters.py)."""

import importlib.util
import os

import pytest

jax = pytest.importorskip("jax")
pytestmark = pytest.mark.slow
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "verify_jax.py")


def run(flags):
    spec = importlib.util.spec_from_file_location("verify_jax", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        return module.main(flags)
    finally:
        jax.config.update("jax_enable_x64", True)  # as the other JAX tests expect


def test_the_jax_example_passes_both_kits(capsys):
    assert run([]) == 0
    assert "RESULT: PASS (57 cases checked)" in capsys.readouterr().out


def test_forgetting_x64_is_flagged_not_passed(capsys):
    assert run(["--forget-x64"]) == 1
    assert "float32 values where float64 was asked for" in capsys.readouterr().out


def test_a_mean_in_l_c_fails_with_its_hint(capsys):
    assert run(["--mean-in-lc"]) == 1
    assert "(1/n for n = 3 players): a mean where the kit sums?" in capsys.readouterr().out
