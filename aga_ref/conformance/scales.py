"""Sizes of the terms behind xi, xi_c and the Hessian products, for the conformance tolerance
(``aga_ref.conformance.reference_scales``; docs/verify.md, step 5), in O(D) memory.

A quantity computed in floating point errs by about machine epsilon times the size of the
terms it is computed from, not times its value: near a fixed point the players' gradients
in ``xi_c`` cancel. The sizes ``s_x >= 0`` are propagated elementwise (``|.|`` elementwise):

    G_i = grad_w l_i                s_G_i = |G_i| + |hess l_i| |w|   its value; rounding of w
    xi, xi_c (sums of G_i blocks)   the blocks or sums of the s_G_i
    A x  (A a Hessian)              |A| (|x| + s_x), with |H_c| = sum_i |hess l_i|

``|A| x`` (``x >= 0``) needs no matrix. Its entry ``j`` is the largest ``|(A (z * x))_j|``
over sign vectors ``z`` (reached at ``z = sign(A_j.)``), and each ``A (z * x)`` is one
Hessian-vector product (a VJP of the players' gradients). ``abs_times`` takes the
elementwise maximum over a set of sign vectors:

- all ``2^(D-1)`` of them (``z`` and ``-z`` give the same value) when ``D <= EXACT_DIM``:
  then it *equals* the dense ``|A| x`` up to rounding (every game of the conformance data
  has ``D <= 4``, so their committed scales are reproduced);
- otherwise ``z = 1`` and ``num_probes`` seeded random signs: a lower bound, ``<= |A| x``
  entry by entry. Each probe is the first-order change of ``A x`` under one perturbation
  ``z * x`` of its input, a rounding pattern a computation can meet; the dense bound takes
  the worst pattern for every entry separately. For random signs the mean square of
  ``(A (z * x))_j`` is ``sum_k A_jk^2 x_k^2`` (the random-rounding model), which is at
  least ``((|A| x)_j)^2 / D``.

Cost: ``4 (num_probes + 1)`` VJPs and memory O(n D). ``method="dense"`` forms every
``|hess l_i|`` (D, D) with ``autograd.hessian``: small D only, for tests.
"""

from collections import namedtuple

import numpy as np
from autograd import grad, hessian

from aga_ref._checks import as_count, one_of
from aga_ref.derivatives import linearize, player_rows
from aga_ref.game import Game

EXACT_DIM, NUM_PROBES, SEED = 6, 8, 0
METHODS = ("matrix_free", "dense")

TermSizes = namedtuple("TermSizes", "xi s_xi xi_c s_xic g s_g H_xi s_Hxi Ht_xi s_Htxi")
TermSizes.__doc__ = """Values and sizes of their terms, all (D,): ``xi``, ``xi_c``,
``g = H_c^T xi_c``, ``H xi``, ``H^T xi``, each followed by its ``s_``."""


def sign_probes(dim, num_probes=NUM_PROBES, seed=SEED):
    """The sign vectors ``z`` (K, D) of ``abs_times``: all ``2^(D-1)`` up to a common sign
    when ``D <= EXACT_DIM``, otherwise ones and ``num_probes`` seeded random signs."""
    if dim <= EXACT_DIM:
        bits = (np.arange(2 ** (dim - 1))[:, None] >> np.arange(dim)) & 1  # (K, D), last 0
        return 1.0 - 2.0 * bits
    rng = np.random.default_rng(seed)
    return np.vstack([np.ones(dim), rng.choice([-1.0, 1.0], (num_probes, dim))])


def abs_times(rows, x, probes, masks):
    """``|A_i| (mask_i * x)`` for every traced loss's Hessian ``A_i``, an array (m, D): a
    lower bound, equal when ``probes`` (K, D) holds all sign vectors. ``rows`` maps m
    cotangents to the ``A_i v_i`` (``derivatives.player_rows``); ``masks`` (m, D) of 0/1."""
    best = None
    for z in probes:  # (D,)
        out = np.abs(np.stack(rows(*(z * x * masks))))  # (m, D)
        best = out if best is None else np.maximum(best, out)
    return best


def term_sizes(game, w, method="matrix_free", num_probes=NUM_PROBES, seed=SEED):
    """``TermSizes`` of ``game`` at ``w`` (D,), by ``method`` ``"matrix_free"`` (O(D)
    memory) or ``"dense"`` (small D only)."""
    if not isinstance(game, Game):
        raise TypeError(f"game must be an aga_ref.Game, got {type(game).__name__}")
    w = game.point(w)
    one_of(method, "method", METHODS)
    n, explicit = game.num_players, game.explicit_collective is not None
    if method == "dense":
        losses = game.losses + ((game.explicit_collective,) if explicit else ())
        G = np.stack([grad(loss)(w) for loss in losses])  # (m, D)
        A = np.stack([np.abs(hessian(loss)(w)) for loss in losses])  # (m, D, D) |hess l_i|
        abs_rows = lambda x, masks: np.einsum("ijk,ik->ij", A, x * masks)  # noqa: E731
    else:
        gradients, rows = player_rows(game, w)
        G = np.stack(gradients)  # (m, D)
        probes = sign_probes(game.dim, as_count(num_probes, "num_probes"), seed)
        abs_rows = lambda x, masks: abs_times(rows, x, probes, masks)  # noqa: E731
    own = lambda R: np.concatenate([r[b] for r, b in zip(R, game.blocks)])  # noqa: E731

    def collective(R):  # the l_c row from the copies' rows (m, D)
        return R[n] if explicit else game.collective_weight * R[:n].sum(axis=0)

    ones, masks = np.ones_like(G), np.zeros_like(G)  # (m, D): masks[i] keeps block i only
    for i, block in enumerate(game.blocks):
        masks[i, block] = 1.0
    s_G = np.abs(G) + abs_rows(np.abs(w), ones)  # (m, D)
    s_xi, s_xic = own(s_G), collective(s_G)  # (D,)
    lin = linearize(game, w)
    g, H_xi, Ht_xi = lin.Hc_v(lin.xi_c), lin.H_v(lin.xi), lin.Ht_v(lin.xi)  # (D,)
    s_g = collective(abs_rows(np.abs(lin.xi_c) + s_xic, ones))  # |H_c| (|xi_c| + s_xic)
    u = np.abs(lin.xi) + s_xi  # (D,)
    s_Hxi = own(abs_rows(u, ones))  # rows of |H|
    s_Htxi = abs_rows(u, masks)[:n].sum(axis=0)  # |H|^T u = sum_i |hess l_i| P_i u
    return TermSizes(lin.xi, s_xi, lin.xi_c, s_xic, g, s_g, H_xi, s_Hxi, Ht_xi, s_Htxi)
