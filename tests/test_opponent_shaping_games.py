"""Matching pennies, the IPD and tandem (games.opponent_shaping) against closed forms, a
second implementation (aga_ref.conformance.families) and, for the IPD, the discounted series summed
step by step."""

import numpy as np
import pytest

from aga_ref import simultaneous_gradient
from aga_ref.conformance.families import game_from_spec
from games.opponent_shaping import GAMMA, IPD_REWARDS, ipd, matching_pennies, tandem


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def ipd_series(w, gamma=GAMMA, steps=3000):
    """sum_t gamma^t E[r(s_t)] by pushing the joint-move distribution forward, never inverting."""
    c1, c2 = sigmoid(w[:5]), sigmoid(w[5:])
    dist = np.array([c1[0] * c2[0], c1[0] * (1 - c2[0]), (1 - c1[0]) * c2[0],
                     (1 - c1[0]) * (1 - c2[0])])  # fmt: skip
    total, discount = np.zeros(2), 1.0
    for _ in range(steps):
        total += discount * np.array([dist @ IPD_REWARDS[0], dist @ IPD_REWARDS[1]])
        nxt = np.zeros(4)
        for s in range(4):  # from state s (the previous joint move), both move again
            a, b = c1[1 + s], c2[1 + s]
            nxt += dist[s] * np.array([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)])
        dist, discount = nxt, discount * gamma
    return -total  # losses


@pytest.mark.parametrize("seed", range(3))
def test_ipd_losses_equal_the_discounted_series(seed):
    w = np.random.default_rng(seed).normal(size=10)
    np.testing.assert_allclose(ipd().loss_values(w), ipd_series(w), rtol=1e-10)


@pytest.mark.parametrize(
    "w1, w2, per_step",
    [(20.0, 20.0, (1.0, 1.0)), (-20.0, -20.0, (2.0, 2.0)), (20.0, -20.0, (3.0, 0.0))],
)
def test_ipd_pure_strategies_give_the_payoffs_per_step(w1, w2, per_step):
    """Always cooperate / always defect: (1 - gamma) l_i is minus the stage reward."""
    w = np.r_[np.full(5, w1), np.full(5, w2)]
    np.testing.assert_allclose((1 - GAMMA) * ipd().loss_values(w), per_step, atol=1e-6)


def test_matching_pennies_closed_form_and_zero_sum():
    game = matching_pennies()
    for w in np.random.default_rng(0).normal(size=(5, 2)):
        p1, p2 = sigmoid(w)
        l1 = p1 * p2 - p1 * (1 - p2) - (1 - p1) * p2 + (1 - p1) * (1 - p2)
        np.testing.assert_allclose(game.loss_values(w), [l1, -l1], atol=1e-14)
        assert game.collective_loss(w) == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_array_equal(simultaneous_gradient(game, np.zeros(2)), [0.0, 0.0])


def test_tandem_fixed_points_are_the_line_x_plus_y_equal_1():
    game = tandem()
    for x in (-2.0, 0.3, 5.0):
        np.testing.assert_array_equal(simultaneous_gradient(game, np.array([x, 1 - x])), 0.0)
    np.testing.assert_allclose(simultaneous_gradient(game, np.array([1.0, 1.0])), [2.0, 2.0])


@pytest.mark.parametrize("family", ["matching_pennies", "ipd", "tandem"])
def test_the_kit_families_build_the_same_games(family):
    make = {"matching_pennies": matching_pennies, "ipd": ipd, "tandem": tandem}[family]
    spec = {"family": family, "sizes": [5, 5] if family == "ipd" else [1, 1]}
    spec.update({"gamma": GAMMA} if family == "ipd" else {})
    ours, kit = make(), game_from_spec(spec)
    for w in np.random.default_rng(1).normal(size=(3, ours.dim)):
        np.testing.assert_allclose(kit.loss_values(w), ours.loss_values(w), rtol=1e-12)
        np.testing.assert_allclose(simultaneous_gradient(kit, w), simultaneous_gradient(ours, w),
                                   rtol=1e-10, atol=1e-14)  # fmt: skip


def test_bad_gamma_is_refused():
    with pytest.raises(ValueError, match="gamma"):
        ipd(1.0)
    with pytest.raises(ValueError, match="gamma"):
        game_from_spec({"family": "ipd", "sizes": [5, 5], "gamma": 1.5})
