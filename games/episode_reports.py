"""Gymnasium-style reports of finished episodes for multi-agent vector environments.

``EpisodeReports(B, N)`` follows a batch of episodes with ``aga_ref.episodes.EpisodeTracker``
and writes, into a step's ``infos``, Gymnasium's vector masks (``infos["_key"]``, all True:
every environment reports every key) and, on steps where episodes end,
``infos["episode"]`` as ``gymnasium.wrappers.vector.RecordEpisodeStatistics`` would: ``r``
the per-agent returns (B, N), ``l`` the length, ``t`` the wall-clock seconds since the
episode began, zeros where no episode ended, marked by ``infos["_episode"]`` (B,); plus
every outcome metric of the tracker (social welfare, equality, efficiency, sustainability
with NaN where undefined, peace, and the episode's totals or means of the step counts).
Used by the gridworld (``games.gridworld``) and Selfish-MMM2 (``games.smac``).
"""

import time

import numpy as np

from aga_ref.episodes import EpisodeTracker


class EpisodeReports:
    """The episode bookkeeping of a vector environment of ``num_envs`` x ``num_agents``."""

    def __init__(self, num_envs, num_agents):
        self.num_envs, self.num_agents = num_envs, num_agents
        self.tracker = EpisodeTracker(num_envs, num_agents)
        self.started = np.full(num_envs, time.perf_counter())
        self.everywhere = np.ones(num_envs, dtype=bool)  # one shared, read-only mask
        self.everywhere.flags.writeable = False

    def restart(self, mask):
        """Forget the episodes in progress where ``mask`` (B,) is True (a reset)."""
        self.tracker.clear(mask)
        self.started[mask] = time.perf_counter()

    def step(self, rewards, infos, live, done):
        """Account one step (``live`` (B,): not an autoreset step; ``done`` (B,): the episode
        ended) and add the masks and the finished episodes to ``infos`` in place."""
        now = time.perf_counter()
        self.started[~live] = now  # an autoreset step starts the clock of the new episode
        finished = self.tracker.add(rewards.astype(np.float64), infos, live, done)
        for key in list(infos):
            infos["_" + key] = self.everywhere
        if not finished:
            return
        ended = np.flatnonzero(done & live)
        B, zeros = self.num_envs, np.zeros(self.num_envs)
        episode = {"r": np.zeros((B, self.num_agents), np.float32),
                   "l": np.zeros(B, np.int64), "t": zeros.copy()}  # fmt: skip
        for b, outcome in zip(ended, finished):
            episode["r"][b], episode["l"][b] = outcome["returns"], outcome["length"]
            episode["t"][b] = round(now - self.started[b], 6)
            for key, value in outcome.items():
                if key not in ("returns", "length"):
                    episode.setdefault(key, zeros.copy())[b] = np.nan if value is None else value
        infos["episode"], infos["_episode"] = episode, np.isin(np.arange(B), ended)
