"""Update directions of every method for learning agents, from the surrogate game's terms.

Every gradient method is the same formula as for the differentiable games (``aga_ref.aga``,
``aga_ref.baselines``), applied to the PPO surrogates of ``aga_ref.rl.surrogate``; AgA calls
``aga_ref.aga.aga_terms_from``, the project's one implementation of Eq. 1 and its sign rules.
Directions are descent directions on the losses, shape (N, P); the learner adds the entropy
term and hands the sum to Adam.

    simul-ind   xi                      (also SVO and SL, on shaped rewards)
    simul-co    xi_c
    cga         xi + lam * H^T xi       consensus optimisation
    sga         xi + lam * A^T xi = xi  A = 0 for these surrogates (``surrogate``'s docstring)
    aga         xi_c + lam * (xi + H_c^T xi_c), lam's sign by the chosen rule      (Eq. 1)
    fcgrad      per agent i (Kim & Sycara, NeurIPS 2025, Algorithm 1; not in the AgA paper):
                if <g_ind, g_col> >= 0:  (1 - beta) g_ind + beta g_col
                elif V_c / N >= V_i:     g_ind - <g_ind, g_col> / ||g_col||^2 g_col
                else:                    g_col - <g_col, g_ind> / ||g_ind||^2 g_ind
                with g_ind, g_col agent i's blocks of xi, xi_c and V_i, V_c its critic's mean
                individual and collective values on the batch. Their collective return is the
                mean over agents; ours is the sum, so V_c / N is compared with V_i.
"""

import numpy as np

from aga_ref._checks import one_of
from aga_ref.aga import aga_terms_from
from aga_ref.rl.instruments import dominated_share, layer_slices

METHODS = ("simul-ind", "simul-co", "cga", "sga", "aga", "fcgrad", "svo", "sl")
# Methods with a lam, and its default. AgA: 0.1, the smallest of the paper's grid
# {0.1, 1, 100, 1000}: at lam = 100 and 1000 the policies barely move at our budgets
# (docs/learning.md, section 2). CGA: 1.0, as for the games.
LAM_METHODS = {"aga": 0.1, "cga": 1.0}
HVP = {"aga": "collective", "cga": "individual"}  # the product each method needs
PRODUCT_LAYERS = ("all", "output")  # where AgA's product enters (Config.hamiltonian_layers)
NEEDS = {"simul-co": ("xi_c",), "aga": ("xi", "xi_c"), "fcgrad": ("xi", "xi_c")}


def needs(method, hamiltonian=True, all_gradients=False):
    """What ``surrogate_terms`` computes for ``method``: (hvp, need). ``hamiltonian=False``
    (AgA's ablation) skips the product; ``all_gradients`` adds the gradient the method does
    not use (one more vector-Jacobian product) so that every instrument is logged."""
    need = ("xi", "xi_c") if all_gradients else NEEDS.get(method, ("xi",))
    return (HVP.get(method) if hamiltonian else None), need


def product_in(Hv, shapes, layers):
    """AgA's product ``H_c^T xi_c`` (N, P) kept in ``layers`` of the actor and 0 elsewhere:
    ``"all"`` (Eq. 1, unchanged) or ``"output"``, the output layer's ``W_3, b_3`` only, an
    ablation (not a method of the paper) for docs/learning.md's reading that the product's
    descent acts through the hidden layers; ``shapes`` the actor's ``layer_shapes``."""
    one_of(layers, "hamiltonian_layers", PRODUCT_LAYERS)
    if layers == "all" or Hv is None:
        return Hv
    kept = np.zeros_like(Hv)
    output = layer_slices(shapes)[2]  # (W_3, b_3): the third (W, b) pair, LayerNorms after it
    kept[:, output] = Hv[:, output]
    return kept


def _project(x, y):
    """``x`` projected on the normal plane of ``y``: ``x - <x, y> / ||y||^2 y`` (per row)."""
    yy = np.sum(y * y, axis=-1, keepdims=True)
    return x - np.sum(x * y, axis=-1, keepdims=True) / np.where(yy > 0, yy, 1.0) * y


def fcgrad_direction(xi, xi_c, v_ind, v_col, beta):
    """FCGrad's per-agent direction (N, P) from xi, xi_c (N, P) and mean values (N,)."""
    N = xi.shape[0]
    agree = np.sum(xi * xi_c, axis=1, keepdims=True) >= 0  # (N, 1)
    mixed = (1 - beta) * xi + beta * xi_c
    behind = (v_col / N >= v_ind)[:, None]  # the agent earns no more than the average
    conflict = np.where(behind, _project(xi, xi_c), _project(xi_c, xi))
    return np.where(agree, mixed, conflict)


def direction(method, terms, config, values=None):
    """The descent direction (N, P) of ``method`` and a dict of what it chose.

    ``terms``: ``surrogate.Terms`` computed with ``needs(method, config.hamiltonian)``;
    ``config``: the learner's ``Config`` (``lam``, ``align``, ``sign_rule``,
    ``hamiltonian``, ``fcgrad_beta``); ``values``: (v_ind (N,), v_col (N,)) for FCGrad.
    With ``config.hamiltonian`` False (AgA only) ``terms.Hv`` is None and AgA takes
    ``H_c^T xi_c = 0``: ``xi_c + lam xi``, the sign from the same rule (then always +)."""
    one_of(method, "method", METHODS)
    xi, xi_c, Hv = terms.xi, terms.xi_c, terms.Hv
    if method in ("simul-ind", "svo", "sl", "sga"):
        return xi, {}
    if method == "simul-co":
        return xi_c, {}
    if method == "cga":  # Hv = H^T xi
        return xi + config.lam * Hv, {"hvp_dominated_share": dominated_share(config.lam * Hv, xi)}
    if method == "fcgrad":
        agree = float(np.mean(np.sum(xi * xi_c, axis=1) >= 0))
        return fcgrad_direction(xi, xi_c, *values, config.fcgrad_beta), {"agree": agree}
    N, P = xi.shape
    t = aga_terms_from(
        xi.ravel(), xi_c.ravel(), np.zeros(N * P) if Hv is None else Hv.ravel(), config.lam,
        config.align, config.sign_rule, [P] * N,
    )  # fmt: skip
    chosen = {
        "sign_negative": float(np.mean(np.asarray(t.sign) < 0)),  # share of signs < 0
        "xi_norm": float(np.linalg.norm(t.xi)),
        "xic_norm": float(np.linalg.norm(t.xi_c)),
    }
    if Hv is not None:  # blank in progress.csv without the product (--no-hamiltonian)
        chosen["Hcxic_norm"] = float(np.linalg.norm(t.Hc_xic))
        lam = t.lam if np.ndim(t.lam) == 0 else t.lam.reshape(N, P)  # signed, as applied
        chosen["hvp_dominated_share"] = dominated_share(lam * Hv, xi_c + lam * xi)
    return t.xi_tilde.reshape(N, P).astype(xi.dtype), chosen
