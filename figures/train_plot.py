"""``aga-ref plot DIR...``: learning curves, a final-outcome table (Markdown and CSV), a
per-run table (``figures.run_table``) and a GIF of a trained policy's episode, from
``aga-ref train`` folders. Runs are grouped by game and by method (with its lam); runs of
a method whose other settings differ (``--max-steps``, say) are separate groups, named in
the legend. Each curve follows ``figures.curve_panels``
(a mean and a 95% band from 3 seeds on, thin single runs below; the y-range from the lines;
the paper's budget) and ``figures.method_styles`` (one look per method in every figure).

    aga-ref plot runs/harvest-aga-s0 runs/harvest-aga-s1 runs/harvest-simul-ind-s0 --out plots
"""

import os

import numpy as np

from aga_ref.metrics import mean_ci
from figures.arguments import description, out_folder, refuse_unused
from figures.curve_panels import (
    MIN_BAND_SEEDS,
    aligned,
    budget_note,
    chosen,
    draw_group,
    fit_ylim,
    game_groups,
    legend_layout,
    line_width,
    seeds_label,
    step_axis,
)
from figures.episode_gif import episode_gif
from figures.method_styles import distinct, style
from figures.output import plt, save_figure, save_table
from figures.reproduce import PREFIX, update_readme
from figures.run_commands import plot_command, summary
from figures.run_table import final, write_runs
from figures.train_runs import GAME_NAMES, MMM2_TYPES, grouped, load_run, read_run, run_folders

PANELS = {"social_welfare": "collective return per episode", "equality": "equality (1 - Gini)",
          "sustainability": "sustainability (mean time step of a reward)",
          "beam_hits": "beam hits per episode", "apples_eaten": "apples eaten per episode",
          "waste_density": "waste density (Cleanup)", "battle_won": "win rate (battles won)",
          "dead_allies": "allied units dead at the episode's end (of 10)",
          "agent_damage": "HP dealt to enemies per episode",
          "agent_healing": "HP healed by the Medivac per episode"}  # fmt: skip
# a battle's panels, drawn even where a run has all zeros (no battle won is an outcome);
# sustainability, the mean time step of a reward, says nothing about a battle
GAME_PANELS = {"mmm2": ("social_welfare", "equality", "battle_won", "dead_allies",
                        "agent_damage", "agent_healing")}  # fmt: skip
FINAL_ROWS = 3  # the outcome of a run: the mean over its last rows with finished episodes
FEW_POINTS = 20  # a curve of this many points or fewer gets markers: one point draws no line


def curves_title(game, seeds):
    """The curves' title: what a line and the shading are, for the seed counts ``seeds``
    of the methods drawn (a band needs ``MIN_BAND_SEEDS`` runs; fewer are drawn one by one)."""
    seeds, name = sorted(seeds), GAME_NAMES.get(game, game)
    if seeds[-1] == 1:
        return f"{name}: one run (seed) per method; no interval"
    if seeds[-1] < MIN_BAND_SEEDS:
        return f"{name}: each seed's run, thin; no interval from fewer than {MIN_BAND_SEEDS} seeds"
    if seeds[0] >= MIN_BAND_SEEDS:
        count = f"{seeds[0]} seeds" if seeds[0] == seeds[-1] else "seeds"
        return f"{name}: mean over {count}; shaded: 95% t interval over seeds"
    return (f"{name}: mean and shaded 95% t interval for methods with {MIN_BAND_SEEDS} seeds "
            "or more; thin lines: each run of the others")  # fmt: skip


def _panel_keys(game, runs, columns):
    """The panels of ``game``'s figure: ``columns`` if given, else its game's set, else those
    of ``PANELS`` that some run logged with a value other than 0."""
    logged = {k for c in runs for k in c if np.any(np.isfinite(c[k]))}
    if columns:
        return chosen(sorted(logged & set(PANELS)), columns, "--columns")
    if game in GAME_PANELS:
        return [k for k in GAME_PANELS[game] if k in logged]
    return [k for k in PANELS if any(k in c and np.any(c[k][np.isfinite(c[k])] != 0)
                                     for c in runs)]  # fmt: skip


