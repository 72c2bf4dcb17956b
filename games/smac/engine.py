"""The MMM2 battle simulator, vectorised over ``B`` battles: every array has a leading
``(B, ...)`` axis and no Python loop runs over battles or units.

Units are indexed ``u`` in 0..21: the 10 allies (agents) first, then the 12 enemies, in the
order of ``units.roster(rules)``. One env step is 8 ticks of 1/16 s (``units.TICKS_PER_STEP``).
A tick, in order (after SMAClite's ``__world_step``, with the differences listed below):

1. Targets. An ally's target is the unit its order names while that unit lives. An enemy
   keeps its target unless the target died, or (not being ordered to attack this enemy) left
   its reach; without one it acquires, among the allies it can shoot that are within 5.75
   (its scan) or ordered to attack it, those at centre distance < 5 + r or attacking it: the
   ally Medivac first, else the nearest. While the ally Medivac lives, an enemy whose target
   is not a Medivac re-picks every tick among the allies within 5.75. The enemy Medivac picks
   the living, damaged (or busy) enemy ground unit within 5.75 with the lowest HP.
2. Reach, tested before anyone moves: a unit is *in reach* of its target at centre distance
   <= range + both radii (heal range 4 for the Medivac) on a plane it can hit. In reach it
   stands; otherwise it moves toward its target; a move order heads for its point; an enemy
   without a target attack-moves to (9, 16); a stopped ally stands.
3. Movement at full speed (3.15 or 3.5 per second, no acceleration), then collisions: two
   living units on the same plane that overlap are pushed apart along the line between their
   centres (one pass a tick): a walking unit takes the whole overlap with a standing one,
   two walking or two standing units half each; ground units are kept on the walkable band
   ``8 + r <= y <= 24 - r``, ``r <= x <= 32 - r``, the Medivacs on the 32 x 32 map.
4. Weapons: every cooldown drops by one tick; a unit in reach with cooldown 0 fires (damage
   ``max(0, damage + bonus vs armored - armor)``) and its cooldown restarts (10 ticks Marine,
   18 Marauder). Energy regenerates. Medivacs heal 0.5625 HP a tick (3 HP per energy, drawn
   one energy at a time into a buffer), refusing full-HP targets and, below 5 energy,
   starting on a new target.
5. Shots land simultaneously: a victim loses ``min(sum of shots, HP)``, split among its
   shooters in proportion to their shots; when it dies, one of them, drawn with probability
   proportional to its shot, gets the kill. Heals then land on units still alive. Units at 0
   HP die.

Differences from SMAClite, chosen for vectorisation (docs/mmm2.md compares statistics):
collisions by pushing apart instead of ORCA (a unit can be pushed, and never plans around
others); shots in a tick land simultaneously instead of in a shuffled order (so a unit killed
in a tick still fires in it, and nobody is revived by a heal in the tick they die); a unit
whose target died stands instead of shooting at the corpse; the enemy Medivac always moves at
3.5. SMAC's engine (path-finding, acceleration, projectiles, its attack-move AI) is not
reproduced by either.
"""

import numpy as np

from games import rng
from games.smac import units as U

NUM_ALLIES, NUM_ENEMIES = 10, 12
NUM_UNITS = NUM_ALLIES + NUM_ENEMIES
ATTACK_POINT = np.array([9.0, 16.0])
SCAN = 5.75  # 5 + the largest radius, SMAClite's acquisition radius
MOVES = np.array([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0], [-1.0, 0.0]])  # N, S, E, W
MOVE_AMOUNT = 2.0
STOP, MOVE, ATTACK = 1, 2, 3  # ally orders (0: none, a dead agent)
NONE = -1
COLLISION_PASSES = 1  # per tick; overlaps left over are resolved in the next ticks
ORDER_SIGN = np.sign(np.arange(NUM_UNITS)[:, None] - np.arange(NUM_UNITS)[None, :])  # (U, U)


