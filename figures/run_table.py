"""One row per run (``{game}_runs.csv``, written by ``aga-ref plot``): what every number a
results page quotes comes from, run by run, so that a table's mean and interval, a run's
peak and the step of that peak can all be checked against a committed file.

Columns: the group (the legend's name), the run's method, lam, seed, folder, the commit
that made it (``figures.provenance``: the note after the last recorded command), its
budget and the env-steps it logged; then for each outcome the run's final value (the mean
of its last ``FINAL_ROWS`` rows with finished episodes, as in the outcome table); the peak
of its collective return (the highest mean of ``FINAL_ROWS`` consecutive such rows) with
the env-steps of the window's last row; and, where the run logged them, the final entropy
(its last ``FINAL_ROWS`` updates) and the mean over its first ten updates of each
instrument in ``EARLY``.
"""

import csv
import os
import re

import numpy as np

from figures.train_runs import read_run

EARLY = ("hvp_dominated_share", "hvp_bias", "cos_xi_xic", "cos_adj_xic")
EARLY_ROWS = 10


def commit_of(config):
    """The code that made the run's last start or resume: ``1a2b3c4d5e6f`` (with ``+``
    when it had uncommitted changes), or "" for a run made before commits were recorded."""
    found = re.search(r"# commit (\w+)( with uncommitted changes)?$",
                      (config.get("commands") or [""])[-1])  # fmt: skip
    return "" if found is None else found[1] + ("+" if found[2] else "")


def final(values, rows):
    """The mean of the finite values among the last ``rows`` (NaN if there are none), as
    the outcome table takes it: a run whose last rows have no sustainability (no agent
    rewarded) has none, rather than the value of some earlier row."""
    last = values[-rows:]
    finite = last[np.isfinite(last)]
    return float(np.mean(finite)) if finite.size else float("nan")


def peak(steps, values, rows):
    """(the highest mean of ``rows`` consecutive values, the step of the window's last row)."""
    keep = np.isfinite(values)
    steps, values = steps[keep], values[keep]
    if values.size < rows:
        return float("nan"), float("nan")
    means = np.convolve(values, np.ones(rows) / rows, mode="valid")  # window k ends at k+rows-1
    best = int(np.argmax(means))
    return float(means[best]), float(steps[best + rows - 1])


def _early(values):
    """The mean of an instrument over the first ``EARLY_ROWS`` updates ("" if all blank)."""
    first = values[:EARLY_ROWS]
    return float(np.mean(first[np.isfinite(first)])) if np.any(np.isfinite(first)) else ""


def _cell(value):
    """A value as written: blank for None and for a NaN (a run without that outcome), so
    that ``aga-ref paired`` leaves the run out of that metric's groups."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return value


def write_runs(out, game, groups, config_of, folder_of, keys, rows):
    """Write ``{game}_runs.csv`` for ``groups`` ({name: [columns of each run]}), whose
    configs and folders are ``config_of[id(columns)]`` and ``folder_of[id(columns)]``,
    with the outcome ``keys``; return its path."""
    header = ["group", "method", "lam", "seed", "folder", "commit", "budget", "env_steps"]
    header += [f"final_{k}" for k in keys] + ["peak_social_welfare", "peak_env_steps"]
    header += ["final_entropy"] + [f"early_{k}" for k in EARLY]
    lines = []
    for name, runs in groups.items():
        for c in runs:
            config = config_of[id(c)]
            high, at = peak(c["env_steps"], c["social_welfare"], rows)
            _, every = read_run(folder_of[id(c)], finished_only=False)  # every update's row
            extra = [final(every[k], rows) if k in every else "" for k in ("entropy",)]
            early = [_early(every[k]) if k in every else "" for k in EARLY]
            lines.append([name, config["method"], config.get("lam"), config["seed"],
                          os.path.basename(os.path.normpath(folder_of[id(c)])),
                          commit_of(config), config["env_steps"], int(c["env_steps"][-1])]
                         + [final(c[k], rows) if k in c else "" for k in keys]
                         + [high, at] + extra + early)  # fmt: skip
    path = os.path.join(out, f"{game}_runs.csv")
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in line] for line in lines])
    return path
