"""First and second derivatives of every operation in the learner's graph stay finite in
float32 at extreme but finite inputs, and agree with float64 closed forms there: the
activations, the probability ratio's ``exp`` inside PPO's clip and minimum, the masked
log-softmax and entropy; the whole surrogate game with a saturated unit; one update of every
method with a pre-activation of about 100; the differentiable games' sigmoid."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad as egrad
from autograd import grad
from numpy.testing import assert_allclose

from aga_ref import collective_hessian, game_hessian, simultaneous_gradient
from aga_ref.primitives import sigmoid, tanh
from aga_ref.rl import policy
from aga_ref.rl.config import Config
from aga_ref.rl.policy import actor_terms, unflatten
from aga_ref.rl.surrogate import Batch, ppo_objective, surrogate_terms
from aga_ref.rl.train import init_state, train_step
from games.public_goods import public_goods_game
from tests.rl_setup import CLIP, tiny_problem

EXTREME = np.array([-1e4, -1000.0, -100.0, -89.5, -20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0,
                    89.5, 100.0, 1000.0, 1e4])  # fmt: skip


def _sech2(x):
    """float64 closed form of tanh' = sech^2 without overflow: 4 u / (1 + u)^2, u = e^-2|x|."""
    u = np.exp(-2 * np.abs(np.asarray(x, np.float64)))
    return 4 * u / (1 + u) ** 2


def _second(f):
    """x -> f''(x) elementwise (the diagonal Hessian of sum f)."""
    return egrad(egrad(f))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_derivatives_are_finite_and_exact_at_extreme_inputs(dtype):
    x = EXTREME.astype(dtype)
    y = np.tanh(EXTREME)
    d1, d2 = egrad(tanh)(x), _second(tanh)(x)
    assert d1.dtype == dtype and np.all(np.isfinite(d1)) and np.all(np.isfinite(d2))
    assert_allclose(d1, _sech2(EXTREME), rtol=1e-5, atol=1e-7)
    assert_allclose(d2, -2 * y * _sech2(EXTREME), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_values_and_derivatives_are_finite_and_exact_at_extreme_inputs(dtype):
    x = EXTREME.astype(dtype)
    y = 0.5 * (1 + np.tanh(EXTREME / 2))  # float64 closed form, no overflow
    s1 = 0.25 * _sech2(EXTREME / 2)  # y (1 - y)
    assert_allclose(sigmoid(x), y, rtol=1e-6, atol=1e-30)
    d1, d2 = egrad(sigmoid)(x), _second(sigmoid)(x)
    assert np.all(np.isfinite(d1)) and np.all(np.isfinite(d2))
    assert_allclose(d1, s1, rtol=1e-5, atol=1e-8)
    assert_allclose(d2, s1 * (1 - 2 * y), rtol=1e-5, atol=1e-8)


def _clipped(delta, adv, eps):
    """float64 closed form of PPO's min(rho A, clip(rho) A) per sample, and its first and
    second derivatives in log rho = delta (equal: d/ddelta rho = rho where unclipped)."""
    rho = np.exp(delta)
    unclipped = np.where(adv >= 0, rho < 1 + eps, rho > 1 - eps)
    value = np.where(adv >= 0, adv * np.minimum(rho, 1 + eps), adv * np.maximum(rho, 1 - eps))
    slope = np.where(unclipped, adv * rho, 0.0)
    return value, slope, slope


def test_the_clipped_surrogate_is_finite_for_huge_and_tiny_ratios():
    """log-ratios up to +-100 (rho beyond float32's range); only A < 0 with rho above about
    3e38 / |A| is left out: there the exact value itself is beyond float32."""
    delta = np.array([-100.0, -60.0, -5.0, -0.1, 0.0, 0.1, 0.15, 5.0, 60.0, 100.0])
    delta = np.concatenate([delta, delta, [-100.0, -60.0, -5.0, -0.1, 0.1, 5.0, 60.0]])
    adv = np.concatenate([np.full(10, 1.5), np.zeros(10), np.full(7, -2.0)])
    eps = 0.2
    expect, slope, curvature = _clipped(delta, adv, eps)
    weight = np.ones((1, delta.size), np.float32)
    batch = Batch(None, None, None, np.zeros((1, delta.size), np.float32), None, None, weight)

    def J(lp):
        return ppo_objective(lp, batch, adv[None].astype(np.float32), eps)[0]

    lp = delta[None].astype(np.float32)
    assert_allclose(J(lp), expect.sum(), rtol=1e-5)
    g = grad(J)(lp)[0]
    h = egrad(lambda z: grad(J)(z))(lp)[0]  # the Hessian's diagonal (it is diagonal)
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(h))
    assert_allclose(g, slope, rtol=1e-5, atol=1e-30)
    assert_allclose(h, curvature, rtol=1e-5, atol=1e-30)


