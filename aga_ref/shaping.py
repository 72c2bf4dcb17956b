"""Reward-shaping baselines: SVO and SL transform a game's losses into a new ``Game``.

Both act on rewards ``r_i = -l_i`` and return the game whose losses are the negated shaped
rewards; train it with Simul-Ind (each player descends its own shaped loss).

SVO (social value orientation; McKee et al. 2020):
    r_i' = r_i - w_svo * | theta_svo - atan2(mean_{j != i} r_j, r_i) |
SL ("selfishness level"; Apt & Schafer 2014):
    r_i' = r_i + alpha * SW,   SW = sum_j r_j

The paper does not give ``theta_svo``, ``w_svo`` or ``alpha``. Ours: ``theta_svo = pi/4``
(prosocial, 45 degrees), ``w_svo = 0.5`` and ``alpha = 1.0``. ``|.|`` is not differentiable
where the reward angle equals the target; autograd uses the subgradient ``sign(0) = 0``.
The collective loss of the shaped game sums the *shaped* losses; measure outcomes with the
original game's rewards.
"""

import functools

import autograd.numpy as anp
import numpy as np

from aga_ref._checks import as_real
from aga_ref.game import Game


def _shaped(game, shaped_loss):
    """A new game with ``losses[i] = shaped_loss(i, w)``."""

    if game.explicit_collective is not None:
        raise ValueError(
            "game must have collective='sum' or 'mean' to be shaped, got an explicit l_c "
            "(its shaped collective loss would be undefined)"
        )
    losses = [functools.partial(shaped_loss, i) for i in range(game.num_players)]
    return Game(losses, game.sizes, game.collective)


def svo_game(game, theta_svo=np.pi / 4, w_svo=0.5):
    """The SVO-shaped game: ``l_i' = l_i + w_svo * |theta_svo - atan2(mean_{j!=i} r_j, r_i)|``."""
    theta_svo, w_svo = as_real(theta_svo, "theta_svo"), as_real(w_svo, "w_svo")
    n = game.num_players

    def loss(i, w):
        r = [-l(w) for l in game.losses]
        others = sum(r[j] for j in range(n) if j != i) / (n - 1)
        return -r[i] + w_svo * anp.abs(theta_svo - anp.arctan2(others, r[i]))

    return _shaped(game, loss)


def sl_game(game, alpha=1.0):
    """The SL-shaped game: ``l_i' = l_i + alpha * sum_j l_j`` (i.e. ``r_i' = r_i + alpha*SW``)."""
    alpha = as_real(alpha, "alpha")

    def loss(i, w):
        return game.losses[i](w) + alpha * sum(l(w) for l in game.losses)

    return _shaped(game, loss)
