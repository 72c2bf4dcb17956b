"""Per-agent networks in ``autograd.numpy``, all agents' weights batched along an ``N`` axis.

Every agent owns its parameters (no sharing): ``theta`` is an array (N, P), row i is agent
i's flat parameter vector. Inside autograd the network takes the same numbers as a tuple of
per-layer arrays (``unflatten``, a view): differentiating through slices of a flat vector
would make autograd scatter every gradient back with ``np.add.at``, which is slow.
A network is an MLP

    x (N, S, F) -> tanh(x W_1 + b_1) -> tanh(. W_2 + b_2) -> . W_3 + b_3 -> (N, S, O)

with one batched product per layer (``aga_ref.primitives.affine``: ``np.matmul`` of
(N, S, F) by (N, F, H) plus the biases, and its VJPs written out). On 2 cores this is about
10x faster than the same product written with ``np.einsum`` under autograd, and an MLP on
the 675 features of a 15x15x3 view costs ~48k multiply-adds per sample, against ~1.5M for
the 3-layer, 32-channel convolution of Kim & Sycara (2025): ``benchmarks/train.py`` and the
docs/speed.md give the measured rates. Everything stays in the dtype of ``theta`` (float32 for
training, float64 for the derivative tests); Python scalars only, so nothing upcasts.
``tanh`` is ``aga_ref.primitives.tanh``, whose derivatives of every order stay finite in
float32 (autograd's own overflows for pre-activations beyond about 89); ``log_softmax``, the
row-wise log-probabilities, is ``aga_ref.primitives.log_softmax`` (imported here).

The actor maps observations to action logits; unavailable actions (``avail`` False) get a
logit of ``-1e9``, so their probability is exactly 0 in float32 and float64 (by
``aga_ref.primitives.select``, whose derivatives stay in the logits' dtype). The critic maps
its input (the global state for MAPPO, the agent's view for IPPO) to two values per agent:
column 0 the individual value ``V_i``, column 1 the collective value ``V_c``.
"""

import autograd.numpy as anp
import numpy as np

from aga_ref.primitives import affine, log_softmax, select, tanh
from aga_ref.rl.layers import DEFAULT_ARCH, Shapes, arch_of, hidden_layers, norm_init, norm_shapes

MASKED_LOGIT = -1e9


def layer_shapes(num_inputs, hidden, num_outputs, arch=None):
    """Shapes of (W_1, b_1, W_2, b_2, W_3, b_3) of one agent's MLP; with an ``arch``
    (``aga_ref.rl.layers.Arch``) a ``layers.Shapes`` that carries it, and with its
    ``layer_norm`` the LayerNorms' (g_0, c_0, g_1, c_1, g_2, c_2) after them."""
    shapes = [(num_inputs, hidden), (hidden,), (hidden, hidden), (hidden,),
              (hidden, num_outputs), (num_outputs,)]  # fmt: skip
    if arch is None:
        return shapes
    return Shapes(shapes + (norm_shapes(num_inputs, hidden) if arch[1] else []), arch)


def num_params(shapes):
    """P: parameters of one agent's network."""
    return int(sum(np.prod(s) for s in shapes))


def init_params(shapes, num_agents, rng, out_scale, dtype=np.float32):
    """``theta`` (N, P): orthogonal weights (gain sqrt(2), the last layer ``out_scale``) and
    zero biases, as in cleanrl's PPO; one independent draw per agent. LayerNorms' gains
    and biases (``aga_ref.rl.layers``) start at 1 and 0 and draw nothing from ``rng``."""
    if arch_of(shapes).layer_norm:
        weights = init_params(list(shapes[:6]), num_agents, rng, out_scale, dtype)
        return np.concatenate([weights, norm_init(shapes[6:], num_agents, dtype)], axis=1)
    pieces = []
    for k, shape in enumerate(shapes):
        if len(shape) == 1:
            pieces.append(np.zeros((num_agents, shape[0])))
            continue
        gain = out_scale if k == len(shapes) - 2 else np.sqrt(2.0)
        a = rng.standard_normal((num_agents, max(shape), min(shape)))
        q, r = np.linalg.qr(a)  # (N, max, min) orthonormal columns
        q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
        q = q if shape[0] >= shape[1] else np.swapaxes(q, 1, 2)
        pieces.append(gain * q.reshape(num_agents, -1))
    return np.concatenate(pieces, axis=1).astype(dtype)  # (N, P)


