"""The learner's parts against hand-computed answers (GAE, clipping, shaping, FCGrad,
masks), a learning test with a known optimum, determinism, resume, divergence, bad input."""

import csv

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from numpy.testing import assert_allclose

from aga_ref.rl import methods
from aga_ref.rl.config import Config
from aga_ref.rl.policy import init_params, layer_shapes, log_softmax, mlp, sample_actions, unflatten
from aga_ref.rl.returns import gae, sl_rewards, svo_rewards
from aga_ref.rl.rollout import EpisodeTracker, collect
from aga_ref.rl.surrogate import Batch, ppo_objective
from aga_ref.rl.train import TrainingDiverged, load_checkpoint, train
from games.gridworld import make_env
from tests.rl_setup import PRISONERS_DILEMMA, MatrixGameEnv


def _gae(terminated, done):
    rewards = np.array([1.0, 0.0, 2.0]).reshape(3, 1, 1)
    values = np.ones((4, 1, 1))
    flags = np.array(terminated, float).reshape(3, 1), np.array(done, float).reshape(3, 1)
    return gae(rewards, values, *flags, gamma=0.5, lam=0.5).ravel()


def test_gae_hand_computed():
    # delta = (0.5, -0.5, 1.5); A_t = delta_t + 0.25 A_{t+1}
    assert_allclose(_gae([0, 0, 0], [0, 0, 0]), [0.46875, -0.125, 1.5])
    # truncated after step 1: bootstrapped with V(o_2) = 1, no continuation
    assert_allclose(_gae([0, 0, 0], [0, 1, 0]), [0.375, -0.5, 1.5])
    # terminated after step 1: no bootstrap, delta_1 = 0 - 1
    assert_allclose(_gae([0, 1, 0], [0, 1, 0]), [0.25, -1.0, 1.5])


def test_ppo_clipping_at_the_boundary():
    ratio = np.array([[0.7, 1.1, 1.3, 0.7, 1.3]])
    adv = np.array([[1.0, 1.0, 1.0, -1.0, -1.0]])
    batch = Batch(None, None, None, np.zeros((1, 5)), adv, adv, np.full((1, 5), 0.2))

    def f(logp):
        return ppo_objective(logp, batch, adv, 0.2)[0]

    logp = np.log(ratio)
    # min(r A, clip(r) A): 0.7, 1.1, clipped 1.2, clipped -0.8, unclipped -1.3
    assert_allclose(f(logp), 0.2 * (0.7 + 1.1 + 1.2 - 0.8 - 1.3))
    # the gradient d/dlogp = weight * r * A where the unclipped term is the minimum, else 0
    assert_allclose(grad(f)(logp), [[0.2 * 0.7, 0.2 * 1.1, 0.0, 0.0, -0.2 * 1.3]])


def test_svo_and_sl_shaping_by_hand():
    w = 0.5
    r = np.array([1.0, 0.0, 0.0])
    # agent 0: others' mean 0 -> angle 0; agents 1, 2: own 0, others' mean 0.5 -> angle pi/2
    penalty = w * np.pi / 4
    assert_allclose(svo_rewards(r, np.pi / 4, w), [1 - penalty, -penalty, -penalty], rtol=1e-6)
    assert_allclose(svo_rewards(np.zeros(3), np.pi / 4, w), 0.0)  # nobody rewarded: no cost
    assert_allclose(svo_rewards(np.ones(3), np.pi / 4, w), 1.0)  # 45 degrees: on target
    assert_allclose(sl_rewards(r, 1.0), [2.0, 1.0, 1.0])


def test_fcgrad_cases_by_hand():
    xi = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    xi_c = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]])
    v_ind = np.array([0.0, 0.0, 2.0])
    v_col = np.array([3.0, 3.0, 3.0])  # V_c / N = 1 (sum over 3 agents): agent 2 is ahead
    d = methods.fcgrad_direction(xi, xi_c, v_ind, v_col, beta=0.8)
    assert_allclose(d[0], [1.0, 0.8])  # agree: 0.2 xi + 0.8 xi_c
    assert_allclose(d[1], [0.5, 0.5])  # conflict, behind: xi off the normal plane of xi_c
    assert_allclose(d[2], [0.0, 1.0])  # conflict, ahead: xi_c off the normal plane of xi


