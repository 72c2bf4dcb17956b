"""Poster Fig. 2: trajectories of Simul-Ind, Simul-Co, CGA, SGA and AgA on the toy game,
over (a) the collective reward landscape, (b) player 1's and (c) player 2's reward contours.

    python -m figures.toy_trajectories [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt
import numpy as np

from figures.output import save_figure, save_table
from figures.script import run_script
from figures.toy_common import (
    LANDSCAPE_CMAP,
    LINE_STYLES,
    METHOD_STYLES,
    collective_reward_of,
    landscape,
    run,
)
from games.toy import local_social_optimum


def make(out_dir, protocol):
    """Write ``toy_trajectories.png`` and ``toy_endpoints.md/.csv``; return the Markdown."""
    p = protocol.toy
    w_star, reward_star = local_social_optimum()
    A_1, A_2, r_1, r_2 = landscape()
    fig, axes = plt.subplots(1, 3, figsize=(19, 5.2), layout="constrained")
    panels = [("(a) collective reward r1 + r2", r_1 + r_2), ("(b) player 1's reward r1", r_1),
              ("(c) player 2's reward r2", r_2)]  # fmt: skip
    for ax, (title, Z) in zip(axes, panels):
        filled = ax.contourf(A_1, A_2, Z, levels=30, cmap=LANDSCAPE_CMAP)
        fig.colorbar(filled, ax=ax, shrink=0.9, pad=0.02, label=title.split(" ", 1)[1])
        ax.set(title=title, xlabel="a1 (player 1's action)", ylabel="a2 (player 2's action)",
               xlim=A_1[0, [0, -1]], ylim=A_2[[0, -1], 0])  # fmt: skip
    runs = {}
    for label, method, uses_lam, _ in METHOD_STYLES:
        kwargs = {"lam": p.lam} if uses_lam else {}
        runs[label] = run(method, p.w0, p.num_steps, p.eta, **kwargs)
    rows = []
    for label, _, _, colour in METHOD_STYLES:
        trajectory, error = runs[label]
        end = trajectory[-1]
        shared = [other for other, (t, _) in runs.items()
                  if other != label and np.linalg.norm(t[-1] - end) < 1e-3]  # fmt: skip
        legend = f"{label}, ends at ({end[0]:.2f}, {end[1]:.2f})"
        legend += f" with {' and '.join(shared)}" if shared else ""
        style, width, marker, size = LINE_STYLES[label]
        for ax in axes:
            ax.plot(trajectory[:, 0], trajectory[:, 1], ls=style, lw=width, color=colour,
                    label=legend, marker=marker, ms=size, markevery=[len(trajectory) - 1],
                    markeredgecolor="black", alpha=0.9)  # fmt: skip
        rows.append([label, f"({end[0]:.3f}, {end[1]:.3f})",
                     f"{collective_reward_of(trajectory)[-1]:.3f}",
                     f"{np.linalg.norm(end - w_star):.3f}", error or "no"])  # fmt: skip
    for ax in axes:
        ax.plot(*w_star, "*", color="black", ms=16, label="local social optimum", zorder=5)
        ax.plot(*p.w0, "s", color="white", markeredgecolor="black", ms=8, label="start", zorder=5)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9,
               title=f"{p.num_steps} steps from {tuple(p.w0)} (marker: the end point)")  # fmt: skip
    save_figure(fig, out_dir, "toy_trajectories")
    title = (f"Toy game endpoints after {p.num_steps} steps from {p.w0}, eta={p.eta}, "
             f"lam={p.lam}; local social optimum near the start ({w_star[0]:.4f}, "
             f"{w_star[1]:.4f}), r1+r2 = {reward_star:.4f} (r1 + r2 itself is "
             "unbounded)")  # fmt: skip
    header = ["method", "end (a1, a2)", "r1 + r2", "distance to optimum", "diverged"]
    return save_table(out_dir, "toy_endpoints", header, rows, title)


def main():
    run_script(__doc__, make)


if __name__ == "__main__":
    main()
