"""Smooth polynomial-trigonometric games given by coefficients: the framework-neutral family
of the conformance cases (``aga_ref.conformance``), easy to rebuild in any framework.

Player i's loss, with its coefficients in a dict (every term optional):

    l_i(w) = 1/2 w^T Q w + b^T w + sum_k A_k sin(U_k^T w + phi_k) + sum_m (P_m^T w)^3

    "Q": (D, D)   "b": (D,)   "sin_amplitude" A: (K,)   "sin_U" U: (K, D)   "sin_phase" phi: (K,)
    "cubic" P: (M, D)

``Q`` need not be symmetric (eight of the thirteen in the conformance data are not, so that
``grad = Q w`` fails there): only its symmetric part counts, and the gradient and Hessian are

    grad l_i(w) = (Q + Q^T)/2 w + b + sum_k A_k cos(U_k^T w + phi_k) U_k
                  + sum_m 3 (P_m^T w)^2 P_m
    hess l_i(w) = (Q + Q^T)/2 - sum_k A_k sin(U_k^T w + phi_k) U_k U_k^T
                  + sum_m 6 (P_m^T w) P_m P_m^T

(``tests/test_smooth_formula.py`` checks both against autograd on every smooth game of the
data). Quadratic games are the special case with only ``Q`` and ``b``. The loss itself is
``aga_ref.conformance.families.smooth_loss`` (``aga_ref.testing`` rebuilds the kit's games
from there).
"""

from aga_ref import Game
from aga_ref.conformance.families import TERMS, smooth_loss

__all__ = ["TERMS", "smooth_game", "smooth_loss"]  # smooth_loss is conformance.families'


def smooth_game(losses, sizes):
    """A ``Game`` from one coefficient dict per player and the block sizes."""
    dim = sum(sizes)
    return Game([smooth_loss(c, dim) for c in losses], sizes)