def test_masked_actions_have_probability_zero_and_are_never_sampled():
    rng = np.random.default_rng(0)
    shapes = layer_shapes(4, 8, 6)
    layers = unflatten(init_params(shapes, 3, rng, out_scale=3.0), shapes)
    x = rng.standard_normal((3, 500, 4)).astype(np.float32)
    avail = rng.random((3, 500, 6)) < 0.4
    avail[..., 2] = True
    actions, logp = sample_actions(layers, x, avail, rng)
    assert np.all(np.take_along_axis(avail, actions[..., None], -1))
    probs = np.exp(log_softmax(anp.where(avail, mlp(layers, x), -1e9)))
    assert np.all(probs[~avail] == 0.0)
    assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


def test_rollout_marks_reset_steps_and_counts_episodes_by_their_real_steps():
    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=3, max_steps=5)
    obs, info = env.reset()
    shapes = layer_shapes(1, 4, 2)
    layers = unflatten(init_params(shapes, 2, np.random.default_rng(0), 1.0), shapes)
    carry = {"obs": obs, "info": info, "done": np.zeros(3, bool), "tracker": EpisodeTracker(3, 2)}
    batch, finished = collect(env, layers, carry, 20, np.random.default_rng(1), "ippo")
    # the step after an episode ends is the environment's reset step: not a transition
    np.testing.assert_array_equal(batch["live"][1:], ~batch["done"][:-1])
    assert len(finished) == 3 * 3  # episodes of 5 steps + 1 reset step, in 20 steps
    for episode in finished:
        assert episode["length"] == 5
        assert_allclose(episode["efficiency"], episode["social_welfare"] / 5)
    # sustainability of environment 0's first episode: mean over agents of the mean step
    # (1-based) of their positive rewards
    r = batch["rewards"][:5, 0]  # (5, N)
    t = np.arange(1, 6)[:, None]
    per_agent = [(t[:, 0][r[:, i] > 0]).mean() for i in range(2) if np.any(r[:, i] > 0)]
    assert_allclose(finished[0]["sustainability"], np.mean(per_agent))
    # the three finished episodes of every environment end at step 16; reset steps pay 0
    first_17 = batch["rewards"][:17][batch["live"][:17]]  # (live steps, N)
    assert_allclose(sum(e["social_welfare"] for e in finished), first_17.sum())


def _cooperation(state):
    """Each agent's probability of action 0 (cooperate) in the stateless game (N,)."""
    x = np.ones((2, 1, 1), np.float32)
    logits = mlp(unflatten(state["theta"], state["actor_shapes"]), x)
    return np.exp(log_softmax(logits))[:, 0, 0]


@pytest.mark.parametrize("method, cooperates", [("simul-ind", False), ("simul-co", True)])
def test_learner_finds_the_known_optimum_of_a_prisoners_dilemma(method, cooperates):
    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=16)
    config = Config(method=method, env_steps=16 * 8 * 40, num_envs=16, num_steps=8, hidden=8,
                    lr=0.02, num_minibatches=2)  # fmt: skip
    state, rows = train(env, config, log=lambda *a: None)
    p = _cooperation(state)
    # defection is dominant for each player; cooperation maximises the sum of rewards
    assert np.all(p > 0.9) if cooperates else np.all(p < 0.1), p


def _small_run(tmp_path, name, method="aga", critic="mappo", **kwargs):
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(method=method, env_steps=2 * 8 * 5, num_envs=2, num_steps=8, hidden=8,
                    num_minibatches=2, seed=3, critic=critic)  # fmt: skip
    return train(env, config, out=str(tmp_path / name), **kwargs)


def _rows(path):
    with open(path / "progress.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_s"} for r in csv.DictReader(f)]


@pytest.mark.parametrize("method, critic", [("aga", "mappo"), ("fcgrad", "mappo"), ("cga", "ippo")])
def test_same_seed_same_progress(tmp_path, method, critic):
    _small_run(tmp_path, "a", method, critic, log=lambda *a: None)
    _small_run(tmp_path, "b", method, critic, log=lambda *a: None)
    rows = _rows(tmp_path / "a")
    assert rows == _rows(tmp_path / "b")
    assert any(r["social_welfare"] for r in rows)  # episodes finished and were logged


