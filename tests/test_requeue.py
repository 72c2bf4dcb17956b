"""Runs that a scheduler can kill and start again (issue 25, items 5 and 6), through the real
commands: ``aga-ref train --resume-or-start`` in every state a folder can be in, the lock that
allows one trainer per folder, the lines of ``aga-ref sweep --print-commands`` killed and run
again, and a killed sweep taking its ``train`` children with it. The oracle throughout is an
uninterrupted run of the same command: its ``progress.csv`` (``wall_s`` aside)."""

import csv
import errno
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

import pytest

from figures import run_lock
from figures.cli import main
from figures.sweep_processes import run_all

# a tiny run: batches of 16 env-steps, one checkpoint every 10 updates
OPTIONS = ["--num-envs", "2", "--num-steps", "8", "--num-minibatches", "2", "--hidden", "8",
           "--max-steps", "12", "--num-agents", "3", "--no-tensorboard"]  # fmt: skip
TINY = ["--env", "harvest", *OPTIONS, "--no-plot"]
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train(out, *extra):
    return main(["train", *TINY, "--out", str(out), *extra])


def rows(folder):
    """progress.csv's rows without the wall-clock column."""
    with open(os.path.join(folder, "progress.csv"), newline="") as f:
        return [{k: v for k, v in row.items() if k != "wall_s"} for row in csv.DictReader(f)]


