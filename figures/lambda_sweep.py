"""AgA's dependence on |lam| on the public goods game: social welfare (SW) and Equality
(mean ± 95% CI) against |lam| on a log scale, with Simul-Co (lam = 0) as the reference. The
figure uses the paper's words and symbols (social welfare, |lambda|); the table the code's.

    python -m figures.lambda_sweep [--out DIR] [--seed S] [--quick]
"""

import matplotlib.pyplot as plt
import numpy as np

from figures.output import save_figure, save_table
from figures.public_goods_runs import run_method, start_points, summary
from figures.script import run_script
from figures.toy_common import METHOD_STYLES

# each method in its colour of the other figures of the paper's games (AgA red, Simul-Co green)
COLOUR = {label: colour for label, _, _, colour in METHOD_STYLES}

# The range of each metric, to clip confidence intervals to: Equality = 1 - Gini lies in [0, 1].
RANGES = {"SW": (-np.inf, np.inf), "Equality": (0.0, 1.0)}
WORDS = {"SW": "social welfare", "Equality": "equality"}  # the paper's names of the metrics
DEFINITIONS = {"SW": "r1 + r2", "Equality": "1 - Gini"}


def make(out_dir, protocol):
    """Write ``lambda_sweep.png`` and ``lambda_sweep.md/.csv``; return the Markdown."""
    p = protocol.public_goods
    starts = start_points(p, protocol.seed)
    reference = summary(run_method("Simul-Co", p, starts))
    sweep = [summary(run_method("AgA", p, starts, lam=float(lam))) for lam in p.sweep]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for ax, metric in zip(axes, ["SW", "Equality"]):
        mean, half = np.array([s[metric] for s in sweep]).T  # (L,), (L,)
        low, high = RANGES[metric]  # the interval is clipped to the metric's range
        yerr = [mean - np.maximum(mean - half, low), np.minimum(mean + half, high) - mean]
        ax.errorbar(p.sweep, mean, yerr=yerr, marker="o", capsize=3, color=COLOUR["AgA"],
                    label="AgA (mean, 95% CI)")  # fmt: skip
        ax.axhline(reference[metric][0], color=COLOUR["Simul-Co"], ls="--",
                   label=r"Simul-Co ($\lambda$ = 0)")  # fmt: skip
        clipped = " (CI clipped to [0, 1])" if metric == "Equality" else ""
        ax.set(xscale="log", xlabel=r"$|\lambda|$ (AgA's weight; the sign rule picks its sign)",
               ylabel=f"{WORDS[metric]} ({DEFINITIONS[metric]})",
               title=f"{WORDS[metric].capitalize()} vs $|\\lambda|${clipped}")  # fmt: skip
        ax.legend()
    fig.suptitle(f"AgA on the public goods game (Sec. 5): {p.num_runs} runs per $|\\lambda|$ "
                 f"from shared random starts, $\\eta$ = {p.eta}")  # fmt: skip
    save_figure(fig, out_dir, "lambda_sweep")
    rows = [[f"{lam:.3g}", *(f"{s[m][0]:.3f} ± {s[m][1]:.3f}" for m in ("SW", "Equality"))]
            for lam, s in zip(p.sweep, sweep)]  # fmt: skip
    rows.append(["0 (Simul-Co)", *(f"{reference[m][0]:.3f} ± {reference[m][1]:.3f}"
                                   for m in ("SW", "Equality"))])  # fmt: skip
    title = (f"AgA lambda sweep, public goods game, eta={p.eta}, {p.num_runs} runs; mean ± 95% "
             "CI half-width (the figure clips Equality's interval to [0, 1])")  # fmt: skip
    return save_table(
        out_dir,
        "lambda_sweep",
        ["lam (absolute; the sign rule picks the sign)", "SW", "Equality"],
        rows,
        title,
    )


def main():
    run_script(__doc__, make)


if __name__ == "__main__":
    main()