def test_resume_equals_an_uninterrupted_run(tmp_path):
    _small_run(tmp_path, "full", log=lambda *a: None)

    def stop_after_two(config, row, rows):
        if row["update"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _small_run(tmp_path, "cut", log=stop_after_two, checkpoint_every=2)
    state, _ = _small_run(tmp_path, "cut", resume=True, log=lambda *a: None)
    assert state["update"] == 5
    assert _rows(tmp_path / "cut") == _rows(tmp_path / "full")


class NanAfter(MatrixGameEnv):
    def step(self, actions):
        obs, r, term, trunc, info = super().step(actions)
        self.count = getattr(self, "count", 0) + 1
        return obs, (r * np.nan if self.count > 20 else r), term, trunc, info


def test_divergence_names_the_update_and_keeps_the_last_good_checkpoint(tmp_path):
    env = NanAfter(PRISONERS_DILEMMA, num_envs=4)
    config = Config(env_steps=4 * 8 * 6, num_envs=4, num_steps=8, hidden=4)
    with pytest.raises(TrainingDiverged, match="update 3: .*non-finite"):
        train(env, config, out=str(tmp_path), checkpoint_every=1, log=lambda *a: None)
    state = load_checkpoint(str(tmp_path / "checkpoint.npz"), config)
    assert state["update"] == 2 and np.all(np.isfinite(state["theta"]))


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "reinforce"}, "method must be one of"),
    ({"env_steps": 0}, "env_steps must be an integer >= 1"),
    ({"num_envs": -2}, "num_envs must be an integer >= 1"),
    ({"method": "simul-ind", "lam": 1.0}, "lam applies only to methods"),
    ({"sign_rule": "exactly"}, "sign_rule must be one of"),
    ({"gamma": 1.5}, "gamma must lie in"),
    ({"num_minibatches": 3}, "num_minibatches must divide"),
])  # fmt: skip
def test_config_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Config(**kwargs)


@pytest.mark.parametrize("argv, message", [
    (["train", "--env", "harvest", "--env-steps", "0"], "--env-steps must be an integer >= 1"),
    (["train", "--env", "harvest", "--method", "simul-co", "--lam", "2"], "lam applies only"),
    (["train", "--env", "forest"], "invalid choice"),
    (["train", "--env", "harvest", "--method", "ppo"], "invalid choice"),
    (["plot", "/nonexistent"], "must hold an aga-ref train run"),
])  # fmt: skip
def test_cli_rejects_bad_input(argv, message, capsys):
    from figures.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_train_rejects_an_env_of_the_wrong_shape():
    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=4)
    with pytest.raises(ValueError, match=r"B = config.num_envs = 8 and N >= 2 agents"):
        train(env, Config(num_envs=8, num_steps=4, num_minibatches=2), log=lambda *a: None)
    env.num_actions = 1
    with pytest.raises(ValueError, match="env.num_actions must be an integer >= 2"):
        train(env, Config(num_envs=4, num_steps=4), log=lambda *a: None)
    with pytest.raises(TypeError, match="config must be an aga_ref.rl.Config"):
        train(env, {"method": "aga"})


def test_env_rejects_wrong_action_shapes():
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0)
    env.reset()
    with pytest.raises(ValueError, match=r"actions must have shape \(B, N\)"):
        env.step(np.zeros((3, 2), dtype=np.int64))


@pytest.mark.slow
def test_harvest_agents_stop_beaming_and_collect_more_apples(tmp_path):
    env = make_env("harvest", num_envs=32, num_agents=5, seed=0)
    config = Config(method="simul-ind", env_steps=200_000)
    _, rows = train(env, config, log=lambda *a: None)
    logged = [r for r in rows if r.get("beam_hits") is not None]
    first, last = logged[0], logged[-1]
    assert last["beam_hits"] < 0.2 * first["beam_hits"]
    assert last["apples_eaten"] > first["apples_eaten"]
    assert last["social_welfare"] > 0 > first["social_welfare"]
