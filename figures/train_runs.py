"""Reading ``aga-ref train`` run folders: their config and progress rows, the methods'
labels, and the runs grouped by game and method (``aga-ref plot``, ``figures.diagnostics_plot``,
``figures.feature_probe``)."""

import dataclasses
import json
import os
from collections import defaultdict

import numpy as np

from aga_ref.rl.config import Config
from aga_ref.rl.presets import PRESETS
from aga_ref.rl.progress import read_table

# Selfish-MMM2's agents by type (SMAC's order): the mean selfish return of each type
MMM2_TYPES = {
    "reward_marauder": (0, 1),
    "reward_marine": tuple(range(2, 9)),
    "reward_medivac": (9,),
}


def read_run(folder, finished_only=True):
    """(config dict, columns dict of float arrays, NaN where blank) of a run's rows: those
    with finished episodes, or every update's with ``finished_only=False``."""
    if os.path.isfile(folder):
        raise ValueError(f"{folder!r} is a file, not a run folder (an aga-ref train --out)")
    if not os.path.isdir(folder):
        raise ValueError(f"folder {folder!r} does not exist (it must hold an aga-ref train run)")
    for name in ("config.json", "progress.csv"):
        if not os.path.exists(os.path.join(folder, name)):
            raise ValueError(f"folder must hold an aga-ref train run ({name}), got {folder!r}")
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    rows = [r for r in read_table(os.path.join(folder, "progress.csv"))  # whole rows only
            if r["social_welfare"] != "" or not finished_only]  # fmt: skip
    return config, {k: np.array([float(r[k]) if r[k] != "" else np.nan for r in rows])
                    for k in (rows[0].keys() if rows else [])}  # fmt: skip


def run_folders(paths, log):
    """``paths`` without the ``.log`` files a sweep writes beside its runs' folders (a glob
    such as ``runs/sweep/*`` names them too), which ``log`` names in one line."""
    logs = [p for p in paths if p.endswith(".log") and os.path.isfile(p)]
    if logs:
        log(f"note: skipped {len(logs)} .log file{'s' * (len(logs) > 1)} ({', '.join(logs)}): "
            f"aga-ref plot reads run folders (runs/sweep/*/ names only folders)")  # fmt: skip
    return [p for p in paths if p not in logs]


def load_run(folder):
    """(config dict, columns dict of float arrays over the rows with finished episodes)."""
    config, columns = read_run(folder)
    rows = len(columns.get("update", []))
    if config.get("env") == "mmm2" and rows:  # selfish reward per unit type, per agent
        for name, agents in MMM2_TYPES.items():
            columns[name] = np.mean([columns[f"return_agent_{i}"] for i in agents], axis=0)
    return config, columns


def label(config):
    lam = config.get("lam")
    name = config["method"] + ("" if lam is None else f" lam={lam:g}")
    name += "" if config.get("align", True) else " (no align)"
    name += "" if config.get("hamiltonian", True) else " (no H)"
    if config.get("optimizer", "adam") == "sgd":
        name += f" (sgd, lr {config['sgd_lr']:g})"
    name += "" if config.get("sign_rule", "paper") == "paper" else f" ({config['sign_rule']} sign)"
    return name + ("" if config.get("critic", "mappo") == "mappo" else f" ({config['critic']})")


# config.json entries that do not change what a run learns: runs that differ only in these
# are seeds of one group (the budget, env_steps, splits groups by itself, below)
NOT_SETTINGS = {"seed", "env_steps", "commands", "all_gradients", "hvp_bias"}


def _differing(configs):
    """The settings (config.json keys) whose values differ among ``configs``, sorted."""
    keys = set().union(*configs) - NOT_SETTINGS
    return sorted(k for k in keys if len({json.dumps(_get(c, k)) for c in configs}) > 1)


# a setting a run's config.json lacks was added to Config after the run: it ran the default
DEFAULTS = {f.name: f.default for f in dataclasses.fields(Config)}


def _get(config, key):
    return config.get(key, DEFAULTS.get(key))


def _setting(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


# groups that differ in more settings than this are named by their own departures only
FEW_SETTINGS = 3

# ablations of AgA's product that ``label`` does not name: a group away from their default
# names them even when its runs agree (``aga lam=100 (hamiltonian_layers=output)`` plotted
# alone), so that no ablation reads as a normal run
ALWAYS_NAMED = ("hamiltonian_estimator", "hamiltonian_layers")


def _own(config, differ):
    """Of the ``differ`` settings, those ``config`` sets away from where it starts: its preset
    (named as ``preset=...``) for the preset's fields, ``Config``'s defaults for the rest;
    so that groups of a grid over many settings read ``(defaults)``, ``(preset=mappo)``,
    ``(activation=relu, layer_norm=True)`` rather than every setting of every group."""
    start = {**DEFAULTS, **PRESETS.get(config.get("preset"), {})}  # no "preset": None
    return [k for k in differ if json.dumps(_get(config, k)) != json.dumps(start.get(k))]


def grouped(runs):
    """Runs [(config, columns, folder)] grouped by game and method: {(game, name): [columns]}.
    Runs of a method are seeds of one group only if their other settings agree: where they
    differ (``--max-steps 200`` and ``1000``, say) each setting's runs form a group, named with
    it (``aga lam=0.1 (max_steps=200)``), and so do a method's runs of different budgets
    (``(48 steps)``); two runs of one group with the same seed are refused, naming both."""
    configs = defaultdict(list)
    for config, _, _ in runs:
        configs[(config.get("env", "env"), label(config))].append(config)
    groups, seen = defaultdict(list), {}
    for config, columns, folder in runs:
        game, name = config.get("env", "env"), label(config)
        others = configs[(game, name)]
        differ = _differing(others)
        shown = _own(config, differ) if len(differ) > FEW_SETTINGS else differ
        shown = sorted({*shown, *(k for k in ALWAYS_NAMED if _get(config, k) != DEFAULTS[k])})
        if shown:
            name += " (" + ", ".join(f"{k}={_setting(_get(config, k))}" for k in shown) + ")"
        elif differ:
            name += " (defaults)"
        if len({c["env_steps"] for c in others}) > 1:
            name += f" ({config['env_steps']:,} steps)"
        key = (game, name, config["seed"])
        if key in seen:
            raise ValueError(f"two runs of {name!r} with seed {config['seed']}: {seen[key]!r} "
                             f"and {folder!r}; give each seed once")  # fmt: skip
        seen[key] = folder
        groups[(game, name)].append(columns)
    return groups


GAME_NAMES = {"harvest": "Harvest", "cleanup": "Cleanup", "mmm2": "Selfish-MMM2"}
