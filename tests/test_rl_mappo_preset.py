"""--preset mappo and its fields, each against what it says: per-network clipping, advantages
normalised over the whole buffer's active samples, ValueNorm in GAE (denormalised) and in
the value loss (normalised, after the minibatch's update), the Huber and clipped value
loss, the preset's exact fields with MAPPO's values, and a resume bit for bit."""

import copy
import dataclasses
import inspect
import json
from argparse import Namespace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl import ppo, value_norm
from aga_ref.rl.config import Config
from aga_ref.rl.mappo_update import clip, clip_rows, normalise_buffer
from aga_ref.rl.optim import adam_step
from aga_ref.rl.presets import MAPPO_SAME, PRESETS, preset_config
from aga_ref.rl.returns import gae
from aga_ref.rl.rollout import collect
from aga_ref.rl.train import advantages, experience, init_state, train
from figures.cli import main
from figures.train_preset import preset_meta
from tests.rl_setup import PRISONERS_DILEMMA, MatrixGameEnv

# MAPPO's values, read from marlbenchmark/on-policy's onpolicy/config.py (use_ReLU,
# use_feature_normalization, use_valuenorm, use_huber_loss, huber_delta,
# use_clipped_value_loss, max_grad_norm, num_mini_batch, ppo_epoch, use_linear_lr_decay)
# and r_mappo.py (the advantages over the buffer, a clip per network)
MAPPO = {"activation": "relu", "layer_norm": True, "value_norm": True, "huber_delta": 10.0,
         "clip_value_loss": True, "max_grad_norm": 10.0, "num_minibatches": 1,
         "update_epochs": 15, "anneal_lr": False, "adv_norm_scope": "buffer",
         "clip_per_network": True}  # fmt: skip


class NoisyMatrixEnv(MatrixGameEnv):
    """The prisoner's dilemma with random 4-feature views and a 3-feature state, so that a
    LayerNorm on the inputs has something to normalise; its generator is its state."""

    def reset(self, seed=None):
        self.rng = np.random.default_rng(0 if seed is None else int(np.sum(seed) % 2**32))
        obs, info = super().reset()
        return self._views(), info

    def _views(self):
        return self.rng.normal(size=(self.num_envs, 2, 4)).astype(np.float32)

    def state(self):
        return self.rng.normal(size=(self.num_envs, 3)).astype(np.float32)

    def step(self, actions):
        out = super().step(actions)
        return (self._views(), *out[1:])


def _setup(**kwargs):
    env = NoisyMatrixEnv(PRISONERS_DILEMMA, num_envs=4)
    config = Config(**{"env_steps": 4 * 8 * 4, "num_envs": 4, "num_steps": 8, "hidden": 6,
                       "num_minibatches": 1, "update_epochs": 1, **kwargs})  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    return env, config, state, data


def test_per_network_clipping_by_hand():
    g = np.array([[3.0, 4.0], [30.0, 40.0], [0.3, 0.4]])  # norms 5, 50, 0.5
    clipped, norms = clip_rows(g, 10.0)
    assert_allclose(norms, [5.0, 50.0, 0.5])
    assert_allclose(clipped, [[3.0, 4.0], [6.0, 8.0], [0.3, 0.4]], rtol=1e-12)
    _, mean_norm = clip(g, Config(clip_per_network=True, max_grad_norm=10.0))
    assert mean_norm == pytest.approx(55.5 / 3)
    together, norm = clip(g, Config(max_grad_norm=10.0))  # one clip over every row
    assert norm == pytest.approx(np.sqrt(2525.25))
    assert_allclose(together, g * 10.0 / np.sqrt(2525.25), rtol=1e-6)


