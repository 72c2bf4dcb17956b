"""The public goods table of Sec. 5 next to the paper's, with the difference per cell.

python -m figures.public_goods_table [--out DIR]
"""

import argparse
import os

from figures.output import save_table
from figures.protocol import Protocol
from figures.public_goods_runs import METHODS, PAPER, run_all, summary


def make(out_dir, protocol, results):
    """Write ``public_goods_table.md/.csv``; return the Markdown."""
    ours = {label: summary(results[label]) for label in METHODS}
    rows = []
    for metric, paper in PAPER.items():
        rows.append(
            [metric, "ours"] + [f"{m:.3f} ± {h:.3f}" for m, h in (ours[k][metric] for k in METHODS)]
        )
        rows.append([metric, "paper"] + [f"{m:.3f} ± {h:.3f}" for m, h in paper])
        rows.append(
            [metric, "ours - paper"]
            + [f"{ours[k][metric][0] - m:+.3f}" for k, (m, _) in zip(METHODS, paper)]
        )
    p = protocol.public_goods
    title = (
        f"Public goods game (b=1, c=1.5, a_i = sigmoid(w_i)): mean ± 95% CI over "
        f"{p.num_runs} runs, at most {p.max_steps} steps, eta={p.eta}, lam={p.lam}, "
        f"seed {protocol.seed}"
    )
    return save_table(out_dir, "public_goods_table", ["metric", "source", *METHODS], rows, title)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    protocol = Protocol()
    print(make(args.out, protocol, run_all(protocol)))


if __name__ == "__main__":
    main()
