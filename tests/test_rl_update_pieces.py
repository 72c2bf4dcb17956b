"""Each piece of the PPO update against its formula with hand-computed values: advantage
normalisation, the entropy bonus's sign, global-norm clipping of both gradients, Adam with
both bias corrections, the learning-rate schedule, the value loss and its targets; and each
documented rule of Selfish-MMM2's selfish rewards on a hand-built step."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl import ppo
from aga_ref.rl.config import Config
from aga_ref.rl.optim import adam_init, adam_step, clip_by_global_norm
from aga_ref.rl.policy import actor_terms, unflatten
from aga_ref.rl.train import experience, init_state, train
from games.smac.rewards import WIN_VALUE, selfish_rewards
from tests.rl_setup import PRISONERS_DILEMMA, MatrixGameEnv


def test_advantage_normalisation_by_hand():
    adv = np.array([[2.0, 4.0, 6.0, 8.0], [1.0, 1.0, 1.0, 5.0]], np.float32)
    weight = np.full((2, 4), 0.25, np.float32)
    # row 0: mean 5, population std sqrt(5); row 1: mean 2, std sqrt(3)
    expect = [[-3, -1, 1, 3] / np.sqrt(5.0), [-1, -1, -1, 3] / np.sqrt(3.0)]
    assert_allclose(ppo._normalise(adv, weight), expect, rtol=1e-5)


def test_global_norm_clipping_by_hand():
    g = np.array([[3.0, 0.0], [0.0, 4.0]], np.float32)  # norm 5 over every entry
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    assert_allclose(clipped, [[0.6, 0.0], [0.0, 0.8]], rtol=1e-6)
    same, _ = clip_by_global_norm(g, 10.0)
    assert_allclose(same, g)  # below the limit: unchanged


def test_adam_with_both_bias_corrections_by_hand():
    """Two steps, b1 = 0.9, b2 = 0.999, eps = 1e-5, lr = 0.1, in plain Python floats."""
    g1, g2 = (1.0, -2.0), (3.0, 0.5)
    theta = np.zeros((1, 2))
    state = adam_init(theta)
    theta1, state = adam_step(theta, np.array([g1]), state, 0.1)
    theta2, state = adam_step(theta1, np.array([g2]), state, 0.1)
    for k in range(2):
        m1, v1 = 0.1 * g1[k], 0.001 * g1[k] ** 2
        s1 = 0.1 * (m1 / 0.1) / ((v1 / 0.001) ** 0.5 + 1e-5)  # = 0.1 g / (|g| + eps)
        m2, v2 = 0.9 * m1 + 0.1 * g2[k], 0.999 * v1 + 0.001 * g2[k] ** 2
        s2 = 0.1 * (m2 / (1 - 0.9**2)) / ((v2 / (1 - 0.999**2)) ** 0.5 + 1e-5)
        assert theta1[0, k] == pytest.approx(-s1, rel=1e-12)
        assert theta2[0, k] == pytest.approx(-s1 - s2, rel=1e-12)
    assert_allclose(theta1[0], [-0.1 / (1 + 1e-5), 0.1 * 2 / (2 + 1e-5)], rtol=1e-12)


def _setup(**kwargs):
    """The prisoner's dilemma learner: (env, config, state, data) after one rollout."""
    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=8)
    config = Config(**{"env_steps": 8 * 8 * 4, "num_envs": 8, "num_steps": 8, "hidden": 8,
                       "num_minibatches": 1, "update_epochs": 1, **kwargs})  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    return env, config, state, data


def _mean_entropy(theta, shapes, data):
    live = data["active"]
    entropy = actor_terms(unflatten(theta, shapes), data["x"], data["actions"], data["avail"])[1]
    return np.array([entropy[i][live[i]].mean() for i in range(len(live))])


@pytest.mark.parametrize("method", ["simul-ind", "aga"])
def test_the_entropy_bonus_raises_every_agents_entropy(method):
    """With every advantage 0 the policy terms vanish and the update follows the entropy
    bonus alone: every agent's mean entropy on the batch must rise."""
    _, config, state, data = _setup(method=method, ent_coef=0.5, optimizer="sgd",
                                    sgd_momentum=0.0, sgd_lr=0.5)  # fmt: skip
    data["adv_ind"][:] = 0.0
    data["adv_col"][:] = 0.0
    before = _mean_entropy(state["theta"], state["actor_shapes"], data)
    state, _ = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    after = _mean_entropy(state["theta"], state["actor_shapes"], data)
    assert np.all(after > before), (before, after)


