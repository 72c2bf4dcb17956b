"""Helpers for the MMM2 tests: battles with units placed by hand."""

import numpy as np

from games import rng
from games.smac.engine import NUM_ALLIES, Battles
from games.smac.env import Core

# Unit indices under rules="smac": allies 0-1 Marauders, 2-8 Marines, 9 Medivac; enemies
# 10-12 Marauders, 13-20 Marines, 21 Medivac (enemy e is unit 10 + e).
A_MARAUDER, A_MARINE, A_MEDIVAC = 0, 2, 9
E_MARAUDER, E_MARINE, E_MEDIVAC = 10, 13, 21


def placed(units, rules="smac", num_envs=1, seed=0):
    """Battles where only ``units`` = {unit index: (x, y)} are alive, at those points."""
    battles = Battles(num_envs, rules, rng.seed_keys(np.arange(num_envs) + seed))
    battles.alive[:] = False
    for u, xy in units.items():
        battles.alive[:, u] = True
        battles.pos[:, u] = xy
    return battles


def core_with(units, rules="smac"):
    """A one-battle ``Core`` whose battle is ``placed(units, rules)``."""
    core = Core(1, 0, rules)
    core.battles = placed(units, rules)
    return core


def actions_for(orders):
    """(1, N) actions: ``orders`` {agent: action}, stop (1) for other living agents' slots."""
    a = np.ones((1, NUM_ALLIES), dtype=np.int64)
    for i, action in orders.items():
        a[0, i] = action
    return a


def ticks(battles, actions, n):
    """Give ``actions`` (B, N) and run ``n`` single ticks; returns the HP after each (n, B, U)."""
    battles.command(actions)
    record = {k: np.zeros(battles.hp.shape) for k in ("damage", "kills", "healing")}
    history = []
    for _ in range(n):
        battles.tick(record)
        history.append(battles.hp.copy())
    return np.array(history)
