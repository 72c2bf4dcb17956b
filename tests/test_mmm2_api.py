"""Selfish-MMM2's interfaces: SMAC's API, the vector env, features written out by hand,
available actions, the 180-step limit and autoreset, a scripted policy, reseeding, and bad
input. Rewards, end rules and SMAClite's reference statistics: ``test_mmm2_rewards.py``."""

import numpy as np
import pytest

from games.smac import MMM2Env, make_env, policies
from tests.mmm2_setup import A_MARAUDER, A_MARINE, A_MEDIVAC, E_MARINE, E_MEDIVAC, core_with


def test_env_info_and_shapes_are_smacs():
    env = MMM2Env(seed=0)
    info = env.get_env_info()
    assert (info["state_shape"], info["obs_shape"], info["n_actions"], info["n_agents"],
            info["episode_limit"]) == (322, 176, 18, 10, 180)  # fmt: skip
    obs, state = env.reset()
    assert len(obs) == 10 and obs[0].shape == (176,) and state.shape == (322,)
    assert len(env.get_avail_actions()) == 10 and len(env.get_avail_agent_actions(3)) == 18


def test_observation_and_state_of_a_constructed_position():
    core = core_with({A_MARINE: (10.0, 16.0), E_MARINE: (13.0, 20.0), A_MEDIVAC: (10.0, 12.0),
                      E_MEDIVAC: (19.5, 16.0)})  # fmt: skip
    core.battles.hp[0, E_MARINE] = 30.0
    core.battles.cooldown[0, A_MARINE] = 6
    core.battles.energy[0, A_MEDIVAC] = 80.0
    obs, avail = core.observe()
    o = obs[0, A_MARINE]
    np.testing.assert_allclose(o[:4], [1, 1, 1, 1])  # all four moves stay on the band
    e = 4 + 8 * (E_MARINE - 10)
    np.testing.assert_allclose(o[e : e + 8], [1, 5 / 9, 3 / 9, 4 / 9, 30 / 45, 0, 1, 0], rtol=1e-6)
    assert not o[4 + 8 * 11 : 4 + 8 * 12].any()  # the enemy Medivac is 9.5 away: not visible
    slot = 100 + 8 * (A_MEDIVAC - 1)  # the Medivac is ally 9, slot 8 for agent 2
    np.testing.assert_allclose(o[slot : slot + 8], [1, 4 / 9, 0, -4 / 9, 1, 0, 0, 1], rtol=1e-6)
    np.testing.assert_allclose(o[172:], [1, 0, 1, 0])
    state = core.state()[0]
    np.testing.assert_allclose(state[7 * A_MARINE : 7 * A_MARINE + 7],
                               [1, 6 / 15, -6 / 32, 0, 0, 1, 0], rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(state[7 * A_MEDIVAC + 1], 80 / 200)
    m = 70 + 6 * (E_MARINE - 10)
    np.testing.assert_allclose(state[m : m + 6], [30 / 45, -3 / 32, 4 / 32, 0, 1, 0], rtol=1e-6)
    assert not state[7 * A_MARAUDER : 7 * A_MARAUDER + 7].any()  # dead: zeros
    assert not state[142:].any()  # no last actions after a reset


def test_available_actions_dead_medivac_and_band_edges():
    core = core_with({A_MARINE: (10.0, 8.5), A_MARINE + 1: (10.0, 23.1), A_MEDIVAC: (12.0, 12.0),
                      A_MARAUDER: (16.0, 16.0), E_MARINE: (15.9, 8.5)})  # fmt: skip
    _, avail = core.observe()
    a = avail[0]
    assert a[A_MARAUDER + 1].tolist() == [1] + [0] * 17  # dead: only the no-op
    assert a[A_MARINE, 1] and not a[A_MARINE, 3] and a[A_MARINE, 2]  # y 8.5: no south
    assert not a[A_MARINE + 1, 2] and a[A_MARINE + 1, 3]  # y 23.1: int(24.1) off the band
    assert a[A_MARINE, 6 + E_MARINE - 10] and not a[A_MARINE + 1, 6 + E_MARINE - 10]  # 5.9 / >6
    heal = a[A_MEDIVAC, 6:16]
    assert heal[A_MARINE] and heal[A_MARAUDER] and not heal[A_MARINE + 1]  # 4.0, 5.7, 11.3
    assert not heal[A_MEDIVAC] and not a[A_MEDIVAC, 16:].any()  # not itself; no slot 10, 11


def test_episode_limit_truncates_at_180_and_autoreset_follows():
    """Under SMAClite's end rules a lone enemy Medivac cannot lose or win: the battle runs to
    the limit, where it is truncated (SMAC: terminated, a loss, ``episode_limit``)."""
    env = make_env("mmm2", num_envs=2, seed=0, rules="smaclite")
    obs, info = env.reset()
    battles = env.core.battles
    battles.alive[:, 10:] = False
    battles.alive[:, battles.static.medivac_enemy] = True
    for _ in range(180):
        assert not env.needs_reset.any()
        obs, rewards, terminated, truncated, info = env.step(np.ones((2, 10), np.int64))
    assert truncated.all() and info["episode_limit"].all() and not terminated.any()
    assert info["episode"]["l"].tolist() == [180, 180] and info["_episode"].all()
    obs, rewards, terminated, truncated, info = env.step(np.full((2, 10), 17))  # ignored
    assert not truncated.any() and np.all(rewards == 0) and not info["state"][:, 142:].any()
    assert battles.alive.all()  # restarted


def test_mmm2env_follows_smac_and_refuses_a_finished_battle():
    env = MMM2Env(seed=0)
    with pytest.raises(RuntimeError, match="reset"):
        env.step([1] * 10)
    env.reset()
    total, done = 0.0, False
    while not done:
        reward, done, info = env.step(policies.stop(None, np.array(env.get_avail_actions())))
        total += reward
        assert sum(info["agent_rewards"]) == pytest.approx(reward)
    assert {"battle_won", "dead_allies", "dead_enemies"} <= set(info)
    # SMAC's rule: a team of only its Medivac has lost, so the battle ends with 9 dead
    assert info["dead_allies"] == 9 and not info["battle_won"]
    assert env.get_stats()["battles_game"] == 1 and env.get_stats()["win_rate"] == 0
    with pytest.raises(RuntimeError, match="reset"):
        env.step([0] * 10)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda e: e.step(np.ones((2, 10))), TypeError, "integers"),
        (lambda e: e.step(np.ones((2, 9), int)), ValueError, "shape"),
        (lambda e: e.step(np.full((2, 10), 19)), ValueError, "lie in"),
        (lambda e: e.step(np.zeros((2, 10), int)), ValueError, "agent 0 .* not available"),
        (lambda e: e.step(np.full((2, 10), 6 + 11)), ValueError, "not available"),
        (lambda e: e.reset(options={"reset_mask": [True]}), ValueError, "reset_mask"),
        (lambda e: e.render(5), ValueError, "env_index"),
    ],
)
def test_bad_input_is_named(call, error, match):
    env = make_env("mmm2", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(error, match=match):
        call(env)


BAD_CONSTRUCTION = [({"num_envs": 0}, "num_envs"), ({"rules": "sc2"}, "rules"),
                    ({"seed": -1}, "seed")]  # fmt: skip


@pytest.mark.parametrize("kwargs, match", BAD_CONSTRUCTION)
def test_bad_construction_is_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_env("mmm2", **kwargs)


def test_vector_env_reports_episodes_and_rewards_sum_to_the_team_reward():
    env = make_env("mmm2", num_envs=4, seed=0)
    obs, info = env.reset()
    rng, returns, seen = np.random.default_rng(0), np.zeros((4, 10)), 0
    for _ in range(120):
        obs, rewards, terminated, truncated, info = env.step(
            policies.random_actions(info["avail_actions"], rng)
        )
        np.testing.assert_allclose(rewards.sum(-1), info["team_reward"], rtol=1e-5, atol=1e-6)
        assert obs.dtype == np.float32 and obs in env.observation_space
        returns += rewards
        if "episode" in info:
            done = info["_episode"]
            np.testing.assert_allclose(info["episode"]["r"][done], returns[done], rtol=1e-5)
            returns[done], seen = 0.0, seen + done.sum()
        returns[terminated | truncated] = 0.0
    assert seen > 0


def test_attack_nearest_policy_on_a_constructed_position():
    core = core_with({A_MARINE: (10.0, 16.0), A_MARAUDER: (10.0, 18.0), A_MEDIVAC: (9.0, 16.0),
                      E_MARINE: (14.0, 16.0), E_MARINE + 1: (13.0, 18.0)})  # fmt: skip
    core.battles.hp[0, A_MARINE], core.battles.hp[0, A_MARAUDER] = 40.0, 60.0
    obs, avail = core.observe()
    actions = policies.attack_nearest(obs, avail)[0]  # batched input, (B, N) out
    assert actions[A_MARINE] == 6 + E_MARINE + 1 - 10  # 3.6 away, against 4.0 for the other
    assert actions[A_MARAUDER] == 6 + E_MARINE + 1 - 10  # 3.0 away, against 4.5
    assert actions[A_MEDIVAC] == 6 + A_MARAUDER  # 60/125 < 40/45
    assert actions[A_MARINE + 1] == 0  # dead
    assert np.array_equal(policies.attack_nearest(obs[0], avail[0]), actions)  # unbatched


def test_reseeding_replays_a_fresh_environment_bit_for_bit():
    """reset(seed=s) after play draws what a fresh env with seed s draws. The engine's only
    random draw is the kill credit: two Marines shoot a 5-HP enemy in the same tick, and in
    each of 64 battles one of them, drawn at random, gets the kill."""

    def kills(env):
        env.reset(seed=3)
        b = env.core.battles
        b.alive[:] = False
        b.alive[:, [A_MARINE, A_MARINE + 1, E_MARINE]] = True
        b.pos[:, [A_MARINE, A_MARINE + 1, E_MARINE]] = [(10.0, 16.0), (10.0, 17.0), (14.0, 16.0)]
        b.hp[:, E_MARINE] = 5.0
        actions = np.zeros((64, 10), dtype=np.int64)
        actions[:, [A_MARINE, A_MARINE + 1]] = 6 + E_MARINE - 10
        env._avail = env.core.observe()[1]  # the masks of the placed battles
        return env.step(actions)[-1]["agent_kills"][:, [A_MARINE, A_MARINE + 1]]

    used = make_env("mmm2", num_envs=64, seed=0)
    first = kills(used)
    assert first.sum() == 64 and 10 < first[:, 0].sum() < 54  # one killer each, both win some
    for _ in range(3):  # play on, then reseed
        used.step(np.where(used._avail[..., 0], 0, 1))
    np.testing.assert_array_equal(kills(used), kills(make_env("mmm2", num_envs=64, seed=9)))
