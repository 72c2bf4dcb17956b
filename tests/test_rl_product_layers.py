"""``--hamiltonian-layers output``: AgA's product ``H_c^T xi_c`` kept in the actor's output
layer only (an ablation for docs/learning.md's per-layer reading, not a method of the paper).

Oracles: ``policy.unflatten`` names each layer's block (independently of the column
arithmetic of ``methods.product_in``), and Adam's step, which depends on each coordinate's
own direction alone: with the norm clip out of the way (its scale is global), the hidden
layers of an update with the product in the output layer only must step exactly as those of
the ablation without any product, and its output layer exactly as the full update's.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl import ppo
from aga_ref.rl.config import Config
from aga_ref.rl.layers import Arch
from aga_ref.rl.methods import product_in
from aga_ref.rl.policy import layer_shapes, num_params, unflatten
from aga_ref.rl.train import experience, init_state
from games.gridworld import make_env


@pytest.mark.parametrize("arch", [None, Arch("relu", True)])
def test_only_the_output_layers_block_is_kept(arch):
    shapes = layer_shapes(7, 5, 4, arch)
    Hv = np.random.default_rng(0).normal(size=(3, num_params(shapes)))  # (N, P)
    assert product_in(Hv, shapes, "all") is Hv
    blocks, originals = unflatten(product_in(Hv, shapes, "output"), shapes), unflatten(Hv, shapes)
    assert len(blocks) == len(shapes)
    for k, (block, original) in enumerate(zip(blocks, originals)):  # each (N, *shape)
        if k in (4, 5):  # W_3 (H, A) and b_3 (A,)
            assert_allclose(block, original, rtol=0, atol=0)
        else:  # hidden layers and (with layer_norm) every LayerNorm's gain and bias
            assert not np.any(block), k


def _step(**kwargs):
    """One update (one minibatch, one epoch) of AgA lam = 100 without sign alignment (so
    the sign is + whatever the product) on a small Harvest batch: (change, shapes)."""
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(method="aga", lam=100.0, align=False, env_steps=64, num_envs=2,
                    num_steps=8, hidden=8, num_minibatches=1, update_epochs=1, seed=3,
                    max_grad_norm=1e9, **kwargs)  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    before = np.copy(state["theta"])
    state, _ = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    return state["theta"] - before, state["actor_shapes"]


def test_the_update_takes_the_product_in_the_output_layer_only():
    output, shapes = _step(hamiltonian_layers="output")
    full, _ = _step()
    none, _ = _step(hamiltonian=False)
    hidden = slice(0, num_params(shapes[:4]))  # W_1, b_1, W_2, b_2
    last = slice(num_params(shapes[:4]), num_params(shapes[:6]))  # W_3, b_3
    # hidden layers: Adam's step of xi_c + lam xi
    assert_allclose(output[:, hidden], none[:, hidden], rtol=0, atol=0)
    assert np.max(np.abs(full[:, hidden] - none[:, hidden])) > 1e-6  # the product counts there
    # output layer: the product's, as in the full update
    assert_allclose(output[:, last], full[:, last], rtol=0, atol=0)
    assert np.max(np.abs(output[:, last] - none[:, last])) > 1e-6


def test_the_config_refuses_what_cannot_apply():
    for kwargs, match in (
        ({"hamiltonian_layers": "hidden"}, "hamiltonian_layers"),
        ({"hamiltonian_layers": "output", "hamiltonian": False}, "product"),
        ({"method": "simul-co", "hamiltonian_layers": "output"}, "aga"),
    ):
        with pytest.raises(ValueError, match=match):
            Config(**kwargs)
