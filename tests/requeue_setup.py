"""Shared set-up of the tests of requeued runs (``test_requeue.py``,
``test_requeue_sweep.py``): a tiny Harvest run, in this process or as a real ``aga-ref``
process, its progress rows without the wall-clock column, a refused command's one error
line, and waiting on a run's progress."""

import csv
import os
import subprocess
import sys
import time

import pytest

from figures.cli import main

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


def python(argv):
    """``argv`` of the command line ``aga-ref ...`` as this interpreter runs it."""
    assert argv[0] == "aga-ref"
    return [sys.executable, "-m", "figures.cli", *argv[1:]]


def start(argv, log):
    """Start the command line ``argv`` as a process writing to ``log``, one BLAS thread."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=ROOT)
    return subprocess.Popen(python(argv), stdout=log, stderr=subprocess.STDOUT, env=env,
                            cwd=ROOT)  # fmt: skip


def wait_for(condition, seconds, what):
    """Poll ``condition()`` until it holds; fail naming ``what`` after ``seconds``."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def updates(folder):
    """The updates progress.csv counts (0 before it exists)."""
    try:
        with open(os.path.join(folder, "progress.csv")) as f:
            return max(0, len(f.read().splitlines()) - 1)
    except FileNotFoundError:
        return 0
