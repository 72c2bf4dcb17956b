"""A PettingZoo ``ParallelEnv`` over one Cleanup or Harvest environment.

    env = GridworldParallelEnv("harvest", num_agents=5, seed=0, render_mode="rgb_array")
    observations, infos = env.reset(seed=1)
    observations, rewards, terminations, truncations, infos = env.step(
        {agent: env.action_space(agent).sample() for agent in env.agents})

Agents are ``"agent_0"``, ... Episodes end by truncation after ``max_steps`` steps; then
``env.agents`` is empty until ``reset``, and ``step({})`` returns five empty dicts (as
PettingZoo's own parallel environments do, which SuperSuit's ``black_death_v3`` relies on).
``infos[agent]`` holds the agent's ``apples_eaten``, ``beam_hits`` and ``cells_cleaned``
for the step. ``render()`` needs ``render_mode="rgb_array"`` (the only mode: there is no
window); without it, it warns and returns None, as PettingZoo asks. Needs the ``pettingzoo``
package (the test extra).
"""

import numbers

import numpy as np
from gymnasium import logger, spaces
from pettingzoo import ParallelEnv

from games.gridworld.env import COUNTS, make_env
from games.gridworld.maps import VIEW_RADIUS


class GridworldParallelEnv(ParallelEnv):
    """PettingZoo parallel API for ``make_env(game, num_envs=1, ...)``."""

    metadata = {"name": "aga_ref_gridworld_v0", "render_modes": ["rgb_array"]}

    def __init__(self, game="harvest", num_agents=5, seed=0, max_steps=1000, render_mode=None,
                 view="upright"):  # fmt: skip
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be None or one of {self.metadata['render_modes']}, "
                f"got {render_mode!r}"
            )
        self._env = make_env(
            game, num_envs=1, num_agents=num_agents, seed=seed, max_steps=max_steps, view=view
        )
        self.render_mode = render_mode
        self.possible_agents = [f"agent_{i}" for i in range(num_agents)]
        self.agents = []
        side = 2 * VIEW_RADIUS + 1
        self._observation_space = spaces.Box(0, 255, (side, side, 3), np.uint8)
        self._action_space = spaces.Discrete(self._env.num_actions)

    def observation_space(self, agent):
        return self._check_agent(agent) and self._observation_space

    def action_space(self, agent):
        return self._check_agent(agent) and self._action_space

    def reset(self, seed=None, options=None):
        obs, _ = self._env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return self._per_agent(obs[0]), {agent: {} for agent in self.agents}

    def step(self, actions):
        if not isinstance(actions, dict):
            raise TypeError(f"actions must be a dict {{agent: action}}, got {type(actions)}")
        if not self.agents:
            if actions:
                raise ValueError(
                    f"the episode has ended (env.agents is empty): call reset() before "
                    f"stepping; got actions for {sorted(actions)}"
                )
            return {}, {}, {}, {}, {}
        missing = [agent for agent in self.agents if agent not in actions]
        unknown = [agent for agent in actions if agent not in self.possible_agents]
        if missing or unknown:
            raise ValueError(
                f"actions must hold an action for every live agent {self.agents}; "
                f"missing {missing}, unknown {unknown}"
            )
        batch = np.array([[self._action(agent, actions[agent]) for agent in self.agents]])
        obs, rewards, terminations, truncations, infos = self._env.step(batch)
        agents = self.agents
        out = (
            self._per_agent(obs[0]),
            {a: float(rewards[0, i]) for i, a in enumerate(agents)},
            {a: bool(terminations[0]) for a in agents},
            {a: bool(truncations[0]) for a in agents},
            {a: {key: int(infos[key][0, i]) for key in COUNTS} for i, a in enumerate(agents)},
        )
        if terminations[0] or truncations[0]:
            self.agents = []
        return out

    def render(self):
        if self.render_mode is None:
            logger.warn("render() was called without a render_mode: pass render_mode='rgb_array'")
            return None
        return self._env.render(0)

    def state(self):
        return self._env.state()[0]

    def close(self):
        pass

    def _check_agent(self, agent):
        if agent not in self.possible_agents:
            raise ValueError(f"agent must be one of {self.possible_agents}, got {agent!r}")
        return True

    def _action(self, agent, action):
        """One agent's action as an int, or a ValueError/TypeError naming the agent."""
        if isinstance(action, np.ndarray) and action.shape == ():
            action = action.item()
        if isinstance(action, bool) or not isinstance(action, numbers.Integral):
            raise TypeError(
                f"actions[{agent!r}] must be an integer in [0, {self._env.num_actions - 1}], "
                f"got {type(action).__name__} {action!r}"
            )
        if not 0 <= action < self._env.num_actions:
            raise ValueError(
                f"actions[{agent!r}] must lie in [0, {self._env.num_actions - 1}], got {action}"
            )
        return int(action)

    def _per_agent(self, obs):
        return {agent: obs[i] for i, agent in enumerate(self.possible_agents)}
