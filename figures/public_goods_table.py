"""The public goods table of Sec. 5 next to the paper's, with the difference per cell.

python -m figures.public_goods_table [--out DIR] [--seed S] [--quick]
"""

from figures.output import save_table
from figures.public_goods_runs import METHODS, PAPER, summary
from figures.script import run_script


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
    run_script(__doc__, make, needs_results=True)


if __name__ == "__main__":
    main()
