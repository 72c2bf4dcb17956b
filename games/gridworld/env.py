"""A batch of ``B`` Cleanup or Harvest environments stepped at once (SPEC section 7).

    env = make_env("harvest", num_envs=256, num_agents=5, seed=0, max_steps=1000)
    obs, info = env.reset()                      # obs (B, N, 15, 15, 3) uint8
    obs, rewards, terminations, truncations, infos = env.step(actions)   # actions (B, N)

Episodes end by truncation after ``max_steps`` steps (``terminations`` is always False).
Autoreset follows Gymnasium's vector API (``AutoresetMode.NEXT_STEP``, its default): the
step that ends an episode returns that episode's last observation; the *next* ``step``
ignores that environment's actions, resets it and returns its first observation with
reward 0 and ``terminations = truncations = False``.

``infos`` of a step holds what the rewards alone do not tell (zeros on reset steps):
``apples_eaten``, ``beam_hits`` (fire rays that hit the agent) and ``cells_cleaned``, each
(B, N) int64 for this step, and ``waste_density`` (B,) after it (0 in Harvest).

Seeds: ``reset(seed=s)`` seeds environment b with ``s + b`` (Gymnasium's convention);
``reset(seed=[s_0, ..., s_{B-1}])`` gives each its own. Environment b then evolves exactly
as ``make_env(..., num_envs=1)`` reset with the same seed, given the same actions.
"""

import numpy as np

from games.gridworld import observe, rng, rules
from games.gridworld.maps import LAYOUTS

NUM_ACTIONS = {"harvest": 8, "cleanup": 9}


def _neighbours(layout):
    """(A, A) float32: 1 where two apple cells are among each other's 8 neighbours."""
    W, cells = layout.padded_width, layout.apple_cells
    dr = cells[:, None] // W - cells[None, :] // W
    dc = cells[:, None] % W - cells[None, :] % W
    return ((np.abs(dr) <= 1) & (np.abs(dc) <= 1) & ((dr != 0) | (dc != 0))).astype(np.float32)


