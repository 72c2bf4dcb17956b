"""The mechanism study's tools: ``aga-ref probe`` against closed forms, ``aga-ref plot
--diagnostics`` and ``aga-ref sweep --grid mechanism`` on real (tiny) runs, bad input."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl.config import Config
from aga_ref.rl.policy import layer_shapes, num_params
from aga_ref.rl.train import train
from figures.cli import main
from figures.feature_probe import probe
from figures.sweep import MECHANISM, mechanism_runs
from games.gridworld import make_env


def test_probe_closed_forms():
    shapes = layer_shapes(4, 3, 5)
    x = np.random.default_rng(0).standard_normal((2, 50, 4))
    silent = probe(np.zeros((2, num_params(shapes))), shapes, x)
    # zero weights: silent units, constant logits, the uniform policy
    assert silent["act_l1"] == silent["act_l2"] == silent["logit_std"] == 0
    assert_allclose(silent["entropy"], np.log(5))
    theta = np.zeros((2, num_params(shapes)))
    theta[:, 12:15] = 1e3  # b_1 (after W_1's 12 entries): every first-layer unit at tanh = 1
    loud = probe(theta, shapes, x)
    assert loud["act_l1"] == 1 and loud["sat_l1"] == 1 and loud["sat_l2"] == 0


def _tiny_run(path, **kwargs):
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    settings = dict(env_steps=48, num_envs=2, num_steps=8, hidden=8, num_minibatches=2)
    config = Config(**{**settings, **kwargs})
    train(env, config, out=str(path), log=lambda *a: None,
          meta={"env": "harvest", "num_agents": 3, "max_steps": 12})  # fmt: skip


def test_diagnostics_and_probe_commands_write_their_files(tmp_path, capsys):
    _tiny_run(tmp_path / "a", method="aga", lam=100.0)
    _tiny_run(tmp_path / "b", method="simul-ind", optimizer="sgd")
    runs = [str(tmp_path / "a"), str(tmp_path / "b")]
    assert main(["plot", "--diagnostics", *runs, "--out", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "harvest_diagnostics.png").stat().st_size > 10_000
    table = (tmp_path / "d" / "harvest_diagnostics.md").read_text()
    assert "aga lam=100" in table and "simul-ind (sgd, lr 0.05)" in table
    assert main(["probe", *runs, "--out", str(tmp_path / "p")]) == 0
    table = (tmp_path / "p" / "harvest_probe.md").read_text()
    assert table.count("| trained |") == 2 and table.count("| initial |") == 2


@pytest.mark.parametrize("argv, message", [
    (["plot", "--diagnostics", "no-such-run"], "must hold an aga-ref train run"),
    (["probe", "no-such-run", "--out", "x"], "must hold an aga-ref train run"),
])  # fmt: skip
def test_mechanism_tools_reject_bad_input(argv, message, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err


def test_mechanism_grid_every_variant_parses_and_seeds_come_outermost():
    from figures.train import add_arguments, config_from

    runs = mechanism_runs(["harvest"], [0, 1])
    assert len(runs) == 2 * len(MECHANISM)
    assert all(name.endswith("-s0") for name, _ in runs[: len(MECHANISM)])
    import argparse

    for name, args in runs:
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        config = config_from(parser.parse_args(args + ["--env-steps", "1000"]))
        assert ("no-hamiltonian" in name) == (not config.hamiltonian), name
        assert ("sgd" in name) == (config.optimizer == "sgd"), name
        assert ("no-align" in name) == (not config.align), name


def test_a_seed_given_twice_is_refused_and_budgets_stay_apart(tmp_path, capsys):
    _tiny_run(tmp_path / "a", method="simul-ind")
    _tiny_run(tmp_path / "b", method="simul-ind", all_gradients=True)  # same label and seed
    with pytest.raises(SystemExit):
        main(["plot", "--diagnostics", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
              str(tmp_path / "d")])  # fmt: skip
    assert "with seed 0" in capsys.readouterr().err
    _tiny_run(tmp_path / "c", method="simul-ind", seed=1, env_steps=32)  # another budget
    assert main(["plot", "--diagnostics", str(tmp_path / "b"), str(tmp_path / "c"), "--out",
                 str(tmp_path / "e")]) == 0  # fmt: skip
    table = (tmp_path / "e" / "harvest_diagnostics.md").read_text()
    assert "simul-ind (48 steps)" in table and "simul-ind (32 steps)" in table


def test_train_help_prints(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", "--help"])
    assert stop.value.code == 0 and "--all-gradients" in capsys.readouterr().out


def test_sgd_options_without_sgd_are_refused():
    with pytest.raises(ValueError, match="sgd_lr applies only to optimizer 'sgd'"):
        Config(sgd_lr=0.2)


def test_diagnostics_smoothing_leaves_blanks_out_of_each_window():
    from figures.diagnostics_plot import SMOOTH, _smooth

    v = np.arange(1.0, SMOOTH + 3)
    v[1] = np.nan
    y = _smooth(v)
    assert len(y) == len(v) - SMOOTH + 1
    window = v[:SMOOTH]
    assert_allclose(y[0], np.nanmean(window))  # not a mean with the blank counted as 0
    assert_allclose(y[-1], np.mean(v[-SMOOTH:]))
    assert np.all(np.isnan(_smooth(np.full(SMOOTH + 1, np.nan))))
