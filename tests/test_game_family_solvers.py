"""CGD and LSS, the methods that solve a linear system, against their formulas (Schaefer and
Anandkumar's two-player update; LSS on potential, bilinear and singular games), matrix-free
against dense, and their singular systems (docs/game-family.md). LA, LOLA, SOS and EG:
``test_game_family.py``."""

import numpy as np
import pytest

import aga_ref
from aga_ref.game_solvers import off_diagonal_hessian
from games.smooth import smooth_game
from tests.game_family_setup import by_hand, quadratic, tandem_fixed_point


def test_cgd_for_two_players_is_schaefer_and_anandkumars_update():
    """Block 1 of (I + alpha H_o)^{-1} xi is (I - alpha^2 H_12 H_21)^{-1} (xi_1 - alpha H_12 xi_2)
    (and block 2 likewise): CGD's update for two players with eta = alpha."""
    game, S, bs = quadratic(5, sizes=[2, 3])
    w, alpha = np.random.default_rng(3).normal(size=5), 0.4
    want = by_hand(game, S, bs, w, alpha)
    H, xi, b1, b2 = want["H"], want["xi"], game.blocks[0], game.blocks[1]
    H12, H21 = H[b1, b2], H[b2, b1]
    x1 = np.linalg.solve(np.eye(2) - alpha**2 * H12 @ H21, xi[b1] - alpha * H12 @ xi[b2])
    x2 = np.linalg.solve(np.eye(3) - alpha**2 * H21 @ H12, xi[b2] - alpha * H21 @ xi[b1])
    np.testing.assert_allclose(aga_ref.cgd_direction(game, w, alpha), np.r_[x1, x2], atol=1e-10)


def test_lss_is_naive_learning_on_a_potential_game_and_zero_on_a_bilinear_zero_sum_game():
    """Symmetric H: H^T H^{-1} = I, LSS = xi. H = [[0, A], [-A^T, 0]]: H^T H^{-1} = -I, LSS = 0
    (the rotation is removed entirely)."""
    rng = np.random.default_rng(4)
    Q = rng.uniform(-1, 1, (3, 3))
    potential = smooth_game([{"Q": (Q @ Q.T + np.eye(3)).tolist(), "b": [1.0, 0.5, -1.0]}] * 3,
                            [1, 1, 1])  # fmt: skip
    A = rng.uniform(-1, 1, (2, 2)) + 2 * np.eye(2)
    M = np.zeros((4, 4))
    M[:2, 2:] = A
    bilinear = smooth_game([{"Q": M.tolist(), "b": [1.0, 1.0, 0, 0]},
                            {"Q": (-M).tolist(), "b": [0, 0, 1.0, -1.0]}], [2, 2])  # fmt: skip
    w = rng.normal(size=3)
    for name in ("lss", "lss_dense"):
        xi = aga_ref.simultaneous_gradient(potential, w)
        np.testing.assert_allclose(aga_ref.direction(potential, name, w), xi, atol=1e-10)
        np.testing.assert_allclose(aga_ref.direction(bilinear, name, np.ones(4)), 0.0, atol=1e-10)


def test_lss_on_the_singular_tandem_follows_the_notebook_densely_and_krylov_matrix_free():
    """H = [[2, 2], [2, 2]] (det 0): the dense version regularises, (H^T H + lam I)^{-1} H^T;
    GMRES solves H u = xi exactly (xi lies in H's range). Along the singular direction
    sigma^2 = 16, so H^T u differs by the factor 16 / (16 + lam)."""
    game, w = tandem_fixed_point()
    w = w + np.array([0.2, 0.1])
    xi, lam = aga_ref.simultaneous_gradient(game, w), 0.1
    np.testing.assert_allclose(aga_ref.lss_direction(game, w, lam), xi, rtol=1e-10)
    dense = aga_ref.lss_direction_dense(game, w, lam)
    np.testing.assert_allclose(dense, 0.5 * (xi + 16 / (16 + lam) * xi), rtol=1e-12)


def test_matrix_free_and_dense_solves_agree_on_the_ipd():
    from games.opponent_shaping import ipd

    game = ipd()
    for seed in range(3):
        w = np.random.default_rng(seed).normal(size=10)
        for name, kwargs in [("cgd", {"alpha": 1.0}), ("lss", {"lam": 0.1})]:
            mf = aga_ref.direction(game, name, w, **kwargs)
            dense = aga_ref.direction(game, name + "_dense", w, **kwargs)
            np.testing.assert_allclose(mf, dense, rtol=1e-8, atol=1e-12)


def test_the_dense_off_diagonal_hessian_zeroes_exactly_the_diagonal_blocks():
    game, S, bs = quadratic(1)
    w = np.zeros(game.dim)
    np.testing.assert_allclose(off_diagonal_hessian(game, w), by_hand(game, S, bs, w, 1.0)["H_o"],
                               atol=1e-12)  # fmt: skip


def test_a_singular_cgd_system_is_an_error_not_a_nan():
    """l_1 = l_2 = x y: H_o = [[0, 1], [1, 0]], so I + H_o is singular, and xi = (y, x) =
    (0, 1) at (1, 0) is not in its range."""
    product = {"Q": [[0.0, 1.0], [1.0, 0.0]]}
    game = smooth_game([product, product], [1, 1])
    with pytest.raises(np.linalg.LinAlgError, match="alpha"):
        aga_ref.cgd_direction(game, np.array([1.0, 0.0]), 1.0)
    assert np.all(np.isfinite(aga_ref.cgd_direction(game, np.array([1.0, 0.0]), 0.5)))


def singular_game():
    """l_1 = x^2/2 + x y + x, l_2 = y^2/2 + x y - y: H = [[1, 1], [1, 1]] (det 0) and
    xi = (x + y + 1, x + y - 1) is never in H's range, so H u = xi has no solution."""
    return smooth_game([{"Q": [[1.0, 1.0], [1.0, 0.0]], "b": [1.0, 0.0]},
                        {"Q": [[0.0, 1.0], [1.0, 1.0]], "b": [0.0, -1.0]}], [1, 1])  # fmt: skip


@pytest.mark.parametrize("lam", [0.1, 1.0])
def test_lss_regularises_where_h_u_equals_xi_has_no_solution(lam):
    """Both versions take (H^T H + lam I)^{-1} H^T xi there; checked by hand."""
    game, w = singular_game(), np.array([0.3, -0.2])
    H, xi = np.ones((2, 2)), np.array([1.1, -0.9])
    u = np.linalg.solve(H.T @ H + lam * np.eye(2), H.T @ xi)
    want = 0.5 * (xi + H.T @ u)
    kwargs = {"lam": lam} if lam != 0.1 else {}  # the default is 0.1
    np.testing.assert_allclose(aga_ref.lss_direction(game, w, **kwargs), want, rtol=1e-9)
    np.testing.assert_allclose(aga_ref.lss_direction_dense(game, w, **kwargs), want, rtol=1e-12)
