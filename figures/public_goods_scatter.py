"""Paper Fig. 4: the final action pairs of every run per method, each method's mean as an X,
with the game's Nash equilibrium (0, 0) and social optimum (b, b) marked in every panel.

python -m figures.public_goods_scatter [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt

from figures.output import save_figure
from figures.public_goods_runs import METHODS
from figures.script import run_script
from games.public_goods import B

# (label, actions, marker style): where the dilemma's two reference points lie
REFERENCE = [
    ("Nash equilibrium (0, 0)", (0.0, 0.0), {"marker": "s", "color": "black", "mfc": "none"}),
    (
        f"social optimum ({B:g}, {B:g})",
        (B, B),
        {"marker": "*", "color": "tab:orange", "mfc": "none"},
    ),
]


def make(out_dir, protocol, results):
    """Write ``public_goods_scatter.png`` (no table: returns None)."""
    fig, axes = plt.subplots(1, len(METHODS), figsize=(2.6 * len(METHODS), 3.3), sharey=True,
                             layout="constrained")  # fmt: skip
    for ax, label in zip(axes, METHODS):
        a = results[label]["actions"]  # (runs, 2)
        ax.scatter(a[:, 0], a[:, 1], s=12, alpha=0.6, zorder=3, label="final actions of a run")
        ax.plot(a[:, 0].mean(), a[:, 1].mean(), "x", color="red", ms=12, mew=3, ls="", zorder=4,
                label="mean of the runs")  # fmt: skip
        for name, point, style in REFERENCE:  # hollow and beneath: runs there stay visible
            ax.plot(*point, ls="", ms=15, mew=2, zorder=2, label=name, **style)
        ax.set(title=label, xlim=(-0.08, B + 0.08), ylim=(-0.08, B + 0.08), xlabel="a1")
    axes[0].set_ylabel("a2")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4,
               frameon=False)  # fmt: skip
    fig.suptitle(f"Public goods game (Sec. 5): final actions of {len(a)} runs per method")
    save_figure(fig, out_dir, "public_goods_scatter")


def main():
    run_script(__doc__, make, needs_results=True)


if __name__ == "__main__":
    main()
