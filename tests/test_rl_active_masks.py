"""Active masks (MAPPO's ``use_policy_active_masks``): a sample in which an agent did not act
weighs nothing in its surrogates, entropy and advantage normalisation; the environments say
who acts (``info["active"]``); an agent that never acts keeps its actor."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl.config import Config
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes, unflatten
from aga_ref.rl.ppo import minibatch
from aga_ref.rl.surrogate import surrogate_terms
from aga_ref.rl.train import experience, init_state, train
from tests.rl_setup import CLIP, PRISONERS_DILEMMA, MatrixGameEnv

F, A, HIDDEN = 3, 4, 5
LIVE_ADV = np.array([1.0, -2.0, 0.5, 1.5])  # agent 1's individual advantages while alive
# normalised over those four samples only: mean 0.25, population std sqrt(7.25 / 4), by hand
LIVE_ADV_NORMALISED = np.array([0.5571, -1.6713, 0.1857, 0.9285])


def _data(rng, active):
    """2 agents, 8 samples; agent 1 is dead where ``active[1]`` is False: zero observation,
    only the no-op (action 0) available. float64 parameters and inputs."""
    shapes = layer_shapes(F, HIDDEN, A)
    theta = init_params(shapes, 2, rng, out_scale=1.0, dtype=np.float64)
    x = rng.standard_normal((2, 8, F))
    avail = np.ones((2, 8, A), bool)
    dead = ~active
    x[dead] = 0.0
    avail[dead] = False
    avail[..., 0] |= dead
    actions = np.where(dead, 0, rng.integers(0, A, (2, 8)))
    theta_old = theta + 0.2 * rng.standard_normal(theta.shape)  # some ratios get clipped
    logp = actor_terms(unflatten(theta_old, shapes), x, actions, avail)[0]
    adv_ind, adv_col = rng.standard_normal((2, 8)), rng.standard_normal((2, 8))
    adv_ind[1, :4] = LIVE_ADV
    adv_ind[1, 4:] = [3.0, -1.0, 2.0, 0.0]  # what a dead agent's GAE can produce
    data = {"x": x, "actions": actions, "avail": avail, "logp": logp, "adv_ind": adv_ind,
            "adv_col": adv_col, "active": active, "live": np.ones((2, 8), bool)}  # fmt: skip
    return theta, shapes, data


def _terms(theta, shapes, data, idx):
    batch, _ = minibatch(data, idx, norm_adv=True)
    return batch, surrogate_terms(theta, shapes, batch, CLIP, hvp="collective")


def _agent(data, i, idx):
    """Agent i's samples ``idx`` alone, as a one-agent batch in which it is always active."""
    out = {k: v[i : i + 1][:, idx] for k, v in data.items()}
    out["active"] = np.ones_like(out["active"])
    return out


def test_a_dead_agents_samples_are_left_out_of_its_update():
    """The issue's example: agent 1 dead in samples 4-7. Its normalised advantages are the
    hand-computed ones, and its xi, xi_c and H_c^T xi_c equal those of its four live
    samples alone; agent 0, alive throughout, is unaffected."""
    active = np.ones((2, 8), bool)
    active[1, 4:] = False
    theta, shapes, data = _data(np.random.default_rng(0), active)
    batch, terms = _terms(theta, shapes, data, np.arange(8))
    assert_allclose(batch.adv_ind[1, :4], LIVE_ADV_NORMALISED, atol=1e-4)
    assert_allclose(batch.weight[1], [0.25] * 4 + [0.0] * 4)
    for i, idx in ((1, np.arange(4)), (0, np.arange(8))):
        own = minibatch(_agent(data, i, idx), np.arange(len(idx)), True)[0]
        alone = surrogate_terms(theta[i : i + 1], shapes, own, CLIP, hvp="collective")
        for name in ("xi", "xi_c", "Hv", "ent_grad"):
            assert_allclose(getattr(terms, name)[i], getattr(alone, name)[0], rtol=1e-10,
                            atol=1e-14, err_msg=f"agent {i}: {name}")  # fmt: skip
    # the balance that AgA's sign rules weigh: |H_c^T xi_c| / |xi_c| of the dead agent
    unmasked = dict(data, active=np.ones((2, 8), bool))
    _, wrong = _terms(theta, shapes, unmasked, np.arange(8))
    assert not np.allclose(wrong.Hv[1], terms.Hv[1])  # the mask changes what it should


def test_without_active_info_every_agent_is_active_and_the_weights_are_the_old_ones():
    rng = np.random.default_rng(1)
    theta, shapes, data = _data(rng, np.ones((2, 8), bool))
    batch, value_weight = minibatch(data, np.arange(8), True)
    assert_allclose(batch.weight, np.full((2, 8), 1 / 8))
    assert_allclose(value_weight, batch.weight)
    mean = batch.adv_ind.mean(1)
    assert_allclose(mean, 0.0, atol=1e-6)
    assert_allclose(batch.adv_ind.std(1), 1.0, rtol=1e-6)


