"""Issue 27, item 6, the rules each figure of ``aga-ref plot`` must keep, where
tests/test_plot_style.py does not reach: every method of the learner has a colour of its
own, far from the others'; a win rate's band stays in [0, 1] at both ends; groups the
style map would draw alike (another ``--sgd-lr``) still look different; the instruments'
figure draws 2 seeds as single runs and clips its shares to [0, 1]."""

import itertools

import numpy as np
from matplotlib.colors import to_hex, to_rgb

from aga_ref.metrics import mean_ci
from aga_ref.rl.methods import METHODS
from figures.cli import main
from figures.method_styles import OTHER, method_colour
from tests import plot_setup
from tests.plot_setup import fake_run, outcomes, panel, plot

drawn = plot_setup.drawn  # the fixture, under the name the tests ask for
STUDY_LAMS = (0.1, 1, 3, 10, 30, 100, 1000)  # the lam threshold study's (issue 27)


def distance(a, b):
    """Euclidean distance of two colours in 0-255 RGB."""
    return 255 * np.linalg.norm(np.subtract(to_rgb(a), to_rgb(b)))


def test_every_method_of_the_learner_has_a_colour_of_its_own():
    """A method the map forgets is drawn black; two near colours read as one method."""
    fixed = {m: method_colour(m) for m in METHODS if m not in ("aga", "cga")}
    lams = {"aga": STUDY_LAMS, "cga": (0.1, 1, 10)}
    ramps = {f"{m} lam={lam}": method_colour(m, lam) for m in lams for lam in lams[m]}
    assert OTHER not in {**fixed, **ramps}.values()
    for a, b in itertools.combinations({**fixed, **ramps}, 2):
        same_ramp = a.split()[0] == b.split()[0] and a in ramps and b in ramps
        # a ramp's neighbours differ less (their lam is in the legend), methods clearly
        assert distance(fixed.get(a) or ramps[a], fixed.get(b) or ramps[b]) > (
            20 if same_ramp else 60), (a, b)  # fmt: skip


def mmm2_columns(won):
    rows = len(won)
    return {**outcomes(rows), "battle_won": np.asarray(won, float),
            "dead_allies": np.full(rows, 7.0), **{f"return_agent_{i}": np.ones(rows)
                                                  for i in range(10)}}  # fmt: skip


def test_the_win_rate_band_stays_in_0_1_at_both_ends(tmp_path, drawn):
    """Seeds at 0, 0, 0.3 (then 1, 1, 0.7): the t interval reaches below 0 (above 1)."""
    per_seed = ((0.0, 1.0), (0.0, 1.0), (0.3, 0.7))
    folders = [fake_run(tmp_path / f"s{s}", s, mmm2_columns(np.repeat(won, 4)), env="mmm2")
               for s, won in enumerate(per_seed)]  # fmt: skip
    plot(folders, tmp_path / "p")
    ax = panel(drawn["mmm2_curves"], "win rate")
    (band,) = ax.collections
    y = band.get_paths()[0].vertices[:, 1]
    low_mean, low_half = mean_ci(np.array([0.0, 0.0, 0.3]))
    high_mean, high_half = mean_ci(np.array([1.0, 1.0, 0.7]))
    assert low_mean - low_half < 0 and high_mean + high_half > 1  # the unclipped interval
    assert y.min() == 0.0 and y.max() == 1.0
    assert np.isclose(sorted(set(np.round(y, 9)))[-2], low_mean + low_half)  # the other ends
    assert np.isclose(sorted(set(np.round(y, 9)))[1], high_mean - high_half)


def test_groups_drawn_alike_by_the_map_get_a_marker_each(tmp_path, drawn):
    """The SGD learning-rate search: four Simul-Ind groups with SGD, one --sgd-lr each."""
    folders = [fake_run(tmp_path / f"lr{lr}", 0, outcomes(25), method="simul-ind", lam=None,
                        optimizer="sgd", sgd_lr=lr) for lr in (0.01, 0.05, 0.2, 1.0)]  # fmt: skip
    folders.append(fake_run(tmp_path / "aga", 0, outcomes(25)))
    plot(folders, tmp_path / "p")
    legend = drawn["harvest_curves"].legends[0]
    looks = {t.get_text(): (to_hex(h.get_color()), str(h.get_linestyle()), h.get_marker())
             for t, h in zip(legend.get_texts(), legend.legend_handles)}  # fmt: skip
    ind = [look for text, look in looks.items() if text.startswith("simul-ind")]
    assert len(ind) == 4 and len(set(ind)) == 4  # four groups, four looks
    assert {colour for colour, _, _ in ind} == {method_colour("simul-ind")}  # one colour
    assert looks["aga lam=0.1 (1 seed)"][2] == "None"  # a group alone keeps the plain line
    lines = panel(drawn["harvest_curves"], "collective return").lines
    drawn_as = {(to_hex(line.get_color()), line.get_marker()) for line in lines}
    assert len(drawn_as) == 5 and drawn_as == {(c, m) for c, _, m in looks.values()}


def test_the_instruments_figure_draws_two_seeds_as_runs_and_clips_shares(tmp_path, drawn):
    def run(name, seed, share, **settings):
        rows = 12
        columns = {**outcomes(rows), "entropy": np.full(rows, 2.0), "step_l1": np.ones(rows),
                   "hvp_dominated_share": np.full(rows, share)}  # fmt: skip
        return fake_run(tmp_path / f"{name}{seed}", seed, columns, **settings)

    folders = [run("aga", s, share, lam=100.0) for s, share in enumerate((0.98, 1.0, 1.0))]
    folders += [run("cga", s, 0.5, method="cga", lam=1.0) for s in (0, 1)]
    assert main(["plot", "--diagnostics", *folders, "--out", str(tmp_path / "d")]) == 0
    ax = panel(drawn["harvest_diagnostics"], "share of coordinates")
    (band,) = ax.collections  # AgA's 3 seeds; CGA's 2 seeds draw none
    assert band.get_paths()[0].vertices[:, 1].max() == 1.0  # mean 0.993 + 0.029 clipped
    cga = [line for line in ax.lines if to_hex(line.get_color()) == method_colour("cga", 1.0)]
    assert len(cga) == 2  # each run


def test_the_legend_shows_the_dots_of_a_curve_of_few_points(tmp_path, drawn):
    """12 logged rows: every point gets a dot (one point draws no line), in the legend too."""
    plot([fake_run(tmp_path / "a", 0, outcomes(12))], tmp_path / "p")
    (handle,) = drawn["harvest_curves"].legends[0].legend_handles
    (line,) = panel(drawn["harvest_curves"], "collective return").lines
    assert line.get_marker() == handle.get_marker() == "o"


def test_the_first_spare_markers_do_not_read_as_the_circle_of_a_curve_of_few_points():
    """Seven look-alike groups (the preset's parts on the defaults) drew a hexagon that read as
    the few-point circle of another group: the first six spares are not round."""
    from figures.method_styles import SPARE

    assert not set(SPARE[:6]) & {"o", "h", "H", "8", "p", "."}
