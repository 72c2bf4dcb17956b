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
come from the output layer, the softmax and the LayerNorms; LayerNorm is smooth. Both are
primitives whose VJPs are written in ``autograd.numpy``, so autograd differentiates them
again (``tests/test_rl_layers.py`` checks the HVP against finite differences in float64),
and the input LayerNorm is folded into the first layer (its inputs are data): composed from
autograd's operations, they made AgA's actor terms over three times as slow (the body's cost
now: ``benchmarks/preset_cost.py --bodies``). The inputs' standardisation is data too, so an
update computes it once for its whole batch (``standardised``) and the epochs share it; the
LayerNorm's means are sums times ``1 / H`` so that its derivatives of every order stay
float32 (``_row_mean`` says why; docs/speed.md has the profile before and after). Not here:
MAPPO's GRU (``use_recurrent_policy``) and its CNN (docs/rl.md says why).
"""

from collections import namedtuple

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, defvjp_argnums, primitive
from autograd.tracer import getval

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


def norm_columns(shapes):
    """The columns of the LayerNorms' (g_0, c_0, g_1, c_1, g_2, c_2) in a flat (N, P)
    parameter array: everything after the three (W, b) pairs."""
    return slice(int(sum(np.prod(s) for s in shapes[:6])), None)


def norm_init(shapes, num_agents, dtype):
    """The LayerNorms' starting parameters (N, sum of sizes): gains 1, biases 0."""
    pieces = [np.full((num_agents, s[0]), 1.0 - k % 2) for k, s in enumerate(shapes)]
    return np.concatenate(pieces, axis=1).astype(dtype)


@primitive
def relu(z):
    """max(z, 0), with the VJP ``g * (z > 0)``: the mask is a constant, so autograd's
    derivative of the VJP (the HVP) has ReLU's second derivative, 0. (``anp.maximum``
    gives the same derivatives through a costlier VJP.)"""
    return np.maximum(z, 0.0)


def _relu_vjp(ans, z):
    mask = getval(ans) > 0
    return lambda g: g * mask


defvjp(relu, _relu_vjp)


def standardise(x):
    """LayerNorm without its gain and bias, of inputs x (..., F) that are data, not
    parameters: plain NumPy, no derivative taken."""
    centred = x - np.mean(x, axis=-1, keepdims=True)
    return centred / np.sqrt(np.mean(centred**2, axis=-1, keepdims=True) + LN_EPS)


class Standardised(np.ndarray):
    """Inputs that ``standardised`` has standardised already: the input LayerNorm takes them
    as they are. Its standardisation is of the data alone, so ``ppo.update`` computes it once
    for the whole batch and every epoch's forward pass shares it (15 epochs under
    ``--preset mappo``; each pass over (N, S, F) inputs cost about as much as the first
    layer's product). Slices and gathers of it stay ``Standardised``."""


def standardised(x):
    """``standardise(x)`` marked as such (a ``Standardised`` view)."""
    return standardise(x).view(Standardised)


def _standardised(h):
    """(z, sigma) of h (N, S, H): z = (h - mean) / sigma, sigma = sqrt(var + eps) (N, S, 1);
    in ``autograd.numpy``, so that autograd differentiates it inside the VJPs below."""
    centred = h - _row_mean(h)
    sigma = anp.sqrt(_row_mean(centred * centred) + LN_EPS)  # the biased variance
    return centred / sigma, sigma


def _row_mean(a):
    """The mean over the last axis, kept (..., 1), as a sum times the Python float 1 / H:
    autograd's derivatives of ``anp.mean`` (divided by a NumPy integer) and of ``a**2`` (a
    float64 exponent) are float64 for float32 inputs under NumPy 2's promotion rules, which
    made every product of the HVP behind a LayerNorm run in float64 (half the speed)."""
    return anp.sum(a, axis=-1, keepdims=True) * (1.0 / a.shape[-1])


@primitive
def layer_norm(h, g, c):
    """LayerNorm of h (N, S, H) over its last axis, with per-agent gains and biases (N, H):
    ``z g + c``. One primitive with its VJPs written out (below): composed from autograd's
    operations the learner's HVP through it cost about twice as much."""
    return _standardised(h)[0] * g[:, None, :] + c[:, None, :]


# With y = z g + c, z = (h - mean h) / sigma, cotangent u (N, S, H) and u_z = u g:
#   dL/dh = (u_z - mean(u_z) - z mean(u_z z)) / sigma     means over the last axis
#   dL/dg = sum_s u z,   dL/dc = sum_s u                  (N, H)
# (dz_k/dh_j = (delta_kj - 1/H - z_k z_j / H) / sigma, symmetric in k and j.) One maker for
# the three, run once per node: z and sigma are shared by every VJP of the node (xi's,
# xi_c's, the entropy's), and with h traced they are traced too, so autograd differentiates
# these VJPs again for the HVP.
def _layer_norm_vjps(argnums, ans, args, kwargs):
    h, g, c = args
    z, sigma = _standardised(h)  # (N, S, H), (N, S, 1)

    def vjp_h(u):
        u_z = u * g[:, None, :]
        return (u_z - _row_mean(u_z) - z * _row_mean(u_z * z)) / sigma

    vjps = {0: vjp_h, 1: lambda u: anp.sum(u * z, axis=1), 2: lambda u: anp.sum(u, axis=1)}
    return lambda u: tuple(vjps[k](u) for k in argnums)


defvjp_argnums(layer_norm, _layer_norm_vjps)


def hidden_layers(layers, x, arch):
    """The two hidden layers' outputs (h_1, h_2), each (N, S, H), of inputs x (N, S, F)."""
    W1, b1, W2, b2 = layers[:4]
    act = relu if arch.activation == "relu" else tanh
    if not arch.layer_norm:
        h1 = act(affine(x, W1, b1))  # (N, S, H)
        return h1, act(affine(h1, W2, b2))
    g0, c0, g1, c1, g2, c2 = layers[6:12]
    # LN_0 folded into the first layer: (z g_0 + c_0) W_1 + b_1 = z (g_0 W_1) + (c_0 W_1 + b_1)
    # with z = standardise(x), so no derivative runs over (N, S, F) arrays but the product's
    W1_g = g0[:, :, None] * W1  # (N, F, H)
    b1_c = anp.matmul(c0[:, None, :], W1)[:, 0] + b1  # (N, H)
    z = np.asarray(x) if isinstance(x, Standardised) else standardise(x)  # (N, S, F)
    h1 = layer_norm(act(affine(z, W1_g, b1_c)), g1, c1)  # (N, S, H)
    return h1, layer_norm(act(affine(h1, W2, b2)), g2, c2)
