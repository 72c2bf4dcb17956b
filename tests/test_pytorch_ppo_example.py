"""The PyTorch PPO-minibatch example: an independent AgA-on-PPO implementation passes the PPO
conformance cases in float64 and float32, and each planted bug fails them on the quantities
it touches, and only those. Skipped without torch."""

import importlib.util
import os
import sys

import pytest

from aga_ref import conformance

pytest.importorskip("torch")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "verify_pytorch_ppo.py")
TILDE = {r: {f"xi_tilde[sign_rule={r},lam={lam}]" for lam in (0.1, 1.0)}
         for r in ("paper", "exact", "per_agent")}  # fmt: skip
UNALIGNED = {f"xi_tilde[align=False,lam={lam}]" for lam in (0.1, -0.5)}
# flag: (quantities that must fail on some case, quantities no case may fail: those the bug
# cannot reach through the formulas)
BUGS = {
    "--wrong-sign": ({"sign_paper", "sign_per_agent", *TILDE["paper"], *TILDE["per_agent"]},
                     {"xi", "xi_c", "Hc_xic", "Ht_xi", "xic_g", "xi_g", "g_g", "xic_xic",
                      "xic_adj", "sign_exact",
                      *TILDE["exact"], *UNALIGNED, "cga[lam=1.0]", "fcgrad[beta=0.8]"}),
    "--individual-in-lc": ({"xi_c", "Hc_xic", "xic_g", "xic_xic", *UNALIGNED,
                            "fcgrad[beta=0.8]"}, {"xi", "Ht_xi", "cga[lam=1.0]"}),
    "--product-on-xi": ({"Hc_xic", "xic_g", "xi_g", "g_g", "xic_adj", *UNALIGNED},
                        {"xi", "xi_c", "Ht_xi", "xic_xic", "cga[lam=1.0]", "fcgrad[beta=0.8]"}),
    "--mean-in-lc": ({"xi_c", "Hc_xic", "xic_xic", *UNALIGNED, "fcgrad[beta=0.8]"},
                     {"xi", "Ht_xi", "cga[lam=1.0]"}),
    "--inactive-counted": ({"xi", "xi_c", "Hc_xic", "Ht_xi", "cga[lam=1.0]", "fcgrad[beta=0.8]"},
                           set()),
}  # fmt: skip


def load_example():
    spec = importlib.util.spec_from_file_location("verify_pytorch_ppo", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["verify_pytorch_ppo"] = module
    spec.loader.exec_module(module)
    return module


def failed(text):
    """{(case id, quantity)} of the failure lines of verify's output."""
    lines = text.split("\nFailures:\n")[1].split("\n\n")[0].splitlines() if (
        "\nFailures:\n" in text) else []  # fmt: skip
    return {tuple(line.split(":")[0].split()) for line in lines}


def worst_error(text, quantity):
    """The worst error verify's table prints for ``quantity``."""
    row = next(line.split() for line in text.splitlines() if line.startswith(quantity + " "))
    return float(row[3])


def test_pytorch_ppo_implementation_passes_every_case(capsys):
    assert load_example().main([]) == 0
    out = capsys.readouterr().out
    n = len(conformance.ppo.cases())
    pairs = n * len(conformance.ppo.QUANTITIES)
    assert "RESULT: PASS" in out and f"{n} of {n} cases, {pairs} of {pairs}" in out
    assert worst_error(out, "xi_c") < 1e-13  # float64 rounding, not merely inside 1e-6


def test_pytorch_ppo_implementation_in_float32_passes_with_the_float32_tolerance(capsys):
    """--float32 really computes in float32 (errors far above float64's) and passes
    --rtol 1e-4, as documented."""
    assert load_example().main(["--float32"]) == 0
    out = capsys.readouterr().out
    assert "RESULT: PASS" in out and "1.00e-04  PASS" in out
    assert 1e-9 < worst_error(out, "Ht_xi") < 1e-6


@pytest.mark.parametrize("flag", BUGS)
def test_each_planted_bug_fails_naming_the_quantities_it_touches(flag, capsys):
    assert load_example().main([flag]) == 1
    out = capsys.readouterr().out
    bad = {q for _, q in failed(out)}
    must_fail, must_pass = BUGS[flag]
    assert "RESULT: FAIL" in out and must_fail <= bad, must_fail - bad
    assert not must_pass & bad, must_pass & bad
    if flag == "--wrong-sign":  # caught exactly where <xi, g> + ||g||^2 < 0
        tagged = {c["id"] for c in conformance.ppo.cases() if "xi_g_plus_g_g_negative" in c["tags"]}
        assert {c for c, q in failed(out) if q == "sign_paper"} == tagged
    if flag == "--mean-in-lc":
        for n in (2, 3):
            assert f"(1/n for n = {n} players): a mean where the kit sums?" in out


def test_pytorch_ppo_float32_with_a_planted_bug_still_fails(capsys):
    """The float32 tolerance is not so loose that a bug slips through."""
    flags = ["--float32", "--mean-in-lc"]
    assert load_example().main(flags) == 1
    bad = {q for _, q in failed(capsys.readouterr().out)}
    assert {"xi_c", "Hc_xic", "fcgrad[beta=0.8]"} <= bad and "xi" not in bad
