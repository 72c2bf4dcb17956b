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


def test_the_vector_env_is_a_gymnasium_vector_env():
    import gymnasium
    from gymnasium.vector import AutoresetMode

    env = make_env("cleanup", num_envs=3, num_agents=4, seed=0)
    assert isinstance(env, gymnasium.vector.VectorEnv)
    assert env.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert env.single_observation_space.shape == (4, 15, 15, 3)
    assert env.single_action_space.nvec.tolist() == [9] * 4
    obs, _ = env.reset(seed=1)
    assert obs in env.observation_space and env.observation_space.shape == (3, 4, 15, 15, 3)
    env.action_space.seed(0)
    actions = env.action_space.sample()
    assert actions.shape == (3, 4)
    obs, rewards, *_ = env.step(actions)
    assert obs in env.observation_space and rewards.shape == (3, 4)
    assert len(env.render()) == 3 and env.render(2).shape == env.state()[2].shape
    env.close()
    assert env.closed


@pytest.mark.parametrize("index, error", [(3, ValueError), (-1, ValueError), ("0", TypeError)])
def test_render_names_a_bad_index(index, error):
    with pytest.raises(error, match="env_index"):
        make_env("harvest", num_envs=3, seed=0).render(index)


def test_reset_mask_resets_only_the_chosen_environments():
    env = make_env("harvest", num_envs=3, seed=0, max_steps=50)
    env.reset(seed=0)
    actions = np.random.default_rng(1).integers(0, 8, size=(10, 3, 5))
    for a in actions:
        env.step(a)
    before = env.pos.copy(), env.apples.copy(), env.steps.copy()
    obs, _ = env.reset(seed=[7, 8, 9], options={"reset_mask": np.array([False, True, False])})
    fresh = make_env("harvest", num_envs=1, seed=8)
    fresh_obs, _ = fresh.reset()
    np.testing.assert_array_equal(obs[1], fresh_obs[0])  # env 1 restarted from seed 8
    np.testing.assert_array_equal(env.pos[[0, 2]], before[0][[0, 2]])  # the others untouched
    np.testing.assert_array_equal(env.apples[[0, 2]], before[1][[0, 2]])
    assert env.steps.tolist() == [10, 0, 10]
    a = np.random.default_rng(2).integers(0, 8, size=(5, 5))
    for t in range(5):  # env 1 now evolves as the fresh one does
        obs, rewards, *_ = env.step(np.stack([a[t]] * 3))
        fresh_obs, fresh_rewards, *_ = fresh.step(a[t][None])
        np.testing.assert_array_equal(obs[1], fresh_obs[0])
        np.testing.assert_array_equal(rewards[1], fresh_rewards[0])


@pytest.mark.parametrize(
    "options", [{"reset_mask": [True]}, {"reset_mask": np.ones(2)}, {"mask": None}]
)
def test_bad_reset_options_are_named(options):
    env = make_env("harvest", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(ValueError, match="options"):
        env.reset(options=options)


def test_finished_episodes_are_reported_in_infos():
    """infos["episode"] on the truncation step, masked by infos["_episode"], with returns,
    length and metrics recomputed here from the step rewards and counts."""
    from aga_ref.metrics import equality

    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=30)
    env.reset(seed=[0, 1])
    rng = np.random.default_rng(0)
    returns, hits, eaten = np.zeros((2, 3)), np.zeros(2), np.zeros(2)
    for t in range(30):
        _, rewards, _, truncations, infos = env.step(rng.integers(0, 8, size=(2, 3)))
        returns += rewards
        hits += infos["beam_hits"].sum(-1)
        eaten += infos["apples_eaten"].sum(-1)
        assert infos["_apples_eaten"].all()
        assert ("episode" in infos) == (t == 29) == truncations.all()
    episode = infos["episode"]
    assert infos["_episode"].tolist() == [True, True]
    np.testing.assert_allclose(episode["r"], returns, rtol=1e-6)
    assert episode["l"].tolist() == [30, 30] and np.all(episode["t"] >= 0)
    np.testing.assert_allclose(episode["social_welfare"], returns.sum(-1), rtol=1e-6)
    np.testing.assert_allclose(episode["efficiency"], returns.sum(-1) / 30, rtol=1e-6)
    np.testing.assert_allclose(episode["equality"], [equality(r) for r in returns], rtol=1e-6)
    np.testing.assert_array_equal(episode["beam_hits"], hits)
    np.testing.assert_array_equal(episode["apples_eaten"], eaten)
    _, rewards, _, _, infos = env.step(np.zeros((2, 3), int))  # the autoreset step
    assert "episode" not in infos and np.all(rewards == 0)


