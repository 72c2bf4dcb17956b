"""MMM2's units: their statistics, the two sides' rosters and where they start.

Statistics are SMAClite's (Liquipedia's "Faster" values at 16 ticks per second; see the
docs/mmm2.md for how they relate to SC2's game seconds):

    type      HP   armor  damage             cooldown  range  radius  speed/s  plane
    Marauder  125  1      10 (+10 armored)   1.07 s    6      0.5625  3.15     ground
    Marine    45   0      6                  0.61 s    5      0.375   3.15     ground
    Medivac   150  1      heals 9 HP/s       -         4      0.75    3.5      air

A cooldown in seconds becomes a whole number of ticks of 1/16 s, rounded up: a Marine in
reach fires every 10 ticks, a Marauder every 18. Marauders cannot shoot air; Marines can.
Armored: Marauder, Medivac. The Medivac starts with 50 energy of 200, regenerates 0.5625
per second and spends one energy per 3 HP healed.

Type ids follow SMAC's one-hot order for MMM maps: 0 Marauder, 1 Marine, 2 Medivac.

Start positions are SMAClite's deterministic layout (allies around (9, 16), enemies around
(23, 16)). Unit order: ``rules="smac"`` sorts each side by (type id, x, y), as SMAC sorts its
agents (SMAC takes the enemies in the engine's order, which nothing outside SC2 reproduces;
we sort them the same way); ``rules="smaclite"`` uses SMAClite's creation order (Medivac,
Marines, Marauders).
"""

import numpy as np

MARAUDER, MARINE, MEDIVAC = 0, 1, 2
TYPE_NAMES = ("Marauder", "Marine", "Medivac")
TICKS_PER_SECOND, TICKS_PER_STEP = 16, 8

#               HP     armor damage bonus cd_s  range radius speed  air    hits_air
STATS = np.array([
    [125.0, 1.0, 10.0, 10.0, 1.07, 6.0, 0.5625, 3.15, 0.0, 0.0],  # Marauder
    [45.0, 0.0, 6.0, 0.0, 0.61, 5.0, 0.375, 3.15, 0.0, 1.0],  # Marine
    [150.0, 1.0, 0.0, 0.0, 0.0, 4.0, 0.75, 3.5, 1.0, 0.0],  # Medivac
])  # fmt: skip
ARMORED = np.array([True, False, True])
COOLDOWN_TICKS = np.ceil(STATS[:, 4] * TICKS_PER_SECOND - 1e-9).astype(np.int64)  # 18, 10, 0
HEAL_PER_TICK, HP_PER_ENERGY = 9.0 / TICKS_PER_SECOND, 3.0
ENERGY_START, ENERGY_MAX, ENERGY_PER_TICK = 50.0, 200.0, 0.5625 / TICKS_PER_SECOND

# SMAClite's layout, (type, x, y) in its creation order (float32 values).
ALLY_START = [(MEDIVAC, 7.875, 14.9875)] + [
    (MARINE, x, y) for x, y in [(9.05, 14.9875), (9.85, 14.9875), (10.65, 14.9875),
                                (7.5, 16.1625), (8.3, 16.1625), (9.1, 16.1625), (9.9, 16.1625)]
] + [(MARAUDER, 7.6875, 17.15), (MARAUDER, 8.8625, 17.15)]  # fmt: skip
ENEMY_START = [(MEDIVAC, 24.3125, 17.0125)] + [
    (MARINE, x, y) for x, y in [(23.1375, 17.0125), (22.3375, 17.0125), (21.5375, 17.0125),
                                (24.6875, 15.8375), (23.8875, 15.8375), (23.0875, 15.8375),
                                (22.2875, 15.8375), (24.6875, 14.85)]
] + [(MARAUDER, 23.7, 14.85), (MARAUDER, 22.525, 14.85), (MARAUDER, 21.35, 14.85)]  # fmt: skip


def roster(rules):
    """``(types (U,), start (U, 2))`` of the 10 allies then the 12 enemies, in the unit order
    of ``rules`` ("smac" or "smaclite")."""
    sides = []
    for side in (ALLY_START, ENEMY_START):
        units = sorted(side) if rules == "smac" else list(side)  # (type, x, y) tuples
        sides += units
    types = np.array([t for t, _, _ in sides])
    return types, np.array([(x, y) for _, x, y in sides], dtype=np.float64)
