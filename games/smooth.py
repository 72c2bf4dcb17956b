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
data). Quadratic games are the special case with only ``Q`` and ``b``.
"""

import autograd.numpy as anp
import numpy as np

from aga_ref import Game

TERMS = {"Q", "b", "sin_amplitude", "sin_U", "sin_phase", "cubic"}


def smooth_loss(coefficients, dim):
    """The loss ``l(w)`` of one coefficient dict (see the module docstring)."""
    unknown = set(coefficients) - TERMS
    if unknown:
        known = sorted(TERMS)
        raise ValueError(f"coefficients has unknown terms {sorted(unknown)}; known: {known}")
    c = {key: np.asarray(value, dtype=np.float64) for key, value in coefficients.items()}
    Q, b = c.get("Q", np.zeros((dim, dim))), c.get("b", np.zeros(dim))
    A, U = c.get("sin_amplitude", np.zeros(0)), c.get("sin_U", np.zeros((0, dim)))
    phi, P = c.get("sin_phase", np.zeros(len(A))), c.get("cubic", np.zeros((0, dim)))
    shapes = {"Q": (Q, (dim, dim)), "b": (b, (dim,)), "sin_U": (U, (len(A), dim)),
              "sin_phase": (phi, (len(A),)), "cubic": (P, (len(P), dim))}  # fmt: skip
    for name, (value, shape) in shapes.items():
        if value.shape != shape:
            raise ValueError(f"coefficients[{name!r}] must have shape {shape}, got {value.shape}")

    def loss(w):
        return (
            0.5 * anp.dot(w, anp.dot(Q, w)) + anp.dot(b, w)
            + anp.sum(A * anp.sin(anp.dot(U, w) + phi)) + anp.sum(anp.dot(P, w) ** 3)
        )  # fmt: skip

    return loss


def smooth_game(losses, sizes):
    """A ``Game`` from one coefficient dict per player and the block sizes."""
    dim = sum(sizes)
    return Game([smooth_loss(c, dim) for c in losses], sizes)
