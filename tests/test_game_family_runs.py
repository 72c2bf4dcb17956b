"""``aga-ref family``: the experiment's command, its outputs and its claims on small runs."""

import json
import os

import numpy as np
import pytest

import figures.game_family as game_family
from figures.cli import main
from figures.game_family import run_task


def test_family_quick_writes_the_figure_the_table_and_the_page_section(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("# x\n\n<!-- family:start -->\nold\n<!-- family:end -->\n")
    out = tmp_path / "out"
    assert main(["family", "--quick", "--jobs", "1", "--out", str(out),
                 "--update-readme", str(page)]) == 0  # fmt: skip
    for name in ("game_family.png", "game_family.md", "game_family.csv", "summary.md",
                 "game_family_curves.npz", "config.json"):  # fmt: skip
        assert (out / name).is_file(), name
    progress = capsys.readouterr().out
    text = page.read_text()
    assert "old" not in text and "](out/game_family.png)" in text
    before = (out / "game_family.md").read_text()
    with pytest.raises(SystemExit):  # a finished run is not replaced unasked
        main(["family", "--quick", "--jobs", "1", "--out", str(out)])
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "game_family.md").read_text() == before
    rows = [line for line in (out / "game_family.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| method")]  # fmt: skip
    assert [row.split(" | ")[0][2:] for row in rows][:3] == ["NL", "LA", "LOLA"]
    assert "[12/36]" in progress
    config = json.loads((out / "config.json").read_text())
    assert config["games"]["ipd"]["runs"] == 2 and config["games"]["tandem"]["steps"] == 5


def worker_task(game_name, label, runs, steps, seed):
    """Stands for game_family.run_task in the workers: returns the worker's process id."""
    return game_name, label, {"pid": os.getpid(), "diverged": np.zeros(0), "seconds": 0.0}


def test_the_family_inside_pytest_forks_nothing(monkeypatch):
    """pytest may run JAX's threads (tests/test_conformance_adapters.py): the family's workers
    are spawned (fork and exec, which runs no fork handlers), never forked from pytest."""
    forks = []
    os.register_at_fork(before=lambda: forks.append(1))  # os.fork runs it; no unregister
    monkeypatch.setattr(game_family, "run_task", worker_task)  # submitted by reference
    results = game_family.run_all(quick=True, jobs=1, log=lambda *a: None)
    pids = {r["pid"] for game in results.values() for r in game.values()}
    assert forks == [] and sum(map(len, results.values())) == 36  # 3 games x 12 methods
    assert pids and os.getpid() not in pids  # the tasks ran in the workers


def test_a_page_without_markers_is_refused_before_any_run(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("# no markers\n")
    with pytest.raises(SystemExit):
        main(["family", "--quick", "--out", str(tmp_path / "o"), "--update-readme", str(page)])
    assert "--update-readme" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("flag", [["--jobs", "0"], ["--seed", "-1"], ["--jobs", "x"]])
def test_bad_flags_name_the_flag(flag, capsys):
    with pytest.raises(SystemExit):
        main(["family", "--quick", *flag])
    assert flag[0] in capsys.readouterr().err


@pytest.mark.parametrize("flag", [["--quick"], ["--seed", "1"], ["--jobs", "1"], ["--overwrite"]])
def test_replot_refuses_the_options_it_would_ignore_before_any_work(flag, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["family", "--replot", "--out", str(tmp_path / "o"), *flag])
    assert f"{flag[0]} does not apply with --replot" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_ipd_claims_hold_on_a_few_runs():
    """The published picture on 3 runs of 100 steps: LOLA and SOS reach mutual cooperation
    (average loss per step near 1), naive learning mutual defection (near 2). About 20 s."""
    final = {label: run_task("ipd", label, 3, 100, seed=0)[2]["avg_loss_1"][:, -1]
             for label in ("NL", "LOLA", "SOS")}  # fmt: skip
    assert np.all(final["NL"] > 1.9)
    assert np.all(final["LOLA"] < 1.1) and np.all(final["SOS"] < 1.1)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverged_run_is_counted_and_its_later_steps_left_out():
    """AgA at lam = 1 on tandem: x + y is scaled by 1 - 2 alpha (4 + 34 lam) = -6.6 a step
    around its rest point, which overflows within 400 steps."""
    result = run_task("tandem", "AgA lam=1", 2, 400, seed=0)[2]
    assert result["diverged"].all()
    assert np.isnan(result["x_plus_y"][:, -1]).all() and np.isfinite(result["x_plus_y"][:, 1]).all()
