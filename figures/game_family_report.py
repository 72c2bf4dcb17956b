"""The figure, table and summary of ``aga-ref family`` (``figures.game_family``)."""

import os

import numpy as np

from figures.output import colours, plt, save_figure, save_table
from figures.reproduce import PREFIX  # image links: filled in by update_readme

COOPERATE, DEFECT, NEAR_NASH = 1.1, 1.9, 0.01  # thresholds of the table's shares
OFF_CHART = 1e3  # a mean curve beyond this is named in its panel instead of drawn


def _final(series):
    """The last finite value of each run (runs,), NaN for a run with none."""
    out = np.full(series.shape[0], np.nan)
    for r, row in enumerate(series):
        finite = np.flatnonzero(np.isfinite(row))
        out[r] = row[finite[-1]] if finite.size else np.nan
    return out


def _mean_sd(x):
    x = x[np.isfinite(x)]
    return f"{x.mean():.4g} ± {x.std():.3g}" if x.size else "n/a"


def _share(mask, total):
    return f"{int(np.sum(mask))}/{total}"


def table_rows(results):
    """One row per method: the table's formatted cells."""
    rows = []
    for label in results["ipd"]:
        ipd, mp, tan = (results[g][label] for g in ("ipd", "matching_pennies", "tandem"))
        l1, l2 = _final(ipd["avg_loss_1"]), _final(ipd["avg_loss_2"])
        n_ipd, distance = l1.size, _final(mp["distance"])
        q25, q50, q75 = np.nanpercentile(distance, [25, 50, 75])
        diverged = "/".join(str(int(results[g][label]["diverged"].sum())) for g in results)
        rows.append([
            label, _mean_sd(l1),
            _share((l1 <= COOPERATE) & (l2 <= COOPERATE), n_ipd),
            _share((l1 >= DEFECT) & (l2 >= DEFECT), n_ipd),
            f"{q50:.3g} [{q25:.3g}, {q75:.3g}]", _share(distance <= NEAR_NASH, distance.size),
            _mean_sd(_final(tan["loss_1"])), _mean_sd(_final(tan["x_plus_y"])), diverged,
        ])  # fmt: skip
    return rows


HEADER = [
    "method", "IPD: (1-gamma) l_1 at the end", "IPD: both <= 1.1 (cooperate)",
    "IPD: both >= 1.9 (defect)", "pennies: distance to w* = 0 at the end, median [IQR]",
    "pennies: distance <= 0.01", "tandem: l_1 at the end", "tandem: x + y at the end",
    "runs that became non-finite (IPD/pennies/tandem)",
]  # fmt: skip


def plot(results, out_dir):
    """Three panels, one per game: the measured quantity against the step."""
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    panels = [("ipd", "avg_loss_1", "IPD: average loss per step", "mean",
               "(1 - gamma) l_1: mean ± sd over runs"),
              ("matching_pennies", "distance", "Matching pennies: distance to w* = 0", "median",
               "||w||: median and quartiles over runs"),
              ("tandem", "x_plus_y", "Tandem: x + y (fixed points: x + y = 1)", "mean",
               "x + y: mean ± sd over runs")]  # fmt: skip
    labels = list(results["ipd"])
    others = [label for label in labels if not label.startswith("AgA")]
    palette = dict(zip(others, colours(len(others))))
    palette.update(
        {
            label: shade
            for label, shade in zip(
                [label for label in labels if label.startswith("AgA")],
                ("black", "darkgoldenrod", "silver"),
            )
        }
    )
    styles = ["-", "--", ":", "-."]  # so that curves lying on each other stay apart
    for ax, (game, key, title, centre, ylabel) in zip(axes, panels):
        shown, off = [], []  # curves drawn; those beyond OFF_CHART, named instead
        for k, label in enumerate(labels):
            series = results[game][label][key]  # (runs, T+1)
            steps = np.arange(series.shape[1])
            aga = label.startswith("AgA")
            with np.errstate(all="ignore"):
                if centre == "mean":
                    mid, sd = np.nanmean(series, 0), np.nanstd(series, 0)
                    low, high = mid - sd, mid + sd
                else:
                    low, mid, high = np.nanpercentile(series, [25, 50, 75], axis=0)
            finite = mid[np.isfinite(mid)]
            if finite.size and np.max(np.abs(finite)) > OFF_CHART:
                off.append(label)  # a diverging method would flatten every other curve
                continue
            shown.append(finite)
            ax.plot(steps, mid, color=palette[label], lw=2.6 if aga else 1.5,
                    ls=styles[k % len(styles)], label=label)  # fmt: skip
            ax.fill_between(steps, low, high, color=palette[label], alpha=0.04)
        if off:
            ax.text(0.98, 0.03, "not drawn (diverging): " + ", ".join(off),
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                    bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})  # fmt: skip
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("learning step")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if centre == "median":
            ax.set_yscale("log")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(labels), fontsize=9,
               bbox_to_anchor=(0.5, -0.04), frameon=False)  # fmt: skip
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save_figure(fig, out_dir, "game_family")


RENAMED = {"CO": "consensus (CO)"}  # labels of runs saved before a method was renamed


def load_curves(out_dir):
    """``{game: {label: result}}`` back from ``game_family_curves.npz`` (``--replot``)."""
    results = {}
    with np.load(os.path.join(out_dir, "game_family_curves.npz")) as data:
        for key in data.files:
            game, label, quantity = key.split("/")
            label = RENAMED.get(label, label)
            results.setdefault(game, {}).setdefault(label, {})[quantity] = data[key]
    return results


def write_outputs(out_dir, results, command, order):
    """Write the figure, the table (Markdown and CSV), the curves (NPZ) and ``summary.md``;
    return the summary with ``{prefix}`` image links. ``order``: the methods' labels."""
    results = {g: {label: by_label[label] for label in order} for g, by_label in results.items()}
    plot(results, out_dir)
    runs = {g: results[g][next(iter(results[g]))]["diverged"].size for g in results}
    title = (f"Final values over {runs['ipd']} IPD runs, {runs['matching_pennies']} matching "
             f"pennies runs and {runs['tandem']} tandem runs (`{command}`)")  # fmt: skip
    table = save_table(out_dir, "game_family", HEADER, table_rows(results), title)
    curves = {f"{g}/{label}/{k}": v for g in results for label in results[g]
              for k, v in results[g][label].items()}  # fmt: skip
    np.savez_compressed(os.path.join(out_dir, "game_family_curves.npz"), **curves)
    picture = f"![AgA among the game-dynamics methods]({PREFIX}game_family.png)"
    note = (
        "Curves that coincide: on matching pennies AgA lam=1 is NL exactly (`l_c = 0`) "
        "and SGA is LA (`A = H_o` there); on the IPD NL, EG and CGD all end at 2. A run "
        "that grows without bound but stays finite is not counted as non-finite."
    )
    summary = f"Generated by `{command}`.\n\n{picture}\n\n{note}\n\n{table}"
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as f:
        f.write(summary.replace(PREFIX, ""))
    return summary
