"""A PettingZoo ``ParallelEnv`` over one Cleanup or Harvest environment.

    env = GridworldParallelEnv("harvest", num_agents=5, seed=0)
    observations, infos = env.reset(seed=1)
    observations, rewards, terminations, truncations, infos = env.step(
        {agent: env.action_space(agent).sample() for agent in env.agents})

Agents are ``"agent_0"``, ... Episodes end by truncation after ``max_steps`` steps; then
``env.agents`` is empty until ``reset``. Needs the ``pettingzoo`` package (the test extra).
"""

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from games.gridworld.env import make_env
from games.gridworld.maps import VIEW_RADIUS


class GridworldParallelEnv(ParallelEnv):
    """PettingZoo parallel API for ``make_env(game, num_envs=1, ...)``."""

    metadata = {"name": "aga_ref_gridworld_v0", "render_modes": ["rgb_array"]}

    def __init__(self, game="harvest", num_agents=5, seed=0, max_steps=1000, render_mode=None):
        self._env = make_env(
            game, num_envs=1, num_agents=num_agents, seed=seed, max_steps=max_steps
        )
        self.render_mode = render_mode
        self.possible_agents = [f"agent_{i}" for i in range(num_agents)]
        self.agents = []
        side = 2 * VIEW_RADIUS + 1
        self._observation_space = spaces.Box(0, 255, (side, side, 3), np.uint8)
        self._action_space = spaces.Discrete(self._env.num_actions)

    def observation_space(self, agent):
        return self._observation_space

    def action_space(self, agent):
        return self._action_space

    def reset(self, seed=None, options=None):
        obs, _ = self._env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return self._per_agent(obs[0]), {agent: {} for agent in self.agents}

    def step(self, actions):
        missing = [agent for agent in self.agents if agent not in actions]
        if missing:
            raise ValueError(f"actions must hold an action for every live agent; missing {missing}")
        batch = np.array([[int(actions[agent]) for agent in self.possible_agents]])
        obs, rewards, terminations, truncations, _ = self._env.step(batch)
        agents = self.agents
        out = (
            self._per_agent(obs[0]),
            {a: float(rewards[0, i]) for i, a in enumerate(agents)},
            {a: bool(terminations[0]) for a in agents},
            {a: bool(truncations[0]) for a in agents},
            {a: {} for a in agents},
        )
        if terminations[0] or truncations[0]:
            self.agents = []
        return out

    def render(self):
        return self._env.render()

    def state(self):
        return self._env.state()[0]

    def close(self):
        pass

    def _per_agent(self, obs):
        return {agent: obs[i] for i, agent in enumerate(self.possible_agents)}
