"""The three games of the opponent-shaping experiments of Letcher et al., "Stable Opponent
Shaping in Differentiable Games" (ICLR 2019), as parameterised in their public notebook
(``aletcher/stable-opponent-shaping``, ``stable_opponent_shaping.ipynb``, functions
``matching_pennies``, ``ipd`` and ``tandem``; docs/game-family.md).

Players minimise losses; ``sigmoid(w)`` is a probability of the first action (heads,
cooperate).

- **Matching pennies** (``sizes`` (1, 1)): ``x = (p_1, 1 - p_1)``, ``y = (p_2, 1 - p_2)``,
  ``l_1 = x^T M y`` with ``M = [[1, -1], [-1, 1]]``, ``l_2 = -l_1``; so
  ``l_1 = (2 p_1 - 1)(2 p_2 - 1)``. Zero-sum: ``l_c = 0``. The Nash equilibrium is
  ``w = 0`` (``p = 1/2``), a fixed point that naive learning circles around.
- **The iterated prisoner's dilemma** with exact discounted values (``sizes`` (5, 5),
  ``gamma = 0.96``): player i's parameters are its logit of cooperating on the first move and
  in each of the four states ``CC, CD, DC, DD`` (the previous moves of player 1, then of
  player 2: the same order for both players, as in the notebook). With ``p0`` (4,) the
  distribution of the first joint move and ``P`` (4, 4) the transition matrix,
  ``l_i = -p0 (I - gamma P)^{-1} r_i`` with rewards ``r_1 = (-1, -3, 0, -2)`` and
  ``r_2 = (-1, 0, -3, -2)`` over ``CC, CD, DC, DD``. ``(1 - gamma) l_i`` is the average
  loss per step: 1 under mutual cooperation, 2 under mutual defection.
- **Tandem** (``sizes`` (1, 1)): ``l_1 = (x + y)^2 - 2x``, ``l_2 = (x + y)^2 - 2y``. Every
  point of the line ``x + y = 1`` is a fixed point (``xi = 0``); ``H = [[2, 2], [2, 2]]`` is
  singular everywhere.

The parameterisations, payoffs, state order and ``gamma`` are the notebook's. The notebook
also fixes the initial distributions used in ``figures.game_family``: ``w ~ N(0, 1)`` for
matching pennies and the IPD, ``N(0, 0.1^2)`` for tandem.
"""

import autograd.numpy as anp
import numpy as np

from aga_ref import Game
from aga_ref._checks import as_real
from aga_ref.primitives import sigmoid

GAMMA = 0.96
PENNIES_PAYOFF = np.array([[1.0, -1.0], [-1.0, 1.0]])  # player 1's loss matrix M
IPD_REWARDS = (np.array([-1.0, -3.0, 0.0, -2.0]), np.array([-1.0, 0.0, -3.0, -2.0]))  # CC..DD


def matching_pennies():
    """Matching pennies as a ``Game`` with sizes (1, 1); ``l_2 = -l_1``."""

    def loss_1(w):
        p_1, p_2 = sigmoid(w[0]), sigmoid(w[1])
        x, y = anp.stack([p_1, 1 - p_1]), anp.stack([p_2, 1 - p_2])
        return anp.dot(x, anp.dot(PENNIES_PAYOFF, y))

    return Game([loss_1, lambda w: -loss_1(w)], [1, 1])


def joint_moves(p_1, p_2):
    """Probabilities of the joint moves ``CC, CD, DC, DD`` from the players' probabilities
    of cooperating (any matching shapes): an array with a new last axis of 4."""
    q_1, q_2 = 1 - p_1, 1 - p_2
    return anp.stack([p_1 * p_2, p_1 * q_2, q_1 * p_2, q_1 * q_2], axis=-1)


def ipd_visits(w, gamma=GAMMA):
    """Discounted state visits ``p0 (I - gamma P)^{-1}`` (4,) over ``CC, CD, DC, DD`` at
    ``w`` (10,): ``sum_t gamma^t Pr(joint move t = s)``."""
    p_1, p_2 = sigmoid(w[:5]), sigmoid(w[5:])
    p0 = joint_moves(p_1[0], p_2[0])  # (4,) first move
    P = joint_moves(p_1[1:], p_2[1:])  # (4, 4): row = previous joint move
    # Row vector p0 (I - gamma P)^{-1}  =  solve((I - gamma P)^T, p0).
    return anp.linalg.solve(anp.transpose(anp.eye(4) - gamma * P), p0)


def ipd(gamma=GAMMA):
    """The iterated prisoner's dilemma with exact discounted losses, sizes (5, 5)."""
    gamma = as_real(gamma, "gamma")
    if not 0 <= gamma < 1:
        raise ValueError(f"gamma must be in [0, 1), got {gamma!r}")
    losses = [lambda w, r=r: -anp.dot(ipd_visits(w, gamma), r) for r in IPD_REWARDS]
    return Game(losses, [5, 5])


def tandem():
    """The tandem game as a ``Game`` with sizes (1, 1)."""
    return Game(
        [lambda w: (w[0] + w[1]) ** 2 - 2 * w[0], lambda w: (w[0] + w[1]) ** 2 - 2 * w[1]],
        [1, 1],
    )


GAMES = {"matching_pennies": matching_pennies, "ipd": ipd, "tandem": tandem}
