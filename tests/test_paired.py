"""aga-ref paired: each group's difference from a reference, paired by seed, against the
mean and Student-t interval computed here with scipy."""

import csv

import numpy as np
import pytest
from scipy import stats

from figures.cli import main


def _table(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["group", "seed", "final_social_welfare", "final_equality"])
        writer.writerows(rows)


def test_differences_are_paired_by_seed_with_a_t_interval(tmp_path, capsys):
    ref = {"0": 10.0, "1": 30.0, "2": 20.0, "3": 5.0}
    aga = {"0": 12.0, "1": 31.0, "2": 25.0}  # seed 3 missing: not a pair
    rows = [["simul-co", s, v, 0.5] for s, v in ref.items()]
    rows += [["aga lam=1", s, v, 0.5] for s, v in aga.items()]
    rows += [["aga lam=100", "3", -1.0, 0.5]]  # one shared seed: no interval
    _table(tmp_path / "runs.csv", rows)
    out = tmp_path / "paired.md"
    assert main(["paired", str(tmp_path / "runs.csv"), "--against", "simul-co",
                 "--out", str(out)]) == 0  # fmt: skip
    d = np.array([2.0, 1.0, 5.0])
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
    text = out.read_text()
    assert f"| aga lam=1 | 0 1 2 | {d.mean():+.3f} | {half:.3f} |" in text
    assert "| aga lam=100 | 3 | -6.000 | - |" in text
    assert text in capsys.readouterr().out + "\n"
    # the unpaired intervals would be far wider: the pairing removes the seeds' spread
    assert half < stats.t.ppf(0.975, 2) * np.std(list(aga.values()), ddof=1) / np.sqrt(3)


@pytest.mark.parametrize("argv, message", [
    (["--against", "cga"], "--against must be a group of the table"),
    (["--against", "simul-co", "--metric", "final_x"], "--metric must be a column"),
])  # fmt: skip
def test_a_wrong_group_or_column_is_refused_in_one_line(tmp_path, capsys, argv, message):
    _table(tmp_path / "runs.csv", [["simul-co", "0", 1.0, 0.5]])
    with pytest.raises(SystemExit) as stop:
        main(["paired", str(tmp_path / "runs.csv"), *argv])
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_summary_gives_each_groups_mean_interval_and_range(tmp_path, capsys):
    values = {"simul-co": [10.0, 30.0, 20.0], "aga lam=1": [12.0, -31.0]}
    rows = [[g, str(s), v, 0.5] for g, vs in values.items() for s, v in enumerate(vs)]
    rows += [["sl", "0", 7.0, 0.5], ["sl", "1", "nan", 0.5]]  # one value: no interval
    rows += [["cga", "0", "", 0.5]]  # blank: no value
    _table(tmp_path / "runs.csv", rows)
    assert main(["paired", str(tmp_path / "runs.csv"), "--summary"]) == 0
    text = capsys.readouterr().out
    for group, x in values.items():
        x = np.array(x)
        half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
        seeds = " ".join(str(s) for s in range(x.size))
        cells = [group, seeds, f"{x.mean():+.3f}", f"{half:.3f}"]
        cells += [f"{x.min():+.3f}", f"{x.max():+.3f}"]
        assert "| " + " | ".join(cells) + " |" in text
    assert "| sl | 0 | +7.000 | - | +7.000 | +7.000 |" in text and "| cga |" not in text


def test_summary_and_against_exclude_each_other(tmp_path, capsys):
    _table(tmp_path / "runs.csv", [["simul-co", "0", 1.0, 0.5]])
    for argv in ([], ["--summary", "--against", "simul-co"]):
        with pytest.raises(SystemExit) as stop:
            main(["paired", str(tmp_path / "runs.csv"), *argv])
        assert stop.value.code == 2


def test_a_blank_column_and_an_outcomes_table_are_named_as_such(tmp_path, capsys):
    # a trial: --metric early_hvp_bias (no run logged it) blamed the group, "one of []"
    _table(tmp_path / "runs.csv", [["simul-co", "0", "", 0.5], ["aga", "0", "", 0.5]])
    (tmp_path / "harvest_outcomes.csv").write_text(
        "method,seeds,env-steps budget,social_welfare\naga,3,4096,1.0 +- 0.5\n"
    )
    for table, argv, message in [
        ("runs.csv", ["--against", "simul-co"], "--metric final_social_welfare: the column "
                                                "is empty in"),
        ("runs.csv", ["--summary"], "the column is empty"),
        ("harvest_outcomes.csv", ["--summary", "--metric", "social_welfare"],
         "harvest_outcomes.csv is not a per-run table (no group and seed columns): give "
         "GAME_runs.csv"),
    ]:  # fmt: skip
        with pytest.raises(SystemExit) as stop:
            main(["paired", str(tmp_path / table), *argv])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and message in err and "one of []" not in err
