"""Conformance kit, part 3: the game-dynamics family (LA, LOLA, SOS, EG, CGD, LSS).

The cases live in ``aga_ref/data/conformance_dynamics_v1.json`` (``DATA_PATH``), written by
``python -m games.conformance_dynamics_specs``, in the layout of the games' cases (the same
JSON Schema, ``aga_ref.conformance.loading.SCHEMA_PATH``): ``id`` (``dynamics/<game>/<k>``), the
game's spec, the point ``w``, the expected value and the tolerance scale of every quantity
of ``QUANTITIES``. The games are four of the kit's (``toy``, ``public_goods_2``, a
three-player quadratic game, ``smooth_b``) and the three of Letcher et al. 2019
(``matching_pennies``, ``ipd``, ``tandem``; ``aga_ref.conformance.families``). Every quantity uses
``alpha = ALPHA``; SOS uses ``a = 0.5``, ``b = 0.1``; LSS ``lam = 0.1``.

Conventions (docs/game-family.md): ``H_o`` is ``H`` without its diagonal blocks;
``chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i``; every direction is what the step subtracts
(``w <- w - eta v``). The expected CGD and LSS values come from the dense solves (LAPACK),
not from GMRES's ``1e-10`` residual. LSS is given only where ``H`` is invertible: where
``H`` is singular (tandem) the notebook's ``det(H) == 0`` switch decides, which no other
implementation can be expected to reproduce in floating point. Points keep SOS's ``p`` a
relative ``1e-3`` away from the switches of its branches, so every framework takes the same
branch.
``tests/test_conformance_dynamics.py`` recomputes every expected value with finite
differences of the loss values and the formulas written out with NumPy matrices.

Checking shares everything with the other kits (``aga_ref.conformance.check``, ``check_all``
and ``aga-ref verify`` know these ids too), with the same tolerance rule ``atol + rtol * S``.
"""

import os

import numpy as np
from autograd import grad, hessian

from aga_ref.conformance import loading
from aga_ref.derivatives import game_hessian
from aga_ref.game_solvers import (
    cgd_direction_dense,
    eg_direction,
    lss_direction_dense,
    off_diagonal_hessian,
)
from aga_ref.lookahead import sos_terms

VERSION = 1
DATA_PATH = os.path.join(loading.DATA_DIR, f"conformance_dynamics_v{VERSION}.json")
SCHEMA_PATH = loading.SCHEMA_PATH
ALPHA, SOS_A, SOS_B, LSS_LAM = 0.3, 0.5, 0.1, 0.1
MARGIN, MAX_COND = 1e-3, 1e6  # a case's distance from SOS's switches; the solves' condition
QUANTITIES = {
    "xi": "simultaneous gradient (D,)",
    "Ho_xi": "H_o xi: H without its diagonal blocks, times xi (D,)",
    "chi": "LOLA's shaping term, chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i (D,)",
    f"la[alpha={ALPHA}]": "xi - alpha H_o xi (D,)",
    f"lola[alpha={ALPHA}]": "xi - alpha H_o xi - alpha chi (D,)",
    f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": "SOS's p = min(p1, p2), a scalar in [0, 1]",
    f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": "xi - alpha H_o xi - p alpha chi (D,)",
    f"eg[alpha={ALPHA}]": "xi(w - alpha xi(w)) (D,)",
    f"cgd[alpha={ALPHA}]": "(I + alpha H_o)^{-1} xi (D,)",
    f"lss[lam={LSS_LAM}]": "(xi + H^T H^{-1} xi) / 2, only where H is invertible (D,)",
}
LSS_KEY = f"lss[lam={LSS_LAM}]"


def reference_outputs(game, w, with_lss=True):
    """Every quantity of ``QUANTITIES`` at ``w`` (LSS only ``with_lss``): ``{name: value}``."""
    sos = sos_terms(game, w, ALPHA, SOS_A, SOS_B)
    out = {
        "xi": sos.xi, "Ho_xi": sos.Ho_xi, "chi": sos.chi, f"la[alpha={ALPHA}]": sos.xi_0,
        f"lola[alpha={ALPHA}]": sos.xi_0 - ALPHA * sos.chi,
        f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": sos.p,
        f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": sos.direction,
        f"eg[alpha={ALPHA}]": eg_direction(game, w, ALPHA),
        f"cgd[alpha={ALPHA}]": cgd_direction_dense(game, w, ALPHA),
    }  # fmt: skip
    if with_lss:
        out[LSS_KEY] = lss_direction_dense(game, w, LSS_LAM)
    return {k: (np.asarray(v).tolist() if np.ndim(v) else float(v)) for k, v in out.items()}


