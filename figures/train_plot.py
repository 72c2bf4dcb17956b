"""``aga-ref plot DIR...``: learning curves (mean and 95% band over seeds), a final-outcome
table (Markdown and CSV) and a GIF of a trained policy's episode, from ``aga-ref train``
folders. Runs are grouped by game and by method (with its lam); runs of a method whose
other settings differ (``--max-steps``, say) are separate groups, named in the legend.

    aga-ref plot runs/harvest-aga-s0 runs/harvest-aga-s1 runs/harvest-simul-ind-s0 --out plots
"""

import json
import os

import numpy as np

from aga_ref.metrics import mean_ci
from figures.arguments import description, out_folder, refuse_unused
from figures.output import colours, plt, save_figure, save_table
from figures.reproduce import PREFIX, update_readme
from figures.run_commands import plot_command, summary
from figures.train_runs import GAME_NAMES, MMM2_TYPES, grouped, load_run, read_run

PANELS = [("social_welfare", "collective return per episode"), ("equality", "equality (1 - Gini)"),
          ("sustainability", "sustainability (mean time step of a reward)"),
          ("beam_hits", "beam hits per episode"), ("apples_eaten", "apples eaten per episode"),
          ("waste_density", "waste density (Cleanup)"), ("battle_won", "win rate (MMM2)"),
          ("agent_damage", "HP dealt to enemies per episode"),
          ("agent_healing", "HP healed by the Medivac per episode")]  # fmt: skip
FINAL_ROWS = 3  # the outcome of a run: the mean over its last rows with finished episodes
FEW_POINTS = 20  # a curve of this many points or fewer gets markers: one point draws no line


def curves_title(game, seeds):
    """The curves' title: what a line and the shading are, for the seed counts ``seeds``
    of the methods drawn (one run is one seed's curve, with no interval)."""
    seeds, name = sorted(seeds), GAME_NAMES.get(game, game)
    if seeds[-1] == 1:
        return f"{name}: one run (seed) per method; no interval"
    shading = "shaded: 95% t interval over seeds"
    if seeds[0] == 1:
        shading += " for methods with 2 or more (the legend counts them)"
    count = f"{seeds[0]} seeds" if seeds[0] == seeds[-1] else "seeds"
    return f"{name}: mean over {count}; {shading}"


def _band(runs, key):
    """Common env_steps, mean and 95% half-width over runs (0 with a single run)."""
    steps = sorted(set.intersection(*(set(c["env_steps"]) for c in runs)))
    values = np.array([[c[key][list(c["env_steps"]).index(s)] for s in steps] for c in runs])
    mean = np.nanmean(values, axis=0)
    if len(runs) < 2:
        return np.array(steps), mean, np.zeros_like(mean)
    half = np.array([mean_ci(v)[1] if np.all(np.isfinite(v)) else np.nan for v in values.T])
    return np.array(steps), mean, half


