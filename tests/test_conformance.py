"""The conformance data against an independent oracle, and the checker against wrong
implementations and bad input."""

import copy
import json
import os

import numpy as np
import pytest

from aga_ref import conformance
from aga_ref import finite_diff as fd
from aga_ref.conformance.verify import main as verify
from games.conformance_specs import build

CASES = conformance.cases()


def sign(x):
    return 1.0 if x >= 0 else -1.0


def oracle(game, w):
    """Every quantity from finite differences of loss values and the formulas written out."""
    xi, xi_c = fd.fd_simultaneous_gradient(game, w), fd.fd_collective_gradient(game, w)
    H, H_c = fd.fd_game_hessian(game, w), fd.fd_collective_hessian(game, w)
    g, adj = H_c @ xi_c, xi + H_c @ xi_c
    s = {"paper": sign(xi_c @ g * (xi @ g + g @ g)),
         "exact": sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj)))}  # fmt: skip
    per_agent = np.array([sign(xi_c[b] @ g[b] * (xi[b] @ g[b] + g[b] @ g[b])) for b in game.blocks])
    s["per_agent"] = np.repeat(per_agent, game.sizes)
    At_xi = 0.5 * (H.T - H) @ xi
    lam_sga = sign(xi @ H.T @ xi * (At_xi @ H.T @ xi) / game.dim + 0.1)
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "H_xi": H @ xi, "Ht_xi": H.T @ xi,
           "xic_g": xi_c @ g, "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c,
           "xic_adj": xi_c @ adj, "sign_paper": s["paper"], "sign_exact": s["exact"],
           "sign_per_agent": per_agent, "sga[lam=1.0,eps=0.1]": xi + lam_sga * At_xi,
           "cga[lam=1.0]": xi + H.T @ xi}  # fmt: skip
    for rule in ("paper", "exact", "per_agent"):
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s[rule] * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_expected_values_match_the_finite_difference_oracle(case):
    game = build(case["game"])
    expected = oracle(game, np.array(case["w"]))
    assert set(expected) == set(case["expected"]) == set(conformance.QUANTITIES)
    for name, value in expected.items():
        e, stored = np.asarray(value), np.asarray(case["expected"][name])
        if name.startswith("sign"):
            np.testing.assert_array_equal(stored, e, err_msg=name)
        else:
            scale = max(np.max(np.abs(e)), 1e-3)
            assert np.max(np.abs(stored - e)) <= 1e-5 * scale, name


def test_every_game_has_a_sign_disagreement_and_the_near_points_exist():
    tags = {}
    for case in CASES:
        tags.setdefault(case["game"]["family"] + str(case["game"]["sizes"]), set()).update(
            case["tags"]
        )
    assert all("sign_disagreement" in t for t in tags.values())
    assert {"near_stable", "near_unstable"} <= set().union(*tags.values())


def expected_outputs():
    return {c["id"]: copy.deepcopy(c["expected"]) for c in CASES}


def test_the_reference_outputs_pass():
    assert all(report.ok for report in conformance.check_all(expected_outputs()))


def test_confusing_the_sign_rules_is_caught_on_the_disagreement_cases():
    outputs = expected_outputs()
    for case in CASES:  # a wrong implementation: the exact sign reported as the paper's
        outputs[case["id"]] = {"sign_paper": case["expected"]["sign_exact"]}
    failed = {r.case_id for r in conformance.check_all(outputs) if not r.ok}
    assert failed == {c["id"] for c in CASES if "sign_disagreement" in c["tags"]}


def test_a_small_error_is_caught_and_rounding_is_not():
    case = CASES[0]
    xi = np.array(case["expected"]["xi_tilde[sign_rule=paper,lam=0.1]"])
    wrong = conformance.check(case["id"], {"xi_tilde[sign_rule=paper,lam=0.1]": xi * (1 + 1e-4)})
    fine = conformance.check(case["id"], {"xi_tilde[sign_rule=paper,lam=0.1]": xi * (1 + 1e-9)})
    assert not wrong.ok and wrong.rows[0][1].startswith("MISMATCH") and fine.ok


