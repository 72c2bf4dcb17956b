"""``python -m figures.outcome_dots TABLE.csv... --columns C... --out FIGURE.png``: a dot chart
of the final outcomes in committed tables, for experiments whose run folders are not
committed, so that their curves cannot be redrawn (issue 27, item 6).

The tables are those ``aga-ref plot`` writes (``<game>_outcomes.csv``: each cell the mean over
seeds ``+-`` the 95% t half-width) and those ``aga-ref probe`` writes (``<game>_probe.csv``:
the mean over runs and, in brackets, their range; the ``trained`` actors are drawn, the
``initial`` ones as a dotted line). A row per group, a panel per column, under the rules of
every curve (``figures.curve_panels``, ``figures.method_styles``):

- a filled dot and a bar: the mean and its 95% t interval over 3 seeds or more, the bar
  clipped to the column's valid range (equality in [0, 1]...);
- a hollow dot and no bar: a group of fewer than 3 seeds (its interval is no evidence, and
  the table holds only its mean, not its runs);
- a thin bar with end ticks: a probe's range over runs (for 2 runs: the two runs);
- a group's colour, dash and marker are those it has in every figure (``style``);
- the title says the budget as a share of the paper's (``budget_note``).

    python -m figures.outcome_dots docs/results/dilemmas/cleanup_outcomes.csv \
        --columns social_welfare cells_cleaned waste_density --out cleanup_outcomes.png
"""

import argparse
import csv
import os
import re

import numpy as np

from figures.arguments import description
from figures.curve_panels import MIN_BAND_SEEDS, bounds_of, budget_note, chosen
from figures.method_styles import style
from figures.output import plt
from figures.train_plot import PANELS
from figures.train_runs import GAME_NAMES

MORE = {"cells_cleaned": "river cells cleaned per episode",
        "dead_enemies": "enemy units dead at the episode's end (of 12)",
        "act_l1": "mean |h_1| of the actors (1: saturated)",
        "act_l2": "mean |h_2| of the actors (1: saturated)",
        "logit_std": "spread of the logits between states",
        "entropy": "policy entropy, probe's states (max 2.079)"}  # fmt: skip
NUMBER = r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?"  # 417.427, -2.29e-06


def config_of(name):
    """The settings a group's name (``aga-ref plot``'s legend) states, as ``style`` reads them:
    ``aga lam=100 (no H) (sgd, lr 0.05)`` -> method aga, lam 100, no product, SGD."""
    method, _, rest = name.partition(" ")
    lam = re.match(rf"lam=({NUMBER})", rest)
    config = {"method": method, "lam": float(lam.group(1)) if lam else None,
              "optimizer": "sgd" if "(sgd" in rest else "adam",
              "hamiltonian": "(no H)" not in rest, "align": "(no align)" not in rest}  # fmt: skip
    config.update(re.findall(r"\((\w+)=([\w.]+)\)", rest))  # (hamiltonian_estimator=split)
    sign = re.search(r"\((\w+) sign\)", rest)
    return {**config, **({"sign_rule": sign.group(1)} if sign else {})}


def cell(text, seeds):
    """(mean, low, high, kind) of one cell; kind 'ci' (an interval), 'range' or None."""
    numbers = [float(x) for x in re.findall(NUMBER, text)] if text.strip() != "-" else []
    if not numbers:
        return None
    if "[" in text:  # the probe's "mean [min, max]"
        return numbers[0], numbers[1], numbers[2], "range"
    if "+-" in text and seeds >= MIN_BAND_SEEDS:
        return numbers[0], numbers[0] - numbers[1], numbers[0] + numbers[1], "ci"
    return numbers[0], None, None, None


def read_table(path):
    """(game, budget or None, {group: {column: cell}}, {column: initial mean}) of a table."""
    if not os.path.isfile(path):
        raise ValueError(f"TABLE: expected a CSV written by aga-ref plot or probe, got {path!r}")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "method" not in rows[0]:
        raise ValueError(f"TABLE: {path!r} has no 'method' column (not an outcome table)")
    game = os.path.basename(path).split("_")[0]
    skip = {"method", "seeds", "env-steps budget", "actors", "runs"}
    groups, initial = {}, {}
    for row in rows:
        seeds = row.get("seeds") or row.get("runs") or ""
        if not seeds.isdigit():
            raise ValueError(f"TABLE: {path!r}, group {row['method']!r}: expected a count of "
                             f"seeds or runs, got {seeds!r}")  # fmt: skip
        seeds = int(seeds)
        cells = {k: cell(v, seeds) for k, v in row.items() if k not in skip}
        if row.get("actors") == "initial":  # every group starts from the same networks
            for k, c in cells.items():
                initial.setdefault(k, []).append(c[0])
            continue
        groups[row["method"]] = {"seeds": seeds, **{k: c for k, c in cells.items() if c}}
    budgets = {int(r["env-steps budget"]) for r in rows if r.get("env-steps budget")}
    return game, max(budgets, default=None), groups, {k: np.mean(v) for k, v in initial.items()}