@pytest.mark.parametrize("per_network", [True, False])
def test_the_update_clips_each_actor_on_its_own(per_network):
    """SGD without momentum moves theta by sgd_lr times the clipped direction: with a tiny
    max_grad_norm each agent's row moves sgd_lr * max_grad_norm (per network), or all rows
    together do (one clip)."""
    _, config, state, data = _setup(method="simul-co", optimizer="sgd", sgd_momentum=0.0,
                                    max_grad_norm=1e-4, clip_per_network=per_network,
                                    anneal_lr=False)  # fmt: skip
    before = state["theta"].astype(np.float64)
    state, _ = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    moved = np.linalg.norm(state["theta"] - before, axis=1)  # (N,)
    if per_network:
        assert_allclose(moved, config.sgd_lr * 1e-4, rtol=1e-3)
    else:
        assert np.linalg.norm(moved) == pytest.approx(config.sgd_lr * 1e-4, rel=1e-3)
        assert not np.allclose(moved, config.sgd_lr * 1e-4, rtol=1e-2)


def test_buffer_normalisation_by_hand_with_masks():
    adv = np.array([[1.0, 2.0, 100.0, 3.0], [4.0, 5.0, 6.0, -50.0]], np.float32)
    active = np.array([[True, True, False, True], [True, True, True, False]])
    data = {"adv_ind": adv, "adv_col": 2 * adv, "active": active}
    out = normalise_buffer(data)
    # the active values 1..6: mean 3.5, population std sqrt(17.5 / 6); every sample scaled
    std = np.sqrt(17.5 / 6)
    assert_allclose(out["adv_ind"], (adv - 3.5) / (std + 1e-5), rtol=1e-6)
    assert_allclose(out["adv_col"], (2 * adv - 7.0) / (2 * std + 1e-5), rtol=1e-6)
    nan = np.where(active, adv, np.nan)  # MAPPO's own route: nanmean and nanstd
    assert_allclose(out["adv_ind"], (adv - np.nanmean(nan)) / (np.nanstd(nan) + 1e-5), rtol=1e-6)
    assert data["adv_ind"] is adv and adv[0, 2] == 100.0  # the input is left as it was


def test_the_update_hands_the_actors_buffer_normalised_advantages(monkeypatch):
    _, config, state, data = _setup(adv_norm_scope="buffer")
    seen = []
    real = ppo.surrogate_terms
    monkeypatch.setattr(ppo, "surrogate_terms", lambda *a, **k: seen.append(a[2]) or real(*a, **k))
    ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    want = normalise_buffer(data)  # one minibatch: the whole batch in its own order
    assert_allclose(seen[0].adv_ind, want["adv_ind"], rtol=1e-6)
    assert_allclose(seen[0].adv_col, want["adv_col"], rtol=1e-6)
    per_agent = seen[0].adv_ind.mean(axis=1)  # one mean over all agents, not each's 0
    assert np.abs(per_agent).max() > 1e-3


def _known_statistics(N):
    """ValueNorm statistics with mean M (N, 2) and variance V (N, 2) (d = 1)."""
    M = np.arange(2 * N, dtype=np.float64).reshape(N, 2) - 1.5
    V = 1.0 + np.arange(2 * N, dtype=np.float64).reshape(N, 2) ** 2
    return {"mu": M.copy(), "nu": V + M**2, "d": 1.0}, M, V


def test_gae_reads_the_denormalised_values():
    env, config, state, _ = _setup(value_norm=True)
    state["value_norm"], M, V = _known_statistics(2)
    layers = ppo.unflatten(state["theta"], state["actor_shapes"])
    batch, _ = collect(env, layers, state["carry"], config.num_steps, state["rng"], "mappo",
                       state["actor_shapes"].arch)  # fmt: skip
    adv_ind, adv_col, ret, values, outputs = advantages(state, batch, config)
    inputs = np.concatenate([batch["critic"], batch["next_critic"][None]]).reshape(-1, 3)
    raw = ppo.critic_values(state["phi"], state["critic_shapes"], inputs)  # (N, (T+1) B, 2)
    real = raw * np.sqrt(V)[:, None] + M[:, None]  # by hand
    T, B = batch["rewards"].shape[:2]
    real = real.reshape(2, T + 1, B, 2).transpose(1, 2, 0, 3)  # (T+1, B, N, 2)
    assert_allclose(values, real[:T], rtol=1e-5)
    assert_allclose(outputs, raw.reshape(2, T + 1, B, 2).transpose(1, 2, 0, 3)[:T], rtol=1e-6)
    flags = batch["terminated"].astype(np.float32), batch["done"].astype(np.float32)
    r = batch["rewards"].astype(np.float32)
    want = gae(r, real[..., 0].astype(np.float32), *flags, config.gamma, config.gae_lambda)
    assert_allclose(adv_ind, want, rtol=1e-4, atol=1e-4)
    assert_allclose(ret[..., 1], adv_col + real[:T, ..., 1], rtol=1e-5, atol=1e-5)
    assert np.abs(values - outputs).max() > 1.0  # the two differ: the check is not vacuous


