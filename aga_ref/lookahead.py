"""Look-ahead and opponent shaping: LA, LOLA and SOS as directions ``v(w)`` for
``w <- w - eta * v`` (``eta = alpha`` in the papers' experiments; docs/game-family.md).

Letcher et al., "Stable Opponent Shaping in Differentiable Games" (ICLR 2019), Sec. 3-4, and
their notebook ``stable_opponent_shaping.ipynb`` (``update_th``, branches ``'la'``,
``'lola'``, ``'sos'``). Player ``i`` imagines every other player ``j`` taking one naive step
``w_j - alpha xi_j`` and differentiates its loss after it:

    LA    v = xi - alpha H_o xi                      look-ahead: the step is held fixed
    LOLA  v = xi - alpha H_o xi - alpha chi          also shapes the step (Foerster et al. 2018)
    SOS   v = xi - alpha H_o xi - p alpha chi        LOLA's shaping scaled by p in [0, 1]

    H_o  = H with its diagonal blocks H_ii zeroed  (H_ij = d xi_i / d w_j)
    chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i     = diag(H_o^T grad L), the shaping term

``chi_i`` is the gradient in ``w_i`` of ``sum_{j != i} <grad_{w_j} l_i, xi_j>`` with the
first factor held fixed: how player i's change of ``w_i`` moves j's naive step, weighted by
how that step moves ``l_i``. SOS's ``p`` (Letcher et al. 2019, Algorithm 1; the notebook):

    xi_0 = xi - alpha H_o xi                         (LA)
    p1   = 1                                  if <-alpha chi, xi_0> >= 0
         = min(1, -a ||xi_0||^2 / <-alpha chi, xi_0>)  otherwise
    p2   = ||xi||^2 if ||xi|| < b else 1
    p    = min(p1, p2)

``p1`` keeps the step within 90 degrees of LA's (``<v, xi_0> >= (1 - a) ||xi_0||^2``);
``p2`` switches shaping off near fixed points (``p -> 0`` as ``xi -> 0``), where SOS becomes
LA and keeps LA's fixed points, which LOLA does not. Constants: ``a = 0.5``, ``b = 0.1`` as in
the paper and the notebook. Cost: ``xi``, ``H_o xi`` and ``chi`` take one reverse pass and
``1 + n`` Hessian-vector products (``n`` players), matrix-free.
"""

from collections import namedtuple

import numpy as np

from aga_ref._checks import as_real
from aga_ref.derivatives import _finite, _traced_losses, off_diagonal_operator

LookaheadTerms = namedtuple("LookaheadTerms", "xi Ho_xi chi")
LookaheadTerms.__doc__ = """``xi``, ``H_o xi`` and the shaping term ``chi`` at ``w``, (D,) each."""

SosTerms = namedtuple("SosTerms", "xi Ho_xi chi xi_0 p1 p2 p direction")
SosTerms.__doc__ = """Every quantity of one SOS step: the vectors ``xi``, ``H_o xi``, ``chi``,
``xi_0`` (LA's direction) and ``direction`` (D,); the floats ``p1``, ``p2`` and ``p``."""


def lookahead_terms(game, w):
    """``xi``, ``H_o xi`` and ``chi`` (D,) at ``w`` (``LookaheadTerms``), matrix-free."""
    xi, G, Ho_v, rows = off_diagonal_operator(game, w)
    n = game.num_players
    spare = len(_traced_losses(game)) - n  # an explicit l_c's copy, if any
    chi = np.zeros(game.dim)
    for i, block_i in enumerate(game.blocks):
        # chi_i = [ sum_{j != i} hess(l_j) P_j grad l_i ]_i: cotangent P_j G_i on copy j.
        cotangents = []
        for j, block_j in enumerate(game.blocks):
            v_j = np.zeros(game.dim)
            if j != i:
                v_j[block_j] = G[i][block_j]  # grad_{w_j} l_i, held fixed
            cotangents.append(v_j)
        cotangents += [np.zeros(game.dim)] * spare  # an explicit l_c's copy: unused
        chi[block_i] = sum(rows(*cotangents)[:n])[block_i]
    return LookaheadTerms(xi, Ho_v(xi), _finite(chi, "chi"))


def la_direction(game, w, alpha):
    """LA (look-ahead): ``xi - alpha H_o xi`` (D,)."""
    alpha = as_real(alpha, "alpha", positive=True)
    t = lookahead_terms(game, w)
    return t.xi - alpha * t.Ho_xi


def lola_direction(game, w, alpha):
    """LOLA: ``xi - alpha H_o xi - alpha chi`` (D,) (Foerster et al. 2018, exact gradients)."""
    alpha = as_real(alpha, "alpha", positive=True)
    t = lookahead_terms(game, w)
    return t.xi - alpha * t.Ho_xi - alpha * t.chi


def sos_terms(game, w, alpha, a=0.5, b=0.1):
    """One SOS step with its ``p`` (``SosTerms``); see the module docstring."""
    alpha = as_real(alpha, "alpha", positive=True)
    a, b = as_real(a, "a", positive=True), as_real(b, "b", positive=True)
    if a > 1:
        raise ValueError(f"a must be in (0, 1], got {a!r}")
    t = lookahead_terms(game, w)
    xi_0 = t.xi - alpha * t.Ho_xi  # LA
    dot = float(np.dot(-alpha * t.chi, xi_0))
    p1 = 1.0 if dot >= 0 else min(1.0, -a * float(np.dot(xi_0, xi_0)) / dot)
    xi_norm = float(np.linalg.norm(t.xi))
    p2 = xi_norm**2 if xi_norm < b else 1.0
    p = min(p1, p2)
    return SosTerms(*t, xi_0, p1, p2, p, xi_0 - p * alpha * t.chi)


def sos_direction(game, w, alpha, a=0.5, b=0.1):
    """SOS: ``xi - alpha H_o xi - p alpha chi`` (D,), ``p`` by the two-part rule."""
    return sos_terms(game, w, alpha, a, b).direction
