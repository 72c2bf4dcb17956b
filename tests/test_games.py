"""Known answers of the paper's games, checked with finite differences and closed forms."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import aga_ref
from aga_ref import finite_diff as fd
from games.public_goods import actions_of, parameters_of, payoffs, public_goods_game
from games.toy import local_social_optimum, reward_grid, toy_game


def test_toy_local_social_optimum_is_a_strict_local_maximum_near_the_stated_value():
    w_star, reward_star = local_social_optimum()
    game = toy_game()
    np.testing.assert_allclose(w_star, [2.386, 0.858], atol=1e-3)
    assert abs(reward_star - 3.105) < 1e-3
    assert np.max(np.abs(fd.fd_collective_gradient(game, w_star))) < 1e-7
    # l_c = -(r_1 + r_2): a maximum of the reward is a minimum of l_c, H_c positive definite
    assert np.all(np.linalg.eigvalsh(fd.fd_collective_hessian(game, w_star)) > 0.1)


def test_toy_collective_reward_is_unbounded_so_the_optimum_is_only_local():
    """r_1 + r_2 >= a_1 a_2^2 - 2 grows without bound: 8.63 at the figures' corner."""
    r_1, r_2 = reward_grid(np.array([3.5, 10.0, 100.0]), np.array([1.5, 10.0, 10.0]))
    total = r_1 + r_2
    assert total[0] > local_social_optimum()[1] + 5 and abs(total[0] - 8.635) < 1e-3
    assert np.all(total[1:] >= np.array([10 * 100, 100 * 100]) - 2)


def test_toy_other_local_maximum_has_lower_collective_reward():
    game, w = toy_game(), np.array([-0.797, -0.682])
    for _ in range(20):  # Newton from an estimate of the other local maximum
        w = w - np.linalg.solve(
            aga_ref.collective_hessian(game, w), aga_ref.collective_gradient(game, w)
        )
    assert np.all(np.linalg.eigvalsh(fd.fd_collective_hessian(game, w)) > 0)
    assert game.rewards(w).sum() < local_social_optimum()[1] - 1


@given(hnp.arrays(np.float64, 2, elements=st.floats(-3, 3)))
def test_toy_reward_grid_matches_the_game(w):
    np.testing.assert_allclose(reward_grid(w[0], w[1]), toy_game().rewards(w), atol=1e-12)


def test_public_goods_payoffs_by_hand():
    np.testing.assert_allclose(payoffs([0.2, 0.6]), [1 - 0.2 + 0.75 * 0.8, 1 - 0.6 + 0.75 * 0.8])
    share = 2 / 3 * 1.5  # (c/n) sum_j a_j
    np.testing.assert_allclose(payoffs([1.0, 0.0, 0.5], b=1, c=2), [share, 1 + share, 0.5 + share])


def test_public_goods_nash_and_social_optimum():
    grid = np.linspace(0, 1, 11)
    pairs = np.array([(x, y) for x in grid for y in grid])
    for a in pairs:  # contributing nothing is a dominant strategy: Nash (0, 0)
        assert payoffs([0.0, a[1]])[0] >= payoffs(a)[0] and payoffs([a[0], 0.0])[1] >= payoffs(a)[1]
    welfare = np.array([payoffs(a).sum() for a in pairs])
    np.testing.assert_array_equal(pairs[np.argmax(welfare)], [1.0, 1.0])  # social optimum
    assert welfare.max() == 3.0 and payoffs([0.0, 0.0]).sum() == 2.0


def test_public_goods_game_matches_payoffs_of_sigmoid_actions():
    game, w = public_goods_game(), np.array([0.3, -1.2])
    np.testing.assert_allclose(game.rewards(w), payoffs(actions_of(w)))
    np.testing.assert_allclose(actions_of(parameters_of([0.25, 0.9])), [0.25, 0.9])


def test_sigmoid_parameterisation_makes_aga_differ_from_simul_co():
    game, w = public_goods_game(), np.array([0.3, -1.2])
    assert np.linalg.norm(aga_ref.collective_hvp(game, w, np.ones(2))) > 1e-3
    assert not np.allclose(aga_ref.aga_direction(game, w, 1.0), aga_ref.simul_co_direction(game, w))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: public_goods_game(n=1), "n must be an integer >= 2"),
        (lambda: public_goods_game(b=0.0), "b must be a finite number > 0"),
        (lambda: public_goods_game(c=-1.0), "c must be a finite number > 0"),
        (lambda: payoffs([0.5, 1.5]), r"actions must lie in \[0, b\]"),
        (lambda: payoffs([[0.5, 0.5]]), r"actions must have shape \(n,\)"),
        (lambda: parameters_of([0.0, 0.5]), r"strictly inside \(0, b\)"),
    ],
)
def test_public_goods_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
