"""A sweep run again over runs it made (a trial of the documented commands): runs keep
their options, finished or not, and the sweep refuses a change before any run starts; a
run of a sweep points to the sweep's way out, not to ``--overwrite``; its lines name each
run's own duration, what the stopped runs left and the failed runs plainly; a
``--print-commands`` read by ``head`` ends quietly. ``test_requeue_sweep.py``: killed and
stopped sweeps."""

import os
import shlex
import subprocess
import sys
import time

import pytest

from figures.cli import main
from figures.sweep_processes import run_all, under_way
from tests.requeue_setup import OPTIONS, ROOT, refused

RUN = "harvest-aga-lam0.1-s0"


def _sweep(out, steps, *after, ours=()):
    """``aga-ref sweep``'s arguments: AgA lam = 0.1 on Harvest, seeds 0 and 1, tiny runs;
    ``ours``: more of the sweep's options, ``after``: more after ``--``."""
    return ["sweep", "--envs", "harvest", "--methods", "aga", "--lams", "0.1", "--seeds", "0",
            "1", "--env-steps", str(steps), "--jobs", "1", "--out", str(out), *ours, "--",
            *OPTIONS, *after]  # fmt: skip


def _run_seed_0(out, steps, capsys):
    """Run seed 0's printed line in this process (the sweep's own command for it)."""
    assert main(_sweep(out, steps, ours=["--print-commands"])) == 0
    line = shlex.split(capsys.readouterr().out.splitlines()[0])
    assert main(line[1:]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("later", [32, 64], ids=["finished", "unfinished"])
@pytest.mark.parametrize("change, old, new", [
    (["--hamiltonian-estimator", "split"], "--hamiltonian-estimator same",
     "--hamiltonian-estimator split"),
    (["--num-envs", "4"], "--num-envs 2", "--num-envs 4"),
])  # fmt: skip
def test_a_sweep_refuses_to_change_a_runs_options_before_any_run_starts(
    tmp_path, capsys, later, change, old, new
):
    _run_seed_0(tmp_path, 32, capsys)  # 2 updates; a sweep of 64 steps would continue it
    error = refused(_sweep(tmp_path, later, *change), capsys)
    folder = tmp_path / RUN
    assert f"{folder} was made with other options: the run has {old}, this command {new}." \
        in error  # fmt: skip
    assert f"delete {folder} and run the sweep again, or give the sweep another --out" in error
    assert not (tmp_path / "harvest-aga-lam0.1-s1").exists()  # seed 1 never started


def test_a_sweeps_run_with_other_options_points_to_the_sweeps_way_out(tmp_path, capsys,
                                                                      monkeypatch):  # fmt: skip
    # the trainer meets the change itself when the folder changed after the sweep's check
    _run_seed_0(tmp_path, 32, capsys)
    monkeypatch.setenv("AGA_REF_SWEEP_COMMAND", "aga-ref sweep ...")
    argv = ["train", "--env", "harvest", "--method", "aga", "--lam", "0.1", *OPTIONS,
            "--num-envs", "4", "--env-steps", "64", "--no-plot", "--out", str(tmp_path / RUN),
            "--resume-or-start"]  # fmt: skip
    error = refused(argv, capsys)
    assert error.startswith("aga-ref train: error: --resume-or-start: ")
    assert "give the sweep another --out" in error and "--overwrite" not in error


def test_a_failed_run_is_named_plainly_and_its_log_names_the_flag_typed(tmp_path, capsys):
    _run_seed_0(tmp_path, 32, capsys)
    path = tmp_path / RUN / "checkpoint.npz"  # cut, and no previous one: nothing to resume
    path.write_bytes(path.read_bytes()[:100])
    assert main(_sweep(tmp_path, 32)) == 1  # seed 1 runs, seed 0 fails
    assert capsys.readouterr().err.splitlines()[-1] == f"failed runs: {RUN}"
    log = (tmp_path / f"{RUN}.log").read_text().splitlines()[-1]
    assert log.startswith("aga-ref train: error: --resume-or-start: ")
    assert log.endswith(f"delete {tmp_path / RUN} and run the sweep again, or give the sweep "
                        f"another --out")  # fmt: skip


def test_each_run_is_timed_from_its_own_start(tmp_path):
    waits = {"first": 1.0, "second": 0.3}  # one at a time: the second starts after the first
    jobs = [(name, [sys.executable, "-c", f"import time; time.sleep({s})"],
             str(tmp_path / "log"), dict(os.environ)) for name, s in waits.items()]  # fmt: skip
    took, start = {}, time.monotonic()
    assert run_all(jobs, 1, lambda name, code, seconds: took.update({name: seconds})) is None
    assert took["second"] < 0.3 + 0.5 < time.monotonic() - start  # not since the sweep began
    assert took["first"] >= 1.0 and took["second"] >= 0.3


def test_the_stop_line_says_which_stopped_runs_hold_a_checkpoint(tmp_path):
    for name in ("a", "b", "c"):
        os.makedirs(tmp_path / name)
    (tmp_path / "a" / "checkpoint.npz").write_bytes(b"")
    ended = {"a": 143, "b": -15, "c": 0}  # b was stopped while Python started: no file
    assert under_way(str(tmp_path), ended) == ("2 runs under way: 1 with a checkpoint, 1 "
                                                "without one (they start over)")  # fmt: skip
    assert under_way(str(tmp_path), {"a": 130}) == "1 run under way, each with its checkpoint"
    assert under_way(str(tmp_path), {"c": 0}) == "no run was under way"


def test_print_commands_into_a_closed_pipe_ends_quietly(tmp_path):
    argv = [
        sys.executable,
        "-m",
        "figures.cli",
        "sweep",
        "--grid",
        "mechanism",
        "--seeds",
        *map(str, range(30)),
        "--env-steps",
        "16",
        "--print-commands",
    ]  # 720 lines, >64 KiB
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env=dict(os.environ, PYTHONPATH=ROOT))  # fmt: skip
    assert process.stdout.readline().startswith(b"aga-ref train ")
    process.stdout.close()  # as head does after its lines
    assert process.wait(timeout=60) == 1  # the docs' recipe: exit 1, no traceback
    assert process.stderr.read() == b""


