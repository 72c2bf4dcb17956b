"""The command line against what a new user hit (issue 18, items 1-10): work lost or
misstated, tracebacks and silently ignored options, help texts. Every test runs the real
command (``figures.cli.main``) on tiny runs."""

import csv
import json
import os
import re

import pytest

from aga_ref.rl.config import Config
from figures.cli import main
from figures.provenance import code_version

TINY = ["--env", "harvest", "--num-envs", "2", "--num-steps", "8", "--num-minibatches", "2",
        "--hidden", "8", "--max-steps", "12", "--num-agents", "3", "--no-plot"]  # fmt: skip


def train(out, *extra):
    """``aga-ref train`` of a tiny run (batches of 16 env-steps) into ``out``."""
    return main(["train", *TINY, "--out", str(out), *extra])


def refused(argv, capsys):
    """Run ``argv``, expect a clean usage error (exit 2), return (stdout, stderr)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return out, err


def rows(folder):
    with open(os.path.join(folder, "progress.csv"), newline="") as f:
        return list(csv.DictReader(f))


# 1. The commands written next to results are the ones that made them


def test_summary_names_only_the_commands_that_ran(tmp_path, capsys):
    main(["train", *TINY[:-1], "--env-steps", "16", "--out", str(tmp_path / "a")])  # plots
    text = (tmp_path / "a" / "summary.md").read_text()
    assert "Generated from 1 run by" in text
    assert f"aga-ref train {' '.join(TINY[:-1])} --env-steps 16 --out {tmp_path / 'a'}" in text
    assert "sweep" not in text and "--update-readme" not in text
    train(tmp_path / "runs" / "b", "--env-steps", "32", "--seed", "1")  # another budget
    train(tmp_path / "runs" / "c", "--env-steps", "16", "--seed", "2")
    runs = tmp_path / "runs"
    assert main(["plot", str(runs / "b"), str(runs / "c"), "--out", str(tmp_path / "p"),
                 "--no-gif"]) == 0  # fmt: skip
    text = (tmp_path / "p" / "summary.md").read_text()
    assert "Generated from 2 runs by" in text
    assert "--env-steps 32 --seed 1" in text and "--env-steps 16 --seed 2" in text
    assert f"aga-ref plot {runs}/*/ --out {tmp_path / 'p'} --no-gif" in text  # the glob
    assert "sweep" not in text and "--update-readme" not in text


def test_a_sweep_run_records_the_sweep_command(tmp_path, capsys):
    argv = ["sweep", "--envs", "harvest", "--methods", "simul-ind", "--seeds", "0",
            "--env-steps", "16", "--jobs", "1", "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    with open(tmp_path / "harvest-simul-ind-s0" / "config.json") as f:
        assert json.load(f)["commands"] == [f"aga-ref {' '.join(argv)}  # {code_version()}"]
    assert main(argv) == 0  # the same command again: nothing to do
    assert "1 run, 1 already done" in capsys.readouterr().out


# 2. An --out that holds a run is refused without --resume or --overwrite


def test_an_existing_run_is_refused_and_overwritten_only_on_request(tmp_path, capsys):
    train(tmp_path, "--env-steps", "32", "--seed", "1")
    before = (tmp_path / "progress.csv").read_text()
    capsys.readouterr()
    out, err = refused(["train", *TINY, "--out", str(tmp_path), "--env-steps", "16"], capsys)
    assert out == "" and "--resume" in err and "--overwrite" in err
    assert (tmp_path / "progress.csv").read_text() == before
    assert train(tmp_path, "--env-steps", "16", "--seed", "2", "--overwrite") == 0
    assert len(rows(tmp_path)) == 1
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["seed"] == 2


# 3. Budgets round up to whole batches, and progress never passes 100%


def test_a_budget_below_a_batch_says_it_rounds_up_and_stays_within_100_percent(tmp_path, capsys):
    train(tmp_path, "--env-steps", "5")
    out = capsys.readouterr().out
    assert "16 env-steps (a budget of 5 rounded up to whole batches of 16)" in out
    assert "1 update ->" in out and "16/16 env-steps (100%)" in out  # also item 8: singular
    assert max(int(p) for p in re.findall(r"\((\d+)%\)", out)) == 100


# 4. Resume: a longer budget extends a run; anything else changed is refused


def test_resume_extends_a_run_and_recomputes_the_annealing(tmp_path, capsys):
    train(tmp_path, "--env-steps", "32")
    first = rows(tmp_path)
    capsys.readouterr()
    assert main(["train", "--env", "harvest", "--out", str(tmp_path), "--resume",
                 "--env-steps", "48", "--no-plot"]) == 0  # fmt: skip
    assert "resuming aga on harvest: 48 env-steps, 3 agents, 3 updates" in capsys.readouterr().out
    extended = rows(tmp_path)
    assert [r["lr"] for r in extended[:2]] == [r["lr"] for r in first]
    lr = Config.lr
    assert [float(r["lr"]) for r in extended] == pytest.approx([lr, lr / 2, lr / 3])
    with open(tmp_path / "config.json") as f:
        saved = json.load(f)
    assert saved["env_steps"] == 48 and saved["num_agents"] == 3 and len(saved["commands"]) == 2


def test_resume_of_a_finished_run_says_it_is_complete(tmp_path, capsys):
    train(tmp_path, "--env-steps", "32")
    capsys.readouterr()
    assert main(["train", "--env", "harvest", "--out", str(tmp_path), "--resume"]) == 0
    assert capsys.readouterr().out == f"{tmp_path} is complete: 2 updates, 32 env-steps; give " \
        "a larger --env-steps to extend it\n"  # fmt: skip
    assert len(rows(tmp_path)) == 2


@pytest.mark.parametrize("extra, named", [
    (["--gamma", "0.9"], "the run has --gamma 0.99, this command --gamma 0.9"),
    (["--no-align"], "this command --no-align"),
    (["--env-steps", "16"], "the run has --env-steps 32, this command --env-steps 16"),
    (["--num-agents", "4"], "the run has --num-agents 3, this command --num-agents 4"),
])  # fmt: skip
def test_resume_refuses_changed_options_in_one_line(tmp_path, capsys, extra, named):
    train(tmp_path, "--env-steps", "32")
    capsys.readouterr()
    argv = ["train", "--env", "harvest", "--out", str(tmp_path), "--resume", *extra]
    out, err = refused(argv, capsys)
    assert out == "" and named in err and len(err.strip().splitlines()) == 2  # usage, error


def test_resume_takes_the_game_from_the_run_and_refuses_another(tmp_path, capsys):
    train(tmp_path, "--env-steps", "32")
    capsys.readouterr()
    assert main(["train", "--out", str(tmp_path), "--resume", "--env-steps", "48",
                 "--no-plot"]) == 0  # fmt: skip
    assert "resuming aga on harvest: 48 env-steps, 3 agents" in capsys.readouterr().out
    out, err = refused(["train", "--env", "cleanup", "--out", str(tmp_path), "--resume"], capsys)
    assert "the run has --env harvest, this command --env cleanup" in err
    _, err = refused(["train", "--resume"], capsys)
    assert "--resume needs --out" in err
    _, err = refused(["train", "--method", "aga"], capsys)
    assert "--env" in err


def test_resume_of_a_missing_folder_is_refused_before_the_banner(tmp_path, capsys):
    out, err = refused(["train", "--env", "harvest", "--out", str(tmp_path / "no"), "--resume"],
                       capsys)  # fmt: skip
    assert out == "" and "does not exist" in err and not (tmp_path / "no").exists()


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
    from figures.train import config_from, make_parser

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


def test_a_sweep_does_not_shorten_runs(tmp_path, capsys):
    from figures.sweep import command

    folder = tmp_path / "harvest-simul-ind-s0"
    train(folder, "--env-steps", "32", "--method", "simul-ind")
    argv = ["sweep", "--envs", "harvest", "--methods", "simul-ind", "--seeds", "0",
            "--env-steps", "16", "--out", str(tmp_path)]  # fmt: skip
    _, err = refused(argv, capsys)
    assert "holds a run of 32 env-steps, more than --env-steps 16" in err
    assert command(folder.name, [], 16, str(tmp_path))[-1] == "--resume-or-start"