def test_both_gradients_are_clipped_to_max_grad_norm(monkeypatch):
    """The actors' optimiser gets the direction at norm <= max_grad_norm, and so does the
    critics' Adam; with SGD (no momentum yet) the actors move by exactly sgd_lr x the limit."""
    _, config, state, data = _setup(method="aga", max_grad_norm=1e-3, optimizer="sgd",
                                    sgd_lr=0.2)  # fmt: skip
    seen = []
    real = ppo.adam_step
    monkeypatch.setattr(ppo, "adam_step", lambda th, g, *a: seen.append(g) or real(th, g, *a))
    theta = state["theta"].copy()
    state, stats = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    assert stats["actor_grad_norm"] > 1e-3 and stats["critic_grad_norm"] > 1e-3
    assert np.linalg.norm(seen[0]) == pytest.approx(1e-3, rel=1e-4)  # the critics' gradient
    assert np.linalg.norm(state["theta"] - theta) == pytest.approx(0.2 * 1e-3, rel=1e-3)


def test_learning_rate_anneals_linearly_to_zero_and_reaches_the_optimiser(monkeypatch):
    rates = []
    real = ppo.adam_step

    def spy(theta, g, state, lr):
        rates.append(lr)
        return real(theta, g, state, lr)

    monkeypatch.setattr(ppo, "adam_step", spy)
    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=8)
    config = Config(env_steps=8 * 8 * 4, num_envs=8, num_steps=8, hidden=8, num_minibatches=1,
                    update_epochs=1, lr=0.004)  # fmt: skip
    _, rows = train(env, config, log=lambda *a: None)
    expect = [0.004, 0.003, 0.002, 0.001]  # lr (1 - k / 4), k = 0..3
    assert_allclose([r["lr"] for r in rows], expect)
    assert_allclose(rates[1::2], expect)  # actors and critics, one call each per minibatch
    _, rows = train(env, Config(**{**config.__dict__, "anneal_lr": False}), log=lambda *a: None)
    assert_allclose([r["lr"] for r in rows], [0.004] * 4)


def test_value_targets_are_advantages_plus_values_and_the_loss_is_half_the_squared_error():
    _, config, state, data = _setup()
    assert_allclose(data["ret"][..., 0], data["adv_ind"] + data["values"][..., 0], rtol=1e-6)
    assert_allclose(data["ret"][..., 1], data["adv_col"] + data["values"][..., 1], rtol=1e-6)
    layers = unflatten(state["phi"], state["critic_shapes"])
    V = ppo.critic_values(state["phi"], state["critic_shapes"], data["critic"])  # (N, S, 2)
    weight = np.full(V.shape[:2], 1.0 / V.shape[1], np.float32)
    loss = ppo._value_loss(layers, data["critic"], data["ret"], weight)
    by_hand = 0.5 * np.sum((V - data["ret"]) ** 2) / V.shape[1]
    assert loss == pytest.approx(by_hand, rel=1e-5)
    # one critic update lowers it on the same batch
    state, _ = ppo.update(state, data, config, 1e-3, np.random.default_rng(0))
    after = ppo._value_loss(unflatten(state["phi"], state["critic_shapes"]), data["critic"],
                            data["ret"], weight)  # fmt: skip
    assert after < loss


# --- Selfish-MMM2: each rule of games.smac.rewards on a hand-built step -------------------
ALIVE = np.array([[True, False, True, True, False, True, True, True, True, False]])


def test_damage_credit_is_paid_as_is_when_no_enemy_healed():
    credit = np.zeros((1, 10))
    credit[0, [0, 2]] = [30.0, 10.0]  # damage + 10 kills
    r = selfish_rewards(credit, np.array([40.0]), np.array([False]), ALIVE, ALIVE)
    assert_allclose(r[0], credit[0])


def test_healing_offset_splits_the_team_reward_in_proportion_to_credit():
    credit = np.zeros((1, 10))
    credit[0, [0, 2]] = [30.0, 10.0]
    r = selfish_rewards(credit, np.array([20.0]), np.array([False]), ALIVE, ALIVE)  # 20 healed
    assert_allclose(r[0, [0, 2]], [15.0, 5.0])
    assert r.sum() == pytest.approx(20.0)


def test_a_step_paid_only_by_enemy_healing_is_split_among_the_agents_alive_at_its_start():
    after = ALIVE & (np.arange(10) != 0)  # agent 0 dies in the step: it played it
    r = selfish_rewards(np.zeros((1, 10)), np.array([7.0]), np.array([False]), ALIVE, after)
    assert_allclose(r[0], np.where(ALIVE[0], 1.0, 0.0))  # 7 agents alive at the start, 1 each
    none = np.zeros((1, 10), bool)  # the last step of a lost battle: nobody left after it
    r = selfish_rewards(np.zeros((1, 10)), np.array([7.0]), np.array([False]), ALIVE, none)
    assert_allclose(r[0], np.where(ALIVE[0], 1.0, 0.0))