class Static:
    """Per-unit constants (U,) and per-pair constants (U, U) of one roster."""

    def __init__(self, rules):
        self.type, self.start = U.roster(rules)  # (U,), (U, 2)
        s = U.STATS[self.type]  # (U, 10)
        self.hp_max, self.armor, self.damage, self.bonus = s[:, 0], s[:, 1], s[:, 2], s[:, 3]
        self.range, self.radius, self.air = s[:, 5], s[:, 6], s[:, 8].astype(bool)
        self.speed = s[:, 7] / U.TICKS_PER_SECOND  # distance per tick
        self.cooldown = U.COOLDOWN_TICKS[self.type]
        self.medivac = self.type == U.MEDIVAC
        self.ally = np.arange(NUM_UNITS) < NUM_ALLIES
        armored = U.ARMORED[self.type]
        hits = ~self.medivac[:, None] & (~self.air[None, :] | s[:, 9].astype(bool)[:, None])
        enemies = self.ally[:, None] != self.ally[None, :]
        self.can_hit = hits & enemies  # (U, U): u may shoot v
        self.shot = np.where(self.can_hit, np.maximum(
            0.0, self.damage[:, None] + self.bonus[:, None] * armored[None, :]
            - self.armor[None, :]), 0.0)  # fmt: skip
        self.reach = self.range[:, None] + self.radius[:, None] + self.radius[None, :]
        self.heals = self.medivac[:, None] & ~enemies & ~self.medivac[None, :]  # (U, U)
        self.medivac_ally, self.medivac_enemy = (int(np.flatnonzero(self.medivac & side)[0])
                                                 for side in (self.ally, ~self.ally))  # fmt: skip
        ground = ~self.air[:, None]  # (U, 2) below: the walkable box of each unit's centre
        self.lo = np.where(self.air, 0.0, self.radius)[:, None] + [0.0, 8.0] * ground
        self.hi = np.where(self.air, 32.0, 32.0 - self.radius)[:, None] - [0.0, 8.0] * ground


