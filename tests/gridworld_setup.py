"""Helpers for the gridworld rule tests: an environment with agents placed by hand."""

import numpy as np

from games.gridworld import make_env

STAY, LEFT, RIGHT, UP, DOWN, CW, CCW, FIRE, CLEAN = 4, 0, 1, 2, 3, 5, 6, 7, 8
NORTH, EAST, SOUTH, WEST = 0, 1, 2, 3


def placed(game, agents, num_envs=1, seed=0, apples=None, waste=None):
    """An environment whose agents stand at ``agents`` = [(row, col, heading), ...]."""
    env = make_env(game, num_envs=num_envs, num_agents=len(agents), seed=seed)
    env.reset()
    layout = env.layout
    env.pos = np.tile([layout.cell(r, c) for r, c, _ in agents], (num_envs, 1))
    env.heading = np.tile([h for _, _, h in agents], (num_envs, 1))
    if apples is not None:
        env.apples = np.broadcast_to(apples, env.apples.shape).copy()
    if waste is not None:
        env.waste = np.broadcast_to(waste, env.waste.shape).copy()
    return env


def act(env, *actions):
    """One step with the same actions in every environment; returns (obs, rewards)."""
    obs, rewards, _, _, _ = env.step(np.tile(actions, (env.num_envs, 1)))
    return obs, rewards


def positions(env, b=0):
    """[(row, col), ...] of every agent of environment b."""
    rows, cols = env.layout.row_col(env.pos[b])
    return list(zip(rows.tolist(), cols.tolist()))


def open_cell_block(layout, height, width):
    """Top-left (row, col) of a height x width block with no wall, apple or river cell."""
    bad = layout.wall | (layout.cell_to_apple >= 0) | (layout.cell_to_river >= 0) | ~layout.inside
    for r in range(layout.height - height + 1):
        for c in range(layout.width - width + 1):
            cells = [layout.cell(r + i, c + j) for i in range(height) for j in range(width)]
            if not bad[cells].any():
                return r, c
    raise LookupError("no such block")
