"""``aga-ref plot --diagnostics DIR...``: the learner's instruments (``aga_ref.rl.instruments``)
against environment steps, one colour per method (with its lam and ablations), mean over the
seeds given, smoothed over a few updates. Writes ``<game>_diagnostics.png`` and
``<game>_diagnostics.md`` (each group's instruments over the first and the last updates).

    aga-ref plot --diagnostics runs/mechanism/harvest-* --out plots
"""

import os

import numpy as np

from figures.output import colours as palette
from figures.output import plt, save_figure, save_table
from figures.train_runs import GAME_NAMES, grouped, read_run

SMOOTH = 5  # updates in the moving average of every curve
LAYER_STYLES = ("-", "--", ":")  # layer 1 (input), 2, 3 (output)
PANELS = (  # (title, columns, log scale)
    ("policy entropy (max ln 8 = 2.079)", ["entropy"], False),
    ("approx. KL between rollout and updated policy", ["approx_kl"], True),
    ("share of coordinates where |lam * product| > rest", ["hvp_dominated_share"], False),
    ("cos(xi, xi_c) solid, cos(xi + product, xi_c) dashed", ["cos_xi_xic", "cos_adj_xic"], False),
    ("||xi|| per layer (1 solid, 2 dashed, 3 dotted)", ["xi_norm_l{k}"], True),
    ("||xi_c|| per layer", ["xic_norm_l{k}"], True),
    ("||product|| per layer (H_c^T xi_c or H^T xi)", ["hvp_norm_l{k}"], True),
    ("mean |parameter change| per update, per layer", ["step_l{k}"], True),
    ("cos(-step, xi) per layer", ["cos_step_xi_l{k}"], False),
    ("cos(-step, product) per layer: 1 = the step descends Ham", ["cos_step_hvp_l{k}"], False),
    ("share of minibatch steps with lam < 0 (AgA's sign)", ["sign_negative"], False),
)


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


def _stack(runs, col, n):
    """(runs with the column, n) values, NaN where blank; None if no run has any."""
    values = [c[col][:n] for c in runs if col in c and not np.all(np.isnan(c[col]))]
    return np.array(values) if values else None


def _columns(pattern):
    return [pattern.format(k=k) for k in (1, 2, 3)] if "{k}" in pattern else [pattern]


def plot_diagnostics(folders, out):
    """Write each game's diagnostics figure and table; return the paths."""
    os.makedirs(out, exist_ok=True)
    groups = grouped([(*load_rows(folder), folder) for folder in folders])
    paths = []
    for game in sorted({g for g, _ in groups}):
        names = sorted(n for g, n in groups if g == game)
        colours = dict(zip(names, palette(len(names))))
        fig, axes = plt.subplots(3, 4, figsize=(22, 13), layout="constrained")
        axes = axes.ravel()
        for ax, (title, patterns, log) in zip(axes, PANELS):
            for name in names:
                runs = groups[(game, name)]
                n = min(len(c["env_steps"]) for c in runs)
                steps = runs[0]["env_steps"][:n]
                cols = [c for p in patterns for c in _columns(p)]
                for j, col in enumerate(cols):
                    values = _stack(runs, col, n)
                    if values is None:
                        continue
                    mean = np.nanmean(values, axis=0)
                    y = _smooth(mean)
                    ax.plot(steps[len(steps) - len(y):], y, LAYER_STYLES[j % 3],
                            color=colours[name], lw=1.6)  # fmt: skip
            ax.set_title(title, fontsize=11)
            ax.set_xlabel("environment steps")
            ax.set_yscale("log" if log else "linear")
            ax.grid(alpha=0.3)
        for ax in axes[len(PANELS) :]:
            ax.axis("off")
        seeds = {n: len(groups[(game, n)]) for n in names}
        handles = [plt.Line2D([], [], color=colours[n], lw=2) for n in names]
        handles += [plt.Line2D([], [], color="grey", ls=s, lw=1.6) for s in LAYER_STYLES]
        fig.legend(  # below the panels: a legend alone in a spare panel reads as a lost plot
            handles,
            [f"{n} ({seeds[n]} seed{'s' * (seeds[n] > 1)})" for n in names]
            + [f"layer {k} (per-layer panels)" for k in (1, 2, 3)],
            loc="outside lower center", ncol=4, fontsize=11, frameon=False,
        )  # fmt: skip
        runs_drawn = "mean over seeds" if max(seeds.values()) > 1 else "one run (seed) each"
        fig.suptitle(f"{GAME_NAMES.get(game, game)}: instruments of the actors' update, "
                     f"{runs_drawn}, moving "
                     f"average over {SMOOTH} updates; product: H_c^T xi_c (AgA) or H^T xi "
                     "(CGA); Ham = 1/2 ||xi_c||^2 (AgA) or 1/2 ||xi||^2 (CGA)",
                     fontsize=13)  # fmt: skip
        paths.append(save_figure(fig, out, f"{game}_diagnostics"))
        paths.append(_table(out, game, {n: groups[(game, n)] for n in names}))
    return paths


TABLE = ("entropy", "approx_kl", "sign_negative", "hvp_dominated_share", "cos_xi_xic",
         "xic_norm_l1", "xic_norm_l3", "hvp_norm_l1", "step_l1", "step_l3", "cos_step_xi_l1",
         "cos_step_hvp_l1")  # fmt: skip


def _table(out, game, groups, first=10):
    """Each instrument's mean over the first ``first`` and the last ``first`` updates of
    every run, then the mean over seeds: "first -> last"."""
    rows = []
    for name, runs in sorted(groups.items()):
        cells = []
        for key in TABLE:
            have = [c[key] for c in runs if key in c and not np.all(np.isnan(c[key]))]
            if not have:
                cells.append("-")
                continue
            a = np.mean([np.nanmean(v[:first]) for v in have])
            b = np.mean([np.nanmean(v[-first:]) for v in have])
            cells.append(f"{a:.3g} -> {b:.3g}")
        rows.append([name, len(runs), *cells])
    title = (f"{game}: instruments, mean over the first {first} -> the last {first} updates "
             "of each run, then over seeds")  # fmt: skip
    save_table(out, f"{game}_diagnostics", ["method", "seeds", *TABLE], rows, title)
    return os.path.join(out, f"{game}_diagnostics.md")