def plot(folders, out, gif=True, gif_from=None, command=None, log=print):
    """Write curves, the outcome table and (if ``gif``) an episode GIF of the run in
    ``gif_from`` (default: the first folder), and ``summary.md`` naming the commands that
    made them (``command``: the plot's own, if not the runs'); return the paths. Runs with
    no finished episode yet have no curve: ``log`` says so."""
    os.makedirs(out, exist_ok=True)
    runs, configs, waiting = [], [], []
    for folder in folders:
        config, columns = load_run(folder)
        configs.append(config)
        if len(columns.get("env_steps", [])):
            columns["budget"] = config["env_steps"]
            runs.append((config, columns, folder))
        else:
            waiting.append(folder)
    if waiting:
        log(f"note: no episode has finished yet in {', '.join(waiting)}: no curve or outcome "
            f"for {'it' if len(waiting) == 1 else 'them'} (episodes end every --max-steps "
            f"steps, 1000 by default)")  # fmt: skip
    groups = grouped(runs)  # (game, label) -> runs
    paths = []
    for game in sorted({g for g, _ in groups}):
        keys = [(k, t) for k, t in PANELS
                if any(k in c and np.any(np.isfinite(c[k])) and np.any(c[k] != 0)
                       for (g, _), runs in groups.items() if g == game for c in runs)]  # fmt: skip
        names = sorted(n for g, n in groups if g == game)
        # distinct colours, AgA dashed; earlier lines drawn wider so coinciding curves show
        style = {n: (c, "--" if n.startswith("aga") else "-")
                 for n, c in zip(names, colours(len(names)))}  # fmt: skip
        width = {n: 3.2 - 2.0 * k / max(len(names) - 1, 1) for k, n in enumerate(names)}
        rows = -(-len(keys) // 3)
        fig, axes = plt.subplots(rows, 3, figsize=(15, 4.25 * rows), layout="constrained")
        axes = axes.ravel()
        for ax, (key, title) in zip(axes, keys):
            for name in names:
                runs = groups[(game, name)]
                if key not in runs[0]:
                    continue
                steps, mean, half = _band(runs, key)
                colour, dash = style[name]
                ax.plot(steps, mean, dash, color=colour, lw=width[name], ms=5,
                        marker="o" if len(steps) <= FEW_POINTS else None)  # fmt: skip
                low, high = mean - half, mean + half
                if key == "equality":  # 1 - Gini lies in [0, 1]; so does its interval
                    low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
                if len(runs) > 1:
                    ax.fill_between(steps, low, high, color=colour, alpha=0.15)
            ax.set_title(title, fontsize=11)
            ax.set_xlabel("environment steps")
            ax.grid(alpha=0.3)
        for ax in axes[len(keys) :]:
            ax.axis("off")
        handles = [plt.Line2D([], [], color=c, ls=d, lw=width[n]) for n, (c, d) in style.items()]
        seeds = {n: len(groups[(game, n)]) for n in names}
        # below the panels, not in a spare one: a legend alone in an empty panel reads as a
        # missing plot
        fig.legend(handles, [f"{n} ({seeds[n]} seed{'s' * (seeds[n] > 1)})" for n in names],
                   loc="outside lower center", ncol=min(len(names), 3), fontsize=10,
                   frameon=False)  # fmt: skip
        fig.suptitle(curves_title(game, seeds.values()))
        paths.append(save_figure(fig, out, f"{game}_curves"))
        paths += _table(out, game, {n: r for (g, n), r in groups.items() if g == game})
    if gif and folders:
        paths.append(episode_gif(gif_from or folders[0], os.path.join(out, "episode.gif")))
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(summary(configs, paths, command, waiting).replace(PREFIX, ""))
    paths.append(os.path.join(out, "summary.md"))
    return paths


def _final(runs, key):
    """Mean of each run's last rows, then mean +- 95% half-width over runs."""
    finals = [np.nanmean(c[key][-FINAL_ROWS:]) for c in runs if key in c]
    if len(finals) < 2:
        return f"{finals[0]:.3f}" if finals else "-"
    mean, half = mean_ci(np.array(finals))
    return f"{mean:.3f} +- {half:.3f}"


def _table(out, game, groups):
    keys = ["social_welfare", "equality", "efficiency", "sustainability", "peace",
            "beam_hits", "apples_eaten", "cells_cleaned", "waste_density", "battle_won",
            "dead_allies", "dead_enemies", "agent_damage", "agent_healing",
            *MMM2_TYPES]  # fmt: skip
    keys = [k for k in keys if any(k in c and np.any(np.isfinite(c[k]) & (c[k] != 0))
                                   for runs in groups.values() for c in runs)]  # fmt: skip
    rows = [[name, len(runs), max(c["budget"] for c in runs)]
            + [_final(runs, k) for k in keys] for name, runs in sorted(groups.items())]  # fmt: skip
    title = (
        f"{game}: outcome of each method, mean of each run's last {FINAL_ROWS} logged "
        "rows, then mean +- 95% t half-width over seeds"
    )
    save_table(out, f"{game}_outcomes", ["method", "seeds", "env-steps budget"] + keys, rows, title)
    return [os.path.join(out, f"{game}_outcomes.md")]


def episode_gif(folder, path, num_steps=100):
    """Play the run's trained actors for ``num_steps`` in one environment and save a GIF."""
    from aga_ref.rl.checkpoint import load_checkpoint_arrays
    from aga_ref.rl.layers import arch_of
    from aga_ref.rl.policy import sample_actions, unflatten
    from aga_ref.rl.rollout import as_inputs
    from games.gridworld import make_env
    from games.gridworld.video import save_episode

    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    theta, shapes = load_checkpoint_arrays(os.path.join(folder, "checkpoint.npz"))
    if config["env"] == "mmm2":
        from games.smac import make_env as make_battles
        from games.smac.render import save_battle

        rng = np.random.default_rng(0)

        def policy(obs, avail):  # the trained actors, sampling as in training
            a, _ = sample_actions(unflatten(theta, shapes), as_inputs(obs),
                                  np.asarray(avail).transpose(1, 0, 2), rng,
                                  arch_of(shapes))  # fmt: skip
            return a.T

        return save_battle(make_battles("mmm2", seed=0), path, policy, num_steps=num_steps)
    env = make_env(config["env"], num_envs=1, num_agents=config["num_agents"], seed=0,
                   max_steps=config["max_steps"], record_episodes=False)  # fmt: skip
    rng, actions = np.random.default_rng(0), []
    obs, _ = env.reset(seed=0)
    for _ in range(num_steps):
        a, _ = sample_actions(unflatten(theta, shapes), as_inputs(obs), None, rng,
                              arch_of(shapes))  # (N, 1)  # fmt: skip
        actions.append(a.T)
        obs = env.step(a.T)[0]
    return save_episode(env, path, num_steps=num_steps, actions=np.array(actions), seed=0)


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
    ])  # fmt: skip
    markers = (f"<!-- {args.section}:start -->", f"<!-- {args.section}:end -->")
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
            paths = plot_diagnostics(args.folders, out)
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
                     command=command)  # fmt: skip
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
