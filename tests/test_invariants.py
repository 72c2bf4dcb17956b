"""Structural invariants of games and the baselines (docs/paper.md, sections 2 and 4)."""

import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose

import aga_ref
from tests.strategies import smooth_games


def potential(game):
    """The potential game whose every loss is player 1's loss of ``game``."""
    return aga_ref.Game([game.losses[0]] * game.num_players, game.sizes)


@given(smooth_games())
def test_collective_hessian_is_symmetric(case):
    game, w, v = case
    H_c = aga_ref.collective_hessian(game, w)
    assert_allclose(H_c, H_c.T, rtol=1e-10, atol=1e-10)
    # matrix-free: <v, H_c xi> = <xi, H_c v>
    xi = aga_ref.simultaneous_gradient(game, w)
    lhs = np.dot(v, aga_ref.collective_hvp(game, w, xi))
    assert np.isclose(lhs, np.dot(xi, aga_ref.collective_hvp(game, w, v)), rtol=1e-9, atol=1e-9)


@given(smooth_games())
def test_xi_is_orthogonal_to_At_xi(case):
    game, w, _ = case
    xi = aga_ref.simultaneous_gradient(game, w)
    At_xi = 0.5 * (aga_ref.game_htvp(game, w, xi) - aga_ref.game_hvp(game, w, xi))
    assert abs(np.dot(xi, At_xi)) <= 1e-10 * (1 + np.linalg.norm(xi) * np.linalg.norm(At_xi))


@given(smooth_games())
def test_potential_game_has_no_antisymmetric_part(case):
    game, w, v = case
    game = potential(game)
    H = aga_ref.game_hessian(game, w)
    assert_allclose(H, H.T, rtol=1e-10, atol=1e-10)
    assert_allclose(aga_ref.game_hvp(game, w, v), aga_ref.game_htvp(game, w, v), atol=1e-10)


@given(smooth_games())
def test_sga_equals_simul_ind_on_a_potential_game(case):
    game, w, _ = case
    game = potential(game)
    assert_allclose(
        aga_ref.sga_direction(game, w), aga_ref.simul_ind_direction(game, w), atol=1e-10
    )


@pytest.mark.parametrize("sign_rule", aga_ref.SIGN_RULES)
@given(case=smooth_games())
def test_aga_with_lam_zero_is_simul_co_and_refused_with_the_sign_rule(sign_rule, case):
    game, w, _ = case
    expected = aga_ref.simul_co_direction(game, w)
    assert_allclose(aga_ref.aga_direction(game, w, 0.0, align=False), expected)
    with pytest.raises(ValueError, match="lam must be > 0 with the sign rule on"):
        aga_ref.aga_direction(game, w, 0.0, sign_rule=sign_rule)  # the rule picks the sign


BILINEAR = aga_ref.Game([lambda w: w[0] * w[1], lambda w: -w[0] * w[1]], [1, 1])
W0, ETA, STEPS = np.array([1.0, 0.5]), 0.1, 100


def test_simul_ind_spirals_outward_on_the_bilinear_game():
    """w_{t+1} = (I - eta J) w_t with J a rotation: |w_t| = (1 + eta^2)^(t/2) |w_0| exactly."""
    norms = np.linalg.norm(aga_ref.optimize(BILINEAR, "simul_ind", W0, STEPS, ETA), axis=1)
    assert np.all(np.diff(norms) > 0)
    expected = (1 + ETA**2) ** (np.arange(STEPS + 1) / 2) * np.linalg.norm(W0)
    assert_allclose(norms, expected, rtol=1e-12)


@pytest.mark.parametrize("method", ["sga", "cga"])
def test_sga_and_cga_converge_on_the_bilinear_game(method):
    trajectory = aga_ref.optimize(BILINEAR, method, W0, STEPS, ETA)
    assert np.linalg.norm(trajectory[-1]) < 1e-3 * np.linalg.norm(W0)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_optimize_stops_on_divergence_and_names_the_step():
    blowup = aga_ref.Game([lambda w: anp.exp(w[0] ** 2), lambda w: w[1] ** 2], [1, 1])
    with pytest.raises(aga_ref.DivergenceError, match=r"simul_ind diverged at step \d+") as info:
        aga_ref.optimize(blowup, "simul_ind", np.array([3.0, 0.0]), 50, 1.0)
    assert np.all(np.isfinite(info.value.trajectory)) and len(info.value.trajectory) >= 1


def test_optimize_applies_the_projection():
    game = aga_ref.Game([lambda w: -w[0], lambda w: -w[1]], [1, 1])  # pushes w up forever
    trajectory = aga_ref.optimize(
        game, "simul_ind", np.zeros(2), 20, 0.3, lambda w: np.clip(w, 0, 1)
    )
    assert trajectory.shape == (21, 2)
    assert np.all(trajectory <= 1) and np.all(trajectory[-1] == 1)


def test_optimize_stops_at_the_first_step_below_tol():
    """On l_i = w_i^2/2 Simul-Ind contracts by (1 - eta) a step: the step length is known."""
    game = aga_ref.Game([lambda w: 0.5 * w[0] ** 2, lambda w: 0.5 * w[1] ** 2], [1, 1])
    w0, eta, tol = np.array([3.0, 4.0]), 0.5, 1e-3
    trajectory = aga_ref.optimize(game, "simul_ind", w0, 1000, eta, tol=tol)
    steps = np.linalg.norm(np.diff(trajectory, axis=0), axis=1)  # 5 * eta * (1 - eta)^t
    expected_length = int(np.ceil(np.log(tol / (5 * eta)) / np.log(1 - eta))) + 1
    assert len(steps) == expected_length and steps[-1] <= tol < steps[-2]
