"""Available actions, observations and the global state of MMM2, as SMAC builds them with its
default flags, vectorised over the batch (``battles`` is an ``engine.Battles``).

Available actions (B, N, 18): a dead agent only 0 (no-op); a living one 1 (stop), 2-5 (move
N/S/E/W) when the cell ``int(x, y)`` one unit that way lies on the map and on the walkable
band ``8 <= y < 24``, and 6 + j when target j is alive within distance 6 (no radii): enemy j
for a damage unit (a Marauder may be offered the enemy Medivac, as in SMAC), ally j (not a
Medivac) for the Medivac.

Observation (B, N, 176), zeros for a dead agent; "visible" is alive at centre distance < 9:

    0-3            the move bits of the available actions
    4 + 8e + k     enemy e, if visible: avail[6 + e], dist/9, dx/9, dy/9, HP/max, type one-hot
    100 + 8s + k   ally s (the others in index order), if visible: 1, dist/9, dx/9, dy/9,
                   HP/max, type one-hot
    172-175        own HP/max, own type one-hot

State (B, 322): ally a at 7a (if alive): HP/max, weapon cooldown / 15 (Marine) or 25
(Marauder) ticks (``rules="smaclite"``: / its own cooldown, 1 right after firing) or the
Medivac's energy/200, (x - 16)/32, (y - 16)/32, type one-hot; enemy e at 70 + 6e: HP/max,
(x - 16)/32, (y - 16)/32, type one-hot; then the one-hot last action of each agent (10 x 18).
"""

import numpy as np

from games.smac import units as U
from games.smac.engine import MOVES, NUM_ALLIES, NUM_ENEMIES

NUM_ACTIONS, OBS_SIZE, STATE_SIZE = 6 + NUM_ENEMIES, 176, 322
SIGHT, SHOOT = 9.0, 6.0
SMAC_COOLDOWN = np.array([25.0, 15.0, 1.0])  # Marauder, Marine (game loops); Medivac unused
OTHERS = np.array([[j for j in range(NUM_ALLIES) if j != i] for i in range(NUM_ALLIES)])
ONE_HOT = np.eye(3)


def geometry(battles):
    """``(rel (B, N, U, 2), dist (B, N, U))``: every unit's offset from each agent and the
    distance, shared by the masks and the observations."""
    pos = battles.pos
    rel = pos[:, None] - pos[:, :NUM_ALLIES, None]  # unit - agent
    return rel, np.sqrt((rel * rel).sum(-1))


def observe(battles):
    """``(observations (B, N, 176) float32, available actions (B, N, 18) bool)``."""
    rel, dist = geometry(battles)
    avail = avail_actions(battles, dist)
    return observations(battles, avail, rel, dist), avail


def avail_actions(battles, dist=None):
    """(B, N, 18) bool; ``dist`` (B, N, U) from ``geometry`` if already known."""
    s, A = battles.static, slice(0, NUM_ALLIES)
    pos, alive = battles.pos[:, A], battles.alive[:, A]  # (B, N, 2), (B, N)
    B = pos.shape[0]
    out = np.zeros((B, NUM_ALLIES, NUM_ACTIONS), dtype=bool)
    out[..., 0] = ~alive
    out[..., 1] = alive
    cell = np.trunc(pos[:, :, None] + MOVES[None, None]).astype(np.int64)  # (B, N, 4, 2)
    inside = (cell[..., 0] >= 0) & (cell[..., 0] < 32) & (cell[..., 1] >= 8) & (cell[..., 1] < 24)
    out[..., 2:6] = inside & alive[..., None]
    d = geometry(battles)[1] if dist is None else dist  # (B, N, U)
    medivac = s.medivac[A][None, :, None]
    enemies = battles.alive[:, None, NUM_ALLIES:] & (d[..., NUM_ALLIES:] <= SHOOT)
    patients = battles.alive[:, None, A] & ~s.medivac[A][None, None] & (d[..., A] <= SHOOT)
    patients = np.concatenate([patients, np.zeros((B, NUM_ALLIES, 2), dtype=bool)], axis=-1)
    out[..., 6:] = alive[..., None] & np.where(medivac, patients, enemies)
    return out


def observations(battles, avail, rel=None, dist=None):
    """(B, N, 176) float32; ``rel``, ``dist`` from ``geometry`` if already known."""
    s, A, E = battles.static, slice(0, NUM_ALLIES), slice(NUM_ALLIES, None)
    pos, alive = battles.pos, battles.alive
    B = pos.shape[0]
    health = battles.hp / s.hp_max  # (B, U)
    types = ONE_HOT[s.type]  # (U, 3)
    if rel is None:
        rel, dist = geometry(battles)  # (B, N, U, 2): unit - agent; (B, N, U)
    visible = alive[:, A, None] & alive[:, None] & (dist < SIGHT)
    hp = np.broadcast_to(health[:, None, :, None], dist.shape + (1,))
    feats = np.concatenate([np.zeros(dist.shape + (1,)), (dist / SIGHT)[..., None], rel / SIGHT,
                            hp, np.broadcast_to(types, dist.shape + (3,))], axis=-1)  # fmt: skip
    feats = feats * visible[..., None]  # (B, N, U, 8)
    enemy = feats[:, :, E].copy()
    enemy[..., 0] = avail[..., 6:] * visible[:, :, E]
    ally = feats[:, np.arange(NUM_ALLIES)[:, None], OTHERS]  # (B, N, 9, 8)
    ally[..., 0] = visible[:, np.arange(NUM_ALLIES)[:, None], OTHERS]
    own = np.concatenate([health[:, A, None], np.broadcast_to(types[A], (B, NUM_ALLIES, 3))], -1)
    obs = np.concatenate([avail[..., 2:6], enemy.reshape(B, NUM_ALLIES, -1),
                          ally.reshape(B, NUM_ALLIES, -1), own], axis=-1)  # fmt: skip
    return (obs * alive[:, A, None]).astype(np.float32)


def state(battles, last_actions):
    """(B, 322) float32; ``last_actions`` (B, N) int, -1 for none (all-zero one-hot)."""
    s, A, E = battles.static, slice(0, NUM_ALLIES), slice(NUM_ALLIES, None)
    B = battles.pos.shape[0]
    health = battles.hp / s.hp_max
    xy = (battles.pos - 16.0) / 32.0
    types = np.broadcast_to(ONE_HOT[s.type], (B, s.type.size, 3))
    if battles.rules == "smac":
        cooldown = battles.cooldown / SMAC_COOLDOWN[s.type]
    else:
        cooldown = battles.cooldown / np.maximum(U.COOLDOWN_TICKS[s.type], 1)
    second = np.where(s.medivac, battles.energy / U.ENERGY_MAX, cooldown)
    allies = np.concatenate([health[:, A, None], second[:, A, None], xy[:, A], types[:, A]], -1)
    enemies = np.concatenate([health[:, E, None], xy[:, E], types[:, E]], -1)
    allies = allies * battles.alive[:, A, None]
    enemies = enemies * battles.alive[:, E, None]
    actions = np.zeros((B, NUM_ALLIES, NUM_ACTIONS))
    np.put_along_axis(actions, np.maximum(last_actions, 0)[..., None], 1.0, axis=-1)
    actions *= (last_actions >= 0)[..., None]
    return np.concatenate([allies.reshape(B, -1), enemies.reshape(B, -1),
                           actions.reshape(B, -1)], axis=-1).astype(np.float32)  # fmt: skip