@pytest.mark.parametrize(
    "case_id, outputs, message",
    [
        ("no/such", {"xi": [0.0]}, "unknown case id"),
        ("toy/0", [1, 2], "outputs must be a dict"),
        ("toy/0", {}, "outputs is empty"),
        ("toy/0", {"xi": [1.0]}, "wrong shape"),
        ("toy/0", {"xi": [1.0, float("nan")]}, "non-finite"),
        ("toy/0", {"xi": "abc"}, "not numeric"),
        ("toy/0", {"grad": [1.0, 2.0]}, "unknown quantity"),
    ],
)
def test_bad_outputs_give_a_clear_message_not_a_crash(case_id, outputs, message):
    report = conformance.check(case_id, outputs)
    assert not report.ok and message in str(report)


def test_verify_cli_exit_codes(tmp_path, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(expected_outputs()))
    broken = expected_outputs()
    broken["toy/0"]["xi_c"] = [0.0, 0.0]
    bad.write_text(json.dumps(broken))
    assert verify([str(good)]) == 0
    assert verify([str(bad)]) == 1
    assert "toy/0  xi_c: MISMATCH" in capsys.readouterr().out
    assert verify([str(tmp_path / "missing.json")]) == 2


def test_the_verify_page_documents_every_quantity():
    path = os.path.join(os.path.dirname(__file__), "..", "docs", "verify.md")
    with open(path, encoding="utf-8") as f:
        section = f.read()
    for name in conformance.QUANTITIES:
        base = name.split("[")[0]
        assert f"`{base}" in section, name


def test_the_documented_calls_work_from_the_package():
    import aga_ref

    assert len(aga_ref.conformance.cases()) == len(CASES)
    assert aga_ref.finite_diff.fd_gradient is fd.fd_gradient


def test_a_report_is_true_exactly_when_it_passed():
    assert not conformance.check("toy/0", {"xi": [0.0, 0.0]})
    assert conformance.check("toy/0", {"xi": CASES[0]["expected"]["xi"]})


def test_an_empty_submission_fails_with_a_reason():
    (report,) = conformance.check_all({})
    assert not report and "no cases" in str(report)


@pytest.mark.parametrize("value", ["1.0", True, [True, 1.0], ["0.5", 1.0]])
def test_strings_and_booleans_are_not_numbers(value):
    shape_ok = value if isinstance(value, list) else [value, value]
    report = conformance.check("toy/0", {"xi": shape_ok})
    assert not report and "not numeric" in str(report)


def test_a_sign_mismatch_says_which_value_is_whose():
    expected = CASES[0]["expected"]["sign_paper"]
    report = conformance.check("toy/0", {"sign_paper": -expected})
    assert f"yours {-expected}, expected {expected}" in str(report)


def test_an_unknown_quantity_lists_the_known_names():
    text = str(conformance.check("toy/0", {"grad": [1.0, 2.0]}))
    assert all(name in text for name in conformance.QUANTITIES)


@pytest.mark.parametrize("rtol", [-1.0, float("nan"), float("inf")])
def test_bad_tolerances_are_refused(rtol):
    with pytest.raises(ValueError, match="rtol"):
        conformance.check("toy/0", {"xi": [0.0, 0.0]}, rtol=rtol)
    with pytest.raises(SystemExit):
        verify(["x.json", "--rtol", str(rtol)])


