"""MAPPO's network body as an option of the learner: ReLU, and LayerNorm on the input
features and after every hidden layer.

Source: marlbenchmark/on-policy, ``onpolicy/algorithms/utils/mlp.py`` (``MLPBase``,
``MLPLayer``) with the defaults of ``onpolicy/config.py`` (``use_feature_normalization``,
``use_ReLU``, ``layer_N = 1``, ``hidden_size = 64``): an input LayerNorm, then
``fc1 = Linear -> ReLU -> LayerNorm`` and ``layer_N = 1`` copy of
``fc2 = Linear -> ReLU -> LayerNorm``, i.e. two hidden layers of 64, as ours. With
``Arch(activation, layer_norm)`` a network is

    x (N, S, F) -> [LN_0] -> act(. W_1 + b_1) -> [LN_1] -> act(. W_2 + b_2) -> [LN_2]
                -> . W_3 + b_3 -> (N, S, O)

    LN(h; g, c) = (h - mean(h)) / sqrt(var(h) + 1e-5) * g + c     over the last axis

``var`` is the biased variance and ``1e-5`` PyTorch's ``nn.LayerNorm`` eps; ``g`` and ``c``
are learned per unit (PyTorch's ``elementwise_affine``), starting at 1 and 0. Each agent has
its own (no sharing), so with ``layer_norm`` they join the agent's block of ``theta`` and
AgA's ``xi``, ``xi_c`` and ``H_c^T xi_c`` have entries for them too. They come after the
three (W, b) pairs in the flat vector, in the order (g_0, c_0, g_1, c_1, g_2, c_2): layers
1-3 of the per-layer instruments stay (W_k, b_k), and layers 4-6 are the three LayerNorms.

ReLU's second derivative is 0 almost everywhere, so with ReLU the products ``H_c^T xi_c``
come from the output layer, the softmax and the LayerNorms; LayerNorm is smooth and autograd
differentiates it to any order (``tests/test_rl_layers.py`` checks the HVP against finite
differences in float64). Not here: MAPPO's GRU (``use_recurrent_policy``) and its CNN
(docs/rl.md says why).
"""

from collections import namedtuple

import autograd.numpy as anp
import numpy as np

from aga_ref.primitives import affine, tanh

Arch = namedtuple("Arch", "activation layer_norm")
Arch.__doc__ = """A network's body: ``activation`` "tanh" or "relu"; ``layer_norm`` bool."""
DEFAULT_ARCH = Arch("tanh", False)
ACTIVATIONS = ("tanh", "relu")
LN_EPS = 1e-5  # torch.nn.LayerNorm's default


class Shapes(list):
    """A network's layer shapes (the list ``policy.layer_shapes`` returns) and its ``arch``:
    the one description ``unflatten``, the forward pass and a checkpoint all read."""

    def __init__(self, shapes, arch=DEFAULT_ARCH):
        super().__init__(shapes)
        self.arch = Arch(*arch)


def arch_of(shapes):
    """The ``Arch`` of ``shapes`` (a plain list, as old checkpoints hold: the default)."""
    return getattr(shapes, "arch", DEFAULT_ARCH)


def norm_shapes(num_inputs, hidden):
    """Shapes of (g_0, c_0, g_1, c_1, g_2, c_2): the three LayerNorms' gains and biases."""
    return [(num_inputs,), (num_inputs,), (hidden,), (hidden,), (hidden,), (hidden,)]


def norm_init(shapes, num_agents, dtype):
    """The LayerNorms' starting parameters (N, sum of sizes): gains 1, biases 0."""
    pieces = [np.full((num_agents, s[0]), 1.0 - k % 2) for k, s in enumerate(shapes)]
    return np.concatenate(pieces, axis=1).astype(dtype)


def relu(z):
    return anp.maximum(z, 0.0)


def layer_norm(h, g, c):
    """LayerNorm of h (N, S, H) over its last axis, with per-agent gains and biases (N, H)."""
    centred = h - anp.mean(h, axis=-1, keepdims=True)
    var = anp.mean(centred**2, axis=-1, keepdims=True)  # biased, as PyTorch's
    return centred / anp.sqrt(var + LN_EPS) * g[:, None, :] + c[:, None, :]


def hidden_layers(layers, x, arch):
    """The two hidden layers' outputs (h_1, h_2), each (N, S, H), of inputs x (N, S, F)."""
    W1, b1, W2, b2 = layers[:4]
    act = relu if arch.activation == "relu" else tanh
    if not arch.layer_norm:
        h1 = act(affine(x, W1, b1))  # (N, S, H)
        return h1, act(affine(h1, W2, b2))
    g0, c0, g1, c1, g2, c2 = layers[6:12]
    h1 = layer_norm(act(affine(layer_norm(x, g0, c0), W1, b1)), g1, c1)  # (N, S, H)
    return h1, layer_norm(act(affine(h1, W2, b2)), g2, c2)
