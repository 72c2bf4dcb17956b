"""A batch of ``B`` Cleanup or Harvest environments stepped at once (docs/paper.md, section 8),
as a ``gymnasium.vector.VectorEnv``.

    env = make_env("harvest", num_envs=256, num_agents=5, seed=0, max_steps=1000)
    obs, info = env.reset()                      # obs (B, N, 15, 15, 3) uint8
    obs, rewards, terminations, truncations, infos = env.step(actions)   # actions (B, N)

Spaces: ``single_observation_space`` is ``Box(0, 255, (N, 15, 15, 3), uint8)`` (every agent's
view of one environment), ``single_action_space`` ``MultiDiscrete([A] * N)``; the batched
``observation_space`` and ``action_space`` add the leading ``B``. Rewards are ``(B, N)``, one
per agent: Gymnasium has no multi-agent convention, so wrappers that assume one reward per
environment (``RecordEpisodeStatistics``, ``NormalizeReward``, ``ClipReward``...) do not
apply; finished episodes are reported natively instead (below).

Episodes end by truncation after ``max_steps`` steps (``terminations`` is always False).
Autoreset follows Gymnasium's ``AutoresetMode.NEXT_STEP`` (``metadata["autoreset_mode"]``):
the step that ends an episode returns that episode's last observation; the *next* ``step``
ignores that environment's actions, resets it and returns its first observation with
reward 0 and ``terminations = truncations = False``.

``infos`` of a reset and of every step: ``active`` (B, N) bool, always True (every agent acts
in every step; the learner's environment API, ``aga_ref.rl.rollout``). Of a step also:
``apples_eaten``, ``beam_hits`` (fire rays that hit the agent) and
``cells_cleaned``, each (B, N) int64 for this step (zeros on reset steps), and
``waste_density`` (B,), the fraction of river cells holding waste after the step (0 in
Harvest); with ``record_episodes`` (default), Gymnasium's masks ``"_key"`` and, on steps
where episodes end, ``infos["episode"]`` (``games.episode_reports``: ``r``, ``l``, ``t`` and
the outcome metrics of ``aga_ref.episodes``).

Seeds: ``reset(seed=s)`` seeds environment b with ``s + b`` (Gymnasium's convention);
``reset(seed=[s_0, ..., s_{B-1}])`` gives each its own. Environment b then evolves exactly
as ``make_env(..., num_envs=1)`` reset with the same seed, given the same actions.
``reset(options={"reset_mask": mask})`` resets only the environments where ``mask`` (B,) is
True (with a seed, those environments take their seeds from it) and returns every
environment's observation.

Views: ``view="upright"`` (default) turns every view so that the agent's heading points up.
``view="ssd"`` reproduces the SSD code's views, which for agents facing east or west are
ours turned by 180 degrees (the cells behind the agent at the top): for comparing with
agents trained on SSD.
"""

import gymnasium
import numpy as np
import scipy.sparse
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from games import rng
from games.episode_reports import EpisodeReports
from games.gridworld import observe, rules
from games.gridworld.maps import LAYOUTS, VIEW_RADIUS
from games.vector import reset_mask, seed_list

NUM_ACTIONS = {"harvest": 8, "cleanup": 9}
VIEWS = ("upright", "ssd")
COUNTS = ("apples_eaten", "beam_hits", "cells_cleaned")


def _neighbours(layout):
    """(A, A) sparse CSR int16: 1 where two apple cells are among each other's 8 neighbours
    (symmetric). Sparse, so that counting neighbours runs in scipy's C loops and not in BLAS,
    whose multi-threaded dense product slowed the step 5x on a loaded machine."""
    W, cells = layout.padded_width, layout.apple_cells
    dr = cells[:, None] // W - cells[None, :] // W
    dc = cells[:, None] % W - cells[None, :] % W
    near = (np.abs(dr) <= 1) & (np.abs(dc) <= 1) & ((dr != 0) | (dc != 0))
    return scipy.sparse.csr_matrix(near.astype(np.int16))


