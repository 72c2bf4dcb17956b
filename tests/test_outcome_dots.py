"""figures/outcome_dots.py: the dot chart of committed outcome and probe tables keeps the
figure rules (issue 27, item 6): 95% intervals from 3 seeds on, clipped to the metric's
range; fewer seeds a hollow mean; each group in its colour of every figure; the probe's
range and its initial actors; the budget's share; a bad column or group refused."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from figures.method_styles import method_colour
from figures.outcome_dots import config_of, figure, main

OUTCOMES = """method,seeds,env-steps budget,social_welfare,equality
"aga lam=100 (no H) (sgd, lr 0.05)",3,1000000,351.0 +- 20.5,0.95 +- 0.2
simul-co,2,1000000,604.0 +- 223.0,0.7 +- 0.1
"""
PROBE = """method,actors,runs,act_l2
"aga lam=100 (no H) (sgd, lr 0.05)",trained,3,"0.525 [0.522, 0.529]"
"aga lam=100 (no H) (sgd, lr 0.05)",initial,3,"0.366 [0.366, 0.367]"
simul-co,trained,2,"0.518 [0.513, 0.522]"
simul-co,initial,2,"0.368 [0.366, 0.367]"
"""


@pytest.fixture
def tables(tmp_path):
    (tmp_path / "cleanup_outcomes.csv").write_text(OUTCOMES)
    (tmp_path / "cleanup_probe.csv").write_text(PROBE)
    yield [str(tmp_path / "cleanup_outcomes.csv"), str(tmp_path / "cleanup_probe.csv")]
    plt.close("all")


def lines_of(ax, name):
    return {line.get_label().rsplit(" ", 1)[1]: line for line in ax.lines
            if line.get_label().startswith(f"_{name} ")}  # fmt: skip


def test_a_group_name_states_the_settings_its_style_reads():
    assert config_of("aga lam=100 (no H) (sgd, lr 0.05)") == {
        "method": "aga", "lam": 100.0, "optimizer": "sgd", "hamiltonian": False,
        "align": True}  # fmt: skip
    split = config_of("aga lam=100 (hamiltonian_estimator=split)")
    assert split["hamiltonian_estimator"] == "split" and split["lam"] == 100.0
    assert config_of("simul-ind (per_agent sign)")["sign_rule"] == "per_agent"
    assert config_of("simul-co")["lam"] is None


def test_intervals_from_three_seeds_clipped_and_two_seeds_a_hollow_mean(tables):
    fig = figure(tables, ["social_welfare", "equality", "act_l2"])
    welfare, equality, probe = fig.axes
    sgd = lines_of(welfare, "aga lam=100 (no H) (sgd, lr 0.05)")
    assert np.allclose(sgd["ci"].get_xdata(), [351.0 - 20.5, 351.0 + 20.5])
    assert to_hex(sgd["ci"].get_color()) == method_colour("aga", 100.0)
    assert np.allclose(lines_of(equality, "aga lam=100 (no H) (sgd, lr 0.05)")["ci"].get_xdata(),
                       [0.75, 1.0])  # 0.95 + 0.2 stops at 1  # fmt: skip
    co = lines_of(welfare, "simul-co")
    assert set(co) == {"mean"} and co["mean"].get_markerfacecolor() == "white"
    assert to_hex(co["mean"].get_color()) == method_colour("simul-co")
    # the probe: its range over runs (both runs, for 2), the initial actors' mean dotted
    assert np.allclose(lines_of(probe, "simul-co")["range"].get_xdata(), [0.513, 0.522])
    (initial,) = [line for line in probe.lines if line.get_label() == "_initial"]
    assert np.isclose(initial.get_xdata()[0], (0.366 + 0.368) / 2)
    assert "1M env-steps = 5% of the paper's ~2e7" in fig._suptitle.get_text()
    assert [t.get_text() for t in welfare.get_yticklabels()] == [
        "aga lam=100 (no H) (sgd, lr 0.05) (3 seeds)", "simul-co (2 seeds)"]  # fmt: skip


@pytest.mark.parametrize("extra, message", [
    (["--columns", "no_such"], "--columns: 'no_such' not among"),
    (["--columns", "equality", "--methods", "sl"], "--methods: 'sl' not among"),
    (["--columns", "equality", "--out", "x.svg"], "--out: expected a path ending in .png"),
])  # fmt: skip
def test_a_bad_column_group_or_output_is_refused_naming_the_flag(tables, capsys, extra, message):
    with pytest.raises(SystemExit):
        main([tables[0], "--out", "x.png", *extra])
    assert message in capsys.readouterr().err


def test_a_missing_table_is_refused_before_any_work(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "none.csv"), "--columns", "equality", "--out", "x.png"])
    assert "TABLE: expected a CSV written by aga-ref plot or probe" in capsys.readouterr().err
