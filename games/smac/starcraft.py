"""Selfish-MMM2 on the real game: ``SelfishStarCraft2Env``, a ``smac.env.StarCraft2Env`` whose
``step`` also returns the selfish per-agent rewards of ``games.smac.rewards``.

Needs SMAC (``pip install git+https://github.com/oxwhirl/smac``; the PyPI package ``smac`` is
another project) and, to play, StarCraft II with SMAC's maps. Everything except the game
itself is tested without StarCraft II (``tests/test_mmm2_starcraft.py``), on SMAC's own unit
messages (``s2clientprotocol``'s ``raw_pb2.Unit``).

SC2 does not say who dealt damage, so each enemy's health loss in a step, and 10 for its
death, is credited to the agents ordered to attack it in that step, split equally
(``rewards.attribute``); the team reward SMAC computed is then split in proportion to those
credits, a step with no credit equally among the agents alive at its start (SMAC's
``previous_ally_units``), the win bonus among those alive at its end
(``rewards.selfish_rewards``), so the per-agent rewards sum to SMAC's reward. ``info``
gains ``agent_rewards``, ``agent_damage`` and ``agent_kills`` (the attributed shares; kills
can be fractional) and ``agent_healing`` (the HP gained this step by the ally the Medivac
was ordered to heal).
"""

import numpy as np
from smac.env import StarCraft2Env

from games.smac import rewards


class SelfishStarCraft2Env(StarCraft2Env):
    """``StarCraft2Env`` for MMM2 (by default) with per-agent rewards in ``info``."""

    def __init__(self, map_name="MMM2", **kwargs):
        super().__init__(map_name=map_name, **kwargs)

    def step(self, actions):
        actions = [int(a) for a in actions]
        ordered = self.attack_orders(actions)  # before the step: the units that got orders
        reward, terminated, info = super().step(actions)
        if self.previous_enemy_units is not None and "dead_allies" in info:
            info.update(self.selfish_info(actions, ordered, reward, info["battle_won"]))
        return reward, terminated, info

    def attack_orders(self, actions):
        """(N, E) bool: agent i, a damage unit, was ordered to attack enemy e."""
        ordered = np.zeros((self.n_agents, self.n_enemies), dtype=bool)
        for i, action in enumerate(actions):
            unit = self.get_unit_by_id(i)
            if action >= self.n_actions_no_attack and unit.unit_type != self.medivac_id:
                ordered[i, action - self.n_actions_no_attack] = True
        return ordered

    def enemy_changes(self):
        """``(health_loss (E,), deaths (E,))`` of this step, from SMAC's unit records."""
        loss, deaths = np.zeros(self.n_enemies), np.zeros(self.n_enemies)
        for e, unit in self.enemies.items():
            before = self.previous_enemy_units[e]
            if before.health > 0:
                loss[e] = before.health + before.shield - unit.health - unit.shield
                deaths[e] = unit.health == 0
        return loss, deaths

    def selfish_info(self, actions, ordered, reward, won):
        """The per-agent entries of ``info`` for a step that has been taken."""
        loss, deaths = self.enemy_changes()
        credit = rewards.attribute(loss, deaths, ordered)  # (N,)
        scale = self.max_reward / self.reward_scale_rate if self.reward_scale else 1.0
        team = np.array([reward * scale - rewards.WIN_VALUE * won])
        before, after = ([[units[i].health > 0 for i in range(self.n_agents)]]
                         for units in (self.previous_ally_units, self.agents))  # fmt: skip
        agent = rewards.selfish_rewards(credit[None], team, np.array([won]), np.array(before),
                                        np.array(after))[0] / scale  # fmt: skip
        share = ordered / np.maximum(ordered.sum(0), 1)  # (N, E): each attacker's part
        healing = np.zeros(self.n_agents)
        for i, action in enumerate(actions):
            unit = self.get_unit_by_id(i)
            if action >= self.n_actions_no_attack and unit.unit_type == self.medivac_id:
                j = action - self.n_actions_no_attack
                gained = self.agents[j].health - self.previous_ally_units[j].health
                healing[i] = max(0.0, gained) if self.agents[j].health > 0 else 0.0
        return {"agent_rewards": agent, "agent_damage": share @ loss,
                "agent_kills": share @ deaths, "agent_healing": healing}  # fmt: skip
