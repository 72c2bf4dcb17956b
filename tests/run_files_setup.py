"""Shared set-up of the tests of killed, stopped and resumed runs (``test_run_files.py``,
``test_train_signals.py``): a tiny ``aga-ref train`` command, its progress table, the
uninterrupted runs that are the oracle, a run in a forked child of this process with the
fault hook (``AGA_REF_TEST_FAULT``, ``aga_ref.rl.runfiles``; a fork costs no interpreter
start), a run as a real process, and the check that a run ended as the oracle did."""

import csv
import os
import subprocess
import sys
import time

from aga_ref.rl import runfiles
from aga_ref.rl.progress import read_table
from figures.cli import main

TINY = ["--env", "harvest", "--num-envs", "2", "--num-steps", "8", "--num-minibatches", "2",
        "--hidden", "8", "--max-steps", "12", "--num-agents", "3", "--no-plot",
        "--no-tensorboard", "--checkpoint-every", "2"]  # fmt: skip
SHORT, LONG = 96, 384  # 6 updates (checkpoints at 2, 4, 6) and 24 updates


def command(out, steps=SHORT):
    return ["train", *TINY, "--env-steps", str(steps), "--out", str(out)]


def table(folder):
    """progress.csv without its time column, and the file's last byte (a newline)."""
    with open(os.path.join(folder, "progress.csv"), newline="") as f:
        text = f.read()
    rows = csv.DictReader(text.splitlines())
    rows = [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]
    return rows, text[-1:]


def reference_runs(folder):
    """{budget: progress table} of uninterrupted runs in ``folder``."""
    runs = {}
    for steps in (SHORT, LONG):
        assert main(command(folder / str(steps), steps)) == 0
        runs[steps] = table(folder / str(steps))
    assert len(runs[SHORT][0]) == 6 and runs[SHORT][1] == "\n"
    return runs


def child(argv, fault, log):
    """Run ``aga-ref ARGV`` in a forked child with the fault hook set to ``fault``; return
    its exit code (negative: the signal that ended it) and what it printed."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.environ[runfiles.FAULT_HOOK] = fault
            runfiles._writes.clear()
            sys.stdout = sys.stderr = open(log, "w", buffering=1)
            code = main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(log) as f:
        return os.waitstatus_to_exitcode(status), f.read()


def again(out, steps=SHORT):
    """The same command once more, as a scheduler's requeue runs it: ``--resume-or-start``
    continues the run if its folder holds a checkpoint and starts it otherwise."""
    return main(command(out, steps) + ["--resume-or-start"])


def assert_complete(out, reference, steps=SHORT):
    assert table(out) == reference[steps]
    leftover = [n for n in os.listdir(out) if n.endswith((".tmp", ".tmp.npz"))]
    assert leftover == []


def started(out, steps):
    """Start ``aga-ref train`` as a process; return it once its first row is on disk."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    argv = [sys.executable, "-m", "figures.cli", *command(out, steps)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    path = os.path.join(out, "progress.csv")
    while process.poll() is None and not (os.path.exists(path) and read_table(path)):
        time.sleep(0.02)
    return process
