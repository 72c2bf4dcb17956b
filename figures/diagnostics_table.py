"""The table of ``aga-ref plot --diagnostics``: every instrument (``aga_ref.rl.instruments``)
of every group, over the first and the last updates of each run, then the mean over seeds.
Per-layer instruments get a table each with a column per layer (12 methods x 3 layers read
as rows and columns, not as lines in a panel). ``<game>_diagnostics.md`` holds the tables;
``<game>_diagnostics.csv`` the same numbers, one row per group, instrument and layer.
"""

import csv
import os

import numpy as np

from figures.output import markdown_table

SCALARS = ("entropy", "approx_kl", "sign_negative", "hvp_dominated_share", "cos_xi_xic",
           "cos_adj_xic", "hvp_bias")  # fmt: skip
PER_LAYER = ("xi_norm", "xic_norm", "hvp_norm", "step", "cos_step_xi", "cos_step_hvp")
FIRST = 10  # updates at each end


def ends(runs, column):
    """(mean over the first ``FIRST`` updates, over the last ``FIRST``), each then averaged
    over the runs that logged ``column``; None where none did."""
    have = [c[column] for c in runs if column in c and not np.all(np.isnan(c[column]))]
    if not have:
        return None
    return (float(np.mean([np.nanmean(v[:FIRST]) for v in have])),
            float(np.mean([np.nanmean(v[-FIRST:]) for v in have])))  # fmt: skip


def _cell(pair):
    return "-" if pair is None else f"{pair[0]:.3g} -> {pair[1]:.3g}"


def _layers(groups):
    """The layer numbers the runs logged (1 the input layer), in order."""
    parts = {k.rpartition("_l") for runs in groups.values() for c in runs for k in c}
    return sorted({int(k) for name, _, k in parts if name in PER_LAYER and k.isdigit()})


def write_table(out, game, groups):
    """Write ``<game>_diagnostics.md`` and ``.csv`` for ``groups`` {name: [columns]}."""
    names, layers = sorted(groups), _layers(groups)
    seeds = {n: len(groups[n]) for n in names}
    rows = []  # (name, instrument, layer or "", first, last)
    head = (f"{game}: instruments, mean over the first {FIRST} -> the last {FIRST} updates "
            "of each run, then over seeds\n")  # fmt: skip
    scalars = [k for k in SCALARS if any(ends(groups[n], k) for n in names)]
    body = [[n, seeds[n], *(_cell(ends(groups[n], k)) for k in scalars)] for n in names]
    text = [head, markdown_table(["method", "seeds", *scalars], body)]
    rows += [(n, k, "", *p) for n in names for k in scalars if (p := ends(groups[n], k))]
    for name in PER_LAYER:
        cells = {n: [ends(groups[n], f"{name}_l{k}") for k in layers] for n in names}
        if not any(p for c in cells.values() for p in c):
            continue
        body = [[n, seeds[n], *map(_cell, cells[n])] for n in names]
        header = ["method", "seeds", *(f"layer {k}" for k in layers)]
        text += [f"\n{name}, per layer (1: input)\n", markdown_table(header, body)]
        rows += [(n, name, k, *p) for n in names for k, p in zip(layers, cells[n]) if p]
    md = os.path.join(out, f"{game}_diagnostics.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write("\n".join(text))
    with open(os.path.join(out, f"{game}_diagnostics.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["method", "seeds", "instrument", "layer", f"first {FIRST} updates",
                         f"last {FIRST} updates"])  # fmt: skip
        writer.writerows([(n, seeds[n], k, layer, f"{a:.6g}", f"{b:.6g}")
                          for n, k, layer, a, b in rows])  # fmt: skip
    return [md, os.path.join(out, f"{game}_diagnostics.csv")]
