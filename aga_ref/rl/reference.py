"""Reference AgA terms of your own PPO minibatch: every quantity of the PPO conformance cases
(docs/verify.md, "PPO minibatches") for given per-agent actor weights and one minibatch.

The computation is the learner's own: ``surrogate.surrogate_terms`` (the PPO surrogate game
of Li et al. 2024, Sec. 5, as a differentiable game), ``aga_ref.aga.aga_terms_from`` (Eq. 1
and the sign rules) and ``methods`` (CGA, FCGrad), in float64. Nothing is re-implemented.

Layout (``N`` agents, ``S`` samples, ``F`` inputs, ``H`` hidden units, ``A`` actions):

    weights      {"W1": (N, F, H), "b1": (N, H), "W2": (N, H, H), "b2": (N, H),
                  "W3": (N, H, A), "b3": (N, A)}: agent i's actor is
                  logits = tanh(tanh(x W1 + b1) W2 + b2) W3 + b3   (x a row (F,); PyTorch's
                  nn.Linear stores weight.T)
    minibatch    {"inputs": (N, S, F), "actions": (N, S) int, "avail": (N, S, A) bool or
                  None (unavailable actions get logit -1e9), "old_logp": (N, S),
                  "adv_ind", "adv_col": (N, S) the advantages AS USED (already normalised:
                  this function never normalises), "sample_weight": (N, S)}

``sample_weight`` holds each sample's weight in agent i's mean: 0 where the agent did not act
(a reset step, an inactive agent), ``1 / (its number of active samples)`` elsewhere; each row
sums to 1 (or is all 0: that agent's terms are then 0). Vectors are flat (D,) with
``D = N P``: agent i's block is entries ``[i P, (i + 1) P)``, within it W1, b1, W2, b2, W3,
b3 in that order, each flattened row-major (``flatten_weights`` does it for your gradients).
"""

import numpy as np

from aga_ref._checks import as_real
from aga_ref.aga import SIGN_RULES, aga_terms_from
from aga_ref.game import Game
from aga_ref.rl.config import Config
from aga_ref.rl.methods import direction, fcgrad_direction
from aga_ref.rl.policy import actor_terms, flatten, layer_shapes, unflatten
from aga_ref.rl.surrogate import Batch, collective_loss, individual_losses, surrogate_terms

LAYER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
MINIBATCH_KEYS = ("inputs", "actions", "avail", "old_logp", "adv_ind", "adv_col", "sample_weight")
ALIGNED_LAMS, UNALIGNED_LAMS, CGA_LAM, FCGRAD_BETA = (0.1, 1.0), (0.1, -0.5), 1.0, 0.8


def _array(value, name, shape, kind="real"):
    """``value`` as an array of ``shape`` (None entries: any size), checked, or raise."""
    a = np.asarray(value)
    ok = {"real": a.dtype.kind in "iuf", "int": a.dtype.kind in "iu", "bool": a.dtype == bool}
    if not ok[kind]:
        raise TypeError(f"{name} must be a {kind} array, got dtype {a.dtype}")
    if a.ndim != len(shape) or any(e is not None and e != s for e, s in zip(shape, a.shape)):
        wanted = str(tuple("?" if e is None else e for e in shape)).replace("'", "")
        raise ValueError(f"{name} must have shape {wanted}, got shape {a.shape}")
    if kind == "real" and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {np.sum(~np.isfinite(a))} non-finite entries")
    return a.astype(np.float64) if kind == "real" else a


def network_sizes(weights):
    """(N, F, H, A) of ``weights`` (see the module docstring), validated."""
    if not hasattr(weights, "keys") or set(weights.keys()) != set(LAYER_NAMES):
        got = sorted(weights.keys()) if hasattr(weights, "keys") else type(weights).__name__
        raise ValueError(f"weights must be a dict with keys {list(LAYER_NAMES)}, got {got}")
    N, F, H = _array(weights["W1"], "weights['W1']", (None, None, None)).shape
    A = np.shape(weights["W3"])[-1] if np.ndim(weights["W3"]) == 3 else None
    if N < 2:
        raise ValueError(f"weights must hold at least 2 agents (axis 0), got {N}")
    for name, shape in zip(LAYER_NAMES, layer_shapes(F, H, A)):
        _array(weights[name], f"weights[{name!r}]", (N, *shape))
    return N, F, H, A