@pytest.mark.parametrize("envs, after, message", [
    (["harvest"], ["--lr", "-1"], "--lr must be a finite number > 0, got -1.0"),
    (["harvest", "mmm2"], ["--num-agents", "3"], "--num-agents is 10 for mmm2, got 3"),
])  # fmt: skip
def test_a_value_the_trainer_would_refuse_is_refused_by_the_sweep(tmp_path, capsys, envs, after,
                                                                   message):  # fmt: skip
    # a finished run is skipped, so its trainer never saw the bad value: exit 0, silently
    _run_seed_0(tmp_path, 32, capsys)
    argv = _sweep(tmp_path, 32, *after)
    argv[argv.index("--envs") + 1 : argv.index("--methods")] = envs
    said = refused(argv, capsys)
    assert "after --, for aga-ref train, in the grid's run " in said
    assert f"): {message}" in said


def test_a_conflict_with_the_grids_own_flags_names_the_grids_run(capsys):
    # --no-hamiltonian is the mechanism grid's variant, not the user's: say whose it is
    said = refused(["sweep", "--grid", "mechanism", "--envs", "harvest", "--seeds", "0",
                    "--env-steps", "32", "--out", "unused", "--", "--hamiltonian-layers",
                    "output"], capsys)  # fmt: skip
    assert (
        "in the grid's run harvest-aga-lam100-adam-no-hamiltonian-s0 (--env harvest "
        "--method aga --lam 100 --no-hamiltonian --seed 0): --hamiltonian-layers 'output' "
        "restricts"
    ) in said
