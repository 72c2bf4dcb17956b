"""The interface to real SMAC, tested without StarCraft II: ``SelfishStarCraft2Env`` is built
for MMM2, fed SC2's own unit messages (``s2clientprotocol.raw_pb2.Unit``) through SMAC's
``init_units`` / ``update_units`` / ``reward_battle``, and its per-agent rewards are checked
against SMAC's team reward and against the attribution rule worked out by hand. Skipped
without SMAC (CI installs its wheel)."""

import numpy as np
import pytest

from games.smac import MMM2Env, rewards
from tests.mmm2_setup import E_MARINE, placed

pytest.importorskip("smac")
from s2clientprotocol import common_pb2, raw_pb2  # noqa: E402
from s2clientprotocol import sc2api_pb2 as sc_pb  # noqa: E402

from games.smac.starcraft import SelfishStarCraft2Env  # noqa: E402

MARAUDER_RL, MARINE_RL, MEDIVAC_RL = 1970, 1971, 1972  # consecutive custom ids, as in the map
MARAUDER, MARINE, MEDIVAC = 51, 48, 54  # SC2's ids of the enemy units
HP = {MARAUDER_RL: 125, MARINE_RL: 45, MEDIVAC_RL: 150, MARAUDER: 125, MARINE: 45, MEDIVAC: 150}


def unit(tag, unit_type, owner, x, y, health=None):
    health = HP[unit_type] if health is None else health
    return raw_pb2.Unit(tag=tag, unit_type=unit_type, owner=owner, health=health,
                        pos=common_pb2.Point(x=x, y=y), health_max=HP[unit_type],
                        energy=50 if unit_type == MEDIVAC_RL else 0)  # fmt: skip


def roster(enemy_health=None, dead=(), allies_dead=()):
    """MMM2's 22 units as SC2 reports them: tags 1-10 allies, 11-22 enemies; dead units are
    left out, as SC2 leaves them out."""
    allies = ([(MARAUDER_RL, 8 + i, 17) for i in range(2)]
              + [(MARINE_RL, 7 + i, 16) for i in range(7)] + [(MEDIVAC_RL, 8, 15)])  # fmt: skip
    enemies = ([(MARAUDER, 22 + i, 15) for i in range(3)]
               + [(MARINE, 21 + i, 17) for i in range(8)] + [(MEDIVAC, 24, 17)])  # fmt: skip
    units = [unit(k + 1, t, 1, x, y) for k, (t, x, y) in enumerate(allies) if k not in allies_dead]
    for e, (t, x, y) in enumerate(enemies):
        if e not in dead:
            health = None if enemy_health is None else enemy_health.get(e)
            units.append(unit(11 + e, t, 2, x, y, health))
    observation = sc_pb.ResponseObservation()
    observation.observation.raw_data.units.extend(units)
    return observation


def started_env():
    env = SelfishStarCraft2Env()
    env._obs = roster()
    env.init_units()  # SMAC's own bookkeeping: agent order, max_reward, unit type ids
    env.death_tracker_enemy = np.zeros(env.n_enemies)
    env.death_tracker_ally = np.zeros(env.n_agents)
    return env


def after_step(env, actions, observation):
    """What ``StarCraft2Env.step`` does once SC2 has played the step, then our split."""
    ordered = env.attack_orders(actions)
    env._obs = observation
    end = env.update_units()
    reward = env.reward_battle() + (env.reward_win if end == 1 else 0)
    reward /= env.max_reward / env.reward_scale_rate
    return reward, end, env.selfish_info(actions, ordered, reward, end == 1)


def test_env_info_matches_the_numpy_engine():
    assert SelfishStarCraft2Env().get_env_info() == MMM2Env().get_env_info()


def test_smac_sorts_the_agents_and_computes_mmm2s_max_reward():
    env = started_env()
    types = [env.agents[i].unit_type for i in range(10)]
    assert types == [MARAUDER_RL] * 2 + [MARINE_RL] * 7 + [MEDIVAC_RL]  # our "smac" order
    assert env.max_reward == rewards.MAX_REWARD == 1205


