"""One quantity of grouped runs against environment steps, on one panel: the rules every
curve figure of ``aga-ref plot`` follows (issue 27, item 6), in one place.

- A group of ``MIN_BAND_SEEDS`` (3) runs or more: its mean and a 95% t band over seeds,
  the band clipped to the quantity's valid range (``BOUNDS``: equality in [0, 1], counts at
  least 0...). For the same spread two seeds give an interval 3.6 times as wide as three
  (t 12.7 against 4.3, over sqrt 2 and sqrt 3): such groups are drawn as thin single runs.
- The y-range comes from the lines drawn (means or single runs), never from a band. Where
  the lines span more than ``CUT_RATIO`` times what they span over the last three quarters
  of the steps (the early transient of a return from -4,000 to +100, say), the range fits
  those three quarters and the panel says that the start leaves the frame.
- Env-step axes read 300k, 5M; games with a stated paper budget (``PAPER_BUDGET``) get the
  share of it shown, and a line at it where the axis reaches half of it.
"""

import textwrap
import warnings

import numpy as np
from matplotlib.ticker import EngFormatter

from aga_ref.metrics import mean_ci

MIN_BAND_SEEDS = 3
THIN = 1.2  # the width of a single run's line, against about 2 for a mean
FIT_FROM, CUT_RATIO = 0.25, 3.0
PAPER_BUDGET = {"harvest": 2e7, "cleanup": 2e7}  # env-steps (docs/paper.md); MMM2's: unstated
BOUNDS = {"equality": (0, 1), "battle_won": (0, 1), "waste_density": (0, 1),
          "sustainability": (0, None), "peace": (0, None), "beam_hits": (0, None),
          "apples_eaten": (0, None), "cells_cleaned": (0, None), "dead_allies": (0, 10),
          "dead_enemies": (0, 12), "agent_damage": (0, None), "agent_healing": (0, None),
          "entropy": (0, None), "hvp_dominated_share": (0, 1), "sign_negative": (0, 1)}  # fmt: skip
STEPS = EngFormatter(sep="")  # 300000 -> "300k"


def bounds_of(key):
    """The valid range (low, high) of column ``key``; None where unbounded."""
    if key.startswith("cos"):
        return (-1, 1)
    if key.startswith(("xi_norm", "xic_norm", "hvp_norm", "step_l", "approx_kl")):
        return (0, None)
    return BOUNDS.get(key, (None, None))


def line_width(count, width):
    """The width a group of ``count`` runs is drawn with: ``width`` for a mean, else thin."""
    return width if count >= MIN_BAND_SEEDS else THIN


def seeds_label(name, count):
    """The legend's entry: the group's name, its seed count and how it is drawn."""
    if count == 1:
        return f"{name} (1 seed)"
    return f"{name} ({count} seeds{'' if count >= MIN_BAND_SEEDS else ', single runs'})"


def chosen(available, wanted, flag):
    """``wanted`` in its order (``available`` if None), each checked against ``available``;
    ValueError naming ``flag`` otherwise."""
    unknown = sorted(set(wanted or ()) - set(available))
    if unknown:
        raise ValueError(f"{flag}: {', '.join(map(repr, unknown))} not among the runs' "
                         f"{', '.join(map(repr, sorted(available)))}")  # fmt: skip
    return list(available) if wanted is None else list(dict.fromkeys(wanted))


def game_groups(groups, config_of, game, names):
    """``game``'s groups among ``names``, {name: runs}, in the figures' order: by method,
    then lam (0.1, 1, 3, 10, not as text), then name. ``config_of``: id(columns) -> config."""
    mine = [(n, runs) for (g, n), runs in groups.items() if g == game and n in names]
    config = [config_of[id(runs[0])] for _, runs in mine]
    order = sorted(
        range(len(mine)),
        key=lambda i: (config[i]["method"], config[i].get("lam") or 0.0, mine[i][0]),
    )
    return {mine[i][0]: mine[i][1] for i in order}


def aligned(runs, key):
    """The env_steps every run logged (T,) and the runs' ``key`` there (R, T)."""
    steps = sorted(set.intersection(*(set(c["env_steps"]) for c in runs)))
    index = [{s: i for i, s in enumerate(c["env_steps"])} for c in runs]
    return np.array(steps), np.array([[c[key][ix[s]] for s in steps] for c, ix in zip(runs, index)])


def band(values, bounds):
    """Mean (T,) and the 95% t interval's ends (T,) each, clipped to ``bounds``."""
    with warnings.catch_warnings():  # a step blank in every run: a gap in the line
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
    half = np.array([mean_ci(v)[1] if np.all(np.isfinite(v)) else np.nan for v in values.T])
    low, high = mean - half, mean + half
    return mean, np.clip(low, *bounds), np.clip(high, *bounds)