def _figure(game, groups, looks, keys):
    """One game's curves: a panel per key, a group per line (or thin lines), the legend below."""
    names = list(groups)
    width = {n: 2.6 - 1.0 * k / max(len(names) - 1, 1) for k, n in enumerate(names)}
    last = max(c["env_steps"][-1] for runs in groups.values() for c in runs)
    ncols = min(len(keys), 3)
    fig, axes = plt.subplots(-(-len(keys) // ncols), ncols, squeeze=False, layout="constrained",
                             figsize=(4.4 * ncols, 3.4 * -(-len(keys) // ncols) + 0.9))  # fmt: skip
    axes = axes.ravel()
    dotted = set()  # groups drawn with a marker on every point somewhere: so in the legend
    for ax, key in zip(axes, keys):
        lines = []
        for name in names:
            runs = [c for c in groups[name] if key in c]
            if runs:  # earlier names drawn wider, so that coinciding curves both show
                steps, values = aligned(runs, key)
                few = "o" if len(steps) <= FEW_POINTS else None
                dotted |= {name} if few else set()
                drawn = draw_group(ax, steps, values, looks[name], key, width[name], few)
                lines += [(steps, y) for y in drawn]
        cut = fit_ylim(ax, lines, key)
        ax.set_title(PANELS[key] + ("\n(y fitted to the last 3/4 of the steps)" if cut else ""),
                     fontsize=10)  # fmt: skip
        step_axis(ax, game, last)
        ax.grid(alpha=0.3)
    for ax in axes[len(keys) :]:
        ax.axis("off")
    seeds = {n: len(groups[n]) for n in names}
    handles = [plt.Line2D([], [], color=looks[n]["color"], ls=looks[n]["ls"],
                          marker=looks[n]["marker"] or ("o" if n in dotted else None),
                          lw=line_width(seeds[n], width[n])) for n in names]  # fmt: skip
    # below the panels, not in a spare one: a legend alone in an empty panel reads as a
    # missing plot
    labels = [seeds_label(n, seeds[n]) for n in names]
    labels, ncol = legend_layout(labels, ncols)
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, fontsize=10,
               frameon=False)  # fmt: skip
    note = budget_note(game, last)
    fig.suptitle(curves_title(game, seeds.values()) + (f"\n{note}" if note else ""), fontsize=11)
    return fig


def plot(folders, out, gif=True, gif_from=None, command=None, log=print, methods=None,
         columns=None):  # fmt: skip
    """Write curves, the outcome table and (if ``gif``) an episode GIF of the run in
    ``gif_from`` (default: the first folder), and ``summary.md`` naming the commands that
    made them (``command``: the plot's own, if not the runs'); return the paths. Runs with
    no finished episode yet have no curve: ``log`` says so. ``methods``: the groups to draw
    (legend names; default all); ``columns``: the panels (``PANELS`` keys; default the
    game's)."""
    os.makedirs(out, exist_ok=True)
    runs, configs, waiting = [], [], []
    for folder in folders:
        config, columns_of_run = load_run(folder)
        configs.append(config)
        if len(columns_of_run.get("env_steps", [])):
            columns_of_run["budget"] = config["env_steps"]
            runs.append((config, columns_of_run, folder))
        else:
            waiting.append(folder)
    if waiting:
        log(f"note: no episode has finished yet in {', '.join(waiting)}: no curve or outcome "
            f"for {'it' if len(waiting) == 1 else 'them'} (episodes end every --max-steps "
            f"steps, 1000 by default)")  # fmt: skip
    config_of = {id(c): config for config, c, _ in runs}
    folder_of = {id(c): folder for _, c, folder in runs}
    groups = grouped(runs)  # (game, label) -> runs
    names = chosen(sorted({n for _, n in groups}), methods, "--methods")
    paths = []
    for game in sorted({g for g, _ in groups}):
        mine = game_groups(groups, config_of, game, names)
        if not mine:
            continue
        looks = distinct({n: style(config_of[id(r[0])]) for n, r in mine.items()})
        keys = _panel_keys(game, [c for r in mine.values() for c in r], columns)
        if keys:  # a run with no outcome column has its table, below, and no figure
            figure = _figure(game, mine, looks, keys)
            paths.append(save_figure(figure, out, f"{game}_curves"))
        paths += _table(out, game, mine, config_of, folder_of)
    if gif and folders:
        paths.append(episode_gif(gif_from or folders[0], os.path.join(out, "episode.gif")))
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(summary(configs, paths, command, waiting).replace(PREFIX, ""))
    paths.append(os.path.join(out, "summary.md"))
    return paths


def _final(runs, key):
    """Mean of each run's last rows, then mean +- 95% half-width over runs; a run whose last
    rows are all blank (no agent rewarded: no sustainability) is left out."""
    finals = [x for x in (final(c[key], FINAL_ROWS) for c in runs if key in c) if np.isfinite(x)]
    if len(finals) < 2:
        return f"{finals[0]:.3f}" if finals else "-"
    mean, half = mean_ci(np.array(finals))
    return f"{mean:.3f} +- {half:.3f}"


def _table(out, game, groups, config_of, folder_of):
    keys = ["social_welfare", "equality", "efficiency", "sustainability", "peace",
            "beam_hits", "apples_eaten", "cells_cleaned", "waste_density", "battle_won",
            "dead_allies", "dead_enemies", "agent_damage", "agent_healing",
            *MMM2_TYPES]  # fmt: skip
    shown = GAME_PANELS.get(game, ())  # no battle won is an outcome, as in the figure
    keys = [k for k in keys
            if any(k in c and np.any(np.isfinite(c[k]) & ((c[k] != 0) | (k in shown)))
                   for runs in groups.values() for c in runs)]  # fmt: skip
    rows = [[name, len(runs), max(c["budget"] for c in runs)]
            + [_final(runs, k) for k in keys] for name, runs in groups.items()]  # fmt: skip
    title = (
        f"{game}: outcome of each method, mean of each run's last {FINAL_ROWS} logged "
        "rows, then mean +- 95% t half-width over seeds"
    )
    save_table(out, f"{game}_outcomes", ["method", "seeds", "env-steps budget"] + keys, rows, title)
    runs_csv = write_runs(out, game, groups, config_of, folder_of, keys, FINAL_ROWS)
    return [os.path.join(out, f"{game}_outcomes.{kind}") for kind in ("md", "csv")] + [runs_csv]


def make_parser():
    import argparse

    parser = argparse.ArgumentParser(prog="aga-ref plot", description=description(__doc__))
    parser.add_argument("folders", nargs="+", help="aga-ref train output folders")
    parser.add_argument("--out", default=None, help="output folder (default: the first folder)")
    parser.add_argument("--no-gif", action="store_true", help="skip the episode GIF")
    parser.add_argument("--gif-only", action="store_true",
                        help="write only the episode GIF of the --gif-from run")  # fmt: skip
    parser.add_argument("--gif-from", metavar="DIR", help="the run to film (default: the first)")
    parser.add_argument(
        "--update-readme",
        metavar="README",
        help="rewrite its section between <!-- SECTION:start/end --> markers",
    )
    parser.add_argument("--diagnostics", action="store_true",
                        help="draw the instruments (entropy, KL, per-layer norms of xi, xi_c and "
                        "the product, cosines, steps) instead of the curves")  # fmt: skip
    parser.add_argument("--section", default="learning",
                        help="with --update-readme: the section's marker name (default: "
                        "learning)")  # fmt: skip
    parser.add_argument("--methods", nargs="+", metavar="NAME",
                        help="draw only these groups, named as in the legend ('aga lam=100', "
                        "'simul-ind'); default: all")  # fmt: skip
    parser.add_argument("--columns", nargs="+", metavar="COLUMN",
                        help="the panels: progress.csv columns (default: the game's outcomes; "
                        "with --diagnostics, a few instruments)")  # fmt: skip
    return parser


def main(argv=None):
    import sys

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    refuse_unused(parser, args, [
        ("section", args.update_readme, "without --update-readme"),
        ("gif_from", not args.no_gif and not args.diagnostics,
         "with --no-gif or --diagnostics (no GIF is made)"),
        ("no_gif", not args.gif_only and not args.diagnostics,
         "with --gif-only or --diagnostics"),
        ("update_readme", not args.gif_only and not args.diagnostics,
         "with --gif-only or --diagnostics"),
        ("gif_only", not args.diagnostics, "with --diagnostics"),
        ("methods", not args.gif_only, "with --gif-only"),
        ("columns", not args.gif_only, "with --gif-only"),
    ])  # fmt: skip
    markers = (f"<!-- {args.section}:start -->", f"<!-- {args.section}:end -->")
    args.folders = run_folders(args.folders, print) or parser.error("no run folder given")
    out = args.out or args.folders[0]
    try:
        for folder in args.folders + ([args.gif_from] if args.gif_from else []):
            read_run(folder, finished_only=False)  # every folder holds a run, before any work
        if args.update_readme:  # fail before the work, not after it
            update_readme(args.update_readme, out, "", *markers, dry_run=True)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out_folder(parser, out)
    if args.diagnostics:
        from figures.diagnostics_plot import plot_diagnostics

        try:
            paths = plot_diagnostics(args.folders, out, args.methods, args.columns)
        except (ValueError, OSError) as error:
            parser.error(str(error))
        for path in paths:
            print(f"wrote {path}")
        return 0
    if args.gif_only:
        path = episode_gif(args.gif_from or args.folders[0], os.path.join(out, "episode.gif"))
        print(f"wrote {path}")
        return 0
    command = plot_command(argv)
    try:
        paths = plot(args.folders, out, gif=not args.no_gif, gif_from=args.gif_from,
                     command=command, methods=args.methods, columns=args.columns)  # fmt: skip
    except (ValueError, OSError) as error:
        parser.error(str(error))
    for path in paths:
        print(f"wrote {path}")
    if args.update_readme:
        configs = [load_run(folder)[0] for folder in args.folders]
        waiting = [f for f in args.folders if not len(load_run(f)[1].get("env_steps", []))]
        update_readme(args.update_readme, out, summary(configs, paths, command, waiting),
                      *markers)  # fmt: skip
        print(f"rewrote the section {args.section} in {args.update_readme}")
    return 0