def test_verify_reports_coverage_and_require_all(tmp_path, capsys):
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"toy/0": {"xi": CASES[0]["expected"]["xi"]}}))
    total_pairs = sum(len(c["expected"]) for c in CASES)
    assert verify([str(partial)]) == 0
    out = capsys.readouterr().out
    assert f"Coverage: 1 of {len(CASES)} cases, 1 of {total_pairs}" in out
    assert "(1 case checked)" in out and "not given in any case: " in out
    assert verify([str(partial), "--require-all"]) == 1
    full = tmp_path / "full.json"
    full.write_text(json.dumps(expected_outputs()))
    assert verify([str(full), "--require-all"]) == 0
    assert f"{total_pairs} of {total_pairs}" in capsys.readouterr().out


def test_verify_rows_are_aligned_and_help_has_no_markup(capsys):
    import io

    from aga_ref.conformance.verify import render

    out = io.StringIO()
    render(conformance.check_all(expected_outputs()), out=out)
    table = out.getvalue().split("\n\n")[0].splitlines()
    assert len({line.index(" PASS") for line in table[1:]} | {table[0].index(" result")}) == 1
    with pytest.raises(SystemExit):
        verify(["--help"])
    assert "`" not in capsys.readouterr().out


def test_the_data_file_and_a_submission_follow_their_schemas():
    import jsonschema

    schema = json.load(open(conformance.SCHEMA_PATH, encoding="utf-8"))
    jsonschema.validate(conformance.load(), schema)
    broken = conformance.load()
    broken["cases"][0]["game"] = {"family": "toy"}  # a spec where a key into "games" belongs
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    submission = json.load(open(conformance.SUBMISSION_SCHEMA_PATH, encoding="utf-8"))
    jsonschema.validate(expected_outputs(), submission)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"toy/0": {"xi": ["1", 2]}}, submission)


def test_sga_cases_tell_the_total_dimension_from_players_and_blocks():
    """SGA's d is D, the total number of parameters: using n or the largest d_i instead
    flips SGA's sign on the cases tagged sga_dimension."""
    tagged = [c for c in CASES if "sga_dimension" in c["tags"]]
    assert len({c["game"]["family"] + str(c["game"]["sizes"]) for c in tagged}) >= 2
    for case in tagged:
        game = build(case["game"])
        e = case["expected"]
        xi, Ht_xi, H_xi = (np.array(e[k]) for k in ("xi", "Ht_xi", "H_xi"))
        At_xi = 0.5 * (Ht_xi - H_xi)
        product = (xi @ Ht_xi) * (At_xi @ Ht_xi)
        signs = [sign(product / d + 0.1) for d in (game.dim, game.num_players, max(game.sizes))]
        assert len(set(signs)) == 2  # d = D differs from at least one mistake
        assert np.allclose(e["sga[lam=1.0,eps=0.1]"], xi + signs[0] * At_xi)


def test_the_tolerance_scales_with_the_terms_that_cancel():
    """Near the toy game's stable fixed point xi_c + lam (xi + g) is far smaller than its
    terms: an error of float32 size relative to the terms passes the float32 tolerance,
    while a relative error of the same size on the result alone would not."""
    case = next(c for c in CASES if c["id"] == "toy/2")
    name = "xi_tilde[sign_rule=exact,lam=1.0]"
    e = np.array(case["expected"][name])
    S = case["scale"][name]
    assert S > 100 * np.max(np.abs(e))  # strong cancellation here
    nudged = e + 50 * np.finfo(np.float32).eps * S  # a float32-sized error of the terms
    rtol32 = conformance.RTOL_FLOAT32
    assert conformance.check("toy/2", {name: nudged}, rtol=rtol32)
    assert np.max(np.abs(nudged - e)) > rtol32 * np.max(np.abs(e))  # the old rule failed it
    assert not conformance.check("toy/2", {name: e + 2 * rtol32 * S}, rtol=rtol32)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_scale_bounds_its_value_and_covers_each_quantity(case):
    for name, value in case["expected"].items():
        if name in conformance.SIGNS:
            assert name not in case["scale"]
        else:
            assert case["scale"][name] >= np.max(np.abs(value)) > 0 or np.all(value == 0)
