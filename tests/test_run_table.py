"""aga-ref plot's per-run table (figures/run_table.py): each run's final values, its peak
and the step of its peak, its commit and its early instruments, against values computed by
hand from a progress file written here."""

import csv
import json

import numpy as np
import pytest

from figures.cli import main
from figures.run_table import commit_of, peak


def _run(folder, seed, welfare, share, command):
    """A Harvest run: one row per update at 16 env-steps each; ``welfare`` None: no
    episode finished in that update."""
    folder.mkdir(parents=True)
    config = {"env": "harvest", "method": "aga", "lam": 100.0, "seed": seed,
              "env_steps": 16 * len(welfare), "num_agents": 3, "max_steps": 1000,
              "commands": [command]}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    with open(folder / "progress.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["update", "env_steps", "episodes_finished", "social_welfare",
                         "equality", "entropy", "hvp_dominated_share"])  # fmt: skip
        for u, (sw, h) in enumerate(zip(welfare, share), start=1):
            writer.writerow([u, 16 * u, 0 if sw is None else 1, "" if sw is None else sw,
                             "" if sw is None else 0.5, 2.0 - 0.01 * u, h])  # fmt: skip


def test_each_run_has_its_final_values_peak_commit_and_early_instruments(tmp_path):
    welfare = [None, 1, 5, 9, 4, None, 2, 0] + [None] * 4  # rows with episodes: 1 5 9 4 2 0
    share = [0.5] * 5 + [0.1] * 7
    _run(tmp_path / "a", 0, welfare, share, "aga-ref train --seed 0  # commit 0123456789ab")
    _run(tmp_path / "b", 1, [3.0] * 12, share,
         "aga-ref train --seed 1  # commit fedcba987654 with uncommitted changes")  # fmt: skip
    out = tmp_path / "plots"
    assert main(["plot", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out),
                 "--no-gif"]) == 0  # fmt: skip
    with open(out / "harvest_runs.csv") as f:
        rows = {r["seed"]: r for r in csv.DictReader(f)}
    a, b = rows["0"], rows["1"]
    # the windows of 3 rows with episodes: (1 5 9) 5, (5 9 4) 6, (9 4 2) 5, (4 2 0) 2
    assert float(a["peak_social_welfare"]) == pytest.approx(6.0)
    assert float(a["peak_env_steps"]) == 16 * 5  # the window's last row: update 5
    assert float(a["final_social_welfare"]) == pytest.approx(2.0)  # (4 + 2 + 0) / 3
    assert float(a["final_entropy"]) == pytest.approx(2.0 - 0.01 * 11)  # every update's
    assert float(a["early_hvp_dominated_share"]) == pytest.approx((5 * 0.5 + 5 * 0.1) / 10)
    assert (a["commit"], b["commit"]) == ("0123456789ab", "fedcba987654+")
    assert a["group"] == b["group"] == "aga lam=100" and a["lam"] == "100.0"
    assert int(a["env_steps"]) == 16 * 8 and int(a["budget"]) == 16 * 12


def test_a_run_without_a_recorded_commit_and_a_short_run_have_blanks():
    assert commit_of({"commands": ["aga-ref train --seed 0"]}) == ""
    assert commit_of({}) == ""
    high, at = peak(np.array([16.0, 32.0]), np.array([1.0, 2.0]), 3)
    assert np.isnan(high) and np.isnan(at)


def test_a_final_value_comes_from_the_last_rows_only(tmp_path):
    """A Cleanup run that stops eating: its sustainability is blank in its last rows, so its
    final value is blank, as in the outcome table ("-"), not a value from earlier rows."""
    folder = tmp_path / "c"
    folder.mkdir()
    config = {"env": "cleanup", "method": "aga", "lam": 100.0, "seed": 0, "env_steps": 16 * 6,
              "num_agents": 3, "max_steps": 1000, "commands": ["aga-ref train"]}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    sustainability = [500, 400, 600, "", "", ""]  # rewards stop after the third update
    with open(folder / "progress.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["update", "env_steps", "episodes_finished", "social_welfare",
                         "equality", "sustainability", "entropy"])  # fmt: skip
        for u, s in enumerate(sustainability, start=1):
            writer.writerow([u, 16 * u, 1, 0.0 if s == "" else 1.0, 1.0, s, 1.0])
    out = tmp_path / "plots"
    assert main(["plot", str(folder), "--out", str(out), "--no-gif"]) == 0
    with open(out / "cleanup_runs.csv") as f:
        (row,) = list(csv.DictReader(f))
    assert row["final_sustainability"] == ""  # blank, so that aga-ref paired leaves it out
    assert float(row["final_social_welfare"]) == 0.0
    lines = [[cell.strip() for cell in line.strip("|").split("|")]
             for line in (out / "cleanup_outcomes.md").read_text().splitlines()
             if line.startswith("| ")]  # fmt: skip
    header, row = lines[0], lines[-1]
    assert row[header.index("sustainability")] == "-"
