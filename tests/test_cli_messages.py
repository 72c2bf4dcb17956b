"""The command line against what a new user hit (issue 18, items 5-10): bad input refused
before any work, options the method would ignore, flag names in messages, help texts.
Items 1-4: ``test_cli_traps.py``. Every test runs the real command (``figures.cli.main``)
on tiny runs."""

import pytest

from aga_ref.rl.config import Config
from figures.cli import main
from tests.cli_setup import TINY, refused, train

# 5, 6. Bad input fails before any work, naming the flag


@pytest.mark.parametrize("env", ["harvest", "cleanup"])
def test_one_agent_is_refused_before_any_work(tmp_path, capsys, env):
    argv = ["train", "--env", env, "--num-agents", "1", "--out", str(tmp_path / "r")]
    out, err = refused(argv, capsys)
    assert out == "" and "--num-agents must be 2 or more" in err
    assert not (tmp_path / "r").exists()


def test_reproduce_refuses_a_negative_seed_before_any_work(tmp_path, capsys):
    out, err = refused(["reproduce", "--quick", "--seed", "-1", "--out", str(tmp_path / "r")],
                       capsys)  # fmt: skip
    assert "--seed" in err and not (tmp_path / "r").exists()


@pytest.mark.parametrize("command", [
    ["reproduce", "--quick"], ["train", *TINY, "--env-steps", "16"],
    ["sweep", "--env-steps", "16", "--envs", "harvest", "--methods", "sl"],
    ["plot", "RUN", "--no-gif"], ["plot", "RUN", "--diagnostics"], ["probe", "RUN"],
])  # fmt: skip
@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_an_out_that_cannot_be_a_folder_is_refused_cleanly(tmp_path, capsys, command, where):
    if "RUN" in command:
        train(tmp_path / "run", "--env-steps", "16")
        command = [str(tmp_path / "run") if w == "RUN" else w for w in command]
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" if where == "a file" else tmp_path / "file" / "sub"
    if command[0] == "reproduce":  # returns its status (as with --update-readme)
        assert main([*command, "--out", str(out)]) == 2
        err = capsys.readouterr().err
    else:
        _, err = refused([*command, "--out", str(out)], capsys)
    assert "--out" in err and "Traceback" not in err


# 7. Options the chosen method (or command) would ignore are refused


@pytest.mark.parametrize("argv, message", [
    (["train", "--env", "harvest", "--method", "simul-co", "--sign-rule", "exact"],
     "--sign-rule 'exact' applies only to method 'aga'"),
    (["train", "--env", "harvest", "--method", "cga", "--no-align"],
     "--no-align applies only to method 'aga'"),
    (["train", "--env", "harvest", "--no-align", "--sign-rule", "exact"],
     "--sign-rule does not apply with --no-align"),
    (["train", "--env", "harvest", "--method", "sl", "--svo-weight", "0.3"],
     "--svo-weight 0.3 applies only to method 'svo'"),
    (["train", "--env", "harvest", "--method", "aga", "--fcgrad-beta", "0.5"],
     "--fcgrad-beta 0.5 applies only to method 'fcgrad'"),
    (["sweep", "--methods", "simul-ind", "--lams", "5", "--env-steps", "10"],
     "--lams does not apply"),
    (["sweep", "--grid", "mechanism", "--methods", "aga", "--env-steps", "10"],
     "--methods does not apply with --grid mechanism"),
    (["plot", "RUN", "--section", "x"], "--section does not apply without --update-readme"),
    (["plot", "RUN", "--no-gif", "--gif-from", "RUN"], "--gif-from does not apply"),
])  # fmt: skip
def test_ignored_options_are_refused(tmp_path, capsys, argv, message):
    argv = [str(tmp_path) if w == "RUN" else w for w in argv]
    out, err = refused(argv + ["--out", str(tmp_path / "out")], capsys)
    assert message in err and out == "" and not (tmp_path / "out").exists()


