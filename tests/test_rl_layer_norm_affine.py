"""``--no-layer-norm-affine``: the actors' LayerNorms keep their gains and biases at 1 and 0
(PyTorch's ``elementwise_affine=False``; an ablation for docs/learning.md section 6.4, not
MAPPO's setting), so their outputs keep a fixed size whatever the weights before them do.

Oracles: ``policy.unflatten`` names each block (independently of ``layers.norm_columns``'
column arithmetic), and Adam's step, which depends on each coordinate's own direction
alone: with the norm clip out of the way, the first update's weights must step exactly as
those of the same update with learned gains and biases.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from aga_ref.rl import ppo
from aga_ref.rl.config import Config
from aga_ref.rl.policy import unflatten
from aga_ref.rl.train import experience, init_state
from games.gridworld import make_env


def _update(epochs=1, **kwargs):
    """One update of AgA lam = 100 with LayerNorm on a small Harvest batch:
    (theta before, theta after, the actors' shapes)."""
    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12)
    config = Config(method="aga", lam=100.0, env_steps=64, num_envs=2, num_steps=8, hidden=8,
                    num_minibatches=1, update_epochs=epochs, seed=3, max_grad_norm=1e9,
                    layer_norm=True, activation="relu", **kwargs)  # fmt: skip
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    before = np.copy(state["theta"])
    state, _ = ppo.update(state, data, config, config.lr, np.random.default_rng(0))
    return before, state["theta"], state["actor_shapes"]


@pytest.mark.parametrize("epochs", [1, 3])
def test_the_gains_and_biases_stay_at_1_and_0(epochs):
    before, after, shapes = _update(epochs, layer_norm_affine=False)
    for k, block in enumerate(unflatten(after, shapes)):  # each (N, *shape)
        if k >= 6:  # g_0, c_0, g_1, c_1, g_2, c_2
            assert_allclose(block, 1.0 if k % 2 == 0 else 0.0, rtol=0, atol=0)
        else:  # the weights and biases of the three layers still learn
            assert np.max(np.abs(block - unflatten(before, shapes)[k])) > 1e-6, k


def test_learned_gains_and_biases_move_and_the_weights_step_alike():
    _, fixed, shapes = _update(layer_norm_affine=False)
    before, learned, _ = _update()
    blocks_fixed, blocks_learned = unflatten(fixed, shapes), unflatten(learned, shapes)
    assert np.max(np.abs(blocks_learned[8] - 1.0)) > 1e-6  # g_1 moves when it is learned
    for k in range(6):  # Adam is per coordinate: the first step of every weight is the same
        assert_allclose(blocks_fixed[k], blocks_learned[k], rtol=0, atol=0)


def test_the_config_refuses_it_without_layer_norm():
    with pytest.raises(ValueError, match="layer_norm_affine=False.*layer_norm=True"):
        Config(layer_norm_affine=False)
    with pytest.raises(TypeError, match="layer_norm_affine"):
        Config(layer_norm=True, layer_norm_affine="no")
