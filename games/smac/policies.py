"""Scripted MMM2 policies that read only SMAC's observation and action mask, so that they run
the same on any implementation with SMAC's layout (ours, SMAClite, SMAC):

- ``random_actions``: uniformly random among the available actions;
- ``attack_nearest``: a damage unit attacks the nearest enemy it may attack, else moves east
  (toward the enemy's start), else stops; the Medivac heals the available ally with the lowest
  HP fraction, else stops; a dead agent takes the no-op.
- ``stop``: every living agent stops (the scripted enemy then attack-moves into a passive team).

Arrays: ``obs`` (..., N, 176), ``avail`` (..., N, 18) bool; actions (..., N) int64.
"""

import numpy as np

EAST, STOP = 4, 1
MEDIVAC_BIT = 175  # own type one-hot (Marauder, Marine, Medivac) at 173-175
NUM_ENEMIES, NUM_ALLIES = 12, 10


def random_actions(avail, rng):
    """A uniformly random available action per agent (``rng``: a numpy Generator)."""
    avail = np.asarray(avail, dtype=bool)
    cumulative = np.cumsum(avail / avail.sum(-1, keepdims=True), axis=-1)
    u = rng.random(avail.shape[:-1])[..., None]
    return np.minimum((u > cumulative).sum(-1), avail.shape[-1] - 1)


def attack_nearest(obs, avail):
    obs, avail = np.asarray(obs), np.asarray(avail, dtype=bool)
    n = obs.shape[-2]
    distance = obs[..., 4 + 8 * np.arange(NUM_ENEMIES) + 1]  # (..., N, 12), 0 if not visible
    attack = np.where(avail[..., 6:], distance, np.inf)
    agents, allies = np.arange(n)[:, None], np.arange(NUM_ALLIES)[None, :]
    slot = np.where(allies == agents, 0, allies - (allies > agents))  # ally j's slot for agent i
    index = np.broadcast_to(100 + 8 * slot + 4, obs.shape[:-1] + (NUM_ALLIES,))
    health = np.take_along_axis(obs, index, axis=-1)  # (..., N, 10): ally j's HP for agent i
    heal = np.where(avail[..., 6 : 6 + NUM_ALLIES], health, np.inf)
    medivac = obs[..., MEDIVAC_BIT] > 0.5
    target = np.where(medivac, heal.argmin(-1), attack.argmin(-1))
    found = np.where(medivac, np.isfinite(heal.min(-1)), np.isfinite(attack.min(-1)))
    fallback = np.where(~medivac & avail[..., EAST], EAST, STOP)
    actions = np.where(found, 6 + target, fallback)
    return np.where(avail[..., 0], 0, actions).astype(np.int64)


def stop(obs, avail):
    return np.where(np.asarray(avail)[..., 0], 0, STOP).astype(np.int64)
