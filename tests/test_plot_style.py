"""Issue 27, item 6: figures people can read. Checked through matplotlib's objects on runs
written by hand (config.json, progress.csv), so each test knows every number it draws: one
colour per method in every figure, bands only from 3 seeds, intervals clipped to a metric's
range, the y-range from the means, the paper's budget, Selfish-MMM2's own panels, the
mechanism figure's choice of methods and columns, and its table."""

import csv

import numpy as np
import pytest
from matplotlib.colors import to_hex

from aga_ref.metrics import mean_ci
from figures.cli import main
from figures.method_styles import method_colour, style
from tests import plot_setup
from tests.plot_setup import STEPS, fake_run, outcomes, panel, plot

drawn = plot_setup.drawn  # the fixture, under the name the tests ask for


def test_a_method_keeps_its_colour_from_figure_to_figure(tmp_path, drawn):
    """With a palette dealt out in sorted order, Simul-Ind took the 1st colour beside SL alone
    and the 4th beside AgA, CGA and Simul-Co: here it is the same in both figures."""
    few = [fake_run(tmp_path / m, 0, outcomes(5), method=m, lam=None)
           for m in ("simul-ind", "sl")]  # fmt: skip
    more = few + [fake_run(tmp_path / "aga", 0, outcomes(5)),
                  fake_run(tmp_path / "cga", 0, outcomes(5), method="cga", lam=1.0),
                  fake_run(tmp_path / "co", 0, outcomes(5), method="simul-co",
                           lam=None)]  # fmt: skip
    colours = []
    for k, folders in enumerate((few, more)):
        plot(folders, tmp_path / f"p{k}")
        legend = drawn["harvest_curves"].legends[0]
        colours.append({t.get_text().split(" (")[0]: to_hex(h.get_color())
                        for t, h in zip(legend.get_texts(), legend.legend_handles)})  # fmt: skip
    assert colours[0]["simul-ind"] == colours[1]["simul-ind"] == method_colour("simul-ind")
    assert colours[0]["sl"] == colours[1]["sl"]
    assert len(set(colours[1].values())) == 5  # and five methods, five colours


def test_a_lam_keeps_its_shade_and_a_variant_its_dash_and_marker():
    assert method_colour("aga", 100.0) == method_colour("aga", 100.0)
    assert len({method_colour("aga", lam) for lam in (0.1, 1, 3, 10, 30, 100, 1000)}) == 7
    assert method_colour("aga", 0.1) != method_colour("cga", 0.1)
    base = {"method": "aga", "lam": 100.0}
    assert style(base)["ls"] == "-" and style(base)["marker"] is None
    assert style({**base, "optimizer": "sgd"})["ls"] != "-"
    assert style({**base, "preset": "mappo", "activation": "relu"})["marker"] is None
    assert style({**base, "activation": "relu"})["marker"] is not None  # ReLU alone: a variant
    assert (
        style({**base, "hamiltonian": False})["marker"] != style({**base, "align": False})["marker"]
    )


def test_two_seeds_are_drawn_as_runs_and_three_get_a_mean_and_a_band(tmp_path, drawn):
    two = [fake_run(tmp_path / f"co{s}", s, outcomes(25, 10 * s), method="simul-co", lam=None)
           for s in (0, 1)]  # fmt: skip
    three = [fake_run(tmp_path / f"aga{s}", s, outcomes(25, 10 * s)) for s in (0, 1, 2)]
    plot(two + three, tmp_path / "p")
    fig = drawn["harvest_curves"]
    ax = panel(fig, "collective return")
    assert len(ax.collections) == 1  # one band: AgA's
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    _, half = mean_ci(np.array([0.0, 10.0, 20.0]))  # update 1: 0 + 10 s
    assert np.isclose(band.max(), 10 + half + 24) and np.isclose(band.min(), 10 - half)
    lines = {to_hex(line.get_color()): [] for line in ax.lines}
    for line in ax.lines:
        lines[to_hex(line.get_color())].append(line)
    co, aga = lines[method_colour("simul-co")], lines[method_colour("aga", 0.1)]
    assert len(co) == 2 and len(aga) == 1  # each Simul-Co run; AgA's mean
    assert co[0].get_linewidth() < aga[0].get_linewidth()
    assert np.allclose(aga[0].get_ydata(), 10 + np.arange(25))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["aga lam=0.1 (3 seeds)", "simul-co (2 seeds, single runs)"]
    title = fig._suptitle.get_text()
    assert "95% t interval for methods with 3 seeds or more" in title


