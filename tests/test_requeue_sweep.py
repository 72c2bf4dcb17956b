"""The lines of ``aga-ref sweep --print-commands`` killed and run again, a killed or stopped
sweep taking its ``train`` children with it and then completing their runs, how the sweep
forwards a stop, and the options it passes on after ``--`` (issue 25, items 5 and 6). The
oracle is an uninterrupted run of the same command: its ``progress.csv`` (``wall_s``
aside). ``aga-ref train --resume-or-start`` and the folder lock: ``test_requeue.py``."""

import os
import shlex
import signal
import sys
import threading

import pytest

from figures import run_lock
from figures.cli import main
from figures.sweep_processes import run_all
from tests.requeue_setup import LINUX, OPTIONS, refused, rows, start, updates, wait_for


def _sweep(out, *extra):
    """``aga-ref sweep``'s command line for two tiny Harvest runs of 30 updates each."""
    return ["aga-ref", "sweep", "--envs", "harvest", "--methods", "simul-ind", "sl", "--seeds",
            "0", "--env-steps", "480", "--out", str(out), *extra, "--", *OPTIONS]  # fmt: skip


def _printed(out, capsys):
    """The lines ``aga-ref sweep --print-commands`` prints, as argv lists."""
    capsys.readouterr()
    assert main(_sweep(out, "--print-commands")[1:]) == 0
    return [shlex.split(line) for line in capsys.readouterr().out.splitlines()]


@LINUX
def test_a_printed_sweep_line_killed_and_run_again_gives_the_uninterrupted_run(tmp_path, capsys):
    line, _ = _printed(tmp_path / "killed", capsys)
    reference, _ = _printed(tmp_path / "reference", capsys)
    assert line[:2] == ["aga-ref", "train"] and line[-1] == "--resume-or-start"
    folder = tmp_path / "killed" / "harvest-simul-ind-s0"
    with open(tmp_path / "killed.log", "w") as log:
        run = start(line, log)
        try:
            wait_for(lambda: updates(folder) >= 11, 60, "11 updates")  # past a checkpoint
        finally:
            run.kill()
        assert run.wait() == -signal.SIGKILL and updates(folder) < 30  # killed mid-run
        for _ in range(2):  # the same line again, then once more on the complete run
            assert start(line, log).wait() == 0
    assert (tmp_path / "killed.log").read_text().endswith(" is complete: 30 updates, 480 "
                                                         "env-steps; give a larger --env-steps "
                                                         "to extend it\n")  # fmt: skip
    assert main(reference[1:]) == 0  # uninterrupted
    assert rows(folder) == rows(tmp_path / "reference" / "harvest-simul-ind-s0")
    assert len(rows(folder)) == 30


def _alive(pid):
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _stop_sweep(sweep, folders, at, how):
    """Start ``sweep``, stop it with the signal ``how`` once every run's progress.csv counts
    ``at`` updates, wait until its runs are gone; return the sweep's exit code and output."""
    with open(folders[0].parent.parent / "sweep.out", "w") as log:
        running = start(sweep, log)
    try:
        wait_for(lambda: all(updates(f) >= at for f in folders), 90, f"{at} updates of each run")
        pids = [int((f / run_lock.LOCK).read_text().split()[0]) for f in folders]
        assert all(_alive(pid) for pid in pids)
    finally:
        running.send_signal(how)
    code = running.wait()
    wait_for(lambda: not any(_alive(pid) for pid in pids), 10, "the runs to end with the sweep")
    return code, (folders[0].parent.parent / "sweep.out").read_text()


@LINUX
@pytest.mark.parametrize("how", [signal.SIGKILL,
                                 pytest.param(signal.SIGTERM, marks=pytest.mark.slow)],
                         ids=["SIGKILL", "SIGTERM"])  # fmt: skip