def _huber(e, delta):
    return np.where(np.abs(e) <= delta, 0.5 * e**2, delta * (np.abs(e) - 0.5 * delta))


def test_value_loss_uses_normalised_targets_after_the_minibatch_update():
    """One epoch of one minibatch: the logged value loss is the Huber loss (delta 0.5) of
    the clipped values against returns normalised by statistics updated with the live
    samples' returns first (MAPPO's order); every piece by hand."""
    _, config, state, data = _setup(value_norm=True, huber_delta=0.5, clip_value_loss=True)
    state["value_norm"], _, _ = _known_statistics(2)
    data = dict(data, old_values=data["old_values"] - 0.5)  # so that clipping acts
    data["live"] = data["live"].copy()
    data["live"][:, :3] = False  # reset steps: neither in the statistics nor in the loss
    data["ret"] = data["ret"].copy()
    data["ret"][:, :3] = 1e6  # would swamp the statistics if they were counted
    R, live = data["ret"].astype(np.float64), data["live"][0]
    beta = value_norm.BETA
    mu = beta * state["value_norm"]["mu"] + (1 - beta) * R[:, live].mean(axis=1)
    nu = beta * state["value_norm"]["nu"] + (1 - beta) * (R[:, live] ** 2).mean(axis=1)
    mean, var = mu, np.maximum(nu - mu**2, 1e-2)  # d stays 1: beta + (1 - beta)
    target = (R - mean[:, None]) / np.sqrt(var)[:, None]
    V = ppo.critic_values(state["phi"], state["critic_shapes"], data["critic"])  # (N, S, 2)
    old = data["old_values"]
    clipped = old + np.clip(V - old, -config.clip, config.clip)
    per = np.maximum(_huber(target - V, 0.5), _huber(target - clipped, 0.5))
    weight = live / live.sum()
    want = np.sum(weight[None, :, None] * per) / 2  # the log divides by N
    state, stats = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    assert stats["value_loss"] == pytest.approx(want, rel=1e-4)
    assert_allclose(state["value_norm"]["mu"], mu, rtol=1e-12)
    assert np.any(np.abs(target - V) > 0.5) and np.any(np.abs(V - old) > config.clip)


def test_the_preset_sets_exactly_mappos_values_and_keeps_the_rest():
    base, mappo = Config(), preset_config("mappo")
    fields = [f.name for f in dataclasses.fields(Config)]
    changed = {f: getattr(mappo, f) for f in fields if getattr(mappo, f) != getattr(base, f)}
    assert changed == MAPPO == PRESETS["mappo"]
    for name, value in MAPPO_SAME.items():  # MAPPO's defaults that are ours already
        assert getattr(base, name) == value, name
    assert inspect.signature(adam_step).parameters["eps"].default == 1e-5  # opti_eps
    assert preset_config("mappo", update_epochs=3).update_epochs == 3
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_config("ippo")


def test_config_refuses_bad_values_of_the_new_fields():
    with pytest.raises(ValueError, match="activation"):
        Config(activation="gelu")
    with pytest.raises(ValueError, match="adv_norm_scope"):
        Config(adv_norm_scope="agent")
    with pytest.raises(ValueError, match="adv_norm_scope applies only with norm_adv"):
        Config(adv_norm_scope="buffer", norm_adv=False)
    with pytest.raises(ValueError, match="huber_delta must be >= 0"):
        Config(huber_delta=-1.0)
    with pytest.raises(TypeError, match="layer_norm must be True or False"):
        Config(layer_norm=1)