def unflatten(theta, shapes):
    """(N, P) -> tuple of per-layer arrays (N, *shape), views of ``theta``."""
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(theta[:, start : start + size].reshape((theta.shape[0],) + shape))
        start += size
    return tuple(out)


def flatten(layers):
    """Tuple of per-layer arrays (N, *shape) -> (N, P): the inverse of ``unflatten``."""
    return np.concatenate([np.reshape(a, (a.shape[0], -1)) for a in layers], axis=1)


ACTOR_OUT_SCALE = 0.01  # gain of the actors' output layer at initialisation (cleanrl's)


def hidden(layers, x, arch=DEFAULT_ARCH):
    """The two hidden layers' activations (h_1, h_2), each (N, S, H), of inputs x (N, S, F);
    another ``arch`` than tanh without LayerNorm is ``aga_ref.rl.layers``'."""
    if arch != DEFAULT_ARCH:
        return hidden_layers(layers, x, arch)
    W1, b1, W2, b2 = layers[:4]
    h1 = tanh(affine(x, W1, b1))  # (N, S, H)
    return h1, tanh(affine(h1, W2, b2))  # (N, S, H)


def mlp(layers, x, arch=DEFAULT_ARCH):
    """The batched MLP: layers = (W_1, b_1, W_2, b_2, W_3, b_3), x (N, S, F) -> (N, S, O)."""
    W3, b3 = layers[4:6]
    return affine(hidden(layers, x, arch)[1], W3, b3)  # (N, S, O)


def masked_logits(layers, x, avail, arch=DEFAULT_ARCH):
    """Actor logits (N, S, A) with unavailable actions (``avail`` (N, S, A) bool) masked."""
    logits = mlp(layers, x, arch)
    return logits if avail is None else select(avail, logits, MASKED_LOGIT)


def actor_terms(layers, x, actions, avail, arch=DEFAULT_ARCH):
    """Log-probability of the taken ``actions`` (N, S) and the policy entropy (N, S)."""
    logp_all = log_softmax(masked_logits(layers, x, avail, arch))  # (N, S, A)
    one_hot = actions[..., None] == np.arange(logp_all.shape[-1])  # (N, S, A)
    logp = anp.sum(select(one_hot, logp_all, 0.0), axis=-1)  # (N, S)
    entropy = -anp.sum(anp.exp(logp_all) * logp_all, axis=-1)  # (N, S); masked terms are 0
    return logp, entropy


def sample_actions(layers, x, avail, rng, arch=DEFAULT_ARCH):
    """Sample one action per (agent, sample) (N, S) int64 and its log-probability (N, S).
    A row of ``avail`` (N, S, A) with no True is refused: masking every logit would leave
    the uniform distribution, i.e. send the environment an action it said is unavailable."""
    if avail is not None:
        _check_some_action(avail)
    logp_all = log_softmax(masked_logits(layers, x, avail, arch))  # (N, S, A)
    u = rng.random(logp_all.shape[:-1] + (1,))
    cdf = np.cumsum(np.exp(logp_all), axis=-1)
    actions = np.minimum((u * cdf[..., -1:] > cdf).sum(-1), logp_all.shape[-1] - 1)
    logp = np.take_along_axis(logp_all, actions[..., None], axis=-1)[..., 0]
    return actions.astype(np.int64), logp


def _check_some_action(avail):
    """ValueError naming the first (agent, sample) of ``avail`` (N, S, A) with no action."""
    empty = ~np.any(avail, axis=-1)  # (N, S)
    if empty.any():
        i, s = np.argwhere(empty)[0]
        raise ValueError(
            f"avail must leave every agent at least one available action, got none for "
            f"agent {i} in sample {s} (avail[{i}, {s}] is all False)"
        )
