"""PPO's clipped surrogate, the logged statistics and the actors' initialisation, against
the formulas computed by hand (plain Python loops) at log-ratios away from 0, where a wrong
sign of log rho or a wrong branch shows. Found missing by mutation testing (docs/testing.md)."""

import math

import numpy as np
import pytest

from aga_ref.rl.policy import actor_terms, flatten, init_params, layer_shapes, num_params, unflatten
from aga_ref.rl.surrogate import Batch, ppo_objective, surrogate_terms

CLIP = 0.2


def by_hand_objective(logp, old_logp, adv, weight):
    """sum_s w min(rho A, clip(rho, 1 - eps, 1 + eps) A) per agent, in plain floats."""
    out = []
    for i in range(len(logp)):
        total = 0.0
        for s in range(len(logp[i])):
            rho = math.exp(logp[i][s] - old_logp[i][s])
            clipped = min(max(rho, 1 - CLIP), 1 + CLIP)
            total += weight[i][s] * min(rho * adv[i][s], clipped * adv[i][s])
        out.append(total)
    return out


def test_the_clipped_surrogate_equals_its_definition_on_both_sides_of_the_clip():
    """Ratios inside and outside [0.8, 1.2], advantages negative, in (0, 1) and above 1."""
    logp = np.log(np.array([[0.5, 0.2, 0.9, 0.3, 0.6, 0.05], [0.7, 0.1, 0.4, 0.8, 0.25, 0.5]]))
    ratios = np.array([[1.5, 0.6, 1.1, 0.95, 1.3, 0.7], [0.5, 1.4, 1.0, 0.85, 2.0, 1.15]])
    old_logp = logp - np.log(ratios)
    adv = np.array([[0.4, -1.2, 2.0, -0.3, 0.7, 1.5], [-0.6, 0.2, -2.0, 1.3, -0.5, 0.9]])
    weight = np.array([[0.1, 0.2, 0.1, 0.2, 0.3, 0.1], [1 / 6] * 6])
    batch = Batch(None, None, None, old_logp, None, None, weight)
    got = ppo_objective(logp, batch, adv, CLIP)
    want = by_hand_objective(logp.tolist(), old_logp.tolist(), adv.tolist(), weight.tolist())
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.fixture
def terms():
    """Three agents' actors and a minibatch whose old log-probabilities differ from the
    current ones by up to +-0.5; agent 2 is inactive in every sample (weight 0)."""
    rng = np.random.default_rng(3)
    shapes = layer_shapes(3, 4, 3)
    theta = init_params(shapes, 3, rng, out_scale=1.0, dtype=np.float64)
    x = rng.standard_normal((3, 6, 3))
    actions = rng.integers(0, 3, (3, 6))
    logp, entropy = actor_terms(unflatten(theta, shapes), x, actions, None)
    old_logp = logp + rng.uniform(-0.5, 0.5, logp.shape)
    weight = np.array([[1 / 6] * 6, [0.0, 0.25, 0.25, 0.0, 0.25, 0.25], [0.0] * 6])
    adv = rng.standard_normal((3, 6))
    batch = Batch(x, actions, None, old_logp, adv, adv, weight)
    return surrogate_terms(theta, shapes, batch, CLIP), logp, old_logp, entropy


def test_the_logged_statistics_are_means_over_the_agents_that_acted(terms):
    result, logp, old_logp, entropy = terms
    kl = clipped = ent = 0.0
    weight = [[1 / 6] * 6, [0.0, 0.25, 0.25, 0.0, 0.25, 0.25]]  # agent 2 did not act
    for i in range(2):
        for s in range(6):  # each agent's weighted mean, then the mean over the 2 that acted
            rho = math.exp(logp[i, s] - old_logp[i, s])
            kl += weight[i][s] * ((rho - 1) - math.log(rho)) / 2
            clipped += weight[i][s] * (abs(rho - 1) > CLIP) / 2
            ent += weight[i][s] * entropy[i, s] / 2
    assert 0 < clipped < 1  # both kinds of sample are present
    assert result.stats["approx_kl"] == pytest.approx(kl, rel=1e-12)
    assert result.stats["clip_fraction"] == pytest.approx(clipped, rel=1e-12)
    assert result.stats["entropy"] == pytest.approx(ent, rel=1e-12)


@pytest.mark.parametrize("out_scale", [0.01, 1.0])
def test_actors_start_orthogonal_with_their_gains_and_zero_biases(out_scale):
    """Each weight matrix of each agent has orthonormal columns (or rows) times its gain:
    sqrt(2) for the hidden layers, ``out_scale`` for the output layer (cleanrl's PPO)."""
    shapes = layer_shapes(5, 3, 4)
    theta = init_params(shapes, 3, np.random.default_rng(0), out_scale, dtype=np.float64)
    assert theta.shape == (3, num_params(shapes)) == (3, 5 * 3 + 3 + 3 * 3 + 3 + 3 * 4 + 4)
    layers = unflatten(theta, shapes)
    np.testing.assert_array_equal(flatten(layers), theta)
    gains = [math.sqrt(2.0), math.sqrt(2.0), out_scale]
    for W, b, gain in zip(layers[0::2], layers[1::2], gains):
        assert np.all(b == 0)
        for agent in W:
            small = min(agent.shape)
            gram = agent.T @ agent if agent.shape[0] >= agent.shape[1] else agent @ agent.T
            np.testing.assert_allclose(gram, gain**2 * np.eye(small), atol=1e-12)
    assert not np.allclose(layers[0][0], layers[0][1])  # one draw per agent