def draw(ax, column, groups, initial):
    """One panel: a row per group (top to bottom in ``groups``' order)."""
    names = list(groups)
    for i, name in enumerate(names):
        look, c = style(config_of(name)), groups[name].get(column)
        if c is None:
            continue
        mean, low, high, kind = c
        if kind == "ci":  # an interval beyond the valid range claims impossible values
            floor, ceiling = bounds_of(column)
            low = low if floor is None else max(low, floor)
            high = high if ceiling is None else min(high, ceiling)
        if kind:
            ax.plot([low, high], [i, i], color=look["color"], ls=look["ls"],
                    lw=2.4 if kind == "ci" else 1.2, marker="|" if kind == "range" else None,
                    ms=9, label=f"_{name} {kind}")  # fmt: skip
        full = kind is not None or groups[name]["seeds"] >= MIN_BAND_SEEDS
        ax.plot([mean], [i], ls="", marker=look["marker"] or "o", ms=7, color=look["color"],
                mfc=look["color"] if full else "white", mew=1.6, label=f"_{name} mean")  # fmt: skip
    if column in initial:
        ax.axvline(initial[column], color="0.3", ls=":", lw=1.2, label="_initial")
    ax.set_yticks(range(len(names)), [f"{n} ({groups[n]['seeds']} seeds)" for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    title = PANELS.get(column) or MORE.get(column, column)
    ax.set_title(title + ("\n(dotted: the actors at initialisation)" if column in initial else ""),
                 fontsize=10)  # fmt: skip
    ax.grid(axis="x", alpha=0.3)


def figure(tables, columns, methods=None):
    """The dot chart of ``columns`` for the groups ``methods`` (default: the first table's)
    from ``tables`` (CSV paths; a column is read from the first table that has it)."""
    read = [read_table(path) for path in tables]
    available = [k for _, _, groups, _ in read for g in groups.values() for k in g if k != "seeds"]
    columns = chosen(list(dict.fromkeys(available)), columns, "--columns")
    names = chosen(list(read[0][2]), methods, "--methods")
    fig, axes = plt.subplots(1, len(columns), figsize=(3.6 * len(columns) + 2.2,
                             0.34 * len(names) + 1.9), sharey=True, squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, column in zip(axes[0], columns):
        _, _, groups, initial = next(r for r in read if any(column in g for g in r[2].values()))
        draw(ax, column, {n: groups.get(n, {"seeds": 0}) for n in names}, initial)
    games = {game for game, _, _, _ in read}
    game = games.pop() if len(games) == 1 else ""
    budget = max((b for _, b, _, _ in read if b), default=None)
    probe = any(initial for _, _, _, initial in read)
    lines = [f"{GAME_NAMES.get(game, game)}: the final outcome of each group (seeds); dot and "
             "bar: mean and 95% t interval,", "clipped to the metric's range; hollow: fewer "
             f"than {MIN_BAND_SEEDS} seeds, mean only"
             + ("; thin bar with ticks: the probe's range over runs" if probe else "")]  # fmt: skip
    fig.suptitle("\n".join(lines + ([budget_note(game, budget)] if budget and game else [])),
                 fontsize=10)  # fmt: skip
    return fig


def outcome_dots(tables, columns, out, methods=None):
    """Write ``figure(tables, columns, methods)`` to ``out``; return ``out``."""
    fig = figure(tables, columns, methods)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m figures.outcome_dots",
                                     description=description(__doc__))  # fmt: skip
    parser.add_argument("tables", nargs="+", metavar="TABLE", help="outcome or probe CSVs")
    parser.add_argument("--columns", nargs="+", required=True, help="the panels, left to right")
    parser.add_argument("--methods", nargs="+", metavar="NAME",
                        help="the groups, top to bottom (default: the first table's)")  # fmt: skip
    parser.add_argument("--out", required=True, help="the PNG to write")
    args = parser.parse_args(argv)
    if not args.out.endswith(".png"):
        parser.error(f"--out: expected a path ending in .png, got {args.out!r}")
    try:
        print(f"wrote {outcome_dots(args.tables, args.columns, args.out, args.methods)}")
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