def test_the_equality_interval_stops_at_1_and_the_y_range_follows_the_means(tmp_path, drawn):
    drift = 0.002 * np.arange(25)  # each seed's equality falls a little, by the same amount
    folders = [fake_run(tmp_path / f"s{s}", s, outcomes(25, 0.0, e - drift))
               for s, e in enumerate((0.80, 0.99, 1.0))]  # fmt: skip
    plot(folders, tmp_path / "p")
    ax = panel(drawn["harvest_curves"], "equality")
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    mean, half = mean_ci(np.array([0.80, 0.99, 1.0]))
    assert mean + half > 1 and band.max() == 1.0 and np.isclose(band.min(), mean - 0.048 - half)
    low, high = ax.get_ylim()  # the mean's line, a small margin, nothing beyond 1 to speak of
    assert high <= 1.0 + 0.01 and low > mean - half


def test_a_wide_band_does_not_set_the_y_range(tmp_path, drawn):
    spread = (-3000.0, 0.0, 3000.0)  # the returns' seeds far apart, their mean 0 + update
    folders = [fake_run(tmp_path / f"s{s}", s, outcomes(25, w)) for s, w in enumerate(spread)]
    plot(folders, tmp_path / "p")
    low, high = panel(drawn["harvest_curves"], "collective return").get_ylim()
    assert -5 < low < 0 and 24 < high < 30  # the mean runs from 0 to 24


def test_an_early_transient_does_not_hide_the_difference_at_the_end(tmp_path, drawn):
    """Cleanup's return: -4,000 at the start, then 40 against 100 (the difference quoted)."""
    start = np.r_[np.linspace(-4000, 0, 5), np.zeros(35)]
    runs = [fake_run(tmp_path / f"{m}{s}", s, outcomes(40, 0.0), method=m, lam=None)
            for m in ("simul-ind", "simul-co") for s in range(3)]  # fmt: skip
    for folder, end in zip(runs, (40,) * 3 + (100,) * 3):
        path = f"{folder}/progress.csv"
        rows = list(csv.DictReader(open(path)))
        for row, s in zip(rows, start):
            row["social_welfare"] = s + end if s else end
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, rows[0].keys())
            writer.writeheader()
            writer.writerows(rows)
    plot(runs, tmp_path / "p")
    ax = panel(drawn["harvest_curves"], "collective return")
    low, high = ax.get_ylim()
    assert 30 < low < 40 and 100 < high < 110
    assert "last 3/4 of the steps" in ax.get_title()


def test_the_papers_budget_is_in_the_title_and_marked_once_the_axis_reaches_half(
    tmp_path, drawn, monkeypatch
):
    short = [fake_run(tmp_path / "a", 0, outcomes(25))]
    plot(short, tmp_path / "p")
    fig = drawn["harvest_curves"]
    assert "400 env-steps = 0.002% of the paper's ~2e7" in fig._suptitle.get_text()
    from figures.curve_panels import budget_note

    # the demo's 74 whole updates of 4,096 env-steps, and the 5M grid
    assert budget_note("harvest", 303_104) == "303k env-steps = 1.5% of the paper's ~2e7"
    assert budget_note("cleanup", 5_000_000) == "5M env-steps = 25% of the paper's ~2e7"
    assert not any(line.get_xdata()[0] == 2e7 for ax in fig.axes for line in ax.lines)
    import figures.curve_panels as curve_panels

    monkeypatch.setattr(curve_panels, "PAPER_BUDGET", {"harvest": 2 * STEPS * 25})
    plot(short, tmp_path / "q")
    marks = [ln for ax in drawn["harvest_curves"].axes for ln in ax.lines
             if list(ln.get_xdata()) == [2 * STEPS * 25] * 2]  # fmt: skip
    assert len(marks) == len([ax for ax in drawn["harvest_curves"].axes if ax.axison])


def test_selfish_mmm2_shows_win_rate_and_dead_allies_and_no_sustainability(tmp_path, drawn):
    rows = 6
    columns = {**outcomes(rows), "sustainability": np.full(rows, 20.0),
               "battle_won": np.zeros(rows), "dead_allies": np.full(rows, 7.0),
               "agent_damage": np.full(rows, 150.0), "agent_healing": np.full(rows, 10.0),
               **{f"return_agent_{i}": np.ones(rows) for i in range(10)}}  # fmt: skip
    folders = [fake_run(tmp_path / f"s{s}", s, columns, env="mmm2") for s in range(3)]
    plot(folders, tmp_path / "p")
    titles = [ax.get_title() for ax in drawn["mmm2_curves"].axes if ax.axison]
    assert any(t.startswith("win rate") for t in titles)  # all zeros: no battle won, shown
    assert any(t.startswith("allied units dead") for t in titles)
    assert not any("sustainability" in t for t in titles)
    low, high = panel(drawn["mmm2_curves"], "win rate").get_ylim()
    assert low < 0 and 1 < high < 1.1  # a flat 0 shown on the whole [0, 1]
    assert "2e7" not in drawn["mmm2_curves"]._suptitle.get_text()  # MMM2's budget: unstated