def flatten_weights(weights):
    """``weights`` (or gradients in the same layout) as the flat (N, P) of the vectors."""
    network_sizes(weights)
    return flatten([np.asarray(weights[name], dtype=np.float64) for name in LAYER_NAMES])


def as_batch(minibatch, sizes):
    """The learner's ``surrogate.Batch`` of ``minibatch`` for a network of ``sizes``
    (N, F, H, A), every array checked against the layout of the module docstring."""
    N, F, _, A = sizes
    if not hasattr(minibatch, "keys") or not set(minibatch) <= set(MINIBATCH_KEYS):
        got = sorted(minibatch) if hasattr(minibatch, "keys") else type(minibatch).__name__
        raise ValueError(f"minibatch must be a dict with keys {list(MINIBATCH_KEYS)}, got {got}")
    missing = [k for k in MINIBATCH_KEYS if k not in minibatch and k != "avail"]
    if missing:
        raise ValueError(f"minibatch is missing {missing}; it needs {list(MINIBATCH_KEYS)}")
    x = _array(minibatch["inputs"], "minibatch['inputs']", (N, None, F))
    S = x.shape[1]
    actions = _array(minibatch["actions"], "minibatch['actions']", (N, S), "int")
    if np.any((actions < 0) | (actions >= A)):
        raise ValueError(f"minibatch['actions'] must lie in [0, {A}), got {actions.min()}"
                         f"..{actions.max()}")  # fmt: skip
    avail = minibatch.get("avail")
    if avail is not None:
        avail = _array(avail, "minibatch['avail']", (N, S, A), "bool")
        taken = np.take_along_axis(avail, actions[..., None], axis=-1)[..., 0]
        if not np.all(taken):
            bad = [tuple(int(i) for i in ix) for ix in np.argwhere(~taken)[:3]]
            raise ValueError(f"minibatch['avail'] must allow every taken action, got "
                             f"unavailable actions at (agent, sample) {bad}")  # fmt: skip
    arrays = {k: _array(minibatch[k], f"minibatch[{k!r}]", (N, S))
              for k in ("old_logp", "adv_ind", "adv_col", "sample_weight")}  # fmt: skip
    weight, sums = arrays["sample_weight"], arrays["sample_weight"].sum(axis=1)
    if np.any(weight < 0) or not np.all((np.abs(sums - 1) < 1e-6) | (sums == 0)):
        raise ValueError(
            f"minibatch['sample_weight'] must be >= 0 with each agent's row "
            f"summing to 1 (or all 0), got row sums {np.round(sums, 8).tolist()}"
        )
    return Batch(x, actions, avail, arrays["old_logp"], arrays["adv_ind"], arrays["adv_col"],
                 weight)  # fmt: skip


def surrogate_game(weights, minibatch, clip=0.2):
    """The minibatch's surrogate game as an ``aga_ref.Game`` of ``w`` (D,): players'
    losses ``l_i = -J_i(theta_i; A_i)``, ``collective=`` ``l_c = -sum_j J_j(theta_j; A_c)``.
    For the finite-difference oracles and the tolerance's scales; slower than
    ``reference_terms``. Returns (game, w)."""
    sizes = network_sizes(weights)
    batch, clip = as_batch(minibatch, sizes), _clip(clip)
    shapes, theta = layer_shapes(*sizes[1:]), flatten_weights(weights)
    N = sizes[0]

    def logp(w):  # (N, S), differentiable in w through slices
        layers = tuple(unflatten(w.reshape(N, -1), shapes))
        return actor_terms(layers, batch.x, batch.actions, batch.avail)[0]

    def loss(i):
        return lambda w: individual_losses(logp(w), batch, clip)[i]

    game = Game([loss(i) for i in range(N)], [theta.shape[1]] * N,
                collective=lambda w: collective_loss(logp(w), batch, clip))  # fmt: skip
    return game, theta.ravel()


