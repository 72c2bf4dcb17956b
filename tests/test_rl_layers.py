"""MAPPO's network body (aga_ref.rl.layers): LayerNorm and ReLU against NumPy written out
here and against PyTorch's modules, the initialisation, and the learner's derivatives
(xi_c and the HVP H_c^T xi_c) through LayerNorm against finite differences in float64."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl.layers import DEFAULT_ARCH, Arch, arch_of, layer_norm
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes, mlp, unflatten
from aga_ref.rl.surrogate import Batch, surrogate_terms

F, H, A, N, S = 5, 4, 3, 2, 9
ARCHS = [Arch("relu", False), Arch("tanh", True), Arch("relu", True)]


def _network(arch, seed=0, spread=0.3):
    """(shapes, theta (N, P) float64): initialised, then every parameter perturbed, so that
    LayerNorm gains are not 1 nor biases 0."""
    rng = np.random.default_rng(seed)
    shapes = layer_shapes(F, H, A, arch)
    theta = init_params(shapes, N, rng, out_scale=1.0, dtype=np.float64)
    return shapes, theta + spread * rng.standard_normal(theta.shape)


def _numpy_forward(theta_i, x, arch):
    """One agent's logits (S, A) from its flat parameters, by hand."""
    sizes = [F * H, H, H * H, H, H * A, A]
    W1, b1, W2, b2, W3, b3 = np.split(theta_i[: sum(sizes)], np.cumsum(sizes)[:-1])
    W1, W2, W3 = W1.reshape(F, H), W2.reshape(H, H), W3.reshape(H, A)
    act = (lambda z: np.where(z > 0, z, 0.0)) if arch.activation == "relu" else np.tanh
    if not arch.layer_norm:
        return act(act(x @ W1 + b1) @ W2 + b2) @ W3 + b3
    g0, c0, g1, c1, g2, c2 = np.split(theta_i[sum(sizes) :], np.cumsum([F, F, H, H, H]))

    def ln(h, g, c):
        return (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5) * g + c

    h1 = ln(act(ln(x, g0, c0) @ W1 + b1), g1, c1)
    return ln(act(h1 @ W2 + b2), g2, c2) @ W3 + b3


def test_layer_norm_standardises_each_row_then_applies_gain_and_bias():
    rng = np.random.default_rng(1)
    h = rng.normal(3.0, 5.0, size=(N, S, H))
    unit = layer_norm(h, np.ones((N, H)), np.zeros((N, H)))
    assert_allclose(unit.mean(-1), 0.0, atol=1e-12)
    var = h.var(-1)
    assert_allclose(unit.var(-1), var / (var + 1e-5), rtol=1e-12)  # eps inside the root
    g, c = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    assert_allclose(layer_norm(h, g, c), unit * g[:, None] + c[:, None], rtol=1e-12)


@pytest.mark.parametrize("arch", ARCHS, ids=str)
def test_forward_equals_numpy_written_out(arch):
    shapes, theta = _network(arch)
    x = np.random.default_rng(2).normal(size=(N, S, F))
    got = mlp(unflatten(theta, shapes), x, arch_of(shapes))
    for i in range(N):
        assert_allclose(got[i], _numpy_forward(theta[i], x[i], arch), rtol=1e-12, atol=1e-12)


def test_relu_and_layer_norm_change_the_network():
    """The oracle above is not blind: the default body gives other logits on the same
    weights, and ReLU zeroes negative pre-activations."""
    shapes, theta = _network(Arch("relu", False))
    x = np.random.default_rng(3).normal(size=(N, S, F))
    layers = unflatten(theta, shapes)
    assert not np.allclose(mlp(layers, x, Arch("relu", False)), mlp(layers, x, DEFAULT_ARCH))


def test_mappo_body_equals_pytorchs_modules():
    torch = pytest.importorskip("torch")
    arch = Arch("relu", True)
    shapes, theta = _network(arch, seed=4)
    x = np.random.default_rng(5).normal(size=(N, S, F))
    got = mlp(unflatten(theta, shapes), x, arch)
    for i in range(N):
        W1, b1, W2, b2, W3, b3, g0, c0, g1, c1, g2, c2 = (
            torch.tensor(a[i]) for a in unflatten(theta, shapes))  # fmt: skip

        def norm(width, g, c):
            ln = torch.nn.LayerNorm(width, dtype=torch.float64)  # eps 1e-5, affine
            ln.weight.data, ln.bias.data = g, c
            return ln

        def linear(W, b):
            lin = torch.nn.Linear(*W.shape, dtype=torch.float64)
            lin.weight.data, lin.bias.data = W.T.contiguous(), b
            return lin

        body = torch.nn.Sequential(
            norm(F, g0, c0), linear(W1, b1), torch.nn.ReLU(), norm(H, g1, c1),
            linear(W2, b2), torch.nn.ReLU(), norm(H, g2, c2), linear(W3, b3),
        )  # fmt: skip
        want = body(torch.tensor(x[i])).detach().numpy()
        assert_allclose(got[i], want, rtol=1e-10, atol=1e-12)


