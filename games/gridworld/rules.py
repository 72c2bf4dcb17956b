"""The SSD rules of Cleanup and Harvest (docs/paper.md, section 8), vectorised over the
batch axis B.

Order inside a step: moves and turns (``move``), eating (``eat``), beams in random agent
order (``beams``), spawning (``regrow_harvest`` / ``spawn_cleanup``). Agents are ``N`` per
environment; positions are flat indices into the padded grid (``maps.Layout``).

Headings: 0 north (up the map), 1 east, 2 south, 3 west. Actions: 0 left, 1 right,
2 up (forward), 3 down (backward), 4 stay, 5 turn clockwise, 6 turn counter-clockwise,
7 fire, 8 clean (Cleanup only). Moves are relative to the heading: "left" of an agent
facing north is west.

Movement conflicts. Walls block. When several agents want one cell, the one with the
highest random priority gets it and the others stay. An agent may enter a cell its occupant
leaves in the same step; it stays if the occupant stays, and two agents that would swap
cells both stay. Rotations of four agents around a 2x2 block proceed (a grid has no
three-cycles), as in SSD. One deliberate deviation from SSD: when the occupant of a
contested cell fails to leave, the contestants stay; SSD moves the winner in anyway and two
agents share a cell (docs/gridworld.md gives an example).
"""

import numpy as np

FIRE, CLEAN = 7, 8
BEAM_LENGTH, FIRE_COST, HIT_PENALTY = 5, -1.0, -50.0
REGROWTH = np.array([0.0, 0.005, 0.02, 0.05])  # Harvest, by apples among the 8 neighbours
DEPLETION, APPLE_RESPAWN, WASTE_SPAWN = 0.4, 0.05, 0.5  # Cleanup thresholds (SSD)
TURN = np.array([0, 0, 0, 0, 0, 1, -1, 0, 0])  # heading change per action


def forward(width):
    """Flat delta of one step forward for each heading (4,)."""
    return np.array([-width, 1, width, -1])


def move_deltas(width):
    """Flat delta per (heading, action) (4, 9): left, right, up, down relative to heading."""
    f = forward(width)
    table = np.zeros((4, 9), dtype=np.int64)
    for h in range(4):
        table[h, :4] = [f[(h - 1) % 4], f[(h + 1) % 4], f[h], f[(h + 2) % 4]]
    return table


def beam_deltas(width):
    """Flat deltas of the 3 rays x 5 cells per heading (4, 3, 5): the centre ray starts one
    cell ahead of the agent, the side rays on the cells beside it."""
    f, k = forward(width), np.arange(BEAM_LENGTH)
    return np.stack([np.stack([f[h] * (k + 1), f[(h + 1) % 4] + f[h] * k,
                               f[(h - 1) % 4] + f[h] * k]) for h in range(4)])  # fmt: skip


def move(layout, deltas, pos, heading, actions, priority):
    """New positions and headings (B, N) after moves and turns (``deltas = move_deltas``)."""
    N = pos.shape[1]
    target = pos + deltas[heading, actions]  # (B, N)
    target = np.where(layout.walkable[target], target, pos)
    moving = target != pos
    same = (target[:, :, None] == target[:, None, :]) & moving[:, None, :] & ~np.eye(N, dtype=bool)
    beaten = (same & (priority[:, None, :] > priority[:, :, None])).any(-1)
    target = np.where(beaten, pos, target)
    enters = (target[:, :, None] == pos[:, None, :]) & ~np.eye(N, dtype=bool)  # a enters c's cell
    for _ in range(N):  # blocking propagates along chains of at most N agents
        stays = target == pos  # (B, N)
        swap = target[:, None, :] == pos[:, :, None]  # c wants a's cell
        blocked = (enters & (stays[:, None, :] | swap)).any(-1) & ~stays
        if not blocked.any():
            break
        target = np.where(blocked, pos, target)
        enters = enters & ~blocked[:, :, None]
    return target, (heading + TURN[actions]) % 4


def eat(layout, pos, apples):
    """Remove apples under agents; return (apples (B, A), eaten (B, N) bool)."""
    index = layout.cell_to_apple[pos]  # (B, N), -1 off apple cells
    rows = np.arange(pos.shape[0])[:, None]
    eaten = (index >= 0) & apples[rows, np.maximum(index, 0)]
    apples = apples.copy()
    apples[np.broadcast_to(rows, index.shape)[eaten], index[eaten]] = False
    return apples, eaten


