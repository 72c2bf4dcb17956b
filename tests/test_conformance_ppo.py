"""The PPO-minibatch conformance cases against an independent oracle (``ppo_oracle.py``:
PPO's surrogates written anew, finite differences, the formulas written out), and
``aga-ref verify`` against a correct and five planted-wrong implementations: a second
implementation, as a user would write one (the same losses in ``autograd.numpy``,
``aga_ref.Game(..., collective=l_c)``), passes ``aga-ref verify``; each planted bug in it
turns verify red on the quantities it touches. What each case claims to exercise, and the
data file: ``test_conformance_ppo_cases.py``."""

import json

import numpy as np
import pytest

import aga_ref
from aga_ref import conformance
from aga_ref.conformance.verify import main as verify
from aga_ref.rl.reference import reference_terms
from tests.ppo_oracle import CASES, IDS, arrays, fd_oracle, flat_w, losses, near, quantities


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_values_match_the_finite_difference_oracle(case):
    expected = fd_oracle(case)
    assert set(expected) == set(case["expected"]) == set(conformance.ppo.QUANTITIES)
    for name, value in expected.items():
        e, stored = np.asarray(value), np.asarray(case["expected"][name])
        if name.startswith("sign"):
            np.testing.assert_array_equal(stored, e, err_msg=name)
        else:
            assert near(stored, e), name


def user_outputs(case, bug=None):
    """A user's implementation: autograd through the losses above, ``aga_ref.Game`` with
    an explicit collective loss; ``bug`` plants one mistake."""
    l_i, l_c = losses(case, bug)
    game = aga_ref.Game(l_i, case["sizes"], collective=l_c)
    lin = aga_ref.linearize(game, flat_w(case))
    g = lin.Hc_v(lin.xi if bug == "product_on_xi" else lin.xi_c)
    out = quantities(case, lin.xi, lin.xi_c, g, lin.Ht_v(lin.xi), bug)
    return {k: (np.asarray(v).tolist() if np.ndim(v) else float(v)) for k, v in out.items()}


def run_verify(tmp_path, capsys, outputs, *flags):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    status = verify([str(path), *flags])
    return status, capsys.readouterr().out


def failed(text):
    """{(case id, quantity)} of the failure lines of verify's output."""
    lines = text.split("\nFailures:\n")[1].split("\n\n")[0].splitlines() if (
        "\nFailures:\n" in text) else []  # fmt: skip
    return {tuple(line.split(":")[0].split()) for line in lines}


def test_a_users_autograd_implementation_passes_verify(tmp_path, capsys):
    outputs = {c["id"]: user_outputs(c) for c in CASES}
    status, text = run_verify(tmp_path, capsys, outputs, "--require-all")
    assert status == 0, text
    assert f"Coverage: {len(CASES)} of {len(CASES)} cases" in text and "(PPO minibatches)" in text


TAGGED = {t: {c["id"] for c in CASES if t in c["tags"]}
          for t in ("xi_g_plus_g_g_negative", "fcgrad_one_over_n")}  # fmt: skip
BUGS = {  # bug: quantities that must fail on some case, quantities that must pass on all
    "sign_xi_xi": ({"sign_paper", "xi_tilde[sign_rule=paper,lam=0.1]"}, {"xi", "xi_c", "Hc_xic"}),
    "individual_in_lc": ({"xi_c", "Hc_xic", "xic_g"}, {"xi", "Ht_xi", "cga[lam=1.0]"}),
    "product_on_xi": ({"Hc_xic", "xic_g", "xi_tilde[align=False,lam=0.1]"}, {"xi", "xi_c"}),
    "mean_in_lc": ({"xi_c", "Hc_xic", "fcgrad[beta=0.8]"}, {"xi", "Ht_xi"}),
    "inactive_counted": ({"xi", "xi_c", "Hc_xic", "Ht_xi"}, set()),
    "fcgrad_no_one_over_n": ({"fcgrad[beta=0.8]"}, {"xi", "xi_c", "sign_paper"}),
}


