"""What the rollout stores, step by step, and what a checkpoint refuses and accepts, against
values written down by hand. Found missing by mutation testing (docs/testing.md): no test
looked at uint8 observations' scale, at the critic's input at each step, or at
``load_checkpoint``'s own refusal and its reading of older checkpoints."""

import dataclasses

import numpy as np
import pytest

from aga_ref.episodes import EpisodeTracker
from aga_ref.rl.checkpoint import config_changes, load_checkpoint, save_checkpoint
from aga_ref.rl.config import Config
from aga_ref.rl.policy import init_params, layer_shapes, unflatten
from aga_ref.rl.rollout import collect

B, N, F = 2, 2, 3


class CountingEnv:
    """Observations (B, N, F) uint8 and a state (B, 4) that both encode the step count."""

    num_actions = 2

    def _observe(self):
        obs = (np.arange(B * N * F).reshape(B, N, F) * 7 + 40 * self.t) % 256
        state = np.full((B, 4), float(self.t)) + np.arange(4)
        return obs.astype(np.uint8), {"state": state}

    def reset(self, seed=None):
        self.t = 0
        return self._observe()

    def step(self, actions):
        assert actions.shape == (B, N)
        self.t += 1
        obs, info = self._observe()
        return obs, np.zeros((B, N)), np.zeros(B, bool), np.zeros(B, bool), info


def run(critic):
    env = CountingEnv()
    obs, info = env.reset()
    shapes = layer_shapes(F, 4, CountingEnv.num_actions)
    layers = unflatten(init_params(shapes, N, np.random.default_rng(0), 0.01, np.float64), shapes)
    carry = {"obs": obs, "info": info, "done": np.zeros(B, bool), "tracker": EpisodeTracker(B, N)}
    return collect(env, layers, carry, 3, np.random.default_rng(1), critic)[0]


def inputs(t):
    """The actors' inputs at step t by hand: (N, B, F), uint8 / 255."""
    obs = ((np.arange(B * N * F).reshape(B, N, F) * 7 + 40 * t) % 256).astype(np.uint8)
    return obs.transpose(1, 0, 2).astype(np.float64) / 255


def test_uint8_observations_reach_the_actors_divided_by_255_step_by_step():
    store = run("mappo")
    for t in range(3):
        assert store["x"][t].dtype == np.float32
        np.testing.assert_allclose(store["x"][t], inputs(t), rtol=1e-6)


def test_the_mappo_critic_reads_the_state_before_each_step_and_ippo_reads_nothing_extra():
    store = run("mappo")
    for t in range(3):
        np.testing.assert_array_equal(store["critic"][t], np.full((B, 4), t) + np.arange(4))
    np.testing.assert_array_equal(store["next_critic"], np.full((B, 4), 3) + np.arange(4))
    ippo = run("ippo")  # its critics read the agents' inputs, kept once under "x"
    assert ippo["critic"] is None
    np.testing.assert_allclose(ippo["next_critic"], inputs(3), rtol=1e-6)


def saved(tmp_path, config):
    state = {"theta": np.zeros((2, 3)), "phi": np.zeros((2, 4)), "update": 5,
             "actor_opt": {"m": np.ones((2, 3)), "t": 5},
             "critic_adam": {"m": np.ones((2, 4)), "t": 5}}  # fmt: skip
    path = str(tmp_path / "checkpoint.npz")
    save_checkpoint(path, state, config)
    return path


def test_load_checkpoint_refuses_a_changed_config_by_itself(tmp_path):
    path = saved(tmp_path, Config(env_steps=1000))
    with pytest.raises(ValueError, match=r"gamma 0\.99 -> 0\.9"):
        load_checkpoint(path, Config(env_steps=1000, gamma=0.9))
    state = load_checkpoint(path, Config(env_steps=2000))  # a longer run
    assert state["update"] == 5 and state["actor_opt"]["t"] == 5
    np.testing.assert_array_equal(state["critic_adam"]["m"], np.ones((2, 4)))


def test_a_field_missing_from_an_older_checkpoint_counts_as_its_default():
    config = Config(env_steps=1000)
    older = dataclasses.asdict(config)
    del older["gamma"]  # a field added after the checkpoint was written
    assert config_changes(older, config) == {}
    assert config_changes(older, dataclasses.replace(config, gamma=0.5)) == {
        "gamma": (Config.gamma, 0.5)
    }


def test_a_checkpoint_from_before_the_optimiser_choice_loads_as_adam(tmp_path):
    """Older checkpoints named the actors' optimiser state ``actor_adam_*`` and its step
    counts ``adam_t``; they load into today's ``actor_opt``."""
    import pickle

    config = Config(env_steps=1000)
    rest = {"update": 7, "adam_t": (7, 7), "config": dataclasses.asdict(config)}
    path = str(tmp_path / "old.npz")
    np.savez(path, blob=np.frombuffer(pickle.dumps(rest), dtype=np.uint8),
             theta=np.zeros((2, 3)), phi=np.zeros((2, 4)), actor_adam_m=np.full((2, 3), 2.0),
             critic_adam_m=np.full((2, 4), 3.0))  # fmt: skip
    state = load_checkpoint(path, config)
    assert state["actor_opt"]["t"] == 7 and state["critic_adam"]["t"] == 7
    np.testing.assert_array_equal(state["actor_opt"]["m"], np.full((2, 3), 2.0))
    np.testing.assert_array_equal(state["critic_adam"]["m"], np.full((2, 4), 3.0))