def draw_group(ax, steps, values, look, key, width=2.2, marks=None):
    """Draw one group's ``values`` (R, T): mean and band from 3 runs on, else each run thin.
    ``look``: colour, dash, marker (``figures.method_styles.style``); return the lines' y."""
    common = dict(color=look["color"], ls=look["ls"], marker=look["marker"] or marks,
                  markevery=max(len(steps) // 8, 1) if look["marker"] else 1, ms=5)  # fmt: skip
    if len(values) >= MIN_BAND_SEEDS:
        mean, low, high = band(values, bounds_of(key))
        ax.plot(steps, mean, lw=width, **common)
        ax.fill_between(steps, low, high, color=look["color"], alpha=0.15, lw=0)
        return [mean]
    for run in values:
        ax.plot(steps, run, lw=THIN, alpha=0.85, **common)
    return list(values)


def fit_ylim(ax, lines, key, log=False):
    """Set the y-range from ``lines`` [(steps (T,), y (T,))], within the valid range of
    ``key``; return True where the early part was cut off (the start leaves the frame)."""
    lines = [(x, np.log10(np.where(y > 0, y, np.nan)) if log else y) for x, y in lines]
    lines = [(x, y) for x, y in lines if np.any(np.isfinite(y))]
    if not lines:
        return False
    first = min(x[0] for x, _ in lines)
    start = first + FIT_FROM * (max(x[-1] for x, _ in lines) - first)
    every = np.concatenate([y for _, y in lines])
    late = np.concatenate([y[x >= start] for x, y in lines])
    lo, hi = np.nanmin(every), np.nanmax(every)
    cut = np.any(np.isfinite(late)) and 0 < CUT_RATIO * np.ptp(late[np.isfinite(late)]) < hi - lo
    if cut:  # a flat end (ptp 0) is not zoomed on
        lo, hi = np.nanmin(late), np.nanmax(late)
    low, high = (None, None) if log else bounds_of(key)
    if hi == lo and low is not None and high is not None:  # flat: the whole range (win rate 0)
        lo, hi = low, high
    pad = 0.06 * (hi - lo) if hi > lo else max(0.05 * abs(hi), 0.1 if log else 0.5)
    lo, hi = lo - pad, hi + pad
    if log:
        ax.set_ylim(10**lo, 10**hi)
        return bool(cut)
    if low is not None:  # no margin of impossible values beyond a bound, beyond a sliver
        lo = max(lo, low - 0.3 * pad)
    if high is not None:
        hi = min(hi, high + 0.3 * pad)
    ax.set_ylim(lo, hi)
    return bool(cut)


def step_axis(ax, game, last_step):
    """Env-step ticks as 300k / 5M, and the paper's budget as a line where the axis reaches
    half of it."""
    ax.xaxis.set_major_formatter(STEPS)
    ax.set_xlabel("environment steps")
    budget = PAPER_BUDGET.get(game)
    marked = budget and last_step >= budget / 2
    ax.set_xlim(0, 1.02 * max(last_step, budget if marked else 0))  # every panel alike
    if marked:
        ax.axvline(budget, color="0.3", lw=1, ls=":")
        ax.text(budget, 0.02, " paper's budget", transform=ax.get_xaxis_transform(),
                rotation=90, va="bottom", ha="right", fontsize=8, color="0.3")  # fmt: skip


def budget_note(game, last_step):
    """'300k env-steps = 1.5% of the paper's ~2e7' for games with a stated budget, else ''."""
    budget = PAPER_BUDGET.get(game)
    if not budget:
        return ""
    share, paper = 100 * last_step / budget, f"{budget:.0e}".replace("e+0", "e")
    last = STEPS(float(f"{last_step:.3g}"))  # 303,104 (whole updates) -> 303k
    return f"{last} env-steps = {share:.2g}% of the paper's ~{paper}"


# characters of a size-10 legend across 3 panels (4.4 inches each): long
# group names (runs that differ in several settings) wrap instead of widening the figure
LEGEND_CHARS = 150


def legend_layout(labels, panels_across):
    """``(labels, columns)`` for a legend below ``panels_across`` panels: 3 columns side by
    side when the labels are short, fewer as they grow, and each label wrapped to its
    column's room, so that the legend is never wider than the panels above it."""
    room = LEGEND_CHARS * panels_across // 3  # characters across the panels
    columns = min(len(labels), 3, max(1, room // max(len(t) for t in labels)))
    wrapped = [textwrap.fill(t, room // columns, break_on_hyphens=False) for t in labels]
    return wrapped, columns
