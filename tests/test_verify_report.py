"""What ``aga-ref verify`` says about a wrong vector (issue 18, item 13): the worst entry with
the submitted and the expected value there, and a factor shared by every entry when there is
one. Every test runs the real command (``figures.cli.main``) on a home-made submission."""

import json
import re

import autograd
import numpy as np
import pytest

from aga_ref import conformance
from figures.cli import main
from games.conformance_specs import build

CASES = conformance.cases()


def verify(tmp_path, capsys, outputs):
    """``aga-ref verify`` on ``outputs``: (exit status, the lines under "Failures:")."""
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    status = main(["verify", str(path)])
    out = capsys.readouterr().out
    if "\nFailures:\n" not in out:
        return status, []
    lines = out.split("\nFailures:\n")[1].split("\n\n")[0].splitlines()
    return status, [line.strip() for line in lines]


def mean_instead_of_sum(case):
    """A NumPy AgA with a planted bug: xi_c as the mean of the players' gradients."""
    game, w = build(case["game"]), np.array(case["w"])
    return np.mean([autograd.grad(loss)(w) for loss in game.losses], axis=0).tolist()


def test_a_mean_instead_of_a_sum_is_named_with_its_factor(tmp_path, capsys):
    outputs = {c["id"]: {"xi_c": mean_instead_of_sum(c)} for c in CASES}
    status, lines = verify(tmp_path, capsys, outputs)
    failures = {line.split()[0]: line for line in lines}
    assert status == 1 and len(failures) == len(lines)
    wrong = [c for c in CASES if np.any(np.array(c["expected"]["xi_c"]) != 0)]
    assert set(failures) == {c["id"] for c in wrong}
    for case in wrong:
        n = len(case["game"]["sizes"])
        line = failures[case["id"]]
        assert f"every entry is 1/{n} x the expected" in line, line
        assert f"(1/n for n = {n} players): a mean where the kit sums?" in line, line
        assert re.search(r"xi_c: MISMATCH \(error \S+\): worst entry \[\d+\] yours", line), line


def test_a_single_wrong_entry_is_shown_and_no_factor_is_claimed(tmp_path, capsys):
    case = next(c for c in CASES if len(c["expected"]["xi"]) >= 3)
    xi = np.array(case["expected"]["xi"])
    submitted = xi.copy()
    submitted[2] += 0.25
    status, lines = verify(tmp_path, capsys, {case["id"]: {"xi": submitted.tolist()}})
    [line] = lines
    assert status == 1 and "every entry" not in line
    assert f"worst entry [2] yours {submitted[2]:.10g}, expected {xi[2]:.10g}" in line, line


def test_a_flipped_sign_and_a_wrong_scalar_are_shown(tmp_path, capsys):
    case = next(c for c in CASES if len(c["expected"]["Ht_xi"]) >= 2)
    e = case["expected"]
    outputs = {"Ht_xi": (-np.array(e["Ht_xi"])).tolist(), "g_g": 2 * e["g_g"]}
    status, lines = verify(tmp_path, capsys, {case["id"]: outputs})
    text = "\n".join(lines)
    assert status == 1
    assert "Ht_xi: MISMATCH" in text and "every entry is -1 x the expected: a flipped sign?" in text
    assert "g_g: MISMATCH (error" in text and f"yours {2 * e['g_g']:.10g}, expected" in text


def test_a_matching_submission_has_no_failure_lines(tmp_path, capsys):
    outputs = {c["id"]: {"xi_c": c["expected"]["xi_c"]} for c in CASES}
    assert verify(tmp_path, capsys, outputs) == (0, [])


@pytest.mark.parametrize(
    "text, place",
    [
        ('{"toy/0": {"xi": [[1.0], 2.0]}}', "case 'toy/0', quantity 'xi': a ragged list"),
        ('{"toy/0": {"xi": [[1.0, 2.0], [3.0]]}}', "case 'toy/0', quantity 'xi': a ragged list"),
        ('{"toy/0": {"xi": []}}', "case 'toy/0', quantity 'xi': an empty list"),
        ('{"toy/0": {"g_g": null}}', "case 'toy/0', quantity 'g_g': null"),
        ('{"toy/0": {"xi": {"a": 1}}}', "case 'toy/0', quantity 'xi': an object"),
        ('{"toy/0": {"xi": [1, 2]}, "toy/0": {"xi": [1, 2]}}', "case id 'toy/0' is given twice"),
        ('{"toy/0": {"xi": [1, 2], "xi": [1, 2]}}', "case 'toy/0': quantity 'xi' is given twice"),
        ('{"toy/0": {"g_g": "1.0"}}', "case 'toy/0', quantity 'g_g': expected a number or a "
                                      'list of numbers, found a string ("1.0")'),
        ('{"toy/0": {"g_g": true}}', "case 'toy/0', quantity 'g_g': expected a number or a "
                                     "list of numbers, found a boolean (true)"),
        ('{"toy/0": {"xi": [1.0, "a"]}}', "case 'toy/0', quantity 'xi': expected a number or "
                                          'a list of numbers, found a string ("a") inside'),
        ("[1, 2]", "the top level: expected an object {case_id: {quantity: value}}, found an "
                   "array"),
        ('{"toy/0": [1, 2]}', "case 'toy/0': expected an object {quantity: value}, found an "
                              "array"),
    ],
)  # fmt: skip
def test_malformed_input_is_one_line_and_exit_2(tmp_path, capsys, text, place):
    """issue 25, item 9: unreadable input (exit 2) is told apart from a mismatch (exit 1)."""
    path = tmp_path / "outputs.json"
    path.write_text(text)
    status = main(["verify", str(path)])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"aga-ref verify: cannot read {path}: {place}"), line


