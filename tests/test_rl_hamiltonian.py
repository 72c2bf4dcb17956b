"""The ``split`` estimator of ``H_c^T xi_c`` (``aga_ref.rl.hamiltonian``): unbiased for
``grad 1/2 ||E xi_c||^2`` where ``same`` is not, by exact enumeration; its terms against
dense derivatives of the surrogate game (``aga_ref.Game``); its config and instrument."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.derivatives import linearize
from aga_ref.rl import ppo
from aga_ref.rl.config import Config
from aga_ref.rl.hamiltonian import split_batch
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes, num_params, unflatten
from aga_ref.rl.ppo import minibatch
from aga_ref.rl.surrogate import Batch, surrogate_terms
from aga_ref.rl.train import experience, init_state
from games.gridworld import make_env
from tests.rl_setup import CLIP, surrogate_game, tiny_problem

N, M = 2, 3  # agents; the population's samples


def _population(seed=0, F=2, hidden=2, A=2):
    """theta (N, P) float64, shapes, and M transitions per agent (a Batch of equal weights):
    a policy of 2 inputs, 2 actions and 20 parameters per agent, evaluated away from the
    policy that acted so that some ratios are clipped."""
    rng = np.random.default_rng(seed)
    shapes = layer_shapes(F, hidden, A)
    theta_old = init_params(shapes, N, rng, out_scale=1.0, dtype=np.float64)
    theta = theta_old + 0.4 * rng.standard_normal(theta_old.shape)
    x = rng.standard_normal((N, M, F))
    actions = rng.integers(0, A, (N, M))
    old_logp = actor_terms(unflatten(theta_old, shapes), x, actions, None)[0]
    adv = rng.standard_normal((2, N, M))
    return theta, shapes, Batch(x, actions, None, old_logp, adv[0], adv[1], np.full((N, M), 1 / M))


def _take(pop, idx):
    """The minibatch of population samples ``idx`` (a tuple, repeats allowed), equal weights."""
    idx = np.asarray(idx)
    return Batch(pop.x[:, idx], pop.actions[:, idx], None, pop.old_logp[:, idx],
                 pop.adv_ind[:, idx], pop.adv_col[:, idx],
                 np.full((N, len(idx)), 1 / len(idx)))  # fmt: skip


def _product(theta, shapes, batch, estimator="same"):
    return surrogate_terms(theta, shapes, batch, CLIP, hvp="collective", estimator=estimator).Hv


@pytest.mark.parametrize("m", [2, 3, 4])
def test_split_is_unbiased_and_same_is_biased_over_every_minibatch(m):
    """Minibatches of m samples drawn independently and uniformly, with replacement, from a
    population of M: every one of the M^m ordered tuples has probability M^-m, so the
    expectation is their exact mean. Then E xi_c is the population's xi_c, the two halves
    (positions 0 .. m//2 - 1 and the rest) are independent, and E <xi_c^A, xi_c^B> =
    ||E xi_c||^2 holds exactly: E[split] = grad 1/2 ||E xi_c||^2 up to rounding, for odd m
    too (halves of 1 and 2). (Halves of one subset drawn without replacement would be
    negatively correlated, and split biased by their covariance.) E[same] carries
    grad 1/2 tr Cov(xi_c) = (mean_s grad 1/2 ||g_s||^2 - target) / m, with g_s one sample's
    xi_c: checked too, on products of single samples."""
    theta, shapes, pop = _population()
    target = _product(theta, shapes, pop)  # grad 1/2 ||xi_c(population)||^2 (N, P)
    tuples = list(itertools.product(range(M), repeat=m))
    same = np.mean([_product(theta, shapes, _take(pop, t)) for t in tuples], axis=0)
    split = np.mean([_product(theta, shapes, _take(pop, t), "split") for t in tuples], axis=0)
    per_sample = np.mean([_product(theta, shapes, _take(pop, (s,))) for s in range(M)], axis=0)
    scale = np.linalg.norm(target)
    assert_allclose(split, target, rtol=0, atol=1e-12 * scale)
    assert_allclose(same, target + (per_sample - target) / m, rtol=0, atol=1e-12 * scale)
    assert np.linalg.norm(same - target) > 0.05 * scale  # the bias, far above rounding


def test_the_target_is_the_gradient_of_half_the_squared_population_xi_c():
    """The enumeration's target by a central difference of 1/2 ||xi_c(theta)||^2 along a
    random direction (the project's ``aga_ref.Game`` derivatives aside)."""
    theta, shapes, pop = _population()
    v = np.random.default_rng(1).standard_normal(theta.shape)

    def ham(t):
        return 0.5 * np.sum(surrogate_terms(t, shapes, pop, CLIP, need=("xi_c",)).xi_c ** 2)

    eps = 1e-5
    slope = (ham(theta + eps * v) - ham(theta - eps * v)) / (2 * eps)
    assert_allclose(np.sum(_product(theta, shapes, pop) * v), slope, rtol=1e-7)


def _hand_halves(batch):
    """The halves by hand: positions 0..S//2-1 and the rest, weights renormalised per row."""
    S = batch.actions.shape[1]
    out = []
    for idx in (np.arange(S // 2), np.arange(S // 2, S)):
        w = batch.weight[:, idx]
        total = w.sum(axis=1, keepdims=True)
        out.append(Batch(batch.x[:, idx], batch.actions[:, idx], batch.avail[:, idx],
                         batch.old_logp[:, idx], batch.adv_ind[:, idx], batch.adv_col[:, idx],
                         np.where(total > 0, w / np.where(total > 0, total, 1), 0.0)))  # fmt: skip
    return out


@pytest.mark.parametrize("S", [7, 8])
def test_split_product_and_terms_against_the_games_derivatives_with_inactive_samples(S):
    """On a minibatch with action masks and inactive samples (agent 1 inactive in the whole
    first half): the split product is 1/2 (H_c^A xi_c^B + H_c^B xi_c^A), each factor from
    the surrogate game of a half as an ``aga_ref.Game``; agent 1's block is 0 (its xi_c^A
    is 0); xi, xi_c, the entropy gradient and the statistics equal the ``same`` ones."""
    theta, shapes, batch = tiny_problem(seed=3, N=2, S=S, masked=True)
    active = np.ones((2, S), bool)
    active[0, [1, S - 1]] = False
    active[1, : S // 2] = False
    batch = batch._replace(weight=active / active.sum(axis=1, keepdims=True))
    split = surrogate_terms(theta, shapes, batch, CLIP, hvp="collective", estimator="split")
    same = surrogate_terms(theta, shapes, batch, CLIP, hvp="collective")
    P = num_params(shapes)
    lin = [linearize(surrogate_game(shapes, h, N, P), theta.ravel()) for h in _hand_halves(batch)]
    expected = 0.5 * (lin[0].Hc_v(lin[1].xi_c) + lin[1].Hc_v(lin[0].xi_c))  # (D,)
    assert_allclose(split.Hv.ravel(), expected, rtol=1e-9, atol=1e-14)
    assert np.all(split.Hv[1] == 0) and np.linalg.norm(split.Hv[0]) > 1e-3
    for name in ("xi", "xi_c", "ent_grad"):
        assert_allclose(getattr(split, name), getattr(same, name), rtol=1e-10, atol=1e-15)
    for name, value in same.stats.items():
        assert_allclose(split.stats[name], value, rtol=1e-12)


def test_split_equals_twice_same_minus_the_halves_own_products():
    """With equal halves of equal weights xi_c = (xi_c^A + xi_c^B) / 2, so
    same = 1/4 (H^A xi^A + H^B xi^B) + 1/2 split: split from three ``same`` products, the
    learner's conformance-checked path, and same - split = grad 1/8 ||xi_c^A - xi_c^B||^2."""
    theta, shapes, batch = tiny_problem(seed=5, N=3, S=8)
    halves, share = split_batch(batch)
    assert_allclose(share, 0.5)
    own = [_product(theta, shapes, h) for h in halves]  # H^A xi^A, H^B xi^B
    same, split = _product(theta, shapes, batch), _product(theta, shapes, batch, "split")
    assert_allclose(split, 2 * same - 0.5 * (own[0] + own[1]), rtol=1e-10, atol=1e-15)
    assert np.linalg.norm(same - split) > 1e-2 * np.linalg.norm(same)


def test_split_ignores_which_half_is_which_and_equals_same_on_repeated_halves():
    """Swapping the halves leaves 1/2 <xi_c^A, xi_c^B> unchanged; a minibatch made of one
    half twice has xi_c^A = xi_c^B = xi_c, where split and same are the same function."""
    theta, shapes, batch = tiny_problem(seed=7, N=2, S=8, masked=True)
    names = ("x", "actions", "avail", "old_logp", "adv_ind", "adv_col", "weight")
    swapped = batch._replace(**{k: np.roll(getattr(batch, k), 4, axis=1) for k in names})
    assert_allclose(_product(theta, shapes, swapped, "split"),
                    _product(theta, shapes, batch, "split"), rtol=1e-10, atol=1e-15)  # fmt: skip
    twice = batch._replace(**{k: np.concatenate([getattr(batch, k)[:, :4]] * 2, axis=1)
                              for k in names})  # fmt: skip
    assert_allclose(_product(theta, shapes, twice, "split"), _product(theta, shapes, twice),
                    rtol=1e-10, atol=1e-15)  # fmt: skip


def test_the_estimator_is_checked():
    theta, shapes, batch = tiny_problem(S=4)
    with pytest.raises(ValueError, match="estimator"):
        surrogate_terms(theta, shapes, batch, CLIP, hvp="collective", estimator="halves")
    names = ("x", "actions", "old_logp", "adv_ind", "adv_col", "weight")
    one = batch._replace(**{k: getattr(batch, k)[:, :1] for k in names})
    with pytest.raises(ValueError, match="S >= 2"):
        surrogate_terms(theta, shapes, one, CLIP, hvp="collective", estimator="split")


def _update(**kwargs):
    """One update (one minibatch, one epoch) of AgA lam = 100 on a small Harvest batch:
    (data, config, theta before, theta after, stats, actor shapes)."""
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(method="aga", lam=100.0, env_steps=64, num_envs=2, num_steps=8, hidden=8,
                    num_minibatches=1, update_epochs=1, seed=3, **kwargs)  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    before = np.copy(state["theta"])
    state, stats = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    return data, config, before, state["theta"], stats, state["actor_shapes"]


def test_the_learner_uses_the_estimator_and_hvp_bias_measures_without_moving_anything():
    """--hamiltonian-estimator reaches the step (lam = 100: the product counts); --hvp-bias
    changes no step, and its column is ||same - split|| / ||product used|| on the update's
    minibatch, rebuilt here from the batch by hand."""
    runs = {(e, b): _update(hamiltonian_estimator=e, hvp_bias=b)
            for e in ("same", "split") for b in (False, True)}  # fmt: skip
    for e in ("same", "split"):
        assert_allclose(runs[e, True][3], runs[e, False][3], rtol=0, atol=0)
        assert "hvp_bias" not in runs[e, False][4]
    assert np.max(np.abs(runs["same", False][3] - runs["split", False][3])) > 1e-6
    data, config, theta, _, _, shapes = runs["same", True]
    S = data["actions"].shape[1]
    batch = minibatch(data, np.random.default_rng(0).permutation(S), config.norm_adv)[0]
    same, split = (_product(theta, shapes, batch, e) for e in ("same", "split"))
    gap = np.linalg.norm(same - split)
    assert_allclose(runs["same", True][4]["hvp_bias"], gap / np.linalg.norm(same), rtol=1e-4)
    assert_allclose(runs["split", True][4]["hvp_bias"], gap / np.linalg.norm(split), rtol=1e-4)


def test_the_config_refuses_split_where_it_cannot_apply():
    for kwargs, match in (({"hamiltonian_estimator": "unbiased"}, "hamiltonian_estimator"),
                          ({"hamiltonian_estimator": "split", "hamiltonian": False}, "split"),
                          ({"hvp_bias": True, "hamiltonian": False}, "hvp_bias"),
                          ({"method": "cga", "hamiltonian_estimator": "split"}, "aga"),
                          ({"method": "simul-co", "hvp_bias": True}, "aga"),
                          ({"hamiltonian_estimator": "split", "num_envs": 1, "num_steps": 4,
                            "num_minibatches": 4}, "2 or more")):  # fmt: skip
        with pytest.raises(ValueError, match=match):
            Config(**kwargs)
    with pytest.raises(TypeError, match="hvp_bias"):
        Config(hvp_bias="yes")


def test_runs_that_differ_only_in_hvp_bias_are_seeds_of_one_group():
    """--hvp-bias changes no step (above), so the plots group such runs together, while
    the estimator, which changes the steps, separates them."""
    from figures.train_runs import _differing

    runs = [{"method": "aga", "hamiltonian_estimator": e, "hvp_bias": b}
            for e, b in (("same", False), ("same", True))]  # fmt: skip
    assert _differing(runs) == []
    assert _differing(runs + [{**runs[0], "hamiltonian_estimator": "split"}]) == [
        "hamiltonian_estimator"
    ]
