"""Instruments of one update: where in the actors each term of the direction lives, how the
terms point relative to each other, and how far each layer actually moved.

All from arrays the update already has (``surrogate.Terms``, the parameters before and
after), so they cost a few norms per minibatch. Layer ``k`` (1 = input layer, 3 = output
layer of ``policy.mlp``) is the pair ``(W_k, b_k)`` of every agent together. Columns, one
value per update (the mean over its minibatches; ``step_l<k>`` over the whole update):

    xi_norm_l<k>, xic_norm_l<k>   ||xi||, ||xi_c|| restricted to layer k
    hvp_norm_l<k>                 ||product|| in layer k: H_c^T xi_c (AgA), H^T xi (CGA)
    hvp_dominated_share           share of all actor coordinates where |lam * product|
                                  exceeds the rest of the direction: |xi_c + lam xi| (AgA,
                                  lam with the sign used), |xi| (CGA)
    cos_xi_xic                    cos(xi, xi_c) over all agents' parameters
    cos_adj_xic                   cos(xi + product, xi_c): AgA's xi_adj (Eq. 1) against xi_c
    step_l<k>                     mean |theta_after - theta_before| over layer k's entries
    cos_step_xi_l<k>              cos(-(the minibatch's parameter change), xi) in layer k:
                                  1 when the step descends the individual losses there
    cos_step_hvp_l<k>             the same with the product: 1 when layer k's step descends
                                  Ham_c = 1/2 ||xi_c||^2 (AgA) or 1/2 ||xi||^2 (CGA)
    hvp_bias                      ||same - split|| / ||product used||: AgA's two estimates
                                  of H_c^T xi_c on the minibatch (``aga_ref.rl.hamiltonian``;
                                  for equal halves same - split = grad 1/8 ||xi_c^A -
                                  xi_c^B||^2, an estimate of same's bias), with hvp_bias on

``hvp_bias`` is the exception to "a few norms": it computes the other estimator's product
anew on the same minibatch (a forward pass, the VJP of ``xi_c`` and an HVP more), so it is
off unless ``Config.hvp_bias``. The direction's own norm before clipping is
``actor_grad_norm``; the optimiser is Adam or SGD (``Config.optimizer``), so ``step_l<k>``
is what reached the weights either way.
"""

import numpy as np

from aga_ref.rl.surrogate import surrogate_terms


def layer_slices(shapes):
    """Column slices of each layer (W_k, b_k) in a flat (N, P) parameter array."""
    sizes = [int(np.prod(s)) for s in shapes]
    starts = np.cumsum([0] + sizes)
    return [slice(starts[2 * k], starts[2 * k + 2]) for k in range(len(shapes) // 2)]


def layer_columns(shapes):
    """The per-layer column names, in the progress file's order."""
    layers = range(1, len(shapes) // 2 + 1)
    names = ("xi_norm", "xic_norm", "hvp_norm", "step", "cos_step_xi", "cos_step_hvp")
    return [f"{name}_l{k}" for name in names for k in layers]


def _cos(a, b):
    den = np.linalg.norm(a) * np.linalg.norm(b)
    return float(np.sum(a * b, dtype=np.float64) / den) if den > 0 else 0.0


def dominated_share(product, rest):
    """``hvp_dominated_share``: the share of entries where ``|product| > |rest|`` (any
    shapes that broadcast); ``methods.direction`` passes ``lam * Hv`` and the rest."""
    return float(np.mean(np.abs(product) > np.abs(rest)))


def direction_instruments(terms, shapes):
    """The per-minibatch layer norms and cosines (a dict of floats) of ``terms``
    (``surrogate.Terms``); ``hvp_dominated_share`` comes from ``methods.direction``,
    which knows the signed lam it applied."""
    out = {}
    for name, v in (("xi_norm", terms.xi), ("xic_norm", terms.xi_c), ("hvp_norm", terms.Hv)):
        if v is not None:
            for k, cols in enumerate(layer_slices(shapes), start=1):
                out[f"{name}_l{k}"] = float(np.linalg.norm(v[:, cols]))
    if terms.xi is not None and terms.xi_c is not None:
        out["cos_xi_xic"] = _cos(terms.xi, terms.xi_c)
        if terms.Hv is not None:
            out["cos_adj_xic"] = _cos(terms.xi + terms.Hv, terms.xi_c)
    return out


def hvp_bias(terms, theta, shapes, batch, clip, estimator):
    """``hvp_bias`` of one minibatch: ``terms.Hv`` (AgA's product by ``estimator``, computed
    with ``terms`` at ``theta`` (N, P) on ``batch``) against the other estimator's product."""
    other = {"same": "split", "split": "same"}[estimator]
    Hv = surrogate_terms(theta, shapes, batch, clip, hvp="collective", need=("xi_c",),
                         estimator=other).Hv  # fmt: skip
    den = np.linalg.norm(terms.Hv)
    return {"hvp_bias": float(np.linalg.norm(terms.Hv - Hv) / den) if den > 0 else 0.0}


def step_cosines(change, terms, shapes):
    """``cos_step_xi_l<k>`` and ``cos_step_hvp_l<k>`` of one minibatch's parameter change
    (N, P) (after minus before): the step against ``xi`` and against the product."""
    out = {}
    for name, v in (("cos_step_xi", terms.xi), ("cos_step_hvp", terms.Hv)):
        if v is not None:
            for k, cols in enumerate(layer_slices(shapes), start=1):
                out[f"{name}_l{k}"] = _cos(-change[:, cols], v[:, cols])
    return out


def step_sizes(before, after, shapes):
    """``step_l<k>``: mean absolute change of layer k's entries, (N, P) before and after."""
    change = np.abs(after.astype(np.float64) - before)
    return {f"step_l{k}": float(np.mean(change[:, cols]))
            for k, cols in enumerate(layer_slices(shapes), start=1)}  # fmt: skip
