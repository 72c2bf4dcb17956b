"""Selfish-MMM2 environments over the vectorised engine: ``MMM2VectorEnv`` (``B`` battles, a
``gymnasium.vector.VectorEnv`` like the gridworld's), and ``Core``, the bookkeeping it shares
with ``mmm2env.MMM2Env`` (one battle, with SMAC's ``StarCraft2Env`` interface).

    env = make_env("mmm2", num_envs=256, seed=0)
    obs, info = env.reset()            # obs (B, 10, 176) float32, info["avail_actions"] (B, 10, 18)
    obs, rewards, terminations, truncations, info = env.step(actions)   # rewards (B, 10)

``rewards`` are the selfish per-agent rewards (``games.smac.rewards``), scaled as SMAC scales
its team reward; they sum to the team reward, ``info["team_reward"]`` (B,). A battle ends by
termination (won or lost, SMAC's end rules) or by truncation at 180 steps (SMAC counts that
as a loss). Autoreset: Gymnasium's next step, as in the gridworld: the step after an end
ignores that battle's actions and returns its first observation with reward 0.

``info`` of every step, arrays over the batch: ``avail_actions`` (B, N, 18) bool, ``active``
(B, N) bool (the agents alive in the observation returned with it; a dead agent's only
available action is the no-op, and the learner leaves its samples out of its update, as
MAPPO's active masks do), ``state`` (B, 322), ``battle_won``, ``dead_allies``,
``dead_enemies``, ``episode_limit`` (B,),
``team_reward`` (B,), and per agent (B, N) for this step ``agent_rewards`` (= ``rewards``),
``agent_damage`` (HP removed from enemies), ``agent_kills``, ``agent_healing`` (HP restored).

End rules, ``rules="smac"`` (default): lost when no ally but Medivacs is alive; else won when
no enemy is alive or only the enemy Medivac is. ``rules="smaclite"``: won when no enemy is
alive (also if every ally died in the same step), lost when no ally is; the unit order,
reward and cooldown feature follow SMAClite too (``units``, ``rewards``, ``features``).
"""

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from games import rng
from games.episode_reports import EpisodeReports
from games.smac import features, rewards
from games.smac.engine import NUM_ALLIES, Battles
from games.vector import reset_mask, seed_list

EPISODE_LIMIT = 180  # SMAC's for MMM2
RULES = ("smac", "smaclite")
STEP_KEYS = ("agent_damage", "agent_kills", "agent_healing")
TYPE_BITS = ("type_0", "type_1", "type_2")


class Core:
    """Battles plus what SMAC keeps beside them: steps, last actions, outcome counts."""

    def __init__(self, num_envs, seed, rules):
        if rules not in RULES:
            raise ValueError(f"rules must be one of {list(RULES)}, got {rules!r}")
        self.num_envs, self.rules = num_envs, rules
        self.battles = Battles(num_envs, rules, rng.seed_keys(seed_list(seed, num_envs)))
        self.steps = np.zeros(num_envs, dtype=np.int64)
        self.last_actions = np.full((num_envs, NUM_ALLIES), -1)

    def restart(self, mask):
        self.battles.reset(mask)
        self.steps[mask] = 0
        self.last_actions[mask] = -1  # SMAC clears them at reset (SMAClite does not)

    def observe(self):
        return features.observe(self.battles)

    def state(self):
        return features.state(self.battles, self.last_actions)

    def active(self):
        """The allies alive now (B, N) bool: who acts on the current observation."""
        return self.battles.alive[:, :NUM_ALLIES].copy()

    def check(self, actions, avail, live):
        """``actions`` as an int array (B, N), or a clear error naming the agent."""
        a = np.asarray(actions)
        if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"actions must be integers, got dtype {a.dtype}")
        if a.shape != (self.num_envs, NUM_ALLIES):
            raise ValueError(
                f"actions must have shape {(self.num_envs, NUM_ALLIES)}, got {a.shape}"
            )
        out = (a < 0) | (a >= features.NUM_ACTIONS)
        if out.any():
            raise ValueError(f"actions must lie in [0, {features.NUM_ACTIONS - 1}], "
                             f"got {np.unique(a[out]).tolist()}")  # fmt: skip
        bad = live[:, None] & ~np.take_along_axis(avail, a[..., None], -1)[..., 0]
        if bad.any():
            b, i = np.argwhere(bad)[0]
            allowed = np.flatnonzero(avail[b, i]).tolist()
            raise ValueError(f"action {a[b, i]} of agent {i} (battle {b}) is not available; "
                             f"available: {allowed}")  # fmt: skip
        return a.astype(np.int64)

    def advance(self, actions, live):
        """One step of the battles where ``live`` (B,); returns (team (B,), per-agent (B, N)
        unscaled rewards, terminated, won, info)."""
        b = self.battles
        enemy_hp, enemy_alive = b.hp[:, NUM_ALLIES:].copy(), b.alive[:, NUM_ALLIES:].copy()
        played = b.alive[:, :NUM_ALLIES].copy()  # (B, N): the allies that play this step
        record = b.step(np.where(live[:, None], actions, 1))
        self.last_actions = np.where(live[:, None], actions, self.last_actions)
        self.steps += live
        ally_alive, now_alive = b.alive[:, :NUM_ALLIES], b.alive[:, NUM_ALLIES:]
        fighters = (ally_alive & ~b.static.medivac[:NUM_ALLIES]).any(-1)
        enemies_left = now_alive.sum(-1)
        only_medivac = (enemies_left == 1) & now_alive[:, b.static.medivac_enemy - NUM_ALLIES]
        if self.rules == "smac":
            lost = ~fighters
            won = ~lost & ((enemies_left == 0) | only_medivac)
        else:
            won = enemies_left == 0
            lost = ~won & ~ally_alive.any(-1)
        won, terminated = won & live, (won | lost) & live
        deaths = (enemy_alive & ~now_alive).sum(-1)
        loss = (enemy_hp - b.hp[:, NUM_ALLIES:]).sum(-1)
        team = rewards.team_reward(loss, deaths, np.zeros_like(won), self.rules,
                                   record["damage"].sum(-1)) * live  # fmt: skip
        credit = record["damage"] + rewards.DEATH_VALUE * record["kills"]
        agent = rewards.selfish_rewards(credit, team, won, played, ally_alive) * live[:, None]
        team = team + rewards.WIN_VALUE * won
        info = {"battle_won": won, "dead_allies": (~ally_alive).sum(-1),
                "dead_enemies": (~now_alive).sum(-1), "agent_damage": record["damage"],
                "agent_kills": record["kills"], "agent_healing": record["healing"],
                "enemy_damage": record["enemy_damage"]}  # fmt: skip
        return team / rewards.SCALE, agent / rewards.SCALE, terminated, won, info


