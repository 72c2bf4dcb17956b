"""The paper's gradient baselines, as directions ``v(w)`` for ``w <- w - eta * v``
(docs/paper.md, section 4).

    Simul-Ind  v = xi                      independent gradient descent on own losses
    Simul-Co   v = xi_c                    every player descends the collective loss
    CGA        v = xi + lam * H^T xi       consensus optimisation (Mescheder et al. 2017);
                                           the paper's "CGA", not Competitive Gradient Descent
    SGA        v = xi + lam * A^T xi       symplectic gradient adjustment (Balduzzi et al. 2018)
               A^T xi = (H^T xi - H xi)/2  one VJP + one JVP-equivalent product
               lam <- sign(<xi, H^T xi> <A^T xi, H^T xi> / d + eps) * |lam|   (alignment)

SVO and SL are reward shaping, not directions: see ``aga_ref.shaping``.
Free constants (ours; the paper gives none): ``lam = 1.0`` for CGA and SGA, ``eps = 0.1``
for SGA's alignment as in Balduzzi et al. 2018.
"""

import numpy as np

from aga_ref._checks import as_real
from aga_ref.derivatives import collective_gradient, linearize, simultaneous_gradient


def simul_ind_direction(game, w):
    """Simul-Ind: ``xi`` (D,)."""
    return simultaneous_gradient(game, w)


def simul_co_direction(game, w):
    """Simul-Co: ``xi_c`` (D,)."""
    return collective_gradient(game, w)


def cga_direction(game, w, lam=1.0):
    """Consensus optimisation: ``xi + lam * H^T xi`` (D,) = ``xi + lam * grad Ham``."""
    lam = as_real(lam, "lam")
    lin = linearize(game, w)
    Ht_xi = lin.Ht_v(lin.xi)  # grad Ham = H^T xi
    return lin.xi + lam * Ht_xi


def sga_direction(game, w, lam=1.0, align=True, eps=0.1):
    """SGA: ``xi + lam * A^T xi`` (D,), with Balduzzi et al.'s sign alignment of ``lam``."""
    lam, eps = as_real(lam, "lam"), as_real(eps, "eps")
    lin = linearize(game, w)
    xi = lin.xi
    Ht_xi = lin.Ht_v(xi)  # H^T xi
    At_xi = 0.5 * (Ht_xi - lin.H_v(xi))  # A^T xi = (H^T xi - H xi)/2
    if align:
        alignment = np.dot(xi, Ht_xi) * np.dot(At_xi, Ht_xi) / game.dim + eps
        lam = (1.0 if alignment >= 0 else -1.0) * abs(lam)
    return xi + lam * At_xi