class Battles:
    """The state of ``B`` battles; ``reset(mask)`` and ``step(actions)`` advance it."""

    def __init__(self, num_envs, rules, keys):
        self.static, self.B, self.rules = Static(rules), num_envs, rules
        self.keys, self.counters = keys, np.zeros(num_envs, dtype=np.uint64)
        self.pos = np.zeros((num_envs, NUM_UNITS, 2))
        self.hp = np.zeros((num_envs, NUM_UNITS))
        self.alive = np.zeros((num_envs, NUM_UNITS), dtype=bool)
        self.cooldown = np.zeros((num_envs, NUM_UNITS), dtype=np.int64)
        self.energy = np.zeros((num_envs, NUM_UNITS))
        self.buffer = np.zeros((num_envs, NUM_UNITS))  # healing bought with energy, unspent
        self.last_heal = np.full((num_envs, NUM_UNITS), NONE)  # heal target held last tick
        self.target = np.full((num_envs, NUM_UNITS), NONE)  # orders (allies), AI (enemies)
        self.order = np.zeros((num_envs, NUM_ALLIES), dtype=np.int64)
        self.goal = np.zeros((num_envs, NUM_ALLIES, 2))
        self.reset(np.ones(num_envs, dtype=bool))

    def reset(self, mask):
        """Put the battles where ``mask`` (B,) is True back at their start."""
        s = self.static
        self.pos[mask] = s.start
        self.hp[mask] = s.hp_max
        self.alive[mask] = True
        self.cooldown[mask] = 0
        self.energy[mask] = np.where(s.medivac, U.ENERGY_START, 0.0)
        self.buffer[mask], self.last_heal[mask], self.target[mask] = 0.0, NONE, NONE
        self.order[mask], self.goal[mask] = STOP, 0.0

    def command(self, actions):
        """Turn valid actions (B, N) into orders: 1 stop, 2-5 move 2 units N/S/E/W, 6 + j
        attack enemy j (the Medivac: heal ally j); 0 (dead agents) clears the order."""
        a = actions
        moving = (a >= 2) & (a <= 5)
        self.goal = np.where(moving[..., None],
                             self.pos[:, :NUM_ALLIES] + MOVE_AMOUNT * MOVES[np.clip(a - 2, 0, 3)],
                             self.goal)  # fmt: skip
        self.order = np.select([a == 0, a == 1, moving], [0, STOP, MOVE], ATTACK)
        medivac = self.static.medivac[:NUM_ALLIES]
        target = np.where(medivac, a - 6, NUM_ALLIES + a - 6)  # heal an ally / attack an enemy
        self.target[:, :NUM_ALLIES] = np.where(a >= 6, target, NONE)

    def step(self, actions):
        """Orders from ``actions`` (B, N), then 8 ticks. Returns the step's record: per agent
        ``damage`` (HP removed from enemies), ``kills``, ``healing`` (B, N), and per enemy
        ``enemy_damage`` (HP removed from allies) (B, 12)."""
        self.command(actions)
        record = {"damage": np.zeros((self.B, NUM_UNITS)), "kills": np.zeros((self.B, NUM_UNITS)),
                  "healing": np.zeros((self.B, NUM_UNITS))}  # fmt: skip
        for _ in range(U.TICKS_PER_STEP):
            self.tick(record)
        agents = {k: v[:, :NUM_ALLIES] for k, v in record.items()}
        return dict(agents, enemy_damage=record["damage"][:, NUM_ALLIES:])

    # --- one tick ---------------------------------------------------------------------------
    def tick(self, record):
        s, B = self.static, self.B
        self.counters = self.counters + np.uint64(1)
        d = _gaps(self.pos)[2]  # (B, U, U) centre distances
        self._targets(d)
        t = self.target  # (B, U)
        has = (t != NONE) & self.alive
        tt = np.where(has, t, 0)
        rows = np.arange(B)[:, None]
        units = np.arange(NUM_UNITS)
        heal = s.medivac[None, :] & has
        reach = np.where(heal, 4.0 + s.radius[tt] + s.radius[None], s.reach[units, tt])
        able = np.where(heal, s.heals[units, tt], s.can_hit[units, tt])
        in_reach = has & able & (d[rows, units, tt] <= reach)
        self._move(has, tt, in_reach)
        self.cooldown = np.maximum(self.cooldown - 1, 0)
        regenerated = np.minimum(self.energy + U.ENERGY_PER_TICK, U.ENERGY_MAX)
        self.energy = np.where(s.medivac & self.alive, regenerated, 0.0)
        fire = in_reach & ~s.medivac & (self.cooldown == 0)
        self.cooldown = np.where(fire, s.cooldown, self.cooldown)
        healed = self._heal(in_reach & s.medivac, tt)  # (B, U) HP each Medivac restores
        self._land(fire, tt, s.shot[units, tt], healed, record)

    def _targets(self, d):
        """Step 1 of the module docstring: allies' orders, the enemies' AI."""
        s, alive = self.static, self.alive
        A, E = slice(0, NUM_ALLIES), slice(NUM_ALLIES, NUM_UNITS)
        ally_t = self.target[:, A]
        ally_t = np.where((ally_t != NONE) & np.take_along_axis(alive, np.maximum(ally_t, 0), 1),
                          ally_t, NONE)  # fmt: skip
        attacking_me = (ally_t[:, None, :] == np.arange(NUM_ALLIES, NUM_UNITS)[None, :, None]) & ~(
            s.medivac[A][None, None, :]
        )  # (B, E, A): ally a ordered to attack enemy e
        dEA, can = d[:, E, A], s.can_hit[E, A][None] & alive[:, None, A]  # (B, E, A)
        enemy_t = self.target[:, E]
        rows, enemies = np.arange(self.B)[:, None], np.arange(NUM_ENEMIES)

        def ally_of(t):  # the ally an enemy targets (0 for none, and for the enemy Medivac)
            return np.where(s.medivac[E], 0, np.maximum(t, 0))

        et = ally_of(enemy_t)
        out_of_reach = dEA[rows, enemies, et] > s.reach[E, A][enemies, et]
        gone = ~alive[rows, et] | (~attacking_me[rows, enemies, et] & out_of_reach)
        enemy_t = np.where((enemy_t != NONE) & ~gone, enemy_t, NONE)
        near = dEA < 5.0 + s.radius[A][None, None, :]
        in_scan = can & (dEA <= SCAN)
        key = dEA + 1000.0 * ~s.medivac[A][None, None, :]  # the Medivac first, then nearest

        def pick(candidates):
            k = np.where(candidates & (near | attacking_me), key, np.inf)
            return np.where(np.isfinite(k.min(-1)), k.argmin(-1), NONE)

        fresh = pick(in_scan | (can & attacking_me))
        enemy_t = np.where(enemy_t == NONE, fresh, enemy_t)
        medivac_alive = alive[:, s.medivac_ally][:, None]
        busy_elsewhere = (enemy_t == NONE) | ~s.medivac[
            np.where(s.medivac[E], 0, np.maximum(enemy_t, 0))
        ]
        again = pick(in_scan)
        enemy_t = np.where(medivac_alive & busy_elsewhere & (again != NONE), again, enemy_t)
        enemy_t = np.where(s.medivac[E][None], self.target[:, E], enemy_t)  # its own rule: below
        self.target[:, A], self.target[:, E] = ally_t, enemy_t
        self._enemy_medivac(d)

    def _enemy_medivac(self, d):
        s, m, rows = self.static, self.static.medivac_enemy, np.arange(self.B)
        t = self.target[:, m]
        tt = np.maximum(t, 0)
        reach = 4.0 + s.radius[m] + s.radius[tt]
        keep = (t != NONE) & self.alive[rows, tt] & (d[rows, m, tt] <= reach)
        ground = ~s.ally & ~s.medivac  # enemy ground units (U,)
        dm = d[:, m]  # (B, U)
        busy = (self.target != NONE) | (self.hp < s.hp_max)
        ok = ground & self.alive & (dm <= SCAN) & (dm < 5.0 + s.radius) & busy
        hp = np.where(ok, self.hp, np.inf)
        fresh = np.where(np.isfinite(hp.min(-1)), hp.argmin(-1), NONE)
        self.target[:, m] = np.where(keep, t, fresh)

    def _move(self, has, tt, in_reach):
        """Step 3: preferred velocity, movement, collisions, map bounds."""
        s, rows = self.static, np.arange(self.B)[:, None]
        goal = np.where(has[..., None], self.pos[rows, tt], ATTACK_POINT)
        goal[:, :NUM_ALLIES] = np.where((self.order == MOVE)[..., None], self.goal,
                                        goal[:, :NUM_ALLIES])  # fmt: skip
        walks = self.alive & ~in_reach
        walks[:, :NUM_ALLIES] &= (self.order == MOVE) | has[:, :NUM_ALLIES]
        step = goal - self.pos
        length = np.sqrt((step**2).sum(-1, keepdims=True))
        scale = np.minimum(1.0, s.speed[None, :, None] / np.maximum(length, 1e-12))
        self.pos = self.pos + np.where(walks[..., None], step * scale, 0.0)
        same = (s.air[:, None] == s.air[None, :]) & ~np.eye(NUM_UNITS, dtype=bool)
        pairs = same[None] & self.alive[:, :, None] & self.alive[:, None, :]
        touch = (s.radius[:, None] + s.radius[None, :]).astype(np.float32)
        # Share of an overlap that u takes: all of it if only u walks, none if only the other
        # does, half otherwise (ORCA's split: a standing unit is walked around, not pushed).
        take = np.float32(0.5) * (1 + walks[:, :, None].astype(np.float32) - walks[:, None, :])
        for _ in range(COLLISION_PASSES):
            gx, gy, dist = _gaps(self.pos)  # (B, U, U) each: from v to u
            overlap = np.where(pairs, np.maximum(touch - dist, np.float32(0)), np.float32(0))
            if not overlap.any():
                break
            coincident = dist < 1e-9  # split along x, the lower index to the left
            push = take * overlap / np.where(coincident, np.float32(1), dist)
            gx = np.where(coincident, ORDER_SIGN, gx)
            self.pos = self.pos + np.stack([(push * gx).sum(2), (push * gy).sum(2)], -1)
        self.pos = np.clip(self.pos, s.lo, s.hi)

    def _heal(self, healing, tt):
        """Step 4 for the Medivacs in heal reach: HP restored (B, U), and energy spent."""
        s, rows = self.static, np.arange(self.B)[:, None]
        missing = s.hp_max[tt] - self.hp[rows, tt]
        starting = self.last_heal != self.target
        refused = healing & ((missing <= 0) | ((self.energy < 5.0) & starting))
        active = healing & ~refused
        want = np.where(active, np.minimum(missing, U.HEAL_PER_TICK), 0.0)
        buy = active & (self.buffer < want)
        spend = np.where(buy, np.minimum(1.0, self.energy), 0.0)
        self.energy = self.energy - spend
        self.buffer = self.buffer + U.HP_PER_ENERGY * spend
        healed = np.minimum(want, self.buffer)
        self.buffer = self.buffer - healed
        self.last_heal = np.where(active, self.target, NONE)
        self.target = np.where(refused & ~s.ally, NONE, self.target)  # the enemy drops it
        return healed

    def _land(self, fire, tt, shot, healed, record):
        """Step 5: shots land together, kills are credited, heals land, the dead die."""
        B, U = self.B, NUM_UNITS
        flat = (np.arange(B)[:, None] * U + tt).ravel()  # (B*U,): each unit's target, flat
        shot = np.where(fire, shot, 0.0)  # (B, U) by shooter
        total = np.bincount(flat, shot.ravel(), B * U).reshape(B, U)  # by victim
        removed = np.minimum(total, self.hp)
        ratio = (removed / np.maximum(total, 1e-12)).ravel()[flat].reshape(B, U)
        record["damage"] += shot * ratio  # each shooter's part of what its victim lost
        killed = self.alive & (total > 0) & (self.hp - total <= 1e-9)  # by victim
        if killed.any():  # one killer per victim, P ~ shot: an exponential race
            u = rng.uniform(self.keys, self.counters, "step", U)  # (B, U), one per shooter
            won_by = killed.ravel()[flat].reshape(B, U) & (shot > 0)
            key = np.where(won_by, -np.log1p(-u) / np.maximum(shot, 1e-12), np.inf).ravel()
            best = np.full(B * U, np.inf)
            np.minimum.at(best, flat, key)
            record["kills"] += won_by & (key == best[flat]).reshape(B, U)
        self.hp = self.hp - removed
        healed_on = np.bincount(flat, healed.ravel(), B * U).reshape(B, U)
        healed_on = np.where(self.hp > 1e-9, healed_on, 0.0)  # no revival
        record["healing"] += healed * (healed_on.ravel()[flat].reshape(B, U) > 0)
        self.hp = np.minimum(self.hp + healed_on, self.static.hp_max)
        dead = self.hp <= 1e-9
        self.hp = np.where(dead, 0.0, self.hp)
        self.alive &= ~dead


def _gaps(pos):
    """``(dx, dy, distance)`` from unit v to unit u, each (B, U, U) float32 (the largest
    arrays of a tick; SMAClite's positions are float32 too)."""
    x, y = pos[..., 0].astype(np.float32), pos[..., 1].astype(np.float32)
    gx, gy = x[:, :, None] - x[:, None, :], y[:, :, None] - y[:, None, :]
    return gx, gy, np.sqrt(gx * gx + gy * gy)
