"""Shared set-up of the command-line tests (``test_cli_traps.py``,
``test_cli_messages.py``): a tiny ``aga-ref train`` run, a command expected to be refused
with a usage error, and a run's progress rows."""

import csv
import os

import pytest

from figures.cli import main

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