def test_initialisation_gains_and_the_default_unchanged():
    rng = np.random.default_rng(6)
    shapes = layer_shapes(F, H, A, Arch("relu", True))
    theta = init_params(shapes, N, rng, out_scale=0.01, dtype=np.float64)
    W1, b1, W2, _, W3, _, g0, c0, g1, c1, g2, c2 = unflatten(theta, shapes)
    for i in range(N):  # orthogonal with gain sqrt(2) (calculate_gain("relu")); output 0.01
        assert_allclose(W1[i].T @ W1[i], 2.0 * np.eye(H), atol=1e-12)
        assert_allclose(W2[i].T @ W2[i], 2.0 * np.eye(H), atol=1e-12)
        assert_allclose(W3[i].T @ W3[i], 1e-4 * np.eye(A), atol=1e-12)
    for gain in (g0, g1, g2):
        assert np.all(gain == 1.0)
    for bias in (b1, c0, c1, c2):
        assert np.all(bias == 0.0)
    # the weights are the draws the default body gets from the same generator
    plain = layer_shapes(F, H, A)
    default = init_params(plain, N, np.random.default_rng(6), 0.01, np.float64)
    assert_allclose(theta[:, : default.shape[1]], default, rtol=0, atol=0)
    assert type(plain) is list and arch_of(plain) == DEFAULT_ARCH


def test_shapes_keep_their_arch_through_pickle():
    shapes = layer_shapes(F, H, A, Arch("relu", True))
    back = pickle.loads(pickle.dumps(shapes))
    assert back == shapes and arch_of(back) == Arch("relu", True) and len(back) == 12


def _batch(shapes, theta, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, S, F))
    actions = rng.integers(A, size=(N, S))
    theta_old = theta + 0.1 * rng.standard_normal(theta.shape)
    old = actor_terms(unflatten(theta_old, shapes), x, actions, None, arch_of(shapes))[0]
    return Batch(x, actions, None, old, rng.normal(size=(N, S)), rng.normal(size=(N, S)),
                 np.full((N, S), 1.0 / S))  # fmt: skip


def _collective_gradient(theta, shapes, batch):
    return surrogate_terms(theta, shapes, batch, 0.2, need=("xi_c",)).xi_c


@pytest.mark.parametrize("arch", ARCHS[1:], ids=str)
def test_xi_c_and_its_hvp_through_layer_norm_match_finite_differences(arch):
    """H_c^T xi_c (autograd's second derivative through LayerNorm) against a central
    difference of xi_c along xi_c; xi_c against differences of the collective loss."""
    from aga_ref.rl.surrogate import collective_loss

    shapes, theta = _network(arch, seed=8)
    batch = _batch(shapes, theta)
    terms = surrogate_terms(theta, shapes, batch, 0.2, hvp="collective")
    v, h = terms.xi_c, 1e-5
    fd_hv = (_collective_gradient(theta + h * v, shapes, batch)
             - _collective_gradient(theta - h * v, shapes, batch)) / (2 * h)  # fmt: skip
    assert np.linalg.norm(terms.Hv) > 1e-3  # not vacuous
    assert_allclose(terms.Hv, fd_hv, rtol=1e-5, atol=1e-8)

    def l_c(t):
        logp = actor_terms(unflatten(t, shapes), batch.x, batch.actions, None, arch)[0]
        return collective_loss(logp, batch, 0.2)

    d = np.random.default_rng(9).standard_normal(theta.shape)
    fd_dir = (l_c(theta + h * d) - l_c(theta - h * d)) / (2 * h)
    assert np.sum(terms.xi_c * d) == pytest.approx(fd_dir, rel=1e-6)
    lg = slice(theta.shape[1] - 2 * F - 4 * H, None)  # the LayerNorms' block has a gradient
    assert np.linalg.norm(terms.xi_c[:, lg]) > 1e-4