def test_value_loss_keeps_the_dead_agents_transitions_and_drops_reset_steps():
    active = np.ones((2, 8), bool)
    active[1, 4:] = False
    data = _data(np.random.default_rng(2), active)[2]
    data["live"][:, 7] = False  # a reset step: not a transition for anyone
    data["active"][:, 7] = False
    batch, value_weight = minibatch(data, np.arange(8), True)
    assert_allclose(value_weight, np.repeat([[1 / 7] * 7 + [0.0]], 2, axis=0))
    assert_allclose(batch.weight[0], [1 / 7] * 7 + [0.0])


def test_an_agent_with_no_active_sample_gets_zero_terms_not_nans():
    active = np.ones((2, 8), bool)
    active[1] = False
    theta, shapes, data = _data(np.random.default_rng(3), active)
    batch, terms = _terms(theta, shapes, data, np.arange(8))
    assert np.all(batch.adv_ind[1] == 0) and np.all(batch.adv_col[1] == 0)
    for name in ("xi", "xi_c", "Hv", "ent_grad"):
        assert np.all(getattr(terms, name)[1] == 0), name
        assert np.any(getattr(terms, name)[0] != 0), name


class HalfDeadEnv(MatrixGameEnv):
    """The prisoner's dilemma in which agent 1 never acts (``info["active"]`` False); its
    actions are still sampled and paid, as a dead unit's no-op would be."""

    def _info(self):
        return {"active": np.tile([True, False], (self.num_envs, 1))}

    def reset(self, seed=None):
        return super().reset(seed)[0], self._info()

    def step(self, actions):
        return (*super().step(actions)[:4], self._info())


@pytest.mark.parametrize(
    "method, extra",
    [("aga", {"lam": 1.0}), ("aga", {"sign_rule": "per_agent"}), ("cga", {}), ("fcgrad", {}),
     ("simul-co", {}), ("simul-ind", {"optimizer": "sgd"})],
)  # fmt: skip
def test_an_agent_that_never_acts_keeps_its_actor_while_the_other_learns(method, extra):
    env = HalfDeadEnv(PRISONERS_DILEMMA, num_envs=8)
    config = Config(method=method, env_steps=8 * 8 * 4, num_envs=8, num_steps=8, hidden=8,
                    lr=0.02, num_minibatches=2, **extra)  # fmt: skip
    start = init_state(env, config)["theta"].copy()
    state, rows = train(env, config, log=lambda *a: None)
    assert np.array_equal(state["theta"][1], start[1])
    assert not np.allclose(state["theta"][0], start[0])
    assert all(np.isfinite(r["approx_kl"]) for r in rows)


def test_the_rollout_records_who_acted():
    env = HalfDeadEnv(PRISONERS_DILEMMA, num_envs=3, max_steps=4)
    config = Config(num_envs=3, num_steps=10, env_steps=30, hidden=4, num_minibatches=1)
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    assert np.array_equal(data["active"][0], data["live"][0])  # agent 0 acts in every transition
    assert not data["active"][1].any()
    assert not data["live"][0].all()  # there were reset steps, and they are not active


def test_mmm2_marks_exactly_the_living_allies_active():
    from games.smac import make_env

    env = make_env("mmm2", num_envs=4, seed=0)
    obs, info = env.reset(seed=0)
    assert info["active"].shape == (4, 10) and info["active"].all()
    rng = np.random.default_rng(0)
    seen_dead = False
    for _ in range(120):
        avail = info["avail_actions"]
        actions = np.array([[rng.choice(np.flatnonzero(a)) for a in row] for row in avail])
        obs, _, _, _, info = env.step(actions)
        alive = env.core.battles.alive[:, :10]
        assert np.array_equal(info["active"], alive)
        dead = ~info["active"]
        # a dead agent can only take the no-op, and its observation is all zeros
        assert np.array_equal(info["avail_actions"][dead], np.eye(18, dtype=bool)[[0] * dead.sum()])
        assert np.all(obs[dead] == 0)
        seen_dead |= dead.any()
    assert seen_dead


def test_gridworld_marks_every_agent_active():
    from games.gridworld import make_env

    env = make_env("cleanup", num_envs=2, num_agents=3, seed=0)
    _, info = env.reset()
    assert info["active"].shape == (2, 3) and info["active"].all()
    info = env.step(np.zeros((2, 3), int))[4]
    assert info["active"].all()


def test_mask_effect_reports_on_a_small_mmm2_run(tmp_path, capsys):
    """figures.mask_effect (docs/mmm2.md's measurement) on a tiny run: unmasked terms of an
    agent that was dead in some samples are smaller than masked ones, never larger."""
    from figures.mask_effect import main
    from games.smac import make_env

    config = Config(method="aga", num_envs=4, num_steps=64, env_steps=4 * 64 * 2,
                    num_minibatches=1, hidden=8)  # fmt: skip
    train(make_env("mmm2", num_envs=4, seed=0), config, out=str(tmp_path), log=lambda *a: None)
    main([str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    rows = [[float(x) for x in line.split()] for line in lines[2:-1]]
    assert len(rows) == 10 and "masked" in lines[-1]
    for _, dead, xi, xic, _hv, _, _ in rows:
        if dead == 0:
            assert xi == pytest.approx(1.0) and xic == pytest.approx(1.0)
        else:
            assert xi < 1.0 and xic < 1.0
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nothing")])
