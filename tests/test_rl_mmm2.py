"""The learner on Selfish-MMM2: action masks respected, the MAPPO critic on SMAC's global
state, per-agent actors on the 176 observation features, and the MMM2 outcome columns in
``progress.csv``."""

import csv

import numpy as np
import pytest

from aga_ref.rl.config import Config
from aga_ref.rl.train import experience, init_state, train
from games.smac import make_env


def small_config(**kwargs):
    return Config(**{"num_envs": 4, "num_steps": 16, "env_steps": 128, "num_minibatches": 2,
                     "hidden": 16, **kwargs})  # fmt: skip


def test_actors_read_observations_and_the_critic_reads_the_state():
    env, config = make_env("mmm2", num_envs=4, seed=0), small_config()
    state = init_state(env, config)
    assert state["theta"].shape[0] == 10  # one actor per agent, own parameters
    assert state["actor_shapes"][0][0] == 176 and state["actor_shapes"][-1][-1] == 18
    assert state["critic_shapes"][0][0] == 322 and state["critic_shapes"][-1][-1] == 2 * 10


def test_sampled_actions_are_always_available():
    """The env raises on an unavailable action, and the stored masks cover every action."""
    env, config = make_env("mmm2", num_envs=4, seed=1), small_config(num_steps=40)
    state = init_state(env, config)
    data, _ = experience(env, state, config)  # 40 steps x 4 battles x 10 agents
    chosen = np.take_along_axis(data["avail"], data["actions"][..., None], -1)[..., 0]
    assert chosen.all() and np.isfinite(data["logp"]).all()


@pytest.mark.parametrize("method", ["simul-co", "aga"])
def test_training_writes_the_mmm2_outcomes(tmp_path, method):
    env = make_env("mmm2", num_envs=4, seed=0)
    config = small_config(method=method, env_steps=4 * 16 * 6)
    _, rows = train(env, config, out=str(tmp_path), log=lambda *a: None)
    with open(tmp_path / "progress.csv", newline="") as f:
        header = next(csv.reader(f))
    for column in ["battle_won", "dead_allies", "dead_enemies", "agent_damage_0",
                   "agent_healing_9", "agent_kills_3", "return_agent_9"]:  # fmt: skip
        assert column in header, column
    finished = [r for r in rows if r["episodes_finished"]]
    assert finished, "no battle ended in 384 steps of random play"
    for row in finished:
        assert 0 <= row["battle_won"] <= 1 and 0 <= row["dead_allies"] <= 10
        damage = sum(row[f"agent_damage_{i}"] for i in range(10))
        assert damage == pytest.approx(row["agent_damage"])
        assert row["agent_damage_9"] == 0  # the Medivac (agent 9) deals no damage


def test_cli_trains_mmm2_and_films_a_battle(tmp_path, capsys):
    from figures.cli import main

    out = str(tmp_path / "run")
    argv = ["train", "--env", "mmm2", "--method", "simul-ind", "--env-steps", "256",
            "--num-envs", "4", "--num-steps", "16", "--out", out, "--no-plot"]  # fmt: skip
    assert main(argv) == 0
    from figures.train_plot import episode_gif

    path = episode_gif(out, str(tmp_path / "battle.gif"), num_steps=5)
    with open(path, "rb") as f:
        assert f.read(4) == b"GIF8"
    with pytest.raises(SystemExit):
        main(["train", "--env", "mmm2", "--num-agents", "5", "--out", out])
    assert "--num-agents is 10 for mmm2" in capsys.readouterr().err
