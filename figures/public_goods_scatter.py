"""Paper Fig. 4: the final action pairs of every run per method, each method's mean as an X,
with the game's Nash equilibrium (0, 0) and social optimum (b, b) marked in every panel; and
its table: each method's mean final actions and how many runs end at either point.

python -m figures.public_goods_scatter [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt
import numpy as np

from aga_ref.metrics import mean_ci
from figures.output import save_figure, save_table
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
    """Write ``public_goods_scatter.png`` and ``public_goods_scatter.md/.csv``; return the
    Markdown."""
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
    return _table(out_dir, protocol, results)


NEAR = 0.05  # a run ends at a point when both of its final actions lie this close to it


def _table(out_dir, protocol, results):
    """The figure in numbers: mean final actions (± 95% CI) and the runs at each point."""
    rows = []
    for label in METHODS:
        a = results[label]["actions"]  # (runs, 2)
        means = [mean_ci(a[:, i]) for i in range(2)]
        at = [int(np.sum(np.all(np.abs(a - point) <= NEAR, axis=1))) for point in ((0, 0), (B, B))]
        rows.append([label, *(f"{m:.3f} ± {h:.3f}" for m, h in means),
                     *(f"{n}/{len(a)}" for n in at)])  # fmt: skip
    title = (f"Final actions of {len(a)} runs per method (seed {protocol.seed}): mean ± 95% CI; "
             f"a run ends at a point when both actions lie within {NEAR} of it")  # fmt: skip
    header = ["method", "a1", "a2", "runs at Nash (0, 0)", f"runs at the optimum ({B:g}, {B:g})"]
    return save_table(out_dir, "public_goods_scatter", header, rows, title)


def main():
    run_script(__doc__, make, needs_results=True)


if __name__ == "__main__":
    main()