def test_a_stopped_sweep_ends_its_runs_and_the_same_sweep_completes_them(tmp_path, capsys, how):
    sweep = _sweep(tmp_path / "sweep", "--jobs", "2")
    names = ["harvest-simul-ind-s0", "harvest-sl-s0"]
    folders = [tmp_path / "sweep" / name for name in names]
    code, out = _stop_sweep(sweep, folders, 11, how)  # SIGKILL: the runs get PDEATHSIG
    if how == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:  # forwarded to the runs, which exit 143 at a checkpoint; the sweep waits for them
        assert code == 128 + signal.SIGTERM and "stopped by SIGTERM: 0 runs not started" in out
        assert out.count(": stopped, to be continued") == 2
    assert any(updates(f) < 30 for f in folders)  # stopped mid-run
    logs = [(tmp_path / "sweep" / f"{name}.log").read_text() for name in names]
    assert main(sweep[1:]) == 0  # the same sweep again
    assert "2 runs, 0 already done" in capsys.readouterr().out
    for line in _printed(tmp_path / "reference", capsys):  # uninterrupted, in this process
        assert main(line[1:]) == 0
    for name, before in zip(names, logs):
        assert rows(tmp_path / "sweep" / name) == rows(tmp_path / "reference" / name)
        again = (tmp_path / "sweep" / f"{name}.log").read_text()[len(before) :].splitlines()
        banners = [text for text in again if text.startswith(("training ", "resuming "))]
        assert len(banners) == 1 and banners[0].startswith("resuming "), again  # one trainer
        assert not any("is in use" in text for text in again)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_sweeps_stop_reaches_each_running_child_once_and_is_waited_for(tmp_path, how):
    """``run_all`` with stand-in children that record the signals they get and take their
    time to exit."""
    child = ("import signal, sys, time\n"
             "def stop(n, f):\n"
             "    open(sys.argv[1], 'a').write(f'{n}\\n'); time.sleep(0.3); sys.exit(128 + n)\n"
             "signal.signal(signal.SIGTERM, stop)\n"
             "signal.signal(signal.SIGINT, stop)\n"
             "open(sys.argv[1] + '.up', 'w').close()\n"
             "time.sleep(60)\n")  # fmt: skip
    marks = [tmp_path / f"child{k}" for k in range(3)]
    jobs = [(f"child{k}", [sys.executable, "-c", child, str(mark)], str(tmp_path / "log"),
             dict(os.environ)) for k, mark in enumerate(marks)]  # fmt: skip
    ended, before = {}, signal.getsignal(how)

    def stop_when_up():  # runs on a thread: the signal comes to the main thread's handler
        wait_for(lambda: all(os.path.exists(f"{m}.up") for m in marks[:2]), 30, "the children")
        os.kill(os.getpid(), how)

    threading.Thread(target=stop_when_up, daemon=True).start()
    assert run_all(jobs, 2, lambda name, code, seconds: ended.update({name: code})) == how
    assert ended == {"child0": 128 + how, "child1": 128 + how}  # waited for; not the third
    assert [m.read_text() for m in marks[:2]] == [f"{how:d}\n"] * 2 and not marks[2].exists()
    assert signal.getsignal(how) is before  # the handler is put back


def test_a_sweep_inside_pytest_forks_nothing(tmp_path):
    """conftest.py's fixture: a sweep run in this process starts its children without a
    fork of pytest (no ``preexec_fn``), which JAX's threads would make unsafe."""
    forks = []
    os.register_at_fork(before=lambda: forks.append(1))  # os.fork runs it; no unregister
    job = ("child", [sys.executable, "-c", "pass"], str(tmp_path / "log"), dict(os.environ))
    assert run_all([job], 1, lambda name, code, seconds: None) is None and forks == []


@pytest.mark.parametrize("options, message", [
    (["--seed", "3"], "after --: --seed is set by the sweep for each run"),
    (["--no-align"], None),  # not set by the protocol grid: passed on
    (["--out=x"], "after --: --out is set by the sweep"),
    (["--resume"], "after --: --resume is set by the sweep"),
    (["--colour", "red"], "after --: aga-ref train has no option '--colour'"),
    (["--num-envs", "two"], "after --, for aga-ref train: argument --num-envs: expected an "
                            "integer, got 'two'"),
])  # fmt: skip
def test_sweep_passes_options_after_a_double_dash_to_every_run_and_refuses_the_grids(
    tmp_path, capsys, options, message
):
    argv = ["sweep", "--envs", "harvest", "--methods", "aga", "--lams", "1", "--seeds", "0",
            "--env-steps", "16", "--out", str(tmp_path / "out"), "--print-commands", "--",
            *options]  # fmt: skip
    if message is None:
        assert main(argv) == 0
        assert capsys.readouterr().out.rstrip().endswith(
            f"--lam 1.0 --env-steps 16 --no-align --no-plot --out {tmp_path / 'out'}/"
            "harvest-aga-lam1-s0 --resume-or-start")  # fmt: skip
    else:
        assert message in refused(argv, capsys)
    mechanism = ["sweep", "--grid", "mechanism", "--env-steps", "16", "--", "--no-align"]
    assert "after --: --no-align is set by the sweep" in refused(mechanism, capsys)  # a variant
