"""``MMM2Env``: one Selfish-MMM2 battle with SMAC's ``StarCraft2Env`` interface, for code
written against SMAC (``reset() -> (obs, state)``, ``step(actions) -> (reward, terminated,
info)``, ``get_obs``, ``get_state``, ``get_avail_actions``, ``get_env_info``, ``get_stats``...).
``reward`` is the team reward; ``info["agent_rewards"]`` its selfish split. On a timeout
``info["episode_limit"]`` is True (SMAC sets it only with ``continuing_episode``). Stepping a
battle that is over raises.
"""

import numpy as np

from games.smac import features
from games.smac.engine import NUM_ALLIES, NUM_ENEMIES
from games.smac.env import EPISODE_LIMIT, STEP_KEYS, TYPE_BITS, Core


class MMM2Env:
    """One Selfish-MMM2 battle with SMAC's ``StarCraft2Env`` interface (no StarCraft II):
    ``reset() -> (obs, state)``, ``step(actions) -> (reward, terminated, info)``; ``reward``
    is the team reward and ``info["agent_rewards"]`` its selfish split."""

    n_agents, n_enemies, n_actions, episode_limit = NUM_ALLIES, NUM_ENEMIES, 18, EPISODE_LIMIT
    map_name = "MMM2"

    def __init__(self, seed=0, rules="smac"):
        self._seed = seed
        self.core = Core(1, seed, rules)
        self.battles_won = self.battles_game = self.timeouts = 0
        self.over, self._seen = True, None

    def reset(self):
        self.core.restart(np.ones(1, dtype=bool))
        self.over, self._seen = False, None
        return self.get_obs(), self.get_state()

    def step(self, actions):
        if self.over:
            raise RuntimeError("the battle is over (or was never started): call reset()")
        a = self.core.check(np.asarray(actions)[None], self._view()[1], np.ones(1, dtype=bool))
        team, agent, terminated, won, info = self.core.advance(a, np.ones(1, dtype=bool))
        self._seen = None
        out = {"battle_won": bool(won[0]), "dead_allies": int(info["dead_allies"][0]),
               "dead_enemies": int(info["dead_enemies"][0]), "agent_rewards": agent[0]}  # fmt: skip
        out.update((k, info[k][0]) for k in STEP_KEYS)
        done = bool(terminated[0])
        if not done and self.core.steps[0] >= EPISODE_LIMIT:
            done, out["episode_limit"] = True, True
            self.timeouts += 1
        if done:
            self.over = True
            self.battles_game += 1
            self.battles_won += out["battle_won"]
        return float(team[0]), done, out

    def get_obs(self):
        return list(self._view()[0][0])

    def get_obs_agent(self, agent_id):
        return self._view()[0][0, self._agent(agent_id)]

    def get_state(self):
        return self.core.state()[0]

    def get_avail_actions(self):
        return self._view()[1][0].astype(int).tolist()

    def get_avail_agent_actions(self, agent_id):
        return self._view()[1][0, self._agent(agent_id)].astype(int).tolist()

    def get_obs_size(self):
        return features.OBS_SIZE

    def get_state_size(self):
        return features.STATE_SIZE

    def get_total_actions(self):
        return self.n_actions

    def get_env_info(self):
        return {"state_shape": features.STATE_SIZE, "obs_shape": features.OBS_SIZE,
                "n_actions": self.n_actions, "n_agents": self.n_agents,
                "episode_limit": self.episode_limit,
                "agent_features": ["health", "energy/cooldown", "rel_x", "rel_y", *TYPE_BITS],
                "enemy_features": ["health", "rel_x", "rel_y", *TYPE_BITS]}  # fmt: skip

    def get_stats(self):
        return {"battles_won": self.battles_won, "battles_game": self.battles_game,
                "battles_draw": self.timeouts,
                "win_rate": self.battles_won / max(self.battles_game, 1),
                "timeouts": self.timeouts, "restarts": 0}  # fmt: skip

    def seed(self):
        return self._seed

    def render(self, mode="rgb_array"):
        from games.smac.render import frame

        return frame(self.core.battles, 0)

    def close(self):
        pass

    def _view(self):
        """``(obs (1, N, 176), avail (1, N, 18))`` of the current state, built once per state
        (SMAC code asks agent by agent)."""
        if self._seen is None:
            self._seen = self.core.observe()
        return self._seen

    def _agent(self, agent_id):
        if (
            isinstance(agent_id, bool)
            or not isinstance(agent_id, (int, np.integer))
            or not (0 <= agent_id < NUM_ALLIES)
        ):
            raise ValueError(f"agent_id must be an int in [0, {NUM_ALLIES - 1}], got {agent_id!r}")
        return int(agent_id)
