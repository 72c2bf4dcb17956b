"""MAPPO's ValueNorm and value loss (aga_ref.rl.value_norm, aga_ref.rl.value_loss), against
closed forms written out here, hand-computed cases and finite differences."""

import numpy as np
import pytest
from autograd import grad

from aga_ref.finite_diff import fd_gradient
from aga_ref.rl import value_norm
from aga_ref.rl.value_loss import huber, value_loss


def test_running_mean_is_the_exponentially_weighted_mean_of_the_batch_means():
    rng, beta = np.random.default_rng(0), 0.9
    batches = [rng.normal(3.0 * k, 1.0 + k, size=(7, 2)) for k in range(5)]  # (S, 2) each
    stats = value_norm.init((2,))
    for b in batches:
        stats = value_norm.update(stats, b, axis=0, beta=beta)
    k = len(batches)
    w = np.array([(1 - beta) * beta ** (k - 1 - j) for j in range(k)])  # weight of batch j
    mean = sum(wj * b.mean(0) for wj, b in zip(w, batches)) / w.sum()
    mean_sq = sum(wj * (b**2).mean(0) for wj, b in zip(w, batches)) / w.sum()
    got_mean, got_var = value_norm.mean_var(stats)
    np.testing.assert_allclose(got_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(got_var, mean_sq - mean**2, rtol=1e-10)
    assert w.sum() == pytest.approx(1 - beta**k)  # the debiasing term, Adam's 1 - b^t


def test_normalize_and_denormalize_invert_each_other_per_statistic():
    rng = np.random.default_rng(1)
    stats = value_norm.init((3, 2))  # e.g. 3 agents, 2 heads
    stats = value_norm.update(stats, rng.normal([[[1, -5]]] * 3, 4.0, size=(3, 64, 2)), axis=1)
    x = rng.normal(size=(3, 10, 2)).astype(np.float32)
    back = value_norm.denormalize(stats, value_norm.normalize(stats, x, 1), 1)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-5)
    assert back.dtype == np.float32
    # each (agent, head) uses its own statistics: the column means differ in sign
    mean, var = value_norm.mean_var(stats)
    z = value_norm.normalize(stats, np.broadcast_to(mean[:, None], (3, 4, 2)), 1)
    np.testing.assert_allclose(z, 0.0, atol=1e-6)
    assert np.all(var > 1.0)


def test_constant_returns_hit_the_variance_floor_and_no_update_divides_by_a_tenth():
    stats = value_norm.init((1,))
    np.testing.assert_allclose(value_norm.normalize(stats, np.array([[2.0]]), 0), [[20.0]])
    for _ in range(3):
        stats = value_norm.update(stats, np.full((5, 1), 7.0), axis=0)
    mean, var = value_norm.mean_var(stats)
    np.testing.assert_allclose(mean, [7.0], rtol=1e-9)
    np.testing.assert_allclose(var, [value_norm.VAR_FLOOR])
    np.testing.assert_allclose(value_norm.normalize(stats, np.array([[7.1]]), 0), [[1.0]],
                               rtol=1e-6)  # fmt: skip


def test_update_refuses_a_wrong_shape_and_non_finite_returns():
    stats = value_norm.init((2,))
    with pytest.raises(ValueError, match=r"returns must have shape \(2,\)"):
        value_norm.update(stats, np.zeros((4, 3)), axis=0)
    with pytest.raises(ValueError, match="finite"):
        value_norm.update(stats, np.array([[0.0, np.nan]]), axis=0)


def test_huber_is_quadratic_inside_delta_linear_outside_and_smooth_at_the_seam():
    e = np.array([-30.0, -10.0, -3.0, 0.0, 2.0, 10.0, 25.0])
    want = [10 * (30 - 5), 50.0, 4.5, 0.0, 2.0, 50.0, 10 * (25 - 5)]  # by hand, delta 10
    np.testing.assert_allclose(huber(e, 10.0), want)
    slope = grad(lambda x: huber(x, 10.0))
    for x in (-10.0 - 1e-9, -10.0 + 1e-9, 10.0 - 1e-9, 10.0 + 1e-9):
        assert slope(x) == pytest.approx(np.clip(x, -10, 10), rel=1e-6)


def _case():
    # one agent, 4 samples, 1 head used: old value 0, target 1, clip 0.2
    old = np.zeros((1, 4, 2))
    target = np.ones((1, 4, 2))
    weight = np.full((1, 4), 0.25)
    return old, target, weight


def test_clipped_value_loss_by_hand():
    old, target, weight = _case()
    v = np.zeros((1, 4, 2))
    v[0, :, 0] = [0.1, 0.5, -0.5, 3.0]  # inside, towards R past eps, away past eps, overshoot
    # the hand values of max(h(R - V), h(R - V_clip)) with h = e^2 / 2 (no Huber):
    # 0.1: 0.405 (inside); 0.5: clip to 0.2 -> max(0.125, 0.32) = 0.32;
    # -0.5: clip to -0.2 -> max(1.125, 0.72) = 1.125; 3.0: clip to 0.2 -> max(2, 0.32) = 2
    per_sample = np.array([0.405, 0.32, 1.125, 2.0]) + 0.5  # head 1: V = 0, error 1
    assert value_loss(v, old, target, weight, clip=0.2) == pytest.approx(np.sum(0.25 * per_sample))
    g = grad(value_loss)(v, old, target, weight, 0.2)[0, :, 0]
    # d/dV: -(R - V) where the unclipped branch is the max, 0 where the clipped one is
    np.testing.assert_allclose(g, 0.25 * np.array([-0.9, 0.0, -1.5, 2.0]), atol=1e-12)


def test_without_clip_and_huber_it_is_half_the_weighted_squared_error():
    rng = np.random.default_rng(2)
    v, old, t = (rng.normal(size=(3, 5, 2)) for _ in range(3))
    w = rng.uniform(size=(3, 5))
    assert value_loss(v, old, t, w) == pytest.approx(0.5 * np.sum(w[..., None] * (t - v) ** 2))


def test_value_loss_gradient_against_finite_differences():
    rng = np.random.default_rng(3)
    old = rng.normal(size=(2, 6, 2))
    v = old + rng.uniform(-0.5, 0.5, size=old.shape)  # some inside, some outside eps
    t = old + rng.normal(0, 15, size=old.shape)  # some errors beyond delta
    w = rng.uniform(size=(2, 6))

    def f(flat):
        return value_loss(flat.reshape(v.shape), old, t, w, clip=0.2, huber_delta=10.0)

    exact = grad(f)(v.ravel())
    np.testing.assert_allclose(exact, fd_gradient(f, v.ravel()), rtol=1e-6, atol=1e-8)