class MMM2VectorEnv(gymnasium.vector.VectorEnv):
    """``B`` Selfish-MMM2 battles; see the module docstring."""

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}
    render_mode = "rgb_array"

    def __init__(self, num_envs, seed=0, rules="smac", record_episodes=True):
        self.num_envs, self.num_agents = num_envs, NUM_ALLIES
        self.num_actions = features.NUM_ACTIONS
        self.core = Core(num_envs, seed, rules)
        self.single_observation_space = spaces.Box(-1.0, 1.0, (NUM_ALLIES, features.OBS_SIZE),
                                                   np.float32)  # fmt: skip
        self.single_action_space = spaces.MultiDiscrete([features.NUM_ACTIONS] * NUM_ALLIES)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.reports = EpisodeReports(num_envs, NUM_ALLIES) if record_episodes else None
        self.needs_reset = np.zeros(num_envs, dtype=bool)
        self._avail = None

    def __repr__(self):
        return f"make_env('mmm2', num_envs={self.num_envs}, rules={self.core.rules!r})"

    def reset(self, *, seed=None, options=None):
        mask = reset_mask(options, self.num_envs)
        if seed is not None:
            keys, battles = rng.seed_keys(seed_list(seed, self.num_envs)), self.core.battles
            battles.keys = np.where(mask, keys, battles.keys)
            battles.counters = np.where(mask, np.uint64(0), battles.counters)  # a fresh stream
        self.core.restart(mask)
        self.needs_reset = self.needs_reset & ~mask
        if self.reports is not None:
            self.reports.restart(mask)
        obs, self._avail = self.core.observe()
        return obs, {"avail_actions": self._avail, "active": self.core.active(),
                     "state": self.core.state()}  # fmt: skip

    def step(self, actions):
        if self._avail is None:
            raise RuntimeError("call reset() before step()")
        restart = self.needs_reset
        actions = self.core.check(actions, self._avail, ~restart)
        team, agent, terminated, won, info = self.core.advance(actions, ~restart)
        if restart.any():
            self.core.restart(restart)
        truncated = ~terminated & ~restart & (self.core.steps >= EPISODE_LIMIT)
        self.needs_reset = terminated | truncated
        obs, self._avail = self.core.observe()
        agent = agent.astype(np.float32)
        info.update(avail_actions=self._avail, active=self.core.active(),
                    state=self.core.state(), team_reward=team,
                    episode_limit=truncated, agent_rewards=agent)  # fmt: skip
        if self.reports is not None:
            # summed over the episode, per agent too; the outcome as it stands at the end
            counts = {k: info[k] for k in (*STEP_KEYS, "battle_won", "dead_allies", "dead_enemies")}
            self.reports.step(agent, counts, ~restart, self.needs_reset)
            for key in list(info):
                info["_" + key] = self.reports.everywhere
            if "episode" in counts:
                info["episode"], info["_episode"] = counts["episode"], counts["_episode"]
        return obs, agent, terminated, truncated, info

    def state(self):
        """The global states (B, 322) float32 (a centralised critic's input)."""
        return self.core.state()

    def render(self, env_index=0):
        """One battle as RGB (H, W, 3) uint8 (``games.smac.render``)."""
        from games.smac.render import frame

        if not (isinstance(env_index, (int, np.integer)) and 0 <= env_index < self.num_envs):
            raise ValueError(f"env_index must lie in [0, {self.num_envs - 1}], got {env_index!r}")
        return frame(self.core.battles, env_index)


def make_env(name="mmm2", num_envs=1, seed=0, rules="smac", record_episodes=True):
    """``MMM2VectorEnv`` of ``num_envs`` battles (``name`` must be ``"mmm2"``)."""
    if name != "mmm2":
        raise ValueError(f"name must be 'mmm2', got {name!r}")
    if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
    if rules not in RULES:
        raise ValueError(f"rules must be one of {list(RULES)}, got {rules!r}")
    return MMM2VectorEnv(int(num_envs), seed, rules, record_episodes)