def _logits_terms(z, avail, action):
    layers = None  # the network is replaced by the logits themselves

    def fake(layers_, x, avail_, arch=None):
        return anp.where(avail_, z, policy.MASKED_LOGIT)

    saved = policy.masked_logits
    policy.masked_logits = fake
    try:
        return actor_terms(layers, None, action, avail)
    finally:
        policy.masked_logits = saved


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masked_log_softmax_and_entropy_at_extreme_logits(dtype):
    """Logits of +-1e4 and every action but one masked: log pi(a) and the entropy, with
    their gradients and Hessian-vector products, against float64 closed forms."""
    z = np.array([[[1e4, -1e4, 3.0, 0.0], [50.0, -50.0, 1.0, 2.0], [7.0, 1e4, -1e4, 0.5]]])
    avail = np.array([[[True, False, False, False], [True, True, True, True],
                       [False, True, True, False]]])  # fmt: skip
    action = np.array([[0, 2, 2]])
    v = np.random.default_rng(0).standard_normal(z.shape)
    zz = z.astype(dtype)

    def logp(t):
        return anp.sum(_logits_terms(t, avail, action)[0])

    def entropy(t):
        return anp.sum(_logits_terms(t, avail, action)[1])

    # closed forms: p = softmax over the available logits (float64)
    zm = np.where(avail, z, -np.inf)
    p = np.exp(zm - zm.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    onehot = np.eye(4)[action]
    d_logp = np.where(avail, onehot - p, 0.0)
    pv = np.sum(p * v, -1, keepdims=True)
    hvp_logp = -(p * v - p * pv)  # -(diag p - p p^T) v
    logp_all = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), 0.0)
    H = -np.sum(p * logp_all, -1, keepdims=True)
    d_ent = -p * (logp_all + H)  # dH/dz_k = -p_k (log p_k + H)
    for f, expect in ((logp, d_logp), (entropy, d_ent)):
        g = grad(f)(zz)
        assert np.all(np.isfinite(g))
        assert_allclose(g, expect, atol=1e-5)
    Hv = grad(lambda t: anp.sum(grad(logp)(t) * v))(zz)
    assert np.all(np.isfinite(Hv))
    assert_allclose(Hv, hvp_logp, atol=1e-5)
    Hv_ent = grad(lambda t: anp.sum(grad(entropy)(t) * v))(zz)
    assert np.all(np.isfinite(Hv_ent))
    # the entropy's HVP against central differences of its closed-form gradient (float64)
    h = 1e-6

    def d_entropy(t):
        tm = np.where(avail, t, -np.inf)
        q = np.exp(tm - tm.max(-1, keepdims=True))
        q /= q.sum(-1, keepdims=True)
        lq = np.where(q > 0, np.log(np.where(q > 0, q, 1.0)), 0.0)
        return -q * (lq + (-np.sum(q * lq, -1, keepdims=True)))

    fd = (d_entropy(z + h * v) - d_entropy(z - h * v)) / (2 * h)
    assert_allclose(Hv_ent, fd, atol=1e-4)


@pytest.mark.parametrize("pre_activation", [100.0, -100.0, 1000.0])
@pytest.mark.parametrize("hvp", ["collective", "individual"])
def test_surrogate_terms_with_a_saturated_unit_match_float64(pre_activation, hvp, monkeypatch):
    """xi, xi_c and the Hessian-vector product in float32 with one hidden unit driven to
    +-100 (and 1000): finite, and equal to a float64 reference that uses autograd's own tanh
    (an independent derivative; finite in float64 at these inputs)."""
    theta, shapes, batch = tiny_problem(seed=4, masked=True)
    theta = theta.copy()
    b1 = unflatten(theta, shapes)[1]  # (N, hidden) view
    b1[0, 0] = pre_activation
    f32 = Batch(*(None if a is None else a.astype(np.float32) if a.dtype == np.float64 else a
                  for a in batch))  # fmt: skip
    t32 = surrogate_terms(theta.astype(np.float32), shapes, f32, CLIP, hvp=hvp)
    if abs(pre_activation) < 700:  # autograd's own tanh overflows in float64 beyond ~710
        monkeypatch.setattr(policy, "tanh", anp.tanh)
    t64 = surrogate_terms(theta, shapes, batch, CLIP, hvp=hvp)
    for name in ("xi", "xi_c", "Hv", "ent_grad"):
        a, b = getattr(t32, name), getattr(t64, name)
        assert a.dtype == np.float32 and np.all(np.isfinite(a)), name
        assert_allclose(a, b, rtol=2e-3, atol=2e-5 * np.abs(b).max(), err_msg=name)


@pytest.mark.parametrize("method", ["simul-ind", "simul-co", "aga", "cga", "sga", "fcgrad",
                                    "svo", "sl"])  # fmt: skip
def test_one_update_with_a_pre_activation_near_100_succeeds_for_every_method(method):
    from games.gridworld import make_env

    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=20)
    config = Config(method=method, env_steps=2 * 8 * 2, num_envs=2, num_steps=8, hidden=8,
                    num_minibatches=2)  # fmt: skip
    state = init_state(env, config)
    unflatten(state["theta"], state["actor_shapes"])[1][0, 0] = 100.0  # agent 0, unit 0
    before = state["theta"].copy()
    with np.errstate(all="raise"):
        train_step(env, state, config)
    assert np.all(np.isfinite(state["theta"])) and np.any(state["theta"] != before)


def test_public_goods_game_derivatives_are_finite_where_the_sigmoid_saturates():
    """a = b sigmoid(w): H_ii = (1 - c/n) a''(w_i), H_c = sum over players; at w = +-800
    (exp overflows float64) the exact values are 0."""
    game = public_goods_game(n=3)
    b, c, n = 1.0, 1.5, 3
    for w in (np.array([0.3, -2.0, 4.0]), np.array([800.0, -800.0, 0.5])):
        y = 0.5 * (1 + np.tanh(w / 2))
        a1, a2 = b * y * (1 - y), b * y * (1 - y) * (1 - 2 * y)
        xi = simultaneous_gradient(game, w)
        H, Hc = game_hessian(game, w), collective_hessian(game, w)
        assert np.all(np.isfinite(H)) and np.all(np.isfinite(Hc))
        assert_allclose(xi, (1 - c / n) * a1, atol=1e-15)
        assert_allclose(np.diag(H), (1 - c / n) * a2, atol=1e-15)
        assert_allclose(np.diag(Hc), n * (1 - c) / n * a2, atol=1e-15)
