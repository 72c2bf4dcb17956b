"""Every derivative against central finite differences of the loss *values* (independent of
autograd), and the dense and matrix-free forms against each other."""

import numpy as np
import pytest
from hypothesis import assume, given
from numpy.testing import assert_allclose

import aga_ref
from aga_ref import finite_diff as fd
from tests.strategies import smooth_games


def close(actual, expected, rtol=1e-5):
    """Relative agreement, with an absolute floor scaled by the expected magnitude."""
    scale = 1.0 + np.max(np.abs(expected))
    assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


@given(smooth_games())
def test_xi_matches_finite_differences(case):
    game, w, _ = case
    close(aga_ref.simultaneous_gradient(game, w), fd.fd_simultaneous_gradient(game, w))


@given(smooth_games())
def test_xi_c_matches_finite_differences(case):
    game, w, _ = case
    close(aga_ref.collective_gradient(game, w), fd.fd_collective_gradient(game, w))


@given(smooth_games())
def test_matrix_free_products_match_finite_differences(case):
    game, w, v = case
    H, H_c = fd.fd_game_hessian(game, w), fd.fd_collective_hessian(game, w)
    close(aga_ref.game_hvp(game, w, v), H @ v)
    close(aga_ref.game_htvp(game, w, v), H.T @ v)
    close(aga_ref.collective_hvp(game, w, v), H_c @ v)


@given(smooth_games())
def test_dense_hessians_match_finite_differences(case):
    game, w, _ = case
    close(aga_ref.game_hessian(game, w), fd.fd_game_hessian(game, w))
    close(aga_ref.collective_hessian(game, w), fd.fd_collective_hessian(game, w))


@given(smooth_games())
def test_dense_and_matrix_free_agree(case):
    game, w, v = case
    H, H_c = aga_ref.game_hessian(game, w), aga_ref.collective_hessian(game, w)
    assert_allclose(aga_ref.game_hvp(game, w, v), H @ v, rtol=1e-10, atol=1e-10)
    assert_allclose(aga_ref.game_htvp(game, w, v), H.T @ v, rtol=1e-10, atol=1e-10)
    assert_allclose(aga_ref.collective_hvp(game, w, v), H_c @ v, rtol=1e-10, atol=1e-10)


@given(smooth_games())
def test_mean_collective_rescales_by_one_over_n(case):
    game, w, v = case
    mean = aga_ref.Game(game.losses, game.sizes, collective="mean")
    n = game.num_players
    close(aga_ref.collective_gradient(mean, w), fd.fd_collective_gradient(game, w) / n)
    close(aga_ref.collective_hvp(mean, w, v), fd.fd_collective_hessian(game, w) @ v / n)


@given(smooth_games())
def test_aga_direction_is_eq_1_on_finite_difference_terms(case):
    """xi_tilde = xi_c + s|lam| (xi + H_c xi_c), every term from the finite-difference oracle.

    Near a tie (a sign argument ~ 0) finite differences cannot resolve the sign; such
    draws are skipped. The sign formulas themselves are tested in test_sign_theorem.py."""
    game, w, _ = case
    xi, xi_c = fd.fd_simultaneous_gradient(game, w), fd.fd_collective_gradient(game, w)
    g = fd.fd_collective_hessian(game, w) @ xi_c
    lam = 0.3
    for rule, sign in [
        ("paper", aga_ref.paper_sign(xi, xi_c, g)),
        ("exact", aga_ref.exact_sign(xi, xi_c, g)),
        ("per_agent", aga_ref.per_agent_sign(xi, xi_c, g, game.blocks)),
    ]:
        assume(np.all(sign == aga_ref.aga_sign(game, w, sign_rule=rule)))
        per_coordinate = np.repeat(sign, game.sizes) if rule == "per_agent" else sign
        expected = xi_c + per_coordinate * lam * (xi + g)
        close(aga_ref.aga_direction(game, w, lam, sign_rule=rule), expected, rtol=1e-4)
    close(aga_ref.aga_direction(game, w, -lam, align=False), xi_c - lam * (xi + g), rtol=1e-4)


def test_checker_fails_on_a_wrong_gradient():
    game = aga_ref.Game([lambda w: np.sin(w[0]) * w[1], lambda w: w[0] * w[1] ** 2], [1, 1])
    w, rng = np.array([0.4, -1.3]), np.random.default_rng(0)
    right = lambda w: np.array([np.cos(w[0]) * w[1], np.sin(w[0])])  # noqa: E731
    wrong = lambda w: np.array([-np.cos(w[0]) * w[1], np.sin(w[0])])  # noqa: E731
    fd.check_directional(game.losses[0], right, w, rng)
    with pytest.raises(AssertionError, match="mismatch"):
        fd.check_directional(game.losses[0], wrong, w, rng)


def test_oracle_tells_H_from_its_transpose():
    """A swapped H v / H^T v would be caught: on a game with A != 0 they differ."""
    game = aga_ref.Game([lambda w: w[0] * w[1], lambda w: -w[0] * w[1] + w[1] ** 2], [1, 1])
    w, v = np.array([0.3, 0.7]), np.array([1.0, -2.0])
    H = fd.fd_game_hessian(game, w)
    assert not np.allclose(H @ v, H.T @ v)
    close(aga_ref.game_hvp(game, w, v), H @ v)
    with pytest.raises(AssertionError):
        close(aga_ref.game_htvp(game, w, v), H @ v)
