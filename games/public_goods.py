"""The public goods game of the paper's Sec. 5 (docs/paper.md, section 6), generalised to
``n`` players.

Each player i contributes ``a_i`` in ``[0, b]`` and receives

    p_i = b - a_i + (c / n) * sum_j a_j,        SW = sum_i p_i = n b + (c - 1) sum_j a_j.

For ``1 < c < n`` it is a social dilemma: ``dp_i/da_i = c/n - 1 < 0`` makes ``a = 0`` the
Nash equilibrium, while ``dSW/da_j = c - 1 > 0`` makes ``a = b`` the social optimum. The
paper's game is ``n = 2``, ``b = 1``, ``c = 1.5``.

Parameterisation (our choice; the paper does not give one): each player has one parameter
``w_i`` and plays ``a_i = b * sigmoid(w_i)``. With raw actions ``l_c`` would be linear,
``H_c = 0``, and AgA would collapse to Simul-Co; the sigmoid keeps actions in ``(0, b)`` with
no projection and makes ``H_c`` non-zero.
"""

import autograd.numpy as anp
import numpy as np

from aga_ref import Game
from aga_ref._checks import as_count, as_real
from aga_ref.primitives import sigmoid

B, C = 1.0, 1.5  # the paper's constants


def _check_constants(b, c, n):
    b, c = as_real(b, "b", positive=True), as_real(c, "c", positive=True)
    n = as_count(n, "n", minimum=2)
    return b, c, n


def payoffs(actions, b=B, c=C):
    """Payoffs ``p`` (n,) of actions ``a`` (n,) in ``[0, b]``."""
    a = np.asarray(actions, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"actions must have shape (n,), got {a.shape}")
    b, c, n = _check_constants(b, c, a.size)
    if not np.all((a >= 0) & (a <= b)):
        raise ValueError(f"actions must lie in [0, b] = [0, {b}], got {a.tolist()}")
    return b - a + (c / n) * a.sum()


def actions_of(w, b=B):
    """The actions ``a = b * sigmoid(w)`` (n,) played by parameters ``w`` (n,)."""
    return b * sigmoid(w)


def parameters_of(actions, b=B):
    """The inverse map ``w = logit(a / b)`` for actions strictly inside ``(0, b)``."""
    a = np.asarray(actions, dtype=np.float64) / b
    if not np.all((a > 0) & (a < 1)):
        raise ValueError(f"actions must lie strictly inside (0, b) = (0, {b}), got {actions}")
    return np.log(a / (1 - a))


def public_goods_game(n=2, b=B, c=C):
    """The public goods game as a ``Game``: ``l_i(w) = -p_i(b * sigmoid(w))``."""
    b, c, n = _check_constants(b, c, n)

    def loss(i, w):
        a = actions_of(w, b)  # (n,)
        return -(b - a[i] + (c / n) * anp.sum(a))

    return Game([lambda w, i=i: loss(i, w) for i in range(n)], [1] * n)
