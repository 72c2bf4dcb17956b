"""The PyTorch examples: a second, independent AgA implementation passes the conformance
check, on the adapter's tensors (verify_pytorch.py: the games and the PPO minibatches) and on
games rebuilt by hand from their specs (verify_pytorch_by_hand.py: JSON, then aga-ref
verify), and the same code with a planted sign bug fails it. Skipped without torch."""

import importlib.util
import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")
FOLDER = os.path.join(os.path.dirname(__file__), "..", "examples")
EXAMPLE = os.path.join(FOLDER, "verify_pytorch_by_hand.py")


def load_example(name="verify_pytorch_by_hand"):
    spec = importlib.util.spec_from_file_location(name, os.path.join(FOLDER, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("flags", [[], ["--float32"]], ids=["float64", "float32"])
def test_the_adapter_example_passes_every_case_of_both_kits(capsys, flags):
    assert load_example("verify_pytorch").main(flags) == 0
    out = capsys.readouterr().out
    assert "31 of 31 cases, 713 of 713" in out and "26 of 26 cases, 572 of 572" in out
    assert "RESULT: PASS (57 cases checked)" in out


def test_the_adapter_example_with_a_wrong_sign_rule_fails_only_there(capsys):
    assert load_example("verify_pytorch").main(["--wrong-sign"]) == 1
    out = capsys.readouterr().out
    assert "sign_paper: MISMATCH" in out and "sign_exact: MISMATCH" not in out


def test_pytorch_implementation_passes(tmp_path, capsys):
    assert load_example().main(["--out", str(tmp_path / "outputs.json")]) == 0
    assert "RESULT: PASS" in capsys.readouterr().out


def test_pytorch_implementation_with_a_wrong_sign_rule_fails(tmp_path, capsys):
    assert load_example().main(["--out", str(tmp_path / "outputs.json"), "--wrong-sign"]) == 1
    out = capsys.readouterr().out
    assert "sign_paper: MISMATCH" in out and "RESULT: FAIL" in out
    assert "sign_exact: MISMATCH" not in out  # only the planted bug is reported


def test_pytorch_implementation_in_float32_passes_with_the_float32_tolerance(tmp_path, capsys):
    """The documented float32 setting (--rtol 1e-4, relative to the terms' scale) passes an
    actual float32 implementation, cancellation near fixed points included."""
    assert load_example().main(["--out", str(tmp_path / "o.json"), "--float32"]) == 0
    assert "RESULT: PASS" in capsys.readouterr().out


def test_pytorch_float32_with_a_wrong_sign_rule_still_fails(tmp_path, capsys):
    out_file = str(tmp_path / "o.json")
    assert load_example().main(["--out", out_file, "--float32", "--wrong-sign"]) == 1
    out = capsys.readouterr().out
    assert "sign_paper: MISMATCH" in out and "sign_exact: MISMATCH" not in out


@pytest.mark.parametrize("script", ["verify_pytorch_by_hand"])
def test_the_examples_write_nothing_into_the_working_directory(tmp_path, script):
    """Run as the docs run them, ``python examples/<script>.py`` with no --out: the outputs
    go to the temporary folder ($TMPDIR), the working directory stays empty."""
    example = os.path.join(os.path.dirname(EXAMPLE), f"{script}.py")
    work, temp = tmp_path / "work", tmp_path / "temp"
    work.mkdir(), temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    done = subprocess.run([sys.executable, os.path.abspath(example)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = temp / "aga_ref_pytorch_outputs.json"
    assert f"wrote {written}" in done.stdout and "RESULT: PASS" in done.stdout
    assert list(work.iterdir()) == [] and written.exists()
