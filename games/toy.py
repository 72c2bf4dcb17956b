"""The two-player toy game of the paper's Sec. 4 case study (poster Fig. 2; docs/paper.md,
section 5).

    l_1(a_1, a_2) = -sin(a_1 a_2 + a_2^2)
    l_2(a_1, a_2) = -[ cos(1 + a_1 - (1 + a_2)^2) + a_1 a_2^2 ]

Each player controls one scalar action, ``w = (a_1, a_2)``. Rewards are the negated losses;
the collective reward is ``r_1 + r_2``. The poster's text garbles ``l_2``; this bracketing is
the one under which the paper's description holds.

The "social optimum" the paper's trajectories head for is local: ``r_1 + r_2`` has no global
maximum (the ``a_1 a_2^2`` term is unbounded; it is 8.63 at (3.5, 1.5), the corner of the
figures' box). It is the local maximum near the start points, (2.386, 0.858), with collective
reward about 3.105 (``local_social_optimum``); another lies near (-0.797, -0.682).
"""

import autograd.numpy as anp
import numpy as np

from aga_ref import Game, collective_gradient, collective_hessian

SOCIAL_OPTIMUM_GUESS = np.array([2.386, 0.858])  # refined by local_social_optimum()


def loss_1(w):
    """Player 1's loss ``-sin(a_1 a_2 + a_2^2)``."""
    a_1, a_2 = w[0], w[1]
    return -anp.sin(a_1 * a_2 + a_2**2)


def loss_2(w):
    """Player 2's loss ``-[cos(1 + a_1 - (1 + a_2)^2) + a_1 a_2^2]``."""
    a_1, a_2 = w[0], w[1]
    return -(anp.cos(1 + a_1 - (1 + a_2) ** 2) + a_1 * a_2**2)


def toy_game(collective="sum"):
    """The toy game as a ``Game`` with sizes (1, 1)."""
    return Game([loss_1, loss_2], [1, 1], collective=collective)


def reward_grid(a_1, a_2):
    """Rewards ``(r_1, r_2)`` on broadcastable arrays of actions (for contour plots)."""
    w = np.stack(np.broadcast_arrays(np.asarray(a_1, float), np.asarray(a_2, float)))
    return -loss_1(w), -loss_2(w)  # the losses index w[0], w[1]: they broadcast


def local_social_optimum(num_iterations=20):
    """The local social optimum near the start points (a local maximum of r_1 + r_2, which
    is unbounded), by Newton's method on ``xi_c`` from (2.386, 0.858). Returns
    ``(w_star (2,), collective reward at w_star)``."""
    game, w = toy_game(), SOCIAL_OPTIMUM_GUESS.copy()
    for _ in range(num_iterations):
        w = w - np.linalg.solve(collective_hessian(game, w), collective_gradient(game, w))
    return w, float(game.rewards(w).sum())