def test_a_ragged_value_through_check_is_a_row_not_a_crash():
    report = conformance.check("toy/0", {"xi": [[1.0], 2.0], "xi_c": CASES[0]["expected"]["xi_c"]})
    assert not report and report.rows[0][1].startswith("malformed: a ragged list")
    assert report.rows[1][1] == "ok"  # the other quantities are still checked


def float32_submission():
    """Every games' quantity rounded to float32: what a float32 implementation gives at best."""
    return {c["id"]: {q: np.float32(v).astype(float).tolist() for q, v in c["expected"].items()}
            for c in CASES}  # fmt: skip


def test_float32_values_fail_the_default_check_and_are_named(tmp_path, capsys):
    """issue 28, item 2: float32 passed the float64 check (rtol 1e-6) without a word."""
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(float32_submission()))
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Looks like float32: every failure has an error between 1e-09 and 0.0001" in out
    assert "check with --float32" in out and "Tags of the failing cases" not in out
    assert main(["verify", str(path), "--float32"]) == 0  # float32 on purpose passes
    assert "RESULT: PASS (31 cases checked)" in capsys.readouterr().out


def test_float64_rounding_passes_with_a_wide_margin(tmp_path, capsys):
    """A float64 implementation errs by ~1e-15 of the terms: 100 times that passes."""
    outputs = {c["id"]: {q: (np.array(v) + 1e-13 * c["scale"].get(q, 0)).tolist()
                         for q, v in c["expected"].items()} for c in CASES}  # fmt: skip
    assert verify(tmp_path, capsys, outputs) == (0, [])


def test_a_wrong_value_is_not_called_float32(tmp_path, capsys):
    outputs = float32_submission()
    outputs["toy/0"]["xi_c"] = [0.0, 0.0]
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    assert main(["verify", str(path)]) == 1
    assert "Looks like float32" not in capsys.readouterr().out


def test_mismatch_lines_name_the_tags_and_their_causes(tmp_path, capsys):
    """A wrong SGA at an sga_dimension case: its line names the case's tags; the tag's cause
    is printed once, after the failures, with its counts, when the failures single it out
    (tests/test_verify_edges.py: SGA's sign divided by n)."""
    case = next(c for c in CASES if "sga_dimension" in c["tags"])
    wrong = (-np.array(case["expected"]["sga[lam=1.0,eps=0.1]"])).tolist()
    status, lines = verify(tmp_path, capsys, {case["id"]: {"sga[lam=1.0,eps=0.1]": wrong}})
    assert status == 1 and lines[0].endswith(f"[tags: {', '.join(case['tags'])}]"), lines
    outputs = {c["id"]: {"sga[lam=1.0,eps=0.1]": c["expected"]["sga[lam=1.0,eps=0.1]"]}
               for c in CASES}  # fmt: skip
    outputs[case["id"]]["sga[lam=1.0,eps=0.1]"] = wrong
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    main(["verify", str(path)])
    out = capsys.readouterr().out
    assert (
        "sga_dimension (sga[lam=1.0,eps=0.1]: failed at 1 of its 3 cases, 0 of the 28 "
        "others; p = 0.097): SGA's sign divides by D, the total number of parameters"
    ) in out


def test_a_sparse_submission_ends_with_a_warning(tmp_path, capsys):
    """issue 28, item 6: 1 of 713 pairs passed with exit 0 and no word."""
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"toy/0": {"xi": CASES[0]["expected"]["xi"]}}))
    assert main(["verify", str(path)]) == 0
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert (
        last.startswith("WARNING: only 1 of 713 (case, quantity) pairs") and "--require-all" in last
    )
    full = {c["id"]: c["expected"] for c in CASES}
    path.write_text(json.dumps(full))
    assert main(["verify", str(path)]) == 0
    assert "WARNING" not in capsys.readouterr().out


def test_a_mean_over_the_samples_is_named():
    case = conformance.ppo.cases()[0]
    report = conformance.check(case["id"], {"xi": (np.array(case["expected"]["xi"]) / 32).tolist()})
    assert "(1/S for S = 32 samples): a mean where the kit sums?" in str(report)