def _rays(layout, deltas, pos, heading, b, a, waste, cleaning):
    """Ray cells of agents ``a`` in environments ``b`` (M,): which cells each ray reaches
    (up to and including its first blocker, never a wall), the agent on each cell, and, for
    clean rays, the river index of each waste cell. Arrays (M, 3, 5) [, N]."""
    cells = pos[b, a][:, None, None] + deltas[heading[b, a]]  # (M, 3, 5)
    wall = layout.wall[cells]
    occupant = cells[..., None] == pos[b][:, None, None, :]  # (M, 3, 5, N)
    blocker = wall | occupant.any(-1)
    river = np.full(cells.shape, -1)
    if cleaning:
        river = layout.cell_to_river[cells]
        river = np.where((river >= 0) & waste[b[:, None, None], np.maximum(river, 0)], river, -1)
        blocker |= river >= 0
    reached = (np.cumsum(blocker, axis=-1) - blocker == 0) & ~wall
    return reached, occupant, river


def beams(layout, deltas, pos, heading, actions, order, waste, rewards):
    """Fire and clean beams (``deltas = beam_deltas(width)``). Fire: -1 to the firer and
    -50 to the first agent on each ray. Clean: the first waste cell on each ray becomes
    river. Rays stop at walls and at the first agent (clean rays also at the first waste
    cell). Fire beams change nothing on the map, so they are resolved together; clean beams
    act one agent at a time in the random ``order`` (B, N), since a cleaned cell lets a
    later ray through. Returns (waste (B, R), rewards (B, N), hits (B, N): rays that hit each
    agent, cleaned (B, N): waste cells each agent cleaned)."""
    rewards = rewards + FIRE_COST * (actions == FIRE)
    hits, cleaned = np.zeros(actions.shape, np.int64), np.zeros(actions.shape, np.int64)
    b, a = np.nonzero(actions == FIRE)
    if b.size:
        reached, occupant, _ = _rays(layout, deltas, pos, heading, b, a, None, False)
        m, r, c = np.nonzero(reached & occupant.any(-1))
        np.add.at(hits, (b[m], occupant[m, r, c].argmax(-1)), 1)
        rewards = rewards + HIT_PENALTY * hits
    cleans = np.take_along_axis(actions, order, axis=1) == CLEAN  # (B, N) in beam order
    if not cleans.any():
        return waste, rewards, hits, cleaned
    waste = waste.copy()
    for k in range(pos.shape[1]):
        b = np.flatnonzero(cleans[:, k])
        if b.size:
            reached, _, river = _rays(layout, deltas, pos, heading, b, order[b, k], waste, True)
            m, r, c = np.nonzero(reached & (river >= 0))
            waste[b[m], river[m, r, c]] = False
            np.add.at(cleaned, (b[m], order[b[m], k]), 1)
    return waste, rewards, hits, cleaned


def occupied(layout, pos, num_cells, cell_index):
    """(B, num_cells) bool: which apple (or river) cells have an agent on them."""
    index = cell_index[pos]  # (B, N)
    out = np.zeros((pos.shape[0], num_cells + 1), dtype=bool)
    out[np.arange(pos.shape[0])[:, None], np.where(index >= 0, index, num_cells)] = True
    return out[:, :num_cells]


def regrow_harvest(layout, apples, pos, neighbours, u):
    """Harvest: an empty apple cell without an agent regrows with ``REGROWTH[min(k, 3)]``,
    ``k`` = apples among its 8 neighbours (``neighbours``: (A, A) symmetric 0/1, a scipy
    sparse matrix), ``u`` (B, A)."""
    k = (neighbours @ apples.T.astype(np.int16)).T  # (B, A): integer counts, no BLAS
    free = ~apples & ~occupied(layout, pos, apples.shape[1], layout.cell_to_apple)
    return apples | (free & (u < REGROWTH[np.minimum(k, 3)]))


def waste_density(waste):
    """Fraction of river cells holding waste (B,)."""
    return waste.mean(axis=1)


def spawn_cleanup(layout, apples, waste, pos, u_apple, u_cell, u_success):
    """Cleanup: below density 0.4 each free orchard cell grows an apple with probability
    0.05 (1 - d / 0.4), and one free clean river cell, uniformly chosen, turns to waste with
    probability 1 - 0.5^m (m free clean cells): SSD's first success of p = 0.5 trials in
    random order. At d >= 0.4 nothing spawns. Free: no agent stands on it, for waste as for
    apples (SSD's rule before its 2019 refactor, whose code now spawns waste under agents:
    docs/deviations.md)."""
    d = waste_density(waste)  # (B,)
    p_apple = np.where(d >= DEPLETION, 0.0, APPLE_RESPAWN * (1 - d / DEPLETION))
    free = ~apples & ~occupied(layout, pos, apples.shape[1], layout.cell_to_apple)
    apples = apples | (free & (u_apple < p_apple[:, None]))
    clean = ~waste & ~occupied(layout, pos, waste.shape[1], layout.cell_to_river)
    m = clean.sum(axis=1)
    spawn = (d < DEPLETION) & (m > 0) & (u_success < 1 - WASTE_SPAWN**m)
    cell = np.where(clean, u_cell, np.inf).argmin(axis=1)  # a uniformly random clean cell
    waste = waste.copy()
    waste[np.flatnonzero(spawn), cell[spawn]] = True
    return apples, waste