def test_the_win_bonus_goes_to_the_survivors_or_if_none_to_the_agents_that_played():
    credit = np.zeros((1, 10))
    credit[0, 3] = 12.0
    before = ALIVE | (np.arange(10) == 1)  # agent 1 dies in the winning step
    r = selfish_rewards(credit, np.array([12.0]), np.array([True]), before, ALIVE)
    assert_allclose(r[0], np.where(ALIVE[0], WIN_VALUE / 7, 0.0) + credit[0])
    none = np.zeros((1, 10), bool)
    r = selfish_rewards(credit, np.array([12.0]), np.array([True]), before, none)
    assert_allclose(r[0], np.where(before[0], WIN_VALUE / 8, 0.0) + credit[0])


# --- found by mutation testing: shaping over batches, FCGrad's branches at their edges ------
def test_svo_and_sl_shape_each_step_on_its_own_agents():
    """Rewards (T, B, N): each (t, b) row is shaped from its own agents only."""
    from aga_ref.rl.returns import sl_rewards, svo_rewards

    r = np.array([[[1.0, 0.0, 0.0], [0.0, 2.0, 4.0]], [[0.0, 0.0, 0.0], [3.0, 3.0, 0.0]]])
    for shaped, one in ((svo_rewards(r, np.pi / 4, 0.5), lambda x: svo_rewards(x, np.pi / 4, 0.5)),
                        (sl_rewards(r, 0.5), lambda x: sl_rewards(x, 0.5))):  # fmt: skip
        assert shaped.shape == r.shape and shaped.dtype == np.float32
        for t in range(2):
            for b in range(2):
                assert_allclose(shaped[t, b], one(r[t, b]), rtol=1e-6)
    assert_allclose(sl_rewards(r, 0.5)[1, 1], [6.0, 6.0, 3.0])  # own + 0.5 x 6, by hand
    # agent 2 of step (0, 1): own 4, others' mean 1 -> angle atan2(1, 4), by hand
    expect = 4.0 - 0.5 * abs(np.pi / 4 - np.arctan2(1.0, 4.0))
    assert svo_rewards(r, np.pi / 4, 0.5)[0, 1, 2] == pytest.approx(expect, rel=1e-6)


def test_fcgrad_branches_at_their_edges():
    """Two agents, three parameters each, gradients shorter than 1 (so a projection must
    divide by ||g||^2, not by 1), an exactly orthogonal pair (agreement is <g, g_c> >= 0)
    and an exact tie V_c / N = V_i (behind: the agent earns no more than the average)."""
    from aga_ref.rl import methods

    xi = np.array([[0.3, 0.0, 0.0], [0.0, 0.4, 0.0]])
    xi_c = np.array([[0.0, 0.5, 0.0], [0.0, -0.2, 0.1]])
    v_ind, v_col = np.array([1.0, 1.0]), np.array([2.0, 2.0])  # N = 2: V_c / N = 1 = V_i
    d = methods.fcgrad_direction(xi, xi_c, v_ind, v_col, beta=0.25)
    assert_allclose(d[0], 0.75 * xi[0] + 0.25 * xi_c[0])  # <xi, xi_c> = 0: agree
    # agent 1: <xi, xi_c> = -0.08 < 0, behind (tie): xi minus its part along xi_c
    proj = xi[1] - (-0.08 / 0.05) * xi_c[1]
    assert_allclose(d[1], proj)
    assert abs(np.dot(d[1], xi_c[1])) < 1e-12  # on the normal plane of xi_c
    # ahead (V_i above the average): xi_c minus its part along xi
    d = methods.fcgrad_direction(xi, xi_c, np.array([1.0, 1.5]), v_col, beta=0.25)
    assert_allclose(d[1], xi_c[1] - (-0.08 / 0.16) * xi[1])
    # a small positive inner product still agrees
    d = methods.fcgrad_direction(xi, xi_c + [[0.1, 0.0, 0.0], [0.0, 0.0, 0.0]], v_ind, v_col, 0.25)
    assert_allclose(d[0], 0.75 * xi[0] + 0.25 * (xi_c[0] + [0.1, 0.0, 0.0]))


def test_fcgrad_projects_each_agent_on_its_own_plane():
    """Both agents in conflict with different inner products: each projection uses its
    own row's <g, g_c> and ||g_c||^2, never a sum over agents."""
    from aga_ref.rl import methods

    xi = np.array([[0.3, 0.1, 0.0], [0.0, 0.4, 0.0]])
    xi_c = np.array([[-0.2, 0.5, 0.0], [0.0, -0.2, 0.1]])  # <., .> = -0.01 and -0.08
    d = methods.fcgrad_direction(xi, xi_c, np.zeros(2), np.zeros(2), beta=0.5)  # both behind
    assert_allclose(d[0], xi[0] + (0.01 / 0.29) * xi_c[0])
    assert_allclose(d[1], xi[1] + (0.08 / 0.05) * xi_c[1])


