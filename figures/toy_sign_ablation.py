"""AgA vs AgA without sign alignment ("AgA-Sign", poster Sec. "Alignment effectiveness") on
the toy game: the 40-step figure with a marker every 10th step, the step at which the two
directions first differ, steps to reach the optimum, and the same over random starts.

    python -m figures.toy_sign_ablation [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt
import numpy as np

import aga_ref
from figures.output import save_figure, save_table
from figures.script import run_script
from figures.toy_common import collective_reward_of, landscape, run
from games.toy import local_social_optimum, toy_game


def steps_to_optimum(trajectory, reward_star, tol):
    """First step whose collective reward is within ``tol * |reward_star|``, else None."""
    hits = np.flatnonzero(collective_reward_of(trajectory) >= reward_star - tol * abs(reward_star))
    return int(hits[0]) if hits.size else None


def sign_path(trajectory):
    """The paper's sign at every step of a trajectory (T+1,)."""
    with np.errstate(all="ignore"):
        return np.array([aga_ref.aga_sign(toy_game(), w) for w in trajectory])


def compare(w0, p, reward_star):
    """Steps to the optimum for AgA and AgA-Sign from ``w0``, and AgA's trajectory."""
    aga, _ = run("aga", w0, p.num_steps, p.eta, lam=p.lam)
    ablation, _ = run("aga", w0, p.num_steps, p.eta, lam=p.lam, align=False)
    steps = [steps_to_optimum(t, reward_star, p.reward_tol) for t in (aga, ablation)]
    return steps, aga, ablation


def fmt(steps):
    return "not reached" if steps is None else str(steps)


def make(out_dir, protocol):
    """Write ``toy_sign_ablation.png`` and ``toy_sign_ablation.md/.csv``; return Markdown."""
    p = protocol.toy
    w_star, reward_star = local_social_optimum()
    steps, aga, ablation = compare(p.w0, p, reward_star)
    plot(out_dir, p, aga, ablation, w_star)
    rows = start_rows(p, steps, aga, ablation, w_star) + random_start_rows(protocol, reward_star)
    title = f"AgA vs AgA-Sign on the toy game (eta={p.eta}, lam={p.lam}, paper sign rule)"
    return save_table(out_dir, "toy_sign_ablation", ["quantity", "value"], rows, title)


def plot(out_dir, p, aga, ablation, w_star):
    """The first ``ablation_steps`` of both runs, a marker every 10th step."""
    A_1, A_2, r_1, r_2 = landscape()
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    filled = ax.contourf(A_1, A_2, r_1 + r_2, levels=30, cmap="Oranges")
    fig.colorbar(filled, ax=ax, label="collective reward r1 + r2")
    k = p.ablation_steps
    for trajectory, label, colour in [
        (aga, "AgA", "tab:red"),
        (ablation, "AgA-Sign", "tab:purple"),
    ]:
        ax.plot(trajectory[: k + 1, 0], trajectory[: k + 1, 1], color=colour, lw=1.6, label=label)
        ax.plot(trajectory[10 : k + 1 : 10, 0], trajectory[10 : k + 1 : 10, 1], "o", color=colour)
    ax.plot(*w_star, "*", color="black", ms=14, label="local social optimum")
    ax.plot(*p.w0, "s", color="white", markeredgecolor="black", ms=7, label="start")
    ax.set(title=f"AgA vs AgA-Sign, {k} steps (marker every 10th)",
           xlabel="a1 (player 1's action)", ylabel="a2 (player 2's action)")  # fmt: skip
    ax.legend(fontsize=8)
    save_figure(fig, out_dir, "toy_sign_ablation")


def start_rows(p, steps, aga, ablation, w_star):
    """Table rows for the protocol's start. AgA-Sign always uses +lam, so the directions
    first differ at the first step where the paper's sign is -1."""
    signs = sign_path(aga)
    negative = np.flatnonzero(signs[:-1] < 0)
    k, reach = p.ablation_steps, f"steps to r1+r2 within {p.reward_tol:.0%} of optimum"
    distances = [np.linalg.norm(t[k] - w_star) for t in (aga, ablation)]
    return [
        ["start", f"{tuple(p.w0)}"],
        ["first step where the directions differ", fmt(negative[0] if negative.size else None)],
        [f"{reach}: AgA", fmt(steps[0])],
        [f"{reach}: AgA-Sign", fmt(steps[1])],
        [f"sign flips of AgA's lam in {p.num_steps} steps", str(np.sum(signs[1:] != signs[:-1]))],
        [f"distance to optimum at step {k}: AgA / AgA-Sign", "{:.3f} / {:.3f}".format(*distances)],
    ]


def random_start_rows(protocol, reward_star):
    """Table rows over ``num_starts`` seeded random starts in ``start_box``."""
    p, rng = protocol.toy, np.random.default_rng(protocol.seed)
    (x0, x1), (y0, y1) = p.start_box
    starts = np.column_stack([rng.uniform(x0, x1, p.num_starts), rng.uniform(y0, y1, p.num_starts)])
    pairs = [compare(w0, p, reward_star)[0] for w0 in starts]
    reached = [sum(s is not None for s in column) for column in zip(*pairs)]
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    ratios = [a / b for a, b in both if b > 0]
    order = [sum(a < b for a, b in both), sum(a == b for a, b in both), sum(a > b for a, b in both)]
    return [
        [f"random starts (seed {protocol.seed}) reaching the optimum: AgA / AgA-Sign",
         f"{reached[0]} / {reached[1]} of {len(pairs)}"],
        ["starts where both reach it: AgA faster / equal / slower", "{} / {} / {}".format(*order)],
        ["median over those starts of steps(AgA) / steps(AgA-Sign)",
         f"{np.median(ratios):.3f}" if ratios else "n/a"],
    ]  # fmt: skip


def main():
    run_script(__doc__, make)


if __name__ == "__main__":
    main()