class GridworldEnv(gymnasium.vector.VectorEnv):
    """``B`` environments of one game; every state array has a leading ``(B, ...)`` axis."""

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}
    render_mode = "rgb_array"

    def __init__(self, game, num_envs, num_agents, seed, max_steps, view="upright",
                 record_episodes=True):  # fmt: skip
        self.layout = LAYOUTS[game]
        self.game, self.num_envs, self.num_agents = game, num_envs, num_agents
        self.max_steps, self.num_actions = max_steps, NUM_ACTIONS[game]
        self.view = one_of_views(view)
        self.reports = EpisodeReports(num_envs, num_agents) if record_episodes else None
        side = 2 * VIEW_RADIUS + 1
        self.single_observation_space = spaces.Box(0, 255, (num_agents, side, side, 3), np.uint8)
        self.single_action_space = spaces.MultiDiscrete([self.num_actions] * num_agents)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.neighbours = _neighbours(self.layout)
        self.move_deltas = rules.move_deltas(self.layout.padded_width)  # (4, 9)
        self.beam_deltas = rules.beam_deltas(self.layout.padded_width)  # (4, 3, 5)
        self._seeds = (
            None if seed is None else seed_list(seed, self.num_envs)
        )  # for the first reset
        self.keys = None

    def __repr__(self):
        return f"make_env({self.game!r}, num_envs={self.num_envs}, num_agents={self.num_agents})"

    # --- public API -------------------------------------------------------------------------
    def reset(self, *, seed=None, options=None):
        """Reset the environments (all, or ``options["reset_mask"]``); returns
        ``(obs (B, N, 15, 15, 3), info)``."""
        mask = reset_mask(options, self.num_envs)
        if seed is not None:
            seeds = seed_list(seed, self.num_envs)
        else:  # the constructor's seeds on the first reset, then the same streams
            seeds = self._seeds if self.keys is None else None
        if seeds is None and self.keys is None:
            raise ValueError("seed must be given, to make_env(seed=...) or reset(seed=...)")
        if self.keys is None and not mask.all():
            raise ValueError("the first reset must reset every environment: drop reset_mask")
        if seeds is not None:
            keys = rng.seed_keys(seeds)
            if self.keys is None:
                self.keys, self.counters = keys, np.zeros(self.num_envs, dtype=np.uint64)
            else:
                self.keys = np.where(mask, keys, self.keys)
                self.counters = np.where(mask, np.uint64(0), self.counters)
        else:  # a new episode, not a replay of the last one
            self.counters = self.counters + mask.astype(np.uint64)
        self._new_episodes(mask)
        self.needs_reset = np.where(mask, False, getattr(self, "needs_reset", mask))
        if self.reports is not None:  # episodes cut short are not reported
            self.reports.restart(mask)
        return self._observe(), {"active": self._active()}

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
            for key in COUNTS:
                infos[key][restart] = 0
        infos["waste_density"] = self.waste_density()
        infos["active"] = self._active()
        truncations = self.steps >= self.max_steps
        self.needs_reset = truncations.copy()
        terminations = np.zeros(self.num_envs, dtype=bool)
        rewards = rewards.astype(np.float32)
        if self.reports is not None:
            self.reports.step(rewards, infos, ~restart, truncations)
        return self._observe(), rewards, terminations, truncations, infos

    def state(self):
        """The whole map of every environment as RGB (B, H, W, 3) uint8 (centralised critic)."""
        if self.keys is None:
            raise RuntimeError("call reset() before state() or render()")
        return observe.global_rgb(self.layout, self._codes())

    def render(self, env_index=None):
        """The whole map as RGB (H, W, 3) uint8: of environment ``env_index``, or, by default
        (Gymnasium's ``VectorEnv.render``), a tuple with one frame per environment."""
        if env_index is None:
            return tuple(self.state())
        if isinstance(env_index, bool) or not isinstance(env_index, (int, np.integer)):
            raise TypeError(f"env_index must be an int or None, got {type(env_index).__name__}")
        if not 0 <= env_index < self.num_envs:
            raise ValueError(
                f"env_index must lie in [0, {self.num_envs - 1}] (num_envs={self.num_envs}), "
                f"got {env_index}"
            )
        return self.state()[env_index]

    def waste_density(self):
        """Cleanup's waste density per environment (B,); 0 for Harvest."""
        return rules.waste_density(self.waste) if self.waste.shape[1] else np.zeros(self.num_envs)

    # --- internals --------------------------------------------------------------------------
    def _active(self):
        return np.ones((self.num_envs, self.num_agents), dtype=bool)

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
        return observe.views(self.layout, self._codes(), self.pos, self.heading, self.view)


def one_of_views(view):
    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, got {view!r}")
    return view


def make_env(game, num_envs=1, num_agents=5, seed=0, max_steps=1000, view="upright",
             record_episodes=True):  # fmt: skip
    """A ``GridworldEnv`` of ``num_envs`` copies of ``"cleanup"`` or ``"harvest"``; ``view``
    is ``"upright"`` (heading up) or ``"ssd"`` (the SSD code's views). ``record_episodes``:
    report finished episodes in ``infos["episode"]`` and the Gymnasium masks ``"_key"``
    (about 60 microseconds a step, a fifth of one environment's step; a learner that tracks
    episodes itself can turn it off)."""
    if game not in LAYOUTS:
        raise ValueError(f"game must be one of {sorted(LAYOUTS)}, got {game!r}")
    one_of_views(view)
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
    if not isinstance(record_episodes, bool):
        raise TypeError(f"record_episodes must be True or False, got {record_episodes!r}")
    return GridworldEnv(
        game, int(num_envs), int(num_agents), seed, int(max_steps), view, record_episodes
    )