def _clip(clip):
    clip = as_real(clip, "clip")
    if not 0 < clip < 1:
        raise ValueError(f"clip must lie in (0, 1), got {clip!r}")
    return clip


def reference_terms(
    weights,
    minibatch,
    clip=0.2,
    values=None,
    lams=ALIGNED_LAMS,
    unaligned_lams=UNALIGNED_LAMS,
    cga_lam=CGA_LAM,
    fcgrad_beta=FCGRAD_BETA,
):
    """Every quantity of the PPO conformance cases for your weights and minibatch, in float64.

    Args:
        weights, minibatch: the layout of the module docstring.
        clip: PPO's ``eps``.
        values: ``(v_ind, v_col)``, each (N,): agent i's critic values ``V_i`` and ``V_c``
            averaged over the minibatch with ``sample_weight`` (FCGrad's test ``V_c / N >=
            V_i``); None leaves FCGrad out.
        lams: ``lam`` of the aligned ``xi_tilde`` (every sign rule); ``unaligned_lams``:
            of ``align=False``; ``cga_lam``, ``fcgrad_beta``: of CGA and FCGrad.

    Returns ``{quantity: value}``: vectors (D,) and ``sign_per_agent`` (N,) as float64
    arrays, scalars as floats; the names are those of
    ``aga_ref.conformance.ppo.QUANTITIES`` (docs/verify.md gives each definition).
    """
    sizes = network_sizes(weights)
    batch, clip = as_batch(minibatch, sizes), _clip(clip)
    shapes, theta = layer_shapes(*sizes[1:]), flatten_weights(weights)  # (N, P)
    N, P = theta.shape
    col = surrogate_terms(theta, shapes, batch, clip, hvp="collective")  # H_c^T xi_c
    ind = surrogate_terms(theta, shapes, batch, clip, hvp="individual")  # H^T xi
    t = aga_terms_from(col.xi.ravel(), col.xi_c.ravel(), col.Hv.ravel(), 1.0, sizes=[P] * N)
    out = {"xi": t.xi, "xi_c": t.xi_c, "Hc_xic": t.Hc_xic, "Ht_xi": ind.Hv.ravel(),
           "xic_g": t.xic_g, "xi_g": t.xi_g, "g_g": t.g_g, "xic_xic": t.xic_xic,
           "xic_adj": t.xic_adj}  # fmt: skip
    for rule in SIGN_RULES:
        out[f"sign_{rule}"] = aga_terms_from(t.xi, t.xi_c, t.Hc_xic, 1.0, True, rule, [P] * N).sign
        for lam in lams:
            key = f"xi_tilde[sign_rule={rule},lam={lam}]"
            out[key] = aga_terms_from(t.xi, t.xi_c, t.Hc_xic, lam, True, rule, [P] * N).xi_tilde
    for lam in unaligned_lams:
        key = f"xi_tilde[align=False,lam={lam}]"
        out[key] = aga_terms_from(t.xi, t.xi_c, t.Hc_xic, lam, align=False).xi_tilde
    cga, _ = direction("cga", ind, Config(method="cga", lam=as_real(cga_lam, "cga_lam")))
    out[f"cga[lam={cga_lam}]"] = cga.ravel()
    if values is not None:
        v_ind, v_col = _values(values, N)
        fc = fcgrad_direction(col.xi, col.xi_c, v_ind, v_col, as_real(fcgrad_beta, "fcgrad_beta"))
        out[f"fcgrad[beta={fcgrad_beta}]"] = fc.ravel()
    return {k: (np.asarray(v, dtype=np.float64) if np.ndim(v) else float(v))
            for k, v in out.items()}  # fmt: skip


def _values(values, N):
    if not isinstance(values, (tuple, list)) or len(values) != 2:
        raise TypeError(f"values must be a pair (v_ind, v_col) of (N,) arrays, got "
                        f"{type(values).__name__}")  # fmt: skip
    return tuple(_array(v, f"values[{k}]", (N,)) for k, v in enumerate(values))
