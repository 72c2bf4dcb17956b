"""Extending a finished run with a larger ``--env-steps`` (``aga-ref train --resume``): where
nothing in the learner depends on the budget (no learning-rate annealing, as under
``--preset mappo``), the extended run is the run that was planned that long from the start,
row for row and parameter for parameter. docs/learning.md section 7 rests on it: its 2e7
runs continue the 5M runs of the same seed. The oracle is a run given the longer budget
from the start; with the annealing on, the two differ (the learning rate steps up at the
resume point), which this file checks too, so that the comparison can fail."""

import numpy as np
import pytest

from aga_ref.rl.checkpoint import CHECKPOINT
from figures.cli import main
from tests.requeue_setup import TINY, rows


def _run(folder, budget, *extra):
    assert main(["train", *TINY, "--out", str(folder), "--env-steps", str(budget), *extra]) == 0


def _extended(tmp_path, *extra):
    """(the rows and checkpoint of a 32-step run extended to 64, and of a 64-step run)."""
    _run(tmp_path / "short", 32, *extra)
    _run(tmp_path / "short", 64, "--resume")
    _run(tmp_path / "long", 64, *extra)
    return [(rows(tmp_path / name), np.load(tmp_path / name / CHECKPOINT, allow_pickle=True))
            for name in ("short", "long")]  # fmt: skip


@pytest.mark.parametrize("extra", [["--no-anneal-lr"], ["--preset", "mappo"]])
def test_an_extended_run_without_annealing_is_the_longer_run(tmp_path, extra):
    (extended, a), (planned, b) = _extended(tmp_path, *extra)
    assert len(extended) == len(planned) == 4
    assert extended == planned
    for key in ("theta", "phi"):  # the actors, the critics
        assert np.array_equal(a[key], b[key]), key


def test_with_the_annealing_an_extended_run_differs_from_the_longer_run(tmp_path):
    (extended, _), (planned, _) = _extended(tmp_path)
    assert extended[:2] != planned[:2]  # the short run annealed faster from its first update
