"""``aga-ref plot`` on runs that differ in more than their seed (issue 29, item 4): each
setting's runs are a group of their own, named in the legend and the table, and a curve of
few points is drawn with markers. The runs are written by hand (config.json, progress.csv),
so the test knows every number it plots."""

import csv
import json

import numpy as np
import pytest

import figures.train_plot as train_plot
from figures.cli import main
from figures.curve_panels import LEGEND_CHARS


def fake_run(folder, seed, rows, **settings):
    """A run folder as aga-ref train leaves it: ``rows`` updates, social welfare 10 * seed
    + update and equality 0.5 at every update."""
    folder.mkdir(parents=True)
    config = {"env": "harvest", "method": "aga", "lam": 0.1, "seed": seed, "env_steps": 16 * rows,
              "num_agents": 3, "max_steps": 1000, "all_gradients": False,
              "commands": [f"aga-ref train --seed {seed}"], **settings}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    with open(folder / "progress.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["update", "env_steps", "episodes_finished", "social_welfare", "equality"])
        for u in range(1, rows + 1):
            writer.writerow([u, 16 * u, 1, 10 * seed + u, 0.5])


@pytest.fixture
def figures_drawn(monkeypatch):
    """The figures plot() saves, kept open to be read back."""
    drawn, save = [], train_plot.save_figure
    monkeypatch.setattr(train_plot, "save_figure",
                        lambda fig, *a, **k: drawn.append(fig) or save(fig, *a, **k))  # fmt: skip
    return drawn


def test_runs_differing_in_max_steps_are_separate_groups_named_in_the_legend(
    tmp_path, figures_drawn
):
    for seed, max_steps in ((0, 200), (1, 1000), (2, 1000)):
        fake_run(tmp_path / f"s{seed}", seed, 3, max_steps=max_steps)
    out = tmp_path / "plots"
    assert main(["plot", *(str(tmp_path / f"s{s}") for s in range(3)), "--out", str(out),
                 "--no-gif"]) == 0  # fmt: skip
    rows = list(csv.reader(open(out / "harvest_outcomes.csv")))
    table = {r[0]: r for r in rows[1:]}
    assert set(table) == {"aga lam=0.1 (max_steps=200)", "aga lam=0.1 (max_steps=1000)"}
    assert table["aga lam=0.1 (max_steps=200)"][1] == "1"  # seeds
    assert table["aga lam=0.1 (max_steps=1000)"][1] == "2"
    # social welfare, mean of the last 3 rows: seed 0 alone, then seeds 1 and 2 averaged
    assert table["aga lam=0.1 (max_steps=200)"][3] == "2.000"
    assert table["aga lam=0.1 (max_steps=1000)"][3].startswith("17.000 +- ")
    legend = [t.get_text() for t in figures_drawn[0].legends[0].get_texts()]
    assert legend == ["aga lam=0.1 (max_steps=1000) (2 seeds, single runs)",
                      "aga lam=0.1 (max_steps=200) (1 seed)"]  # fmt: skip


def test_settings_that_do_not_change_learning_keep_seeds_together(tmp_path):
    fake_run(tmp_path / "a", 0, 3)
    fake_run(tmp_path / "b", 1, 3, all_gradients=True, commands=["another command"])
    out = tmp_path / "plots"
    assert main(["plot", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out),
                 "--no-gif"]) == 0  # fmt: skip
    rows = list(csv.reader(open(out / "harvest_outcomes.csv")))
    assert [r[:2] for r in rows[1:]] == [["aga lam=0.1", "2"]]


@pytest.mark.parametrize("value, groups", [(False, 1), (True, 2)])
def test_a_setting_an_older_run_lacks_counts_as_its_default(tmp_path, value, groups):
    # run a predates the layer_norm field (its config.json has none): it ran the default
    fake_run(tmp_path / "a", 0, 3)
    fake_run(tmp_path / "b", 1, 3, layer_norm=value)
    out = tmp_path / "plots"
    assert main(["plot", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out),
                 "--no-gif"]) == 0  # fmt: skip
    rows = list(csv.reader(open(out / "harvest_outcomes.csv")))
    assert len(rows) - 1 == groups
    if groups == 2:
        assert {r[0] for r in rows[1:]} == {"aga lam=0.1 (layer_norm=False)",
                                            "aga lam=0.1 (layer_norm=True)"}  # fmt: skip


@pytest.mark.parametrize("rows, marker", [(1, "o"), (20, "o"), (21, "None")])
def test_a_curve_of_few_points_has_markers(tmp_path, figures_drawn, rows, marker):
    fake_run(tmp_path / "a", 0, rows)
    assert main(["plot", str(tmp_path / "a"), "--out", str(tmp_path / "p"), "--no-gif"]) == 0
    lines = [line for ax in figures_drawn[0].axes for line in ax.get_lines()]
    assert lines and {line.get_marker() for line in lines} == {marker}
    assert all(len(line.get_xdata()) == rows for line in lines)


def test_family_names_consensus_optimisation_apart_from_simul_co(tmp_path):
    from figures.game_family import METHODS
    from figures.game_family_report import load_curves

    assert METHODS["consensus (CO)"][0] == "cga" and METHODS["Simul-Co"][0] == "simul_co"
    assert "CO" not in METHODS  # the legend beside "Simul-Co" read as the same method
    # curves saved under the old label come back under the new one (--replot)
    np.savez(tmp_path / "game_family_curves.npz", **{"ipd/CO/diverged": np.zeros(2)})
    assert list(load_curves(tmp_path)["ipd"]) == ["consensus (CO)"]