def refused(argv, capsys):
    """Run ``argv``, expect a usage error (exit 2); return stderr's error line."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("usage:")  # usage, then the one error
    return lines[1]


def files(folder):
    """{name: bytes} of the run's files in ``folder`` (the lock's record of who last held
    the folder aside)."""
    return {name: open(os.path.join(folder, name), "rb").read() for name in os.listdir(folder)
            if os.path.isfile(os.path.join(folder, name)) and name != run_lock.LOCK}  # fmt: skip


# --resume-or-start in each state of the folder


def test_resume_or_start_starts_a_missing_or_empty_folder(tmp_path, capsys):
    train(tmp_path / "reference", "--env-steps", "48")
    assert train(tmp_path / "missing", "--env-steps", "48", "--resume-or-start") == 0
    (tmp_path / "empty").mkdir()
    assert train(tmp_path / "empty", "--env-steps", "48", "--resume-or-start") == 0
    assert capsys.readouterr().out.count("training aga on harvest: 48 env-steps") == 3
    for folder in ("missing", "empty"):
        assert rows(tmp_path / folder) == rows(tmp_path / "reference")
        assert len(rows(tmp_path / folder)) == 3


def test_resume_or_start_replaces_a_run_that_never_reached_a_checkpoint(tmp_path, capsys):
    train(tmp_path / "reference", "--env-steps", "48")
    folder = tmp_path / "run"
    train(folder, "--env-steps", "32", "--seed", "1")  # other options, other numbers
    (folder / "checkpoint.npz").unlink()  # as if killed before its first checkpoint
    (folder / "notes.txt").write_text("mine")  # not a run file: kept
    capsys.readouterr()
    assert train(folder, "--env-steps", "48", "--resume-or-start") == 0
    assert "training aga on harvest: 48 env-steps" in capsys.readouterr().out
    assert rows(folder) == rows(tmp_path / "reference")
    assert (folder / "notes.txt").read_text() == "mine" and (folder / run_lock.LOCK).exists()


def test_resume_or_start_continues_a_checkpointed_run(tmp_path, capsys):
    folder = tmp_path / "run"
    train(folder, "--env-steps", "160")  # 10 updates: checkpointed at its last
    before = rows(folder)
    capsys.readouterr()
    assert train(folder, "--env-steps", "192", "--resume-or-start") == 0
    assert "resuming aga on harvest: 192 env-steps" in capsys.readouterr().out
    after = rows(folder)
    assert len(after) == 12 and after[:10] == before  # continued, not started again


def test_resume_or_start_of_a_complete_run_says_so_in_one_line_and_changes_nothing(
    tmp_path, capsys
):
    train(tmp_path, "--env-steps", "32", "--resume-or-start")
    before = files(tmp_path)
    capsys.readouterr()
    assert train(tmp_path, "--env-steps", "32", "--resume-or-start") == 0
    assert capsys.readouterr().out == f"{tmp_path} is complete: 2 updates, 32 env-steps; give " \
        "a larger --env-steps to extend it\n"  # fmt: skip
    assert files(tmp_path) == before


@pytest.mark.parametrize("extra, named", [
    (["--gamma", "0.9"], "the run has --gamma 0.99, this command --gamma 0.9"),
    (["--seed", "3"], "the run has --seed 0, this command --seed 3"),
    (["--env-steps", "16"], "the run has --env-steps 32, this command --env-steps 16"),
])  # fmt: skip
def test_resume_or_start_refuses_changed_options_in_one_line(tmp_path, capsys, extra, named):
    train(tmp_path, "--env-steps", "32")
    before = files(tmp_path)
    capsys.readouterr()
    line = refused(["train", *TINY, "--out", str(tmp_path), "--resume-or-start", *extra], capsys)
    assert named in line
    assert files(tmp_path) == before


@pytest.mark.parametrize("other", ["--resume", "--overwrite"])
def test_resume_or_start_excludes_resume_and_overwrite(tmp_path, capsys, other):
    line = refused(["train", *TINY, "--out", str(tmp_path), "--resume-or-start", other], capsys)
    assert f"argument {other}: not allowed with argument --resume-or-start" in line


# One trainer per folder


def test_a_held_folder_is_refused_in_one_line_before_any_file_is_written(tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    with run_lock.hold(str(folder), "aga-ref train --out elsewhere"):  # another open file
        line = refused(["train", *TINY, "--env-steps", "16", "--out", str(folder)], capsys)
    assert f"--out {folder} is in use: process {os.getpid()} (aga-ref train --out " \
        "elsewhere) holds" in line and f"(kill {os.getpid()})" in line  # fmt: skip
    assert os.listdir(folder) == [run_lock.LOCK]
    assert train(folder, "--env-steps", "16") == 0  # released: a plain start, the lock
    assert len(rows(folder)) == 1  # file is no run


def test_a_file_system_without_flock_trains_unlocked_and_says_so(tmp_path, capsys, monkeypatch):
    def unsupported(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(run_lock.fcntl, "flock", unsupported)
    assert train(tmp_path, "--env-steps", "16") == 0
    err = capsys.readouterr().err
    assert f"no lock on {tmp_path / run_lock.LOCK} (No locks available: the file system does " \
        "not support flock)" in err and len(rows(tmp_path)) == 1  # fmt: skip


def _python(argv):
    """``argv`` of the command line ``aga-ref ...`` as this interpreter runs it."""
    assert argv[0] == "aga-ref"
    return [sys.executable, "-m", "figures.cli", *argv[1:]]


def _start(argv, log):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=ROOT)
    return subprocess.Popen(_python(argv), stdout=log, stderr=subprocess.STDOUT, env=env,
                            cwd=ROOT)  # fmt: skip


def _wait(condition, seconds, what):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def _updates(folder):
    """The updates progress.csv counts (0 before it exists)."""
    try:
        with open(os.path.join(folder, "progress.csv")) as f:
            return max(0, len(f.read().splitlines()) - 1)
    except FileNotFoundError:
        return 0


def _alive(pid):
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@LINUX
def test_a_second_trainer_is_refused_and_a_killed_ones_lock_is_freed(tmp_path, capsys):
    folder = tmp_path / "run"
    line = ["aga-ref", "train", *TINY, "--env-steps", "1e6", "--out", str(folder)]
    with open(tmp_path / "first.log", "w") as log:
        first = _start(line, log)
    try:
        _wait(lambda: _updates(folder) >= 1, 60, "the first trainer's first update")
        error = refused(["train", *TINY, "--env-steps", "1e6", "--out", str(folder),
                         "--resume-or-start"], capsys)  # fmt: skip
        assert f"is in use: process {first.pid} (aga-ref train " in error
        assert f"(kill {first.pid})" in error
    finally:
        first.kill()  # SIGKILL: no handler runs; the kernel releases the lock
        first.wait()
    run_lock.hold(str(folder), "test").close()  # free now


# The lines of aga-ref sweep --print-commands, and a killed sweep


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
        run = _start(line, log)
        try:
            _wait(lambda: _updates(folder) >= 11, 60, "11 updates")  # past a checkpoint
        finally:
            run.kill()
        assert run.wait() == -signal.SIGKILL and _updates(folder) < 30  # killed mid-run
        for _ in range(2):  # the same line again, then once more on the complete run
            assert _start(line, log).wait() == 0
    assert (tmp_path / "killed.log").read_text().endswith(" is complete: 30 updates, 480 "
                                                         "env-steps; give a larger --env-steps "
                                                         "to extend it\n")  # fmt: skip
    assert main(reference[1:]) == 0  # uninterrupted
    assert rows(folder) == rows(tmp_path / "reference" / "harvest-simul-ind-s0")
    assert len(rows(folder)) == 30


def _stop_sweep(sweep, folders, at, how):
    """Start ``sweep``, stop it with the signal ``how`` once every run's progress.csv counts
    ``at`` updates, wait until its runs are gone; return the sweep's exit code and output."""
    with open(folders[0].parent.parent / "sweep.out", "w") as log:
        running = _start(sweep, log)
    try:
        _wait(lambda: all(_updates(f) >= at for f in folders), 90, f"{at} updates of each run")
        pids = [int((f / run_lock.LOCK).read_text().split()[0]) for f in folders]
        assert all(_alive(pid) for pid in pids)
    finally:
        running.send_signal(how)
    code = running.wait()
    _wait(lambda: not any(_alive(pid) for pid in pids), 10, "the runs to end with the sweep")
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
    assert any(_updates(f) < 30 for f in folders)  # stopped mid-run
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
        _wait(lambda: all(os.path.exists(f"{m}.up") for m in marks[:2]), 30, "the children")
        os.kill(os.getpid(), how)

    threading.Thread(target=stop_when_up, daemon=True).start()
    assert run_all(jobs, 2, lambda name, code: ended.update({name: code})) == how
    assert ended == {"child0": 128 + how, "child1": 128 + how}  # waited for; not the third
    assert [m.read_text() for m in marks[:2]] == [f"{how:d}\n"] * 2 and not marks[2].exists()
    assert signal.getsignal(how) is before  # the handler is put back


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
