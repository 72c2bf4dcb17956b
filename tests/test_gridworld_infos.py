"""The per-step counts in ``infos`` agree with the rewards and the map they describe."""

import numpy as np
import pytest

from games.gridworld import make_env
from games.gridworld.rules import FIRE


@pytest.mark.parametrize("game", ["harvest", "cleanup"])
def test_rewards_decompose_into_apples_fire_and_hits(game):
    env = make_env(game, num_envs=8, num_agents=5, seed=0, max_steps=30)
    env.reset()
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(80):
        restart = env.needs_reset.copy()
        actions = rng.integers(0, env.num_actions, size=(8, 5))
        _, rewards, _, _, infos = env.step(actions)
        fired = np.where(restart[:, None], 0, actions == FIRE)
        expected = infos["apples_eaten"] - fired - 50 * infos["beam_hits"]
        np.testing.assert_array_equal(rewards, expected)
        hits += infos["beam_hits"].sum()
    assert hits > 0  # the check saw beams hit


def test_cells_cleaned_account_for_the_waste_removed():
    env = make_env("cleanup", num_envs=8, num_agents=5, seed=0, max_steps=50)
    env.reset()
    rng = np.random.default_rng(2)
    cleaned = 0
    for _ in range(40):
        before = env.waste.sum(1)
        actions = rng.choice([2, 5, 8], size=(8, 5))  # move, turn, clean
        _, _, _, _, infos = env.step(actions)
        removed = before - env.waste.sum(1)
        # at most one river cell turns to waste per step and environment
        assert np.all(removed <= infos["cells_cleaned"].sum(1))
        assert np.all(removed >= infos["cells_cleaned"].sum(1) - 1)
        np.testing.assert_allclose(infos["waste_density"], env.waste.mean(1))
        cleaned += infos["cells_cleaned"].sum()
    assert cleaned > 0
