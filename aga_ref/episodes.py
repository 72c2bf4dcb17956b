"""Per-episode outcome metrics of multi-agent environments, tracked over a batch.

Per finished episode of length T with returns R_i (Perolat et al. 2017): social welfare
``sum_i R_i``; equality ``1 - Gini`` (``aga_ref.metrics``); efficiency ``sum_i R_i / T``;
sustainability, the mean over agents of the mean time step at which the agent received a
positive reward (over the agents that received one; undefined, None, if none did); peace
``(N T - tagged agent-steps) / T``, an agent counting as tagged in a step in which a beam hit
it (``info["beam_hits"]``; only for environments that report it). Every other numeric array
in a step's ``info`` of shape (B, N) is summed over the episode and the agents (keys that
start with ``agent_`` are also reported per agent, as ``key_i``), every (B,) array is
averaged over the episode's steps, except ``LAST_KEYS`` (end-of-episode facts such as
``battle_won``), reported as they stand at the episode's last step; keys starting with ``_``
(Gymnasium's masks) are skipped, as are ``avail_actions``, ``active`` and ``state``.

Used by the learner's rollout (``aga_ref.rl.rollout``) and by the gridworld, which reports
finished episodes in its ``infos["episode"]``.
"""

import numpy as np

from aga_ref.metrics import equality

LAST_KEYS = ("battle_won", "dead_allies", "dead_enemies", "episode_limit")


class EpisodeTracker:
    """Running sums of the episodes in progress, turned into metrics when they end."""

    def __init__(self, num_envs, num_agents):
        self.returns = np.zeros((num_envs, num_agents))
        self.positive = np.zeros((num_envs, num_agents))  # steps with r_i > 0
        self.positive_time = np.zeros((num_envs, num_agents))  # sum of those steps' t
        self.length = np.zeros(num_envs, dtype=np.int64)
        self.tagged = np.zeros(num_envs)
        self.extras, self.per_agent, self.last, self._kinds = {}, {}, {}, {}

    def add(self, rewards, info, live, done):
        """Account one step (``live`` (B,): not a reset step); return finished episodes."""
        live_r = np.where(live[:, None], rewards, 0.0)
        self.length += live
        self.returns += live_r
        positive = live_r > 0
        self.positive += positive
        self.positive_time += positive * self.length[:, None]
        if "beam_hits" in info:
            self.tagged += np.where(live, (np.asarray(info["beam_hits"]) > 0).sum(-1), 0)
        for key, kind in self._summed(info, rewards.shape, live.shape):
            value = np.asarray(info[key])
            if kind == "last":
                self.last[key] = np.where(live, value, self.last[key])
                continue
            if kind == "agents":
                self.per_agent[key] += np.where(live[:, None], value, 0.0)
            self.extras[key] += np.where(live, value.sum(-1) if kind != "steps" else value, 0.0)
        finished = [self._episode(b, info) for b in np.flatnonzero(done & live)]
        if done.any():
            self.clear(done)
        return finished

    def _summed(self, info, agent_shape, env_shape):
        """[(key, kind)] of the numeric (B, N) and (B,) arrays of ``info``, ``kind`` one of
        "summed" (B, N), "agents" (B, N) also kept per agent, "steps" (B,) averaged, "last"
        (B,) kept as it ends; found once per set of keys (the per-step cost matters for
        single environments)."""
        signature = tuple(info)
        if signature not in self._kinds:
            kinds = []
            for key, value in info.items():
                if key.startswith("_") or key in ("avail_actions", "active", "state", "episode"):
                    continue  # Gymnasium's masks, action and active masks, states, episodes
                value = np.asarray(value)
                if value.dtype == object or value.shape not in (agent_shape, env_shape):
                    continue
                if value.shape == env_shape:
                    kind = "last" if key in LAST_KEYS else "steps"
                else:
                    kind = "agents" if key.startswith("agent_") else "summed"
                kinds.append((key, kind))
                if kind == "last":
                    self.last.setdefault(key, np.zeros(env_shape))
                    continue
                self.extras.setdefault(key, np.zeros(env_shape))
                if kind == "agents":
                    self.per_agent.setdefault(key, np.zeros(agent_shape))
            self._kinds[signature] = kinds
        return self._kinds[signature]

    def _episode(self, b, info):
        R, T = self.returns[b], max(int(self.length[b]), 1)
        got = self.positive[b] > 0
        sustain = np.mean(self.positive_time[b][got] / self.positive[b][got]) if got.any() else None
        out = {"returns": R.copy(), "social_welfare": R.sum(), "equality": float(equality(R)),
               "efficiency": R.sum() / T, "sustainability": sustain, "length": T}  # fmt: skip
        if "beam_hits" in info:
            out["peace"] = (len(R) * T - self.tagged[b]) / T
        for key, total in self.extras.items():
            per_step = np.asarray(info[key]).shape == self.length.shape
            out[key] = total[b] / T if per_step else total[b]
        for key, totals in self.per_agent.items():
            out.update({f"{key}_{i}": v for i, v in enumerate(totals[b])})
        for key, value in self.last.items():
            out[key] = value[b]
        return out

    def clear(self, mask):
        """Forget the episodes in progress where ``mask`` (B,) is True."""
        for array in (self.returns, self.positive, self.positive_time, self.length, self.tagged):
            array[mask] = 0
        for total in (*self.extras.values(), *self.per_agent.values(), *self.last.values()):
            total[mask] = 0