@pytest.mark.parametrize("bug", BUGS)
def test_each_planted_bug_fails_verify_naming_the_quantity(bug, tmp_path, capsys):
    outputs = {c["id"]: user_outputs(c, bug) for c in CASES}
    status, text = run_verify(tmp_path, capsys, outputs)
    must_fail, must_pass = BUGS[bug]
    bad = failed(text)
    assert status == 1 and "RESULT: FAIL" in text
    assert must_fail <= {q for _, q in bad}, (must_fail, bad)
    assert not must_pass & {q for _, q in bad}, bad
    if bug == "sign_xi_xi":  # caught exactly where <xi, g> + ||g||^2 < 0
        assert {c for c, q in bad if q == "sign_paper"} == TAGGED["xi_g_plus_g_g_negative"]
    if bug == "mean_in_lc":
        assert "(1/n for n = 2 players): a mean where the kit sums?" in text
        assert "(1/n for n = 3 players): a mean where the kit sums?" in text
    if bug == "fcgrad_no_one_over_n":  # issue 28, item 3: it passed all 8 cases of v1
        assert {c for c, _ in bad} == TAGGED["fcgrad_one_over_n"] != set()
        first = text.split("least likely by chance first:\n")[1].splitlines()[0]
        assert first.startswith("  fcgrad_one_over_n (fcgrad[beta=0.8]: failed at 6 of its 6")
        assert "FCGrad's branch is decided by the 1/N" in first


def test_the_learners_own_terms_in_float32_pass_the_float32_tolerance(tmp_path, capsys):
    """The surrogate's terms in float32 (the learner's training precision) and the formulas
    in float32 are within the kit's float32 tolerance: the scales leave room for rounding."""
    from aga_ref.rl.policy import layer_shapes
    from aga_ref.rl.reference import as_batch, flatten_weights, network_sizes
    from aga_ref.rl.surrogate import surrogate_terms

    outputs = {}
    for case in CASES:
        sizes = network_sizes(case["weights"])
        b = as_batch(arrays(case), sizes)
        b32 = type(b)(*[a if a is None or a.dtype.kind != "f" else a.astype(np.float32) for a in b])
        theta = flatten_weights(case["weights"]).astype(np.float32)
        shapes = layer_shapes(*sizes[1:])
        col = surrogate_terms(theta, shapes, b32, case["clip"], hvp="collective")
        ind = surrogate_terms(theta, shapes, b32, case["clip"], hvp="individual")
        out = quantities(case, *(a.ravel() for a in (col.xi, col.xi_c, col.Hv, ind.Hv)))
        assert out["xi"].dtype == np.float32
        outputs[case["id"]] = {k: (np.asarray(v, np.float64).tolist() if np.ndim(v) else float(v))
                               for k, v in out.items()}  # fmt: skip
    status, text = run_verify(tmp_path, capsys, outputs, "--rtol", str(conformance.RTOL_FLOAT32))
    assert status == 0, text
    status, text = run_verify(tmp_path, capsys, outputs)  # the float64 default: named
    assert status == 1 and "Looks like float32: every failure has an error between" in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_terms_gives_the_stored_values(case):
    values = (case["values"]["v_ind"], case["values"]["v_col"])
    out = reference_terms(case["weights"], arrays(case), case["clip"], values=values)
    assert conformance.check(case["id"], out), conformance.check(case["id"], out)


def test_one_submission_holds_both_kits_and_coverage_is_per_kit(tmp_path, capsys):
    game = conformance.cases()[0]
    outputs = {game["id"]: {"xi": game["expected"]["xi"]},
               CASES[0]["id"]: {"xi": CASES[0]["expected"]["xi"]}}  # fmt: skip
    status, text = run_verify(tmp_path, capsys, outputs)
    assert status == 0 and "(the games)" in text and "(PPO minibatches)" in text
    assert "RESULT: PASS (2 cases checked)" in text
    full = {c["id"]: c["expected"] for c in CASES}
    assert run_verify(tmp_path, capsys, full, "--require-all")[0] == 0  # the PPO kit alone
    del full[IDS[0]]["fcgrad[beta=0.8]"]
    status, text = run_verify(tmp_path, capsys, full, "--require-all")
    assert status == 1 and "not given in any case" not in text.split("Failures")[0]


def test_an_unknown_quantity_lists_the_ppo_names():
    text = str(conformance.check(IDS[0], {"H_xi": [0.0]}))
    assert "unknown quantity" in text and "fcgrad[beta=0.8]" in text and "sga[" not in text


def test_the_oracle_tells_the_planted_bugs_from_the_stored_values():
    """The finite-difference oracle is no rubber stamp: on one case, each planted bug's
    values differ from it beyond the tolerance the oracle test allows."""
    case = next(
        c for c in CASES if {"xi_g_plus_g_g_negative", "fcgrad_one_over_n"} <= set(c["tags"])
    )
    expected = fd_oracle(case)

    def matches(outputs):
        return all(near(value, expected[name]) for name, value in outputs.items())

    assert matches(user_outputs(case))
    assert not any(matches(user_outputs(case, bug)) for bug in BUGS)