def test_a_sweeps_log_files_are_skipped_and_the_outcomes_csv_is_listed(tmp_path, capsys):
    # a trial: aga-ref plot sw/* met a sweep's .log file and said the folder did not exist
    fake_run(tmp_path / "sw" / "a-s0", 0, 3)
    (tmp_path / "sw" / "a-s0.log").write_text("training ...\n")
    out = tmp_path / "plots"
    assert main(["plot", str(tmp_path / "sw" / "a-s0"), str(tmp_path / "sw" / "a-s0.log"),
                 "--out", str(out), "--no-gif"]) == 0  # fmt: skip
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"note: skipped 1 .log file ({tmp_path / 'sw' / 'a-s0.log'})")
    assert f"wrote {out / 'harvest_outcomes.csv'}" in printed
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(SystemExit) as stop:
        main(["plot", str(tmp_path / "notes.txt"), "--out", str(out)])
    assert stop.value.code == 2
    assert "notes.txt' is a file, not a run folder" in capsys.readouterr().err


def test_groups_named_by_many_settings_wrap_in_the_legend_instead_of_widening_the_figure(
    tmp_path, figures_drawn
):
    """Runs that differ in nine settings (the preset's parts one at a time) get group names of
    over 150 characters: the legend wraps them, one column, and the figure keeps the width
    of the same runs' figure with short names (before: 3 columns made it 3.5 times wider)."""
    many = {f"a_setting_of_the_learner_{k}": k for k in range(9)}
    widths = []
    for name, differ in (("short", {}), ("long", many)):
        folders = []
        for seed in range(2):
            extra = (
                {k: v + seed for k, v in differ.items()} if differ else {"max_steps": 200 * seed}
            )
            folders.append(tmp_path / name / f"s{seed}")
            fake_run(folders[-1], seed, 3, **extra)
        assert main(["plot", *map(str, folders), "--out", str(tmp_path / name / "out"),
                     "--no-gif"]) == 0  # fmt: skip
        fig = figures_drawn[-1]
        fig.canvas.draw()
        widths.append(fig.get_tightbbox().width)
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert max(len(line) for t in labels for line in t.split("\n")) <= LEGEND_CHARS
    assert any("\n" in t for t in labels)  # the long names did wrap
    assert widths[1] <= widths[0] * 1.05, widths


def test_groups_of_a_grid_over_many_settings_are_named_by_their_own_departures(tmp_path):
    """The preset's parts one group at a time differ in up to twelve settings: each group is
    named by what it sets away from Config's defaults (or from its preset's values), the
    defaults' group "(defaults)" and the preset's "(preset=mappo)"; with 3 settings or fewer
    every group still names every differing setting (the test above)."""
    from aga_ref.rl.presets import PRESETS

    parts = {"defaults": {}, "ln": {"layer_norm": True, "activation": "relu"},
             "clip": {"clip_per_network": True, "max_grad_norm": 10.0},
             "preset": {**PRESETS["mappo"], "preset": "mappo"}}  # fmt: skip
    parts["preset-tanh"] = {**parts["preset"], "activation": "tanh"}
    folders = []
    for name, settings in parts.items():
        folders.append(tmp_path / name)
        fake_run(folders[-1], 0, 3, **settings)
    out = tmp_path / "plots"
    assert main(["plot", *map(str, folders), "--out", str(out), "--no-gif"]) == 0
    names = {r[0] for r in list(csv.reader(open(out / "harvest_outcomes.csv")))[1:]}
    assert names == {"aga lam=0.1 (defaults)", "aga lam=0.1 (activation=relu, layer_norm=True)",
                     "aga lam=0.1 (clip_per_network=True, max_grad_norm=10)",
                     "aga lam=0.1 (preset=mappo)",
                     "aga lam=0.1 (activation=tanh, preset=mappo)"}  # fmt: skip


ABLATIONS = [("hamiltonian_layers", "output", "all"), ("hamiltonian_estimator", "split", "same")]


@pytest.mark.parametrize("setting, value, default", ABLATIONS)
def test_an_ablation_of_the_product_is_named_even_plotted_alone(tmp_path, setting, value, default):
    # alone (its seeds agree on every setting) and beside a normal run, the same name; the
    # normal run keeps its plain name alone, and is named by its value beside the ablation
    for seed in (0, 1):
        fake_run(tmp_path / f"ablation{seed}", seed, 3, **{setting: value})
    fake_run(tmp_path / "normal", 2, 3)
    named = f"aga lam=0.1 ({setting}={value})"
    for folders, names in (
        (["ablation0", "ablation1"], {named}),
        (["normal"], {"aga lam=0.1"}),
        (["ablation0", "ablation1", "normal"], {named, f"aga lam=0.1 ({setting}={default})"}),
    ):
        out = tmp_path / "plots" / "-".join(folders)
        assert main(["plot", *(str(tmp_path / f) for f in folders), "--out", str(out),
                     "--no-gif"]) == 0  # fmt: skip
        rows = list(csv.reader(open(out / "harvest_outcomes.csv")))
        assert {r[0] for r in rows[1:]} == names