def test_damage_and_kills_are_split_among_the_agents_ordered_to_attack():
    env = started_env()
    actions = [1] * 10
    actions[0] = actions[2] = 6 + 0  # two agents on enemy 0 (a Marauder)
    actions[3] = 6 + 4  # one agent on enemy 4 (a Marine), which dies
    actions[9] = 6 + 2  # the Medivac "heals" ally 2: not an attack
    reward, end, info = after_step(env, actions, roster({0: 125 - 24}, dead=(4,)))
    expected_team = (24 + 45 + 10) / (1205 / 20)  # SMAC: |health loss + 10 per death|
    assert reward == pytest.approx(expected_team) and end is None
    credit = np.zeros(10)
    credit[[0, 2]], credit[3] = 12.0, 45 + 10
    np.testing.assert_allclose(info["agent_rewards"], credit / (1205 / 20))
    np.testing.assert_allclose(info["agent_damage"][[0, 2, 3]], [12, 12, 45])
    np.testing.assert_allclose(info["agent_kills"], np.eye(10)[3])
    assert sum(info["agent_rewards"]) == pytest.approx(reward)


def test_unattributed_loss_and_the_win_bonus_still_sum_to_smacs_reward():
    env = started_env()
    actions = [1] * 10
    actions[5] = 6 + 3
    everyone_dead = tuple(range(11))  # every enemy but the Medivac dies: SMAC's win
    reward, end, info = after_step(env, actions, roster(dead=everyone_dead))
    assert end == 1
    loss = 3 * 125 + 8 * 45
    assert reward == pytest.approx((loss + 11 * 10 + 200) / (1205 / 20))
    assert sum(info["agent_rewards"]) == pytest.approx(reward)
    others = np.delete(info["agent_rewards"], 5)
    np.testing.assert_allclose(others, 20 / (1205 / 20))  # only the win share: 200 / 10
    assert info["agent_rewards"][5] == pytest.approx((loss + 110 + 20) / (1205 / 20))


def test_a_heal_paid_at_the_last_step_goes_to_the_agents_alive_at_its_start():
    """Step 1: agent 0 hits enemy 0 (125 -> 100) and agents 1-8 die. Step 2: enemy 0 is
    healed to 110 while agents 0 and 9 die too, a loss. SMAC pays |-10|; no credit, so the
    two agents alive at the step's start (SMAC's previous_ally_units) take 5 each."""
    env = started_env()
    actions = [1] * 10
    actions[0] = 6 + 0
    after_step(env, actions, roster({0: 100}, allies_dead=range(1, 9)))
    reward, end, info = after_step(env, [1] * 10, roster({0: 110}, allies_dead=range(10)))
    assert end == -1 and reward == pytest.approx(10 / (1205 / 20))
    expected = np.zeros(10)
    expected[[0, 9]] = 5 / (1205 / 20)
    np.testing.assert_allclose(info["agent_rewards"], expected)


def test_attribution_equals_the_engines_exact_credit_when_each_enemy_has_one_attacker():
    """The same function on the NumPy engine: two Marines on two enemy Marines, one each;
    the attributed credit is what the engine says each agent dealt."""
    b = placed(
        {2: (10.0, 16.0), 3: (10.0, 18.0), E_MARINE: (14.0, 16.0), E_MARINE + 1: (14.0, 18.0)}
    )
    b.hp[0, E_MARINE] = 5.0
    actions = np.ones((1, 10), dtype=np.int64)
    actions[0, 2], actions[0, 3] = 6 + E_MARINE - 10, 6 + E_MARINE + 1 - 10
    hp_before, alive_before = b.hp[0, 10:].copy(), b.alive[0, 10:].copy()
    record = b.step(actions)
    ordered = np.zeros((10, 12), dtype=bool)
    ordered[2, E_MARINE - 10] = ordered[3, E_MARINE + 1 - 10] = True
    credit = rewards.attribute(hp_before - b.hp[0, 10:], alive_before & ~b.alive[0, 10:], ordered)
    exact = record["damage"][0] + rewards.DEATH_VALUE * record["kills"][0]
    np.testing.assert_allclose(credit, exact)
    assert exact[2] == 5 + 10 and exact[3] == 6