def test_config_refuses_fields_its_method_ignores():
    with pytest.raises(ValueError, match="sign_rule='exact' applies only to method 'aga'"):
        Config(method="simul-co", sign_rule="exact")
    with pytest.raises(ValueError, match="sl_alpha=2.0 applies only to method 'sl'"):
        Config(method="svo", sl_alpha=2.0)
    assert Config(method="svo", svo_weight=0.3).svo_weight == 0.3


# 8. Integers in scientific notation, flag names in messages, missing folders, plurals


def test_integral_scientific_notation_is_accepted_and_fractions_refused(capsys):
    from figures.train import make_parser
    from figures.train_options import config_from

    args = make_parser().parse_args(["--env", "harvest", "--env-steps", "1e6"])
    assert config_from(args).env_steps == 1_000_000
    assert make_parser().parse_args(["--env", "harvest", "--num-envs", "1.6e1"]).num_envs == 16
    _, err = refused(["train", "--env", "harvest", "--env-steps", "2.5"], capsys)
    assert "argument --env-steps: expected an integer, got '2.5'" in err


@pytest.mark.parametrize("extra, message", [
    (["--num-minibatches", "3"], "--num-minibatches must divide --num-envs * --num-steps = 16"),
    (["--optimizer", "adam", "--sgd-lr", "0.1"], "--sgd-lr applies only to optimizer 'sgd'"),
    (["--num-agents", "50"], "--num-agents must be at most"),
    (["--max-steps", "0"], "--max-steps must be a positive integer"),
    (["--seed", "-1"], "--seed must be an integer >= 0"),
])  # fmt: skip
def test_messages_name_the_flag_the_user_typed(tmp_path, capsys, extra, message):
    _, err = refused(["train", *TINY, *extra, "--out", str(tmp_path / "r")], capsys)
    assert message in err


def test_plot_names_a_missing_folder_and_runs_without_episodes(tmp_path, capsys):
    _, err = refused(["plot", str(tmp_path / "nowhere")], capsys)
    assert "does not exist" in err
    train(tmp_path / "r", "--env-steps", "8", "--max-steps", "100")  # no episode ends
    assert main(["plot", str(tmp_path / "r"), "--no-gif"]) == 0
    assert "no episode has finished yet in" in capsys.readouterr().out
    assert "No episode had finished in" in (tmp_path / "r" / "summary.md").read_text()


# 9, 10. Help: complete sentences, every option explained, SW and E defined


def _parsers():
    from figures import cli, feature_probe, game_family, paired, sweep, train, train_plot

    modules = (cli, train, sweep, train_plot, feature_probe, game_family, paired)
    return [m.make_parser() for m in modules]


@pytest.mark.parametrize("parser", _parsers(), ids=lambda p: p.prog)
def test_every_option_has_help_and_the_description_is_whole(parser):
    for action in parser._actions:  # argparse keeps no public list of them
        assert action.help, (parser.prog, action.dest)
    assert parser.description.rstrip().endswith("."), parser.description
    assert "``" not in parser.format_help()


@pytest.mark.parametrize("command", ["reproduce", "demo", "cases", "verify", "train", "plot",
                                     "sweep", "probe", "family", "paired", None])  # fmt: skip
def test_help_prints_without_rst_markup(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"] if command else ["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text and "usage:" in text
    if command is None:
        assert "Cleanup, Harvest or Selfish-MMM2" in text


def test_sw_and_e_are_explained_in_help_banner_and_progress(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "SW  social welfare: the collective return" in text and "1 - Gini" in text
    train(tmp_path, "--env-steps", "8", "--max-steps", "100")
    out = capsys.readouterr().out
    assert "SW: collective return" in out and "E: their equality (1 - Gini)" in out
    assert "SW, E: no episode finished yet" in out


def test_flag_names_turns_field_names_into_flags():
    from figures.arguments import flag_names

    names = ["lam", "method", "align", "env_steps", "num_envs"]
    assert flag_names("lam applies, got lam=1.0 with method='sl'", names) == \
        "--lam applies, got --lam 1.0 with --method 'sl'"  # fmt: skip
    assert flag_names("align=False needs aga; env_steps >= num_envs", names) == \
        "--no-align needs aga; --env-steps >= --num-envs"  # fmt: skip
    assert flag_names("the method and its lam", names) == "the method and its lam"  # prose