def test_a_preset_run_resumes_bit_for_bit(tmp_path):
    def run(updates, out, resume=False):
        config = preset_config("mappo", method="aga", lam=100.0, num_envs=4, num_steps=8,
                               hidden=6, update_epochs=3, env_steps=32 * updates)  # fmt: skip
        env = NoisyMatrixEnv(PRISONERS_DILEMMA, num_envs=4)
        return train(env, config, out=str(out), resume=resume, log=lambda *a: None)

    whole, rows = run(4, tmp_path / "whole")
    run(2, tmp_path / "cut")
    resumed, rows_resumed = run(4, tmp_path / "cut", resume=True)
    for key in ("theta", "phi"):
        assert np.array_equal(whole[key], resumed[key])
    for key in ("mu", "nu", "d"):
        assert np.array_equal(whole["value_norm"][key], resumed["value_norm"][key])
    assert whole["value_norm"]["d"] > 0 and whole["critic_shapes"].arch.layer_norm
    assert [r["value_loss"] for r in rows] == [r["value_loss"] for r in rows_resumed]


TINY = ["train", "--env", "harvest", "--num-envs", "2", "--num-steps", "8", "--hidden", "8",
        "--max-steps", "12", "--num-agents", "2", "--no-plot", "--no-tensorboard"]  # fmt: skip


def test_the_command_line_preset_records_its_name_and_explicit_options_win(tmp_path, capsys):
    out = str(tmp_path / "run")
    main([*TINY, "--preset", "mappo", "--update-epochs", "2", "--env-steps", "16", "--out", out])
    with open(f"{out}/config.json") as f:
        saved = json.load(f)
    assert saved["preset"] == "mappo" and saved["update_epochs"] == 2
    assert all(saved[k] == v for k, v in MAPPO.items() if k != "update_epochs")
    main(["train", "--out", out, "--resume", "--env-steps", "32", "--no-plot", "--no-tensorboard"])
    with open(f"{out}/config.json") as f:
        assert json.load(f)["preset"] == "mappo"  # a resume without --preset keeps it
    with pytest.raises(SystemExit):  # the preset's 15 epochs against the run's 2
        main(["train", "--out", out, "--resume", "--preset", "mappo", "--env-steps", "48"])
    assert "--update-epochs 2, this command --update-epochs 15" in capsys.readouterr().err
    fresh, resumed = (Namespace(preset=None, resume=r) for r in (False, True))
    assert preset_meta(fresh) == {"preset": None} and preset_meta(resumed) == {}


def test_sweep_passes_the_preset_to_every_run(capsys):
    main(["sweep", "--env-steps", "1000", "--seeds", "0", "--envs", "harvest", "--methods",
          "aga", "simul-co", "--lams", "100", "--preset", "mappo", "--print-commands"])  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all("--preset mappo" in line for line in lines)


@pytest.mark.parametrize("method", ["simul-ind", "aga"])
def test_one_minibatch_is_the_same_update_in_any_order(method):
    """ppo.update leaves a single minibatch of the whole batch in its own order (no gather in
    every epoch): the update of the batch with its samples permuted agrees to rounding."""
    _, config, state, data = _setup(method=method, update_epochs=3, layer_norm=True,
                                    activation="relu", value_norm=True, huber_delta=10.0,
                                    clip_value_loss=True, adv_norm_scope="buffer")  # fmt: skip
    perm = np.random.default_rng(5).permutation(data["actions"].shape[1])
    permuted = {k: v if v is None or k == "critic" or np.ndim(v) < 2 else v[:, perm]
                for k, v in data.items()}  # fmt: skip
    permuted["critic"] = data["critic"][perm]  # MAPPO's states (S, F)
    runs = []
    for d in (data, permuted):
        s = copy.deepcopy(state)
        runs.append(ppo.update(s, d, config, config.lr, np.random.default_rng(0))[0])
    assert not np.allclose(runs[0]["theta"], state["theta"], rtol=0, atol=1e-6)  # it moved
    for key in ("theta", "phi"):
        assert_allclose(runs[0][key], runs[1][key], rtol=1e-4, atol=1e-6)