def test_small_credits_one_survivor_and_the_team_reward_rules_by_hand():
    """Found by mutation testing: a credit total below 1 is still split in proportion; a
    lone survivor takes the whole heal-only step and the whole win bonus; SMAC's and
    SMAClite's team rewards by hand, with the win bonus inside team_reward."""
    from games.smac.rewards import DEATH_VALUE, team_reward

    one = np.zeros((1, 10), bool)
    one[0, 4] = True
    credit = np.zeros((1, 10))
    credit[0, [1, 4]] = [0.2, 0.6]  # 0.8 HP in all
    r = selfish_rewards(credit, np.array([0.8]), np.array([False]), one, one)
    assert_allclose(r[0, [1, 4]], [0.2, 0.6])
    r = selfish_rewards(np.zeros((1, 10)), np.array([5.0]), np.array([True]), one, one)
    assert_allclose(r[0], np.where(one[0], 5.0 + WIN_VALUE, 0.0))
    loss, deaths, won = np.array([-30.0, 12.0]), np.array([1.0, 0.0]), np.array([False, True])
    assert_allclose(team_reward(loss, deaths, won), [abs(-30 + DEATH_VALUE), 12 + WIN_VALUE])
    gross = np.array([5.0, 12.0])
    assert_allclose(team_reward(loss, deaths, won, "smaclite", gross),
                    [5 + DEATH_VALUE, 12 + WIN_VALUE])  # fmt: skip


def test_fcgrad_compares_the_critics_means_over_each_agents_active_samples(monkeypatch):
    """Found by mutation testing: FCGrad's V_i and V_c are the critic's values averaged over
    the minibatch with each agent's weights (its active samples), one pair per agent."""
    from aga_ref.rl import methods

    env = MatrixGameEnv(PRISONERS_DILEMMA, num_envs=8)
    config = Config(method="fcgrad", env_steps=8 * 8 * 4, num_envs=8, num_steps=8, hidden=8,
                    num_minibatches=1, update_epochs=1)  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    data["values"] = np.random.default_rng(0).normal(size=data["values"].shape)
    data["active"][1, ::3] = False  # agent 1 sat out some steps
    seen = []
    real = methods.direction
    monkeypatch.setattr(methods, "direction", lambda *a: seen.append(a[3]) or real(*a))
    ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    ((v_ind, v_col),) = seen
    for i in range(2):
        on = data["active"][i]
        assert v_ind[i] == pytest.approx(data["values"][i, on, 0].mean(), rel=1e-5)
        assert v_col[i] == pytest.approx(data["values"][i, on, 1].mean(), rel=1e-5)


def test_both_optimisers_keep_their_state_across_minibatches_and_the_value_loss_is_logged():
    """Found by mutation testing: the critics' Adam state must be carried from minibatch to
    minibatch (a dropped state restarts Adam at t = 1 every step), and progress.csv's
    value_loss is the mean over agents of 1/2 sum_s w (V - R)^2 (both heads), by hand."""
    _, config, state, data = _setup(num_minibatches=2, update_epochs=2)
    state, _ = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    assert state["critic_adam"]["t"] == 4 and state["actor_opt"]["t"] == 4
    _, config, state, data = _setup(num_minibatches=1, update_epochs=1)
    V = ppo.critic_values(state["phi"], state["critic_shapes"], data["critic"])  # (N, S, 2)
    _, stats = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    by_hand = 0.5 * np.mean(np.sum((V - data["ret"]) ** 2, axis=(1, 2)) / V.shape[1])
    assert stats["value_loss"] == pytest.approx(by_hand, rel=1e-5)


def test_reading_progress_back(tmp_path):
    """Found by mutation testing: no file (or no folder) reads as no rows when none are
    expected, and is refused when the checkpoint counts some (issue 25); blanks as None,
    integers as int, the rest as float; only the first ``count`` rows (the checkpoint's)."""
    from aga_ref.rl.progress import read_rows
    from aga_ref.rl.runfiles import RunFileUnreadable

    assert read_rows(None, 0) == [] and read_rows(str(tmp_path / "none.csv"), 0) == []
    with pytest.raises(RunFileUnreadable, match="holds 0 complete rows"):
        read_rows(str(tmp_path / "none.csv"), 3)
    path = tmp_path / "progress.csv"
    path.write_text("update,lr,social_welfare\n1,0.0005,\n2,1e-05,3.5\n3,0.0001,4\n")
    first, second = read_rows(str(path), 2)
    assert first == {"update": 1, "lr": 0.0005, "social_welfare": None}
    assert second == {"update": 2, "lr": 1e-05, "social_welfare": 3.5}
    assert isinstance(first["update"], int) and isinstance(second["lr"], float)
