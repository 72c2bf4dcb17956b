"""``aga-ref plot --diagnostics DIR...``: the learner's instruments
(``aga_ref.rl.instruments``) against environment steps: a few panels (``--columns``, default
``COLUMNS``), the groups chosen (``--methods``, default all), each run smoothed over a few
updates, then drawn as every curve of ``aga-ref plot`` is (``figures.curve_panels``: a mean
and band from 3 seeds on, thin single runs below; ``figures.method_styles``: one look per
method). Every instrument of every layer goes to the table ``<game>_diagnostics.md`` /
``.csv`` (``figures.diagnostics_table``), which reads better than a panel per instrument.

    aga-ref plot --diagnostics runs/mechanism/*/ --methods "aga lam=100" simul-ind --out plots
"""

import os

import numpy as np

from figures.curve_panels import (
    aligned,
    chosen,
    draw_group,
    fit_ylim,
    game_groups,
    line_width,
    seeds_label,
    step_axis,
)
from figures.diagnostics_table import write_table
from figures.method_styles import distinct, style
from figures.output import plt, save_figure
from figures.train_runs import GAME_NAMES, grouped, read_run

SMOOTH = 5  # updates in the moving average of every curve
COLUMNS = ("entropy", "hvp_dominated_share", "step_l2", "cos_step_hvp_l2")  # the default panels
TITLES = {  # {k}: the layer, 1 the input layer
    "entropy": "policy entropy (max ln 8 = 2.079)",
    "approx_kl": "approx. KL, rollout policy to each step's (mean over the update)",
    "hvp_dominated_share": "share of coordinates where |lam * product| > rest",
    "cos_xi_xic": "cos(xi, xi_c)", "cos_adj_xic": "cos(xi + product, xi_c)",
    "sign_negative": "share of minibatch steps with lam < 0 (AgA's sign)",
    "xi_norm": "||xi||, layer {k}", "xic_norm": "||xi_c||, layer {k}",
    "hvp_norm": "||product||, layer {k} (H_c^T xi_c or H^T xi)",
    "step": "mean |parameter change| per update, layer {k}",
    "cos_step_xi": "cos(-step, xi), layer {k}",
    "cos_step_hvp": "cos(-step, product), layer {k}: 1 = descends Ham",
}  # fmt: skip
LOG = ("approx_kl", "xi_norm", "xic_norm", "hvp_norm", "step")  # spans of decades


def title_of(column):
    """(panel title, log scale) of a progress column."""
    name, _, layer = column.rpartition("_l")
    if not (name in TITLES and layer.isdigit()):
        name, layer = column, ""
    return TITLES.get(name, column).format(k=layer), name in LOG


def load_rows(folder):
    """(config dict, columns dict of float arrays over every update) of one run."""
    config, columns = read_run(folder, finished_only=False)
    if "step_l1" not in columns:
        raise ValueError(f"{folder!r} has no instrument columns (a run from before they "
                         "existed, or no update yet)")  # fmt: skip
    return config, columns


def _smooth(v):
    """Moving average over ``SMOOTH`` updates, blanks (NaN) left out of each window."""
    if len(v) < SMOOTH:
        return v
    kernel, seen = np.ones(SMOOTH), ~np.isnan(v)
    total = np.convolve(np.where(seen, v, 0.0), kernel, mode="valid")
    count = np.convolve(seen.astype(float), kernel, mode="valid")
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _smoothed(runs, column):
    """Each run's ``column`` smoothed, with the env_steps of its windows' last updates."""
    out = []
    for c in runs:
        if column in c and not np.all(np.isnan(c[column])):
            y = _smooth(c[column])
            out.append({"env_steps": c["env_steps"][len(c[column]) - len(y) :], column: y})
    return out


def _figure(game, groups, columns):
    names = list(groups)
    looks = distinct({n: style(groups[n][0][0]) for n in names})
    last = max(c["env_steps"][-1] for runs in groups.values() for _, c in runs)
    ncols = min(len(columns), 2 if len(columns) == 4 else 3)
    nrows = -(-len(columns) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.4 * nrows + 0.9),
                             squeeze=False, layout="constrained")  # fmt: skip
    axes = axes.ravel()
    for ax, column in zip(axes, columns):
        title, log = title_of(column)
        ax.set_yscale("log" if log else "linear")
        lines = []
        for name in names:
            runs = _smoothed([c for _, c in groups[name]], column)
            if runs:
                steps, values = aligned(runs, column)
                lines += [(steps, y) for y in draw_group(ax, steps, values, looks[name], column)]
        cut = fit_ylim(ax, lines, column, log)
        ax.set_title(title + ("\n(y fitted to the last 3/4 of the steps)" if cut else ""),
                     fontsize=10)  # fmt: skip
        step_axis(ax, game, last)
        ax.grid(alpha=0.3)
    for ax in axes[len(columns) :]:
        ax.axis("off")
    handles = [plt.Line2D([], [], lw=line_width(len(groups[n]), 2.2), color=looks[n]["color"],
                          ls=looks[n]["ls"],
                          marker=looks[n]["marker"]) for n in names]  # fmt: skip
    fig.legend(handles, [seeds_label(n, len(groups[n])) for n in names], frameon=False,
               loc="outside lower center", ncol=min(len(names), 3), fontsize=10)  # fmt: skip
    fig.suptitle(f"{GAME_NAMES.get(game, game)}: instruments of the actors' update, each run "
                 f"smoothed over {SMOOTH} updates; product: H_c^T xi_c (AgA) or H^T xi (CGA)",
                 fontsize=11)  # fmt: skip
    return fig


def plot_diagnostics(folders, out, methods=None, columns=None):
    """Write each game's diagnostics figure (``columns``, default ``COLUMNS``; the groups
    ``methods``, default all) and its table of every instrument; return the paths."""
    os.makedirs(out, exist_ok=True)
    runs = [(*load_rows(folder), folder) for folder in folders]
    config_of = {id(c): config for config, c, _ in runs}
    groups = grouped(runs)
    names = chosen(sorted({n for _, n in groups}), methods, "--methods")
    logged = sorted({k for _, c, _ in runs for k in c if not np.all(np.isnan(c[k]))})
    columns = chosen(logged, columns, "--columns") if columns else [
        c for c in COLUMNS if c in logged]  # fmt: skip
    paths = []
    for game in sorted({g for g, _ in groups}):
        mine = {n: [(config_of[id(c)], c) for c in r]
                for n, r in game_groups(groups, config_of, game, names).items()}  # fmt: skip
        if not mine:
            continue
        paths.append(save_figure(_figure(game, mine, columns), out, f"{game}_diagnostics"))
        paths += write_table(out, game, {n: [c for _, c in r] for n, r in mine.items()})
    return paths
