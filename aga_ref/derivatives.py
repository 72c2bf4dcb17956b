"""First and second derivatives of a differentiable game (docs/paper.md, section 2).

    xi   = (grad_{w_1} l_1, ..., grad_{w_n} l_n)        simultaneous gradient   (D,)
    xi_c = grad_w l_c                                    collective gradient     (D,)
    H    = d xi / d w,  block (i, j) = grad_{w_j} grad_{w_i} l_i                 (D, D)
    H_c  = hess l_c  (symmetric)                                                 (D, D)

The matrix-free path rests on one identity. Give every player its own copy ``W_i`` of ``w``
and differentiate ``F(W_1, ..., W_n) = sum_i l_i(W_i)``: ``grad_{W_i} F = grad_w l_i``, the
*full* gradient of player i's loss. One reverse pass therefore yields all ``n`` of them, so
``xi`` (block i of row i) and ``xi_c`` (the sum of rows) cost one gradient together. A
vector-Jacobian product of that gradient map with cotangents ``(v_1, ..., v_n)`` returns the
rows ``hess(l_i) v_i`` (each ``hess(l_i)`` is symmetric). Choosing the ``v_i`` gives

    H v    = [ (hess(l_i) v)_{block i} ]_i       v_i = v
    H^T v  = sum_i hess(l_i) P_i v                v_i = P_i v (v outside block i zeroed)
    H_c v  = sum_i hess(l_i) v                    v_i = v
    H_o v  = [ (hess(l_i) (v - P_i v))_{block i} ]_i   v_i = v - P_i v (H without its
                                                  diagonal blocks H_ii: LA, LOLA, SOS, CGD)

each one Hessian-vector product, never a matrix. ``linearize`` keeps the traced pass so an
algorithm needing several products (AgA, SGA) pays for the gradients once.

A game with an explicit collective loss (``Game(..., collective=l_c)``) gets one more copy
``W_c`` with the term ``l_c(W_c)``: its row is ``xi_c``, and the cotangent ``v`` on that copy
alone gives ``H_c v``.

The dense ``game_hessian`` / ``collective_hessian`` use ``autograd.hessian`` of each loss, a
separate code path, for small ``D``: teaching and tests.
"""

from collections import namedtuple

import autograd.numpy as anp
import numpy as np
from autograd import grad, hessian, make_vjp

from aga_ref._checks import NonFiniteError

Linearization = namedtuple("Linearization", "xi xi_c H_v Ht_v Hc_v")
Linearization.__doc__ = """xi, xi_c at w, and the matrix-free products v -> H v, H^T v, H_c v."""


def _own_losses(Ws, losses):
    """F(W_1, ..., W_n) = sum_i l_i(W_i): each player's loss on its own copy of w."""
    total = 0.0
    for i, (loss, W) in enumerate(zip(losses, Ws)):
        value = loss(W)
        if anp.ndim(value) != 0:
            raise TypeError(f"losses[{i}] must return a scalar, got shape {anp.shape(value)}")
        total = total + value
    return total


def _traced_losses(game):
    """The losses differentiated on their own copies: the players', then an explicit l_c."""
    if game.explicit_collective is None:
        return game.losses
    return game.losses + (game.explicit_collective,)


def _player_gradients(game, w):
    """The full gradients ``grad_w l_i(w)``, one reverse pass: tuple of n arrays (D,)
    (n + 1 with an explicit collective loss, whose gradient comes last)."""
    losses = _traced_losses(game)
    return grad(_own_losses)((game.point(w),) * len(losses), losses)


def _collective_row(game, rows):
    """``xi_c`` (or ``H_c v``) from the rows of the copies."""
    if game.explicit_collective is not None:
        return rows[-1]
    return game.collective_weight * sum(rows)


def _own_blocks(game, rows):
    """Block i of row i, concatenated: turns per-player rows into a vector (D,)."""
    return np.concatenate([row[block] for row, block in zip(rows, game.blocks)])


def _masked(game, v):
    """The n vectors ``P_i v``: v with everything outside block i zeroed."""
    masked = []
    for block in game.blocks:
        v_i = np.zeros_like(v)
        v_i[block] = v[block]
        masked.append(v_i)
    return tuple(masked)


def _finite(x, what):
    if not np.all(np.isfinite(x)):
        raise NonFiniteError(f"{what} is non-finite at this w: the losses are not smooth there")
    return x


def simultaneous_gradient(game, w):
    """``xi(w)`` (D,): each player's gradient of its own loss w.r.t. its own block."""
    return _finite(_own_blocks(game, _player_gradients(game, w)), "xi")