def instruments(rows, level):
    layers = {f"{name}_l{k}": np.full(rows, level * k)
              for name in ("xi_norm", "step", "cos_step_hvp") for k in (1, 2, 3)}  # fmt: skip
    return {**outcomes(rows), "entropy": np.full(rows, 2.0 - level / 10),
            "hvp_dominated_share": np.full(rows, level / 10), **layers}  # fmt: skip


def test_the_mechanism_figure_draws_the_methods_and_columns_asked_for(tmp_path, drawn):
    folders = [fake_run(tmp_path / "aga", 0, instruments(12, 1.0), lam=100.0)]
    folders += [fake_run(tmp_path / m, 0, instruments(12, level), method=m, lam=None)
                for m, level in (("simul-ind", 2.0), ("simul-co", 3.0))]  # fmt: skip
    argv = ["plot", "--diagnostics", *folders, "--out", str(tmp_path / "d")]
    assert main([*argv, "--methods", "simul-ind", "aga lam=100", "--columns", "entropy",
                 "step_l3"]) == 0  # fmt: skip
    fig = drawn["harvest_diagnostics"]
    panels = [ax for ax in fig.axes if ax.axison]
    titles = ["policy entropy (max ln 8 = 2.079)", "mean |parameter change| per update, layer 3"]
    assert [ax.get_title() for ax in panels] == titles
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["aga lam=100 (1 seed)",
                                                                  "simul-ind (1 seed)"]  # fmt: skip
    assert panels[1].get_yscale() == "log"
    assert {to_hex(line.get_color()) for line in panels[0].lines} == {
        method_colour("aga", 100.0), method_colour("simul-ind")}  # fmt: skip
    # every instrument of every group and layer goes to the table, whatever the figure shows
    rows = list(csv.DictReader(open(tmp_path / "d" / "harvest_diagnostics.csv")))
    step = {(r["method"], r["layer"]): float(r["last 10 updates"])
            for r in rows if r["instrument"] == "step"}  # fmt: skip
    assert step == {("aga lam=100", "1"): 1.0, ("aga lam=100", "2"): 2.0,
                    ("aga lam=100", "3"): 3.0, ("simul-ind", "1"): 2.0,
                    ("simul-ind", "2"): 4.0, ("simul-ind", "3"): 6.0}  # fmt: skip
    text = (tmp_path / "d" / "harvest_diagnostics.md").read_text()
    assert "| method | seeds | layer 1 | layer 2 | layer 3 |" in text
    assert "| simul-ind | 1 | 2 -> 2 | 4 -> 4 | 6 -> 6 |" in text


@pytest.mark.parametrize("extra, message", [
    (["--no-gif", "--methods", "aga lam=1"],
     "--methods: 'aga lam=1' not among the runs' 'aga lam=0.1'"),
    (["--no-gif", "--columns", "no_such"], "--columns: 'no_such' not among"),
    (["--diagnostics", "--methods", "sl"], "--methods: 'sl' not among"),
])  # fmt: skip
def test_a_method_or_column_not_in_the_runs_is_refused_naming_the_flag(
    tmp_path, capsys, extra, message
):
    folder = fake_run(tmp_path / "a", 0, instruments(12, 1.0))
    with pytest.raises(SystemExit):
        main(["plot", folder, "--out", str(tmp_path / "p"), *extra])
    assert message in capsys.readouterr().err


def test_the_legend_orders_lam_by_value_not_as_text(tmp_path, drawn):
    folders = [
        fake_run(tmp_path / f"l{lam}", 0, outcomes(5), lam=lam) for lam in (100.0, 3.0, 10.0)
    ]
    folders.append(fake_run(tmp_path / "ind", 0, outcomes(5), method="simul-ind", lam=None))
    plot(folders, tmp_path / "p")
    labels = [t.get_text().split(" (")[0] for t in drawn["harvest_curves"].legends[0].get_texts()]
    assert labels == ["aga lam=3", "aga lam=10", "aga lam=100", "simul-ind"]
    rows = list(csv.reader(open(tmp_path / "p" / "harvest_outcomes.csv")))
    assert [r[0] for r in rows[1:]] == labels  # the table in the same order
