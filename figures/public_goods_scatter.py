"""Paper Fig. 4: the final action pairs of every run per method, each method's mean as an X.

python -m figures.public_goods_scatter [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt

from figures.output import save_figure
from figures.public_goods_runs import METHODS
from figures.script import run_script


def make(out_dir, protocol, results):
    """Write ``public_goods_scatter.png`` (no table: returns None)."""
    fig, axes = plt.subplots(1, len(METHODS), figsize=(2.6 * len(METHODS), 2.9), sharey=True)
    for ax, label in zip(axes, METHODS):
        a = results[label]["actions"]  # (runs, 2)
        ax.scatter(a[:, 0], a[:, 1], s=12, alpha=0.6)
        ax.plot(a[:, 0].mean(), a[:, 1].mean(), "x", color="red", ms=12, mew=3)
        ax.set(title=label, xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), xlabel="a1")
    axes[0].set_ylabel("a2")
    fig.suptitle(
        f"Final actions of {len(a)} runs (X: mean); Nash (0, 0), social optimum (1, 1)", y=1.06
    )
    save_figure(fig, out_dir, "public_goods_scatter")


def main():
    run_script(__doc__, make, needs_results=True)


if __name__ == "__main__":
    main()
