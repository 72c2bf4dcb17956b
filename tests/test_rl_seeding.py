"""Independent seeds (issue 27): every random stream of a training run comes from its seed
by ``aga_ref.rl.seeding.run_streams``, so runs of different seeds share no environment, and
one seed gives one run. The environments' own streams are identified by their 64-bit keys
(``games.rng``): two environments draw the same numbers exactly when their keys are equal.
Before the fix ``--seed 0`` and ``--seed 1`` shared 31 of 32 environments."""

import numpy as np
import pytest

from aga_ref.rl import Config
from aga_ref.rl.policy import ACTOR_OUT_SCALE, init_params
from aga_ref.rl.seeding import run_streams
from aga_ref.rl.train import experience, init_state
from games import rng as env_rng
from games.gridworld import make_env
from games.smac import make_env as make_mmm2
from games.vector import seed_list

B = 32


def env_keys(game, seed):
    """The environment keys (B,) of a fresh run of ``seed`` after ``init_state``."""
    if game == "mmm2":
        env = make_mmm2("mmm2", num_envs=B, seed=seed, record_episodes=False)
    else:
        env = make_env(game, num_envs=B, num_agents=2, seed=seed, record_episodes=False)
    init_state(env, Config(seed=seed, num_envs=B, num_steps=4, hidden=4))
    return env.core.battles.keys if game == "mmm2" else env.keys


@pytest.mark.parametrize("game", ["harvest", "cleanup", "mmm2"])
def test_runs_of_seeds_0_to_9_share_no_environment_stream(game):
    keys = np.concatenate([env_keys(game, seed) for seed in range(10)])  # (10 B,)
    assert keys.size == 10 * B and np.unique(keys).size == 10 * B
    old = env_rng.seed_keys(seed_list(1, B))  # what `--seed 1` used to reset with
    assert np.intersect1d(old, env_rng.seed_keys(seed_list(0, B))).size == B - 1  # the bug
    assert np.intersect1d(keys, env_rng.seed_keys(seed_list(0, 10 * B))).size == 0


def test_the_environment_seeds_and_the_learner_differ_between_seeds_and_repeat_within_one():
    seeds = [run_streams(seed, B)[1] for seed in range(10)]
    assert len({s for run in seeds for s in run}) == 10 * B
    assert all(0 <= s < 2**64 and isinstance(s, int) for run in seeds for s in run)
    assert run_streams(3, B)[1] == seeds[3]
    first = [run_streams(seed, B)[0].random(4) for seed in range(10)]
    assert len({tuple(f) for f in first}) == 10
    assert np.array_equal(run_streams(3, B)[0].random(4), first[3])
    assert run_streams(3, 8)[1] == seeds[3][:8]  # B environments: the first B of the stream


def test_the_constructor_seed_does_not_reach_a_run():
    """``make_env(seed=...)`` only seeds a first reset without a seed; init_state resets
    with the run's environment seeds, so the constructor's seed changes nothing."""
    config = Config(seed=5, num_envs=4, num_steps=3, hidden=4)
    for make in (lambda s: make_env("harvest", num_envs=4, num_agents=2, seed=s),
                 lambda s: make_mmm2("mmm2", num_envs=4, seed=s)):  # fmt: skip
        batches = []
        for constructor_seed in (0, 7):
            env = make(constructor_seed)
            batches.append(experience(env, init_state(env, config), config)[0])
        for key in ("x", "actions", "adv_ind"):
            assert np.array_equal(batches[0][key], batches[1][key]), key


def test_one_seed_gives_one_run_and_its_actors_are_the_learners_first_draw():
    config = Config(seed=2, num_envs=4, num_steps=5, hidden=4)
    runs = []
    for _ in range(2):
        env = make_env("harvest", num_envs=4, num_agents=2, seed=0)
        state = init_state(env, config)
        runs.append((state["theta"].copy(), experience(env, state, config)[0]))
    assert np.array_equal(runs[0][0], runs[1][0])
    for key in ("x", "actions", "logp", "adv_ind"):
        assert np.array_equal(runs[0][1][key], runs[1][1][key]), key
    # what `aga-ref probe` rebuilds as a run's initial actors
    shapes = init_state(make_env("harvest", num_envs=4, num_agents=2), config)["actor_shapes"]
    init = init_params(shapes, 2, run_streams(2, 4)[0], ACTOR_OUT_SCALE)
    assert np.array_equal(init, runs[0][0])


def test_environments_accept_64_bit_seeds_and_keep_gymnasiums_seed_plus_b():
    big = [5, 2**63 + 1, 2**64 - 1]  # NumPy alone reads this list as floats
    assert seed_list(big, 3).tolist() == big and seed_list(big, 3).dtype == np.uint64
    assert seed_list(2**64 - 1, 1).tolist() == [2**64 - 1]
    assert seed_list(4, 3).tolist() == [4, 5, 6]
    for bad in (2**64, -1, 1.0, True):
        with pytest.raises(TypeError, match="seed must be a non-negative int"):
            seed_list(bad, 1)
    env = make_env("harvest", num_envs=3, num_agents=2)
    env.reset(seed=big)
    one = make_env("harvest", num_envs=1, num_agents=2)
    one.reset(seed=2**63 + 1)
    assert env.keys[1] == one.keys[0]
