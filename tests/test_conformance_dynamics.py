"""The game-dynamics conformance data against an independent oracle: finite differences of
the loss values and the methods' formulas written out with NumPy matrices."""

import json

import numpy as np
import pytest

from aga_ref import conformance
from aga_ref import finite_diff as fd
from aga_ref.conformance import families
from aga_ref.conformance.dynamics import ALPHA, LSS_KEY, SOS_A, SOS_B
from aga_ref.conformance.verify import main as verify
from games.conformance_dynamics_specs import build

CASES = conformance.dynamics.cases()


def oracle(game, w, with_lss):
    """Every quantity from finite differences: full gradients G_i, full Hessians of each loss."""
    blocks = game.blocks

    def gradients(v):
        return [fd.fd_gradient(loss, v) for loss in game.losses]

    G, K = gradients(w), [fd.fd_hessian(loss, w) for loss in game.losses]
    xi = np.concatenate([G[i][b] for i, b in enumerate(blocks)])
    H = np.concatenate([K[i][b] for i, b in enumerate(blocks)])
    H_o = H.copy()
    for b in blocks:
        H_o[b, b] = 0.0
    chi = np.zeros(game.dim)
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:
                chi[bi] += K[j][bj, bi].T @ G[i][bj]
    la = xi - ALPHA * H_o @ xi
    dot = -ALPHA * chi @ la
    p1 = 1.0 if dot >= 0 else min(1.0, -SOS_A * (la @ la) / dot)
    p = min(p1, xi @ xi if np.linalg.norm(xi) < SOS_B else 1.0)
    G_eg = gradients(w - ALPHA * xi)
    out = {"xi": xi, "Ho_xi": H_o @ xi, "chi": chi, f"la[alpha={ALPHA}]": la,
           f"lola[alpha={ALPHA}]": la - ALPHA * chi,
           f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": p,
           f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": la - p * ALPHA * chi,
           f"eg[alpha={ALPHA}]": np.concatenate([G_eg[i][b] for i, b in enumerate(blocks)]),
           f"cgd[alpha={ALPHA}]": np.linalg.solve(np.eye(game.dim) + ALPHA * H_o, xi)}  # fmt: skip
    if with_lss:
        out[LSS_KEY] = 0.5 * (xi + H.T @ np.linalg.solve(H, xi))
    return out, np.linalg.cond(H)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_expected_values_match_the_finite_difference_oracle(case):
    game = build(case["game"])
    expected, cond_H = oracle(game, np.array(case["w"]), LSS_KEY in case["expected"])
    assert set(expected) == set(case["expected"]) == set(case["scale"])
    for name, value in expected.items():
        e, stored = np.asarray(value), np.asarray(case["expected"][name])
        scale = max(np.max(np.abs(e)), 1e-3)
        # H^{-1} amplifies the finite differences' error (about 1e-7 relative) by cond(H)
        rtol = 2e-5 * max(1.0, cond_H / 10) if name == LSS_KEY else 2e-5
        assert np.max(np.abs(stored - e)) <= rtol * scale, name


def test_the_cases_cover_every_game_both_sos_branches_and_lss_where_h_is_invertible():
    games = {c["game"]["family"] for c in CASES}
    assert {"toy", "public_goods", "smooth", "matching_pennies", "ipd", "tandem"} <= games
    tags = {t for c in CASES for t in c["tags"]}
    assert {"generic", "sos_p1_branch", "sos_p2_branch"} <= tags
    for case in CASES:  # LSS is left out exactly where H is singular: tandem
        assert (LSS_KEY in case["expected"]) == (case["game"]["family"] != "tandem"), case["id"]
    assert set(conformance.dynamics.QUANTITIES) == set().union(*(c["expected"] for c in CASES))


def test_the_reference_passes_and_errors_are_caught(tmp_path, capsys):
    outputs = {c["id"]: dict(c["expected"]) for c in CASES}
    assert all(conformance.check_all(outputs))
    case = CASES[0]
    key = f"lola[alpha={ALPHA}]"
    wrong = {
        key: (
            np.asarray(case["expected"][key]) + ALPHA * np.asarray(case["expected"]["chi"])
        ).tolist()
    }  # LOLA with the shaping term's sign flipped: LA + alpha chi
    assert not conformance.check(case["id"], wrong)
    path = tmp_path / "all.json"
    path.write_text(json.dumps(outputs))
    assert verify([str(path), "--require-all"]) == 0
    assert "(game dynamics)" in capsys.readouterr().out


def test_sos_branch_cases_keep_p_away_from_the_switches():
    key = f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]"
    for case in CASES:
        p = case["expected"][key]
        if "sos_p2_branch" in case["tags"]:
            xi = np.asarray(case["expected"]["xi"])
            assert p == pytest.approx(xi @ xi, rel=1e-12) and np.linalg.norm(xi) < SOS_B
        if "sos_p1_branch" in case["tags"]:
            assert 0 < p < 1 - 1e-3


def test_the_verifier_explains_what_is_left_out_and_names_missing_cases(tmp_path, capsys):
    tandem = next(c for c in CASES if c["game"]["family"] == "tandem")
    report = conformance.check(tandem["id"], {LSS_KEY: [0.0, 0.0]})
    assert not report and "H is singular" in str(report) and "unknown" not in str(report)
    partial = {c["id"]: dict(c["expected"]) for c in CASES[1:]}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(partial))
    assert verify([str(path), "--require-all"]) == 1
    assert f"cases not given: {CASES[0]['id']}" in capsys.readouterr().out


def test_no_factor_hint_when_every_expected_entry_is_the_same():
    """On tandem every vector is a multiple of (1, 1): 'k x the expected' would be true of
    any wrong answer, so it is not said."""
    tandem = next(c for c in CASES if c["game"]["family"] == "tandem")
    key = f"la[alpha={ALPHA}]"
    wrong = (np.asarray(tandem["expected"][key]) * 1.5).tolist()
    assert "x the expected" not in str(conformance.check(tandem["id"], {key: wrong}))


def test_zero_sum_and_two_player_code_meets_twenty_cases():
    """issue 28, item 5: code for zero-sum games only (CGD's original form) ran 4 cases, code
    for two players 22; each now has at least 20, and the zero_sum tag tells the truth."""
    zero = [c["id"] for c in CASES if "zero_sum" in c["tags"]]
    assert len(zero) >= 20 and sum(len(c["game"]["sizes"]) == 2 for c in CASES) >= 20
    for case in CASES:
        game, w = families.game_from_spec(case["game"]), np.array(case["w"])
        points = (w, w + 0.1)  # l_1 + l_2 = 0 everywhere, not by chance at w
        total = [sum(loss(v) for loss in game.losses) if game.num_players == 2 else 1.0
                 for v in points]  # fmt: skip
        assert (max(map(abs, total)) < 1e-12) == (case["id"] in zero), case["id"]
