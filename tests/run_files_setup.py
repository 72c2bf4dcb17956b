"""Shared set-up of the tests of killed, stopped and resumed runs (``test_run_files.py``,
``test_train_signals.py``): a tiny ``aga-ref train`` command, its progress table, the
uninterrupted runs that are the oracle, a run in a process of its own with the fault hook
(``AGA_REF_TEST_FAULT``, ``aga_ref.rl.runfiles``), a run as a real process, and the check
that a run ended as the oracle did.

A run with the fault hook is forked from a fork server (``multiprocessing``'s
``forkserver``), never from pytest: once a test has imported JAX
(``tests/test_conformance_adapters.py``), pytest runs JAX's threads, and a fork of a
process with threads may deadlock (JAX warns at every ``os.fork``). The server is a fresh
interpreter with one BLAS thread and no other, started once (by fork and exec, which runs
no fork handlers) with the trainer imported, so that a run costs no interpreter start: a
new interpreter per run (``subprocess``) took about 2.5 s a run against 0.5 s on the busy
2-core machine."""

import csv
import multiprocessing
import os
import subprocess
import sys
import time
from multiprocessing import forkserver
from unittest import mock

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
    """Run ``aga-ref ARGV`` in a child of the fork server with the fault hook set to
    ``fault``; return its exit code (negative: the signal that ended it) and what it
    printed."""
    process = fork_server().Process(target=_run, args=(argv, fault, str(log)))
    process.start()
    process.join()
    with open(log) as f:
        return process.exitcode, f.read()


def fork_server():
    """The ``forkserver`` context, its server started (once) with the trainer imported and
    one BLAS thread (``OPENBLAS_NUM_THREADS`` is read when numpy is imported)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.run_files_setup", "figures.train", "aga_ref.rl.train",
                                    "tensorboardX"])  # fmt: skip
    with mock.patch.dict(os.environ, {"OPENBLAS_NUM_THREADS": "1"}):
        forkserver.ensure_running()
    return context


def _run(argv, fault, log):
    """``aga-ref ARGV`` in the child: what it prints goes to ``log``, and its exit code
    (``SystemExit``'s) is the process's."""
    os.environ[runfiles.FAULT_HOOK] = fault
    sys.stdout = sys.stderr = open(log, "w", buffering=1)
    raise SystemExit(main(argv))


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
