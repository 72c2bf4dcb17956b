"""The LayerNorm primitive (``aga_ref.rl.layers.layer_norm``), whose VJPs are written out:
its value and first and second derivatives against autograd's derivatives of the same
LayerNorm composed from autograd's own operations (an independent implementation) and
against central differences along random directions (``check_grads``, to second order: AgA's
``H_c^T xi_c`` differentiates these VJPs); float32 kept through the second derivative; and
the input LayerNorm's standardisation computed once per update (``layers.standardised``)
giving the same update, bit for bit, as computing it in every forward pass."""

import copy

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, make_vjp
from autograd.test_util import check_grads
from numpy.testing import assert_allclose

from aga_ref.rl import ppo
from aga_ref.rl.layers import LN_EPS, Arch, Standardised, layer_norm, standardise, standardised
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes, unflatten
from aga_ref.rl.presets import preset_config
from aga_ref.rl.surrogate import Batch, surrogate_terms
from aga_ref.rl.train import experience, init_state
from games import gridworld
from tests.rl_setup import matmul_dtypes

N, S, H = 2, 5, 4


def _args(rng, dtype=np.float64):
    h = rng.normal(1.0, 2.0, size=(N, S, H))
    g, c = 1.0 + 0.3 * rng.standard_normal((2, N, H))
    return [a.astype(dtype) for a in (h, g, c)]


def _composed(h, g, c):  # torch.nn.LayerNorm's formula in autograd's own operations
    centred = h - anp.mean(h, axis=-1, keepdims=True)
    var = anp.mean(centred**2, axis=-1, keepdims=True)
    return centred / anp.sqrt(var + LN_EPS) * g[:, None, :] + c[:, None, :]


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_layer_norm_vjps_equal_autograds_of_the_composed_layer(argnum):
    rng = np.random.default_rng(argnum)
    args = _args(rng)
    u = rng.standard_normal((N, S, H))
    ours, theirs = make_vjp(layer_norm, argnum)(*args), make_vjp(_composed, argnum)(*args)
    assert_allclose(ours[1], theirs[1], rtol=1e-12)
    assert_allclose(ours[0](u), theirs[0](u), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_layer_norm_derivatives_to_second_order_by_finite_differences(argnum):
    check_grads(layer_norm, argnum, modes=["rev"], order=2)(*_args(np.random.default_rng(7)))


def _hamiltonian(layer, h, g, c, w):
    """1/2 ||grad_(h, g) L||^2 for L = sum w * tanh(layer(h, g, c)): the learner's use."""
    grads = grad(lambda hg: anp.sum(w * anp.tanh(layer(hg[0], hg[1], c))))((h, g))
    return 0.5 * sum(anp.sum(a * a) for a in grads)


def test_layer_norm_hessian_vector_product_equals_autograds_of_the_composed_layer():
    rng = np.random.default_rng(3)
    h, g, c = _args(rng)
    w = rng.standard_normal((N, S, H))
    ours = grad(lambda hg: _hamiltonian(layer_norm, hg[0], hg[1], c, w))((h, g))
    theirs = grad(lambda hg: _hamiltonian(_composed, hg[0], hg[1], c, w))((h, g))
    for a, b in zip(ours, theirs):
        assert np.linalg.norm(b) > 1e-3  # not vacuous
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_layer_norm_keeps_float32_to_second_order():
    rng = np.random.default_rng(4)
    h, g, c = _args(rng, np.float32)
    w = rng.standard_normal((N, S, H)).astype(np.float32)
    first = grad(lambda hg: anp.sum(w * anp.tanh(layer_norm(hg[0], hg[1], c))))((h, g))
    second = grad(lambda hg: _hamiltonian(layer_norm, hg[0], hg[1], c, w))((h, g))
    assert layer_norm(h, g, c).dtype == np.float32
    assert [a.dtype for a in first + second] == [np.float32] * 4


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_every_product_of_agas_float32_actor_terms_through_layer_norm_is_float32(activation):
    # autograd's derivatives of anp.mean and of a**2 are float64 for float32 inputs under
    # NumPy 2: before the LayerNorm's means became sums times 1 / H, H_c^T xi_c behind a
    # LayerNorm ran the first layer's weight gradient in float64 (half the speed)
    arch, rng = Arch(activation, True), np.random.default_rng(6)
    shapes = layer_shapes(7, 5, 3, arch)
    theta = init_params(shapes, N, rng, out_scale=0.01)  # float32
    x = rng.normal(size=(N, S, 7)).astype(np.float32)
    actions = rng.integers(3, size=(N, S))
    old = actor_terms(unflatten(theta, shapes), x, actions, None, arch)[0] - np.float32(0.1)
    adv = rng.normal(size=(2, N, S)).astype(np.float32)
    batch = Batch(x, actions, None, old, adv[0], adv[1], np.full((N, S), 1 / S, np.float32))
    terms = []
    dtypes = matmul_dtypes(lambda: terms.append(surrogate_terms(theta, shapes, batch, 0.2,
                                                                 hvp="collective")))  # fmt: skip
    assert dtypes == {np.dtype(np.float32)}, dtypes
    assert terms[0].Hv.dtype == np.float32 and np.linalg.norm(terms[0].Hv) > 0


def test_standardised_inputs_are_standardise_marked_and_survive_gathers():
    x = np.random.default_rng(5).normal(3.0, 2.0, size=(N, 7, 6)).astype(np.float32)
    z = standardised(x)
    assert isinstance(z, Standardised) and np.array_equal(np.asarray(z), standardise(x))
    gathered = z[:, np.array([3, 0, 6])][:, 1:]  # a minibatch's gather, then a half
    assert isinstance(gathered, Standardised) and isinstance(z[None], Standardised)
    assert_allclose(np.asarray(z).mean(-1), 0.0, atol=1e-6)


@pytest.mark.parametrize("method", ["simul-ind", "aga"])
def test_an_update_standardising_once_equals_one_standardising_every_pass(monkeypatch, method):
    """The whole preset update (15 epochs) from the same state and batch, bit for bit, with
    the inputs standardised once and in every forward pass (``_standardised_inputs`` made
    the identity). Would the mark be lost on the way, the network would standardise
    standardised inputs, which changes the numbers."""
    config = preset_config("mappo", method=method, num_envs=2, num_steps=8, hidden=8,
                           update_epochs=3, env_steps=10**4)  # fmt: skip
    env = gridworld.make_env("harvest", num_envs=2, seed=0, record_episodes=False)
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    state = {k: v for k, v in state.items() if k not in ("env", "carry")}
    runs = []
    for once in (True, False):
        if not once:
            monkeypatch.setattr(ppo, "_standardised_inputs", lambda data, state: data)
        s = copy.deepcopy(state)
        s, _ = ppo.update(s, data, config, 1.0, np.random.default_rng(0))
        runs.append((s["theta"], s["phi"]))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], state["theta"])  # the update moved the actors