def collective_gradient(game, w):
    """``xi_c(w) = grad l_c(w)`` (D,)."""
    return _finite(_collective_row(game, _player_gradients(game, w)), "xi_c")


def player_rows(game, w):
    """One traced reverse pass at ``w``: ``(G, rows)``. ``G`` is the tuple of full gradients
    ``grad_w l_i(w)`` (D,), one per player, then ``grad l_c`` for an explicit collective loss;
    ``rows(v_1, ..., v_m)`` returns the tuple ``hess(l_i) v_i`` (D,), one VJP, matrix-free
    (the module docstring). ``linearize`` and ``aga_ref.conformance.scales`` build on it."""
    losses = _traced_losses(game)
    copies = (game.point(w),) * len(losses)
    vjp, gradients = make_vjp(lambda Ws: grad(_own_losses)(Ws, losses))(copies)
    return gradients, lambda *v: vjp(tuple(v))


def linearize(game, w):
    """One traced reverse pass at ``w``: ``xi``, ``xi_c`` and matrix-free ``H v``,
    ``H^T v``, ``H_c v`` that reuse it. Each product costs one VJP of the gradient map."""
    gradients, rows = player_rows(game, w)
    vjp = lambda cotangents: rows(*cotangents)  # noqa: E731
    n, explicit = game.num_players, game.explicit_collective is not None
    spare = (np.zeros(game.dim),) if explicit else ()  # the l_c copy's cotangent in H, H^T

    def H_v(v):
        return _finite(_own_blocks(game, vjp((v,) * n + spare)), "H v")

    def Ht_v(v):
        return _finite(sum(vjp(_masked(game, v) + spare)[:n]), "H^T v")

    def Hc_v(v):
        if explicit:
            return _finite(vjp((np.zeros(game.dim),) * n + (v,))[-1], "H_c v")
        return _finite(_collective_row(game, vjp((v,) * n)), "H_c v")

    xi = _finite(_own_blocks(game, gradients[:n]), "xi")
    xi_c = _finite(_collective_row(game, gradients), "xi_c")
    return Linearization(xi, xi_c, H_v, Ht_v, Hc_v)


def off_diagonal_operator(game, w):
    """One traced reverse pass at ``w``: ``(xi, G, Ho_v, rows)``. ``xi`` (D,); ``G`` the
    tuple of full gradients ``grad_w l_i`` (D,), one per player (``G[i][block j] =
    grad_{w_j} l_i``); ``Ho_v(v)`` = ``H_o v`` (D,), the off-diagonal blocks of ``H`` times
    ``v`` (``(H_o v)_i = sum_{j != i} H_ij v_j``), one VJP, matrix-free; ``rows`` as in
    ``player_rows``, for further products at the same pass."""
    gradients, rows = player_rows(game, w)
    n = game.num_players
    spare = (np.zeros(game.dim),) * (len(_traced_losses(game)) - n)  # an explicit l_c's copy

    def Ho_v(v):
        off = tuple(v - P_i_v for P_i_v in _masked(game, v))  # v with block i zeroed
        return _finite(_own_blocks(game, rows(*(off + spare))), "H_o v")

    xi = _finite(_own_blocks(game, gradients[:n]), "xi")
    return xi, tuple(gradients[:n]), Ho_v, rows


def game_hvp(game, w, v):
    """``H v`` (D,), matrix-free."""
    return linearize(game, w).H_v(game.point(v, "v"))


def game_htvp(game, w, v):
    """``H^T v`` (D,), matrix-free."""
    return linearize(game, w).Ht_v(game.point(v, "v"))


def collective_hvp(game, w, v):
    """``H_c v`` (D,), matrix-free (``H_c`` is symmetric, so this is also ``H_c^T v``)."""
    return linearize(game, w).Hc_v(game.point(v, "v"))


def off_diagonal_hvp(game, w, v):
    """``H_o v`` (D,): ``H v`` without the diagonal blocks ``H_ii``, matrix-free."""
    return off_diagonal_operator(game, w)[2](game.point(v, "v"))


def game_hessian(game, w):
    """Dense game Hessian ``H`` (D, D): row block i of ``hess(l_i)``. Small ``D`` only."""
    w = game.point(w)
    rows = [hessian(loss)(w)[block] for loss, block in zip(game.losses, game.blocks)]
    return _finite(np.concatenate(rows, axis=0), "H")


def collective_hessian(game, w):
    """Dense collective Hessian ``H_c = hess l_c`` (D, D). Small ``D`` only."""
    return _finite(hessian(game.collective_loss)(game.point(w)), "H_c")
