"""``aga-ref paired RUNS_CSV --against GROUP``: each group's difference from one reference
group, paired by seed, with its 95% t interval, from a per-run table that ``aga-ref plot``
wrote (``GAME_runs.csv``, ``figures.run_table``). ``--summary`` instead gives each group's
own mean, 95% t half-width, minimum and maximum over its seeds, so that a mean or a range
quoted from the per-run table is itself in a committed file.

    aga-ref paired docs/results/threshold/harvest_runs.csv --against simul-co --out paired.md
    aga-ref paired docs/results/threshold/harvest_runs.csv --summary --metric final_entropy

A seed gives every run of a grid the same environments and the same initial networks
(``aga_ref.rl.seeding``), so two groups' runs of one seed are a pair: the difference
``group - reference`` of each shared seed removes what the seed alone decides, and its
interval over the seeds is narrower than the two groups' own intervals suggest. Only seeds
both groups ran are used; a group sharing fewer than 2 seeds with the reference gets no
interval. Computed from the committed table alone, so anyone can check it.
"""

import argparse
import csv
import sys

import numpy as np

from aga_ref.metrics import mean_ci
from figures.arguments import description
from figures.output import markdown_table


def _by_group(rows, metric):
    """{group: {seed: value}} of the runs that have a value of ``metric`` (a blank, or a
    ``nan`` in a table written before blanks were, is none)."""
    by_group = {}
    for row in rows:
        if row[metric] != "" and np.isfinite(float(row[metric])):
            by_group.setdefault(row["group"], {})[row["seed"]] = float(row[metric])
    return by_group


def paired(rows, against, metric):
    """[(group, shared seeds, mean difference, 95% t half-width or None)] of every group
    but ``against``, in the table's order; ``rows``: the per-run table's dicts."""
    by_group = _by_group(rows, metric)
    if against not in by_group:
        raise ValueError(f"--against must be a group of the table, one of "
                         f"{sorted(by_group)}, got {against!r}")  # fmt: skip
    reference, out = by_group[against], []
    for group, values in by_group.items():
        if group == against:
            continue
        seeds = sorted(set(values) & set(reference), key=int)
        diff = np.array([values[s] - reference[s] for s in seeds])
        mean, half = mean_ci(diff) if len(seeds) >= 2 else (
            float(diff[0]) if len(seeds) else float("nan"), None)  # fmt: skip
        out.append((group, seeds, mean, half))
    return out


def summary(rows, metric):
    """[(group, seeds, mean, 95% t half-width or None, min, max)] of every group."""
    by_group = _by_group(rows, metric)
    out = []
    for group, values in by_group.items():
        seeds = sorted(values, key=int)
        x = np.array([values[s] for s in seeds])
        mean, half = mean_ci(x) if len(x) >= 2 else (float(x[0]), None)
        out.append((group, seeds, mean, half, float(x.min()), float(x.max())))
    return out


def _half(half):
    return "-" if half is None else f"{half:.3f}"


def make_parser():
    parser = argparse.ArgumentParser(prog="aga-ref paired", description=description(__doc__))
    parser.add_argument("table", help="a per-run table: GAME_runs.csv from aga-ref plot")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--against", metavar="GROUP",
                       help="the reference group, named as in the table ('simul-co')")  # fmt: skip
    which.add_argument("--summary", action="store_true",
                       help="each group's own mean, half-width, min and max instead")  # fmt: skip
    parser.add_argument("--metric", default="final_social_welfare",
                        help="a column of the table (default: final_social_welfare)")  # fmt: skip
    parser.add_argument("--out", help="also write the table here (Markdown)")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        with open(args.table, newline="") as f:
            rows = list(csv.DictReader(f))
        if rows and not {"group", "seed"} <= set(rows[0]):  # GAME_outcomes.csv: one per group
            raise ValueError(f"{args.table} is not a per-run table (no group and seed "
                             f"columns): give GAME_runs.csv, which aga-ref plot writes "
                             f"beside GAME_outcomes.csv")  # fmt: skip
        if not rows or args.metric not in rows[0]:
            raise ValueError(f"--metric must be a column of {args.table}, one of "
                             f"{list(rows[0]) if rows else []}, got {args.metric!r}")  # fmt: skip
        if all(row[args.metric] == "" for row in rows):
            raise ValueError(f"--metric {args.metric}: the column is empty in {args.table} "
                             f"(no run logged it)")  # fmt: skip
        result = (summary(rows, args.metric) if args.summary
                  else paired(rows, args.against, args.metric))  # fmt: skip
    except (OSError, ValueError) as error:
        parser.error(str(error))
    if args.summary:
        lines = [[group, " ".join(seeds), f"{mean:+.3f}", _half(half), f"{lo:+.3f}", f"{hi:+.3f}"]
                 for group, seeds, mean, half, lo, hi in result]  # fmt: skip
        head = f"{args.metric}: each group over its seeds (mean, 95% t half-width, min, max)"
        columns = ["group", "seeds", "mean", "+-", "min", "max"]
    else:
        lines = [[group, " ".join(seeds), f"{mean:+.3f}", _half(half)]
                 for group, seeds, mean, half in result]  # fmt: skip
        head = (f"{args.metric}: each group minus {args.against}, paired by seed "
                "(mean, 95% t half-width)")  # fmt: skip
        columns = ["group", "seeds", "mean difference", "+-"]
    text = f"{head}, from {args.table}\n\n" + markdown_table(columns, lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0
