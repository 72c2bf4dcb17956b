"""Shared set-up of the figure tests: ``aga-ref train`` folders written by hand
(config.json, progress.csv), so that each test knows every number it draws, and a fixture
that keeps the figures the plot modules would save, open for inspection."""

import csv
import json

import numpy as np
import pytest

import figures.diagnostics_plot as diagnostics_plot
import figures.train_plot as train_plot
from figures.cli import main

STEPS = 16  # env-steps per update of the hand-written runs


def fake_run(folder, seed, columns, env="harvest", **settings):
    """A run folder as aga-ref train leaves it, with ``columns`` {name: values (T,)}."""
    folder.mkdir(parents=True)
    rows = len(next(iter(columns.values())))
    config = {"env": env, "method": "aga", "lam": 0.1, "seed": seed, "env_steps": STEPS * rows,
              "num_agents": 10 if env == "mmm2" else 3, "max_steps": 1000, **settings}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    columns = {"update": np.arange(1, rows + 1), "env_steps": STEPS * np.arange(1, rows + 1),
               "episodes_finished": np.ones(rows), **columns}  # fmt: skip
    with open(folder / "progress.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values()))
    return str(folder)


def outcomes(rows, welfare=0.0, equality=0.5):
    return {"social_welfare": np.full(rows, welfare) + np.arange(rows),
            "equality": np.full(rows, equality)}  # fmt: skip


@pytest.fixture
def drawn(monkeypatch):
    """{name: figure} of every figure the plot modules save, kept open."""
    made = {}

    def keep(fig, out, name):
        made[name] = fig
        return f"{out}/{name}.png"

    for module in (train_plot, diagnostics_plot):
        monkeypatch.setattr(module, "save_figure", keep)
    yield made
    import matplotlib.pyplot as plt

    plt.close("all")


def panel(fig, title):
    """The one panel of ``fig`` whose title starts with ``title``."""
    (ax,) = [ax for ax in fig.axes if ax.get_title().startswith(title)]
    return ax


def plot(folders, out, *extra):
    assert main(["plot", *folders, "--out", str(out), "--no-gif", *extra]) == 0