def clear_of_switches(game, w):
    """``(robust, with_lss)``: robust when SOS's branches at ``w`` are a relative ``MARGIN``
    from switching and ``I + alpha H_o`` is well conditioned (``cond < MAX_COND``);
    ``with_lss`` when ``H`` is invertible (``det != 0``, ``cond < MAX_COND``)."""
    t = sos_terms(game, w, ALPHA, SOS_A, SOS_B)
    dot = float(np.dot(-ALPHA * t.chi, t.xi_0))
    size = ALPHA * np.linalg.norm(t.chi) * np.linalg.norm(t.xi_0)
    checks = [abs(dot) > MARGIN * size if size > 0 else True,
              abs(np.linalg.norm(t.xi) - SOS_B) > MARGIN * SOS_B]  # fmt: skip
    if dot < 0:
        checks.append(abs(-SOS_A * np.dot(t.xi_0, t.xi_0) / dot - 1) > MARGIN)
    if t.p1 < 1 and t.p2 < 1:
        checks.append(abs(t.p1 - t.p2) > MARGIN * max(t.p1, t.p2))
    A = np.eye(game.dim) + ALPHA * off_diagonal_hessian(game, w)
    checks.append(np.linalg.cond(A) < MAX_COND)
    H = game_hessian(game, w)
    with_lss = np.linalg.det(H) != 0 and np.linalg.cond(H) < MAX_COND
    return all(checks), bool(with_lss)


def cancelling_terms(family, v):
    """The size of terms that cancel inside the gradients at ``v`` (D,), added to their
    scales: matching pennies' ``d l_1 / d w_k = 2 p_k (1 - p_k) (2 p_other - 1)``, whose
    ``2 p - 1`` cancels terms of size ``2 p + 1`` near the equilibrium; 0 elsewhere."""
    if family != "matching_pennies":
        return 0.0
    p = 1.0 / (1.0 + np.exp(-v))
    return 2 * p * (1 - p) * (2 * p[::-1] + 1)


def reference_scales(game, w, out, family=None):
    """``{quantity: S}`` for the quantities of ``out`` (``reference_outputs``): the size of
    the terms each is computed from, never below ``max |expected|``. Absolute values are
    propagated with the dense matrices (small ``D``): player i's full gradient ``G_i``
    carries ``s_i = |G_i| + |hess l_i| |w|``; a product ``A x`` carries ``|A| (|x| + s_x)``;
    a solve ``A^{-1} y`` carries ``|A^{-1}| (s_y + |A| |x|)``; terms that cancel inside a
    gradient add their size (``cancelling_terms``: ``family`` ``"matching_pennies"``)."""
    blocks = game.blocks

    def terms(v):  # full gradients, full Hessians, their scales s_i, at v
        G = [grad(loss)(v) for loss in game.losses]
        K = [hessian(loss)(v) for loss in game.losses]
        extra = cancelling_terms(family, v)
        return G, K, [np.abs(g) + np.abs(k) @ np.abs(v) + extra for g, k in zip(G, K)]

    G, K, s = terms(w)
    xi = np.concatenate([G[i][b] for i, b in enumerate(blocks)])
    s_xi = np.concatenate([s[i][b] for i, b in enumerate(blocks)])
    H_o = np.abs(off_diagonal_hessian(game, w))
    s_Ho = H_o @ (np.abs(xi) + s_xi)
    s_chi = np.zeros(game.dim)
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:
                s_chi[bi] += np.abs(K[j][bj, bi]).T @ (np.abs(G[i][bj]) + s[i][bj])
    s_la = s_xi + ALPHA * s_Ho
    w_eg = w - ALPHA * xi
    _, K_eg, s_eg_i = terms(w_eg)
    H_eg = np.abs(np.concatenate([K_eg[i][b] for i, b in enumerate(blocks)]))
    s_eg = np.concatenate([s_eg_i[i][b] for i, b in enumerate(blocks)]) + ALPHA * H_eg @ s_xi
    A = np.eye(game.dim) + ALPHA * off_diagonal_hessian(game, w)
    A_inv, x = np.abs(np.linalg.inv(A)), np.asarray(out[f"cgd[alpha={ALPHA}]"])
    S = {"xi": s_xi, "Ho_xi": s_Ho, "chi": s_chi, f"la[alpha={ALPHA}]": s_la,
         f"lola[alpha={ALPHA}]": s_la + ALPHA * s_chi,
         f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": s_la + ALPHA * s_chi,
         f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": np.array([1.0]),
         f"eg[alpha={ALPHA}]": s_eg,
         f"cgd[alpha={ALPHA}]": A_inv @ (s_xi + ALPHA * H_o @ np.abs(x))}  # fmt: skip
    if LSS_KEY in out:
        H = game_hessian(game, w)
        u = np.linalg.solve(H, xi)
        s_u = np.abs(np.linalg.inv(H)) @ (s_xi + np.abs(H) @ np.abs(u))
        S[LSS_KEY] = 0.5 * (s_xi + np.abs(H).T @ (np.abs(u) + s_u))
    return {k: max(float(np.max(v)), float(np.max(np.abs(out[k])))) for k, v in S.items()}


def load(path=DATA_PATH):
    """The whole data file as a dict, validated against ``SCHEMA_PATH``."""
    return loading.load(path, SCHEMA_PATH)


def cases(path=DATA_PATH):
    """The cases: dicts with ``id``, ``game`` (its spec), ``tags``, ``w``, ``expected`` and
    ``scale``, as ``aga_ref.conformance.cases``."""
    data = load(path)
    return [dict(c, game=data["games"][c["game"]]) for c in data["cases"]]


def coverage(reports, path=DATA_PATH):
    """``loading.coverage`` over these cases."""
    return loading.coverage(reports, path, SCHEMA_PATH)