def test_ssd_views_turn_east_and_west_views_by_180_degrees():
    """A hand-built case: an agent at an open cell facing east with an apple one cell ahead
    (east) and none behind. Our view has the apple straight above the agent; SSD's, with
    the cells behind at the top, straight below it. Facing north, both agree."""
    from games.gridworld.observe import APPLE, COLOURS
    from tests.gridworld_setup import EAST, NORTH, placed

    layout = placed("harvest", [(1, 1, NORTH)]).layout
    apple = layout.apple_cells[0]
    (row,), (col,) = layout.row_col(np.array([apple]))
    only_that = np.arange(layout.apple_cells.size) == 0
    centre, green = 7, COLOURS[APPLE]
    for view, expected in [("upright", (centre - 1, centre)), ("ssd", (centre + 1, centre))]:
        env = placed("harvest", [(row, col - 1, EAST)], apples=only_that)
        env.view = view
        obs = env._observe()[0, 0]
        cells = np.argwhere(np.all(obs == green, axis=-1))
        assert [tuple(x) for x in cells] == [expected], view
        env.heading[:] = NORTH  # facing north the apple is to the right: same in both
        cells = np.argwhere(np.all(env._observe()[0, 0] == green, axis=-1))
        assert [tuple(x) for x in cells] == [(centre, centre + 1)], view
    with pytest.raises(ValueError, match="view"):
        make_env("harvest", view="rotated")


def test_pettingzoo_adapter_follows_the_conventions():
    from games.gridworld.pettingzoo_env import GridworldParallelEnv

    with pytest.raises(ValueError, match="render_mode"):
        GridworldParallelEnv("harvest", render_mode="human")
    env = GridworldParallelEnv("harvest", num_agents=2, max_steps=2)
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None
    with pytest.raises(ValueError, match="agent_99"):
        env.observation_space("agent_99")
    with pytest.raises(TypeError, match="actions\\['agent_0'\\]"):
        env.step({"agent_0": 1.5, "agent_1": 0})
    with pytest.raises(ValueError, match="actions\\['agent_1'\\]"):
        env.step({"agent_0": 0, "agent_1": 8})
    env.step({"agent_0": np.int64(4), "agent_1": np.array(4)})
    *_, infos = env.step({"agent_0": 4, "agent_1": 4})
    assert set(infos["agent_0"]) == {"apples_eaten", "beam_hits", "cells_cleaned"}
    assert env.agents == [] and env.step({}) == ({}, {}, {}, {}, {})
    with pytest.raises(ValueError, match="reset"):
        env.step({"agent_0": 4})
    rendered = GridworldParallelEnv("harvest", render_mode="rgb_array")
    rendered.reset(seed=0)
    assert rendered.render().shape == rendered.state().shape


def test_supersuit_black_death_runs_on_the_adapter():
    supersuit = pytest.importorskip("supersuit")
    from games.gridworld.pettingzoo_env import GridworldParallelEnv

    env = supersuit.black_death_v3(GridworldParallelEnv("harvest", num_agents=3, max_steps=4))
    env.reset(seed=0)
    for _ in range(6):  # past the episode's end: the wrapper steps the ended env with {}
        if not env.agents:
            env.reset(seed=1)
        obs, *_ = env.step({agent: 4 for agent in env.agents})
        assert len(obs) == 3