class GridworldEnv:
    """``B`` environments of one game; every state array has a leading ``(B, ...)`` axis."""

    def __init__(self, game, num_envs, num_agents, seed, max_steps):
        self.layout = LAYOUTS[game]
        self.game, self.num_envs, self.num_agents = game, num_envs, num_agents
        self.max_steps, self.num_actions = max_steps, NUM_ACTIONS[game]
        self.neighbours = _neighbours(self.layout)
        self.move_deltas = rules.move_deltas(self.layout.padded_width)  # (4, 9)
        self.beam_deltas = rules.beam_deltas(self.layout.padded_width)  # (4, 3, 5)
        self._seeds = None if seed is None else self._seed_list(seed)  # for the first reset
        self.keys = None

    def __repr__(self):
        return f"make_env({self.game!r}, num_envs={self.num_envs}, num_agents={self.num_agents})"

    # --- public API -------------------------------------------------------------------------
    def reset(self, seed=None):
        """Reset every environment; returns ``(obs (B, N, 15, 15, 3), info)``."""
        if seed is not None:
            seeds = self._seed_list(seed)
        else:  # the constructor's seeds on the first reset, then the same streams
            seeds = self._seeds if self.keys is None else None
        if seeds is None and self.keys is None:
            raise ValueError("seed must be given, to make_env(seed=...) or reset(seed=...)")
        if seeds is not None:
            self.keys = rng.seed_keys(seeds)
            self.counters = np.zeros(self.num_envs, dtype=np.uint64)
        else:  # a new episode, not a replay of the last one
            self.counters = self.counters + np.uint64(1)
        self._new_episodes(np.ones(self.num_envs, dtype=bool))
        self.needs_reset = np.zeros(self.num_envs, dtype=bool)
        return self._observe(), {}

    def step(self, actions):
        """Advance every environment one step; see the module docstring for autoreset."""
        if self.keys is None:
            raise RuntimeError("call reset() before step()")
        actions = self._check_actions(actions)
        restart = self.needs_reset
        self.counters = self.counters + np.uint64(1)
        rewards, infos = self._transition(np.where(restart[:, None], 4, actions))
        self.steps += 1
        if restart.any():
            self._new_episodes(restart)
            rewards[restart] = 0.0
            for key in ("apples_eaten", "beam_hits", "cells_cleaned"):
                infos[key][restart] = 0
        infos["waste_density"] = self.waste_density()
        truncations = self.steps >= self.max_steps
        self.needs_reset = truncations.copy()
        terminations = np.zeros(self.num_envs, dtype=bool)
        return self._observe(), rewards.astype(np.float32), terminations, truncations, infos

    def state(self):
        """The whole map of every environment as RGB (B, H, W, 3) uint8 (centralised critic)."""
        return observe.global_rgb(self.layout, self._codes())

    def render(self, env_index=0):
        """The whole map of one environment as RGB (H, W, 3) uint8."""
        return self.state()[env_index]

    def waste_density(self):
        """Cleanup's waste density per environment (B,); 0 for Harvest."""
        return rules.waste_density(self.waste) if self.waste.shape[1] else np.zeros(self.num_envs)

    # --- internals --------------------------------------------------------------------------
    def _seed_list(self, seed):
        """None, or one non-negative integer seed per environment."""
        if seed is None:
            return None
        seeds = np.atleast_1d(np.asarray(seed))
        if seeds.dtype == bool or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
            raise TypeError(f"seed must be a non-negative int or a sequence of them, got {seed!r}")
        if seeds.ndim != 1 or seeds.size not in (1, self.num_envs):
            raise ValueError(
                f"seed must be an int or {self.num_envs} ints, got shape {seeds.shape}"
            )
        return seeds + np.arange(self.num_envs) if seeds.size == 1 else seeds

    def _check_actions(self, actions):
        a = np.asarray(actions)
        if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"actions must be an integer array, got dtype {a.dtype}")
        if a.shape != (self.num_envs, self.num_agents):
            expected = (self.num_envs, self.num_agents)
            raise ValueError(f"actions must have shape (B, N) = {expected}, got {a.shape}")
        bad = (a < 0) | (a >= self.num_actions)
        if bad.any():
            raise ValueError(
                f"actions must lie in [0, {self.num_actions - 1}] for {self.game}, "
                f"got {np.unique(a[bad]).tolist()}"
            )
        return a.astype(np.int64)

    def _uniform(self, stream, size):
        return rng.uniform(self.keys, self.counters, stream, size)

    def _new_episodes(self, mask):
        """Start new episodes in the environments where ``mask`` (B,) is True."""
        layout, N = self.layout, self.num_agents
        u = self._uniform("reset", layout.spawn_cells.size + N)
        spawn = np.argsort(u[:, N:], axis=1)[:, :N]
        pos = layout.spawn_cells[spawn]  # (B, N) distinct spawn cells
        heading = (u[:, :N] * 4).astype(np.int64)
        apples = np.full((self.num_envs, layout.apple_cells.size), self.game == "harvest")
        waste = np.broadcast_to(layout.waste_at_reset, (self.num_envs, layout.river_cells.size))
        if mask.all():
            self.pos, self.heading, self.apples, self.waste = pos, heading, apples, waste.copy()
            self.steps = np.zeros(self.num_envs, dtype=np.int64)
            return
        for name, fresh in [
            ("pos", pos),
            ("heading", heading),
            ("apples", apples),
            ("waste", waste),
        ]:
            getattr(self, name)[mask] = fresh[mask]
        self.steps[mask] = 0

    def _transition(self, actions):
        """One step of the rules for every environment; returns rewards (B, N) float64 and
        the step's counts (``infos``)."""
        layout, N = self.layout, self.num_agents
        A, R = self.apples.shape[1], self.waste.shape[1]
        u = self._uniform("step", 2 * N + A + R + 1)  # one draw per step: (B, 2N + A + R + 1)
        priority, beam_keys, u_apple = u[:, :N], u[:, N : 2 * N], u[:, 2 * N : 2 * N + A]
        pos, heading = rules.move(
            layout, self.move_deltas, self.pos, self.heading, actions, priority
        )
        apples, eaten = rules.eat(layout, pos, self.apples)
        order = np.argsort(beam_keys, axis=1)
        waste, rewards, hits, cleaned = rules.beams(
            layout, self.beam_deltas, pos, heading, actions, order, self.waste, eaten * 1.0
        )
        if self.game == "harvest":
            apples = rules.regrow_harvest(layout, apples, pos, self.neighbours, u_apple)
        else:
            u_cell, u_success = u[:, 2 * N + A : 2 * N + A + R], u[:, -1]
            apples, waste = rules.spawn_cleanup(
                layout, apples, waste, pos, u_apple, u_cell, u_success
            )
        self.pos, self.heading, self.apples, self.waste = pos, heading, apples, waste
        infos = {
            "apples_eaten": eaten.astype(np.int64),
            "beam_hits": hits,
            "cells_cleaned": cleaned,
        }
        return rewards, infos

    def _codes(self):
        return observe.cell_codes(self.layout, self.apples, self.waste, self.pos)

    def _observe(self):
        return observe.views(self.layout, self._codes(), self.pos, self.heading)


def make_env(game, num_envs=1, num_agents=5, seed=0, max_steps=1000):
    """A ``GridworldEnv`` of ``num_envs`` copies of ``"cleanup"`` or ``"harvest"``."""
    if game not in LAYOUTS:
        raise ValueError(f"game must be one of {sorted(LAYOUTS)}, got {game!r}")
    for name, value in [
        ("num_envs", num_envs),
        ("num_agents", num_agents),
        ("max_steps", max_steps),
    ]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    limit = min(LAYOUTS[game].spawn_cells.size, observe.MAX_AGENTS)
    if num_agents > limit:
        raise ValueError(
            f"num_agents must be at most {limit} for {game} (its spawn cells), got {num_agents}"
        )
    return GridworldEnv(game, int(num_envs), int(num_agents), seed, int(max_steps))
