"""Poster Fig. 2: trajectories of Simul-Ind, Simul-Co, CGA, SGA and AgA on the toy game,
over (a) the collective reward landscape, (b) player 1's and (c) player 2's reward contours.

    python -m figures.toy_trajectories [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt
import numpy as np

from figures.output import save_figure, save_table
from figures.script import run_script
from figures.toy_common import METHOD_STYLES, collective_reward_of, landscape, run
from games.toy import social_optimum


def make(out_dir, protocol):
    """Write ``toy_trajectories.png`` and ``toy_endpoints.md/.csv``; return the Markdown."""
    p = protocol.toy
    w_star, reward_star = social_optimum()
    A_1, A_2, r_1, r_2 = landscape()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    panels = [("(a) collective reward r1 + r2", r_1 + r_2), ("(b) player 1's reward r1", r_1),
              ("(c) player 2's reward r2", r_2)]  # fmt: skip
    for ax, (title, Z) in zip(axes, panels):
        ax.contourf(A_1, A_2, Z, levels=30, cmap="Oranges")
        ax.set(title=title, xlabel="a1", ylabel="a2", xlim=A_1[0, [0, -1]], ylim=A_2[[0, -1], 0])
    rows = []
    for label, method, uses_lam, colour in METHOD_STYLES:
        kwargs = {"lam": p.lam} if uses_lam else {}
        trajectory, error = run(method, p.w0, p.num_steps, p.eta, **kwargs)
        for ax in axes:
            ax.plot(trajectory[:, 0], trajectory[:, 1], color=colour, lw=1.8, label=label)
            ax.plot(*trajectory[-1], "o", color=colour, ms=5)
        end = trajectory[-1]
        rows.append([label, f"({end[0]:.3f}, {end[1]:.3f})",
                     f"{collective_reward_of(trajectory)[-1]:.3f}",
                     f"{np.linalg.norm(end - w_star):.3f}", error or "no"])  # fmt: skip
    for ax in axes:
        ax.plot(*w_star, "*", color="black", ms=14, label="social optimum")
        ax.plot(*p.w0, "s", color="black", ms=7, label="start")
    axes[0].legend(loc="lower left", fontsize=8)
    save_figure(fig, out_dir, "toy_trajectories")
    title = (f"Toy game endpoints after {p.num_steps} steps from {p.w0}, eta={p.eta}, "
             f"lam={p.lam}; social optimum ({w_star[0]:.4f}, {w_star[1]:.4f}), "
             f"r1+r2 = {reward_star:.4f}")  # fmt: skip
    header = ["method", "end (a1, a2)", "r1 + r2", "distance to optimum", "diverged"]
    return save_table(out_dir, "toy_endpoints", header, rows, title)


def main():
    run_script(__doc__, make)


if __name__ == "__main__":
    main()
