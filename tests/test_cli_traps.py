"""The command line against what a new user hit (issue 18, items 1-4): work lost or
misstated (the commands written next to results, a run overwritten, budgets, resume).
Items 5-10 (bad input, ignored options, messages, help): ``test_cli_messages.py``. Every
test runs the real command (``figures.cli.main``) on tiny runs."""

import json
import re

import pytest

from aga_ref.rl.config import Config
from figures.cli import main
from figures.provenance import code_version
from tests.cli_setup import TINY, refused, rows, train

# 1. The commands written next to results are the ones that made them


def test_summary_names_only_the_commands_that_ran(tmp_path, capsys):
    # the closing plot without its GIF, a 100-step film that took three quarters of this
    # test's 30 s (the GIF: tests/test_gridworld_api.py, tests/test_cli_first_use.py)
    argv = [*TINY[:-1], "--no-gif", "--env-steps", "16", "--out", str(tmp_path / "a")]
    main(["train", *argv])  # plots
    text = (tmp_path / "a" / "summary.md").read_text()
    assert "Generated from 1 run by" in text
    assert f"aga-ref train {' '.join(argv)}" in text
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
    assert "resuming aga on harvest from update 2: 48 env-steps, 3 agents, 3 updates" \
        in capsys.readouterr().out  # fmt: skip
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
    printed = capsys.readouterr().out
    assert "resuming aga on harvest from update 2: 48 env-steps, 3 agents" in printed
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


def test_a_sweep_does_not_shorten_runs(tmp_path, capsys):
    from figures.sweep import command

    folder = tmp_path / "harvest-simul-ind-s0"
    train(folder, "--env-steps", "32", "--method", "simul-ind")
    argv = ["sweep", "--envs", "harvest", "--methods", "simul-ind", "--seeds", "0",
            "--env-steps", "16", "--out", str(tmp_path)]  # fmt: skip
    _, err = refused(argv, capsys)
    assert "holds a run of 32 env-steps, more than --env-steps 16" in err
    assert command(folder.name, [], 16, str(tmp_path))[-1] == "--resume-or-start"
