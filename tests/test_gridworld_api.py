"""The PettingZoo adapter passes PettingZoo's own API test; the episode writer writes."""

import numpy as np
import pytest

from games.gridworld import make_env
from games.gridworld.video import save_episode

pettingzoo_test = pytest.importorskip("pettingzoo.test")


@pytest.mark.parametrize("game", ["harvest", "cleanup"])
def test_parallel_api(game):
    from games.gridworld.pettingzoo_env import GridworldParallelEnv

    pettingzoo_test.parallel_api_test(GridworldParallelEnv(game, max_steps=30), num_cycles=100)


def test_parallel_env_matches_the_batched_env():
    from games.gridworld.pettingzoo_env import GridworldParallelEnv

    parallel, batched = GridworldParallelEnv("cleanup", seed=4), make_env("cleanup", seed=4)
    observations, _ = parallel.reset(seed=4)
    obs, _ = batched.reset(seed=4)
    actions = np.random.default_rng(0).integers(0, 9, size=(20, 5))
    for a in actions:
        observations, rewards, _, _, _ = parallel.step({f"agent_{i}": a[i] for i in range(5)})
        obs, batch_rewards, _, _, _ = batched.step(a[None])
        for i in range(5):
            np.testing.assert_array_equal(observations[f"agent_{i}"], obs[0, i])
            assert rewards[f"agent_{i}"] == batch_rewards[0, i]


@pytest.mark.parametrize("name", ["episode.gif", "episode.png"])
def test_save_episode_writes_a_file(tmp_path, name):
    path = save_episode(make_env("harvest", seed=0), str(tmp_path / name), num_steps=6)
    with open(path, "rb") as f:
        header = f.read(8)
    assert header.startswith(b"GIF8" if name.endswith(".gif") else b"\x89PNG")
