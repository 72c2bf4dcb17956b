"""Hypothesis strategies: random smooth games, and quadratic games with a known fixed point.

Random games mix polynomial and trigonometric terms with hypothesis-drawn coefficients:

    l_i(w) = 1/2 w^T Q_i w + b_i^T w + sum_k sin(U_ik^T w + phi_ik) + (p_i^T w)^3 / D

(built with ``games.smooth``, the family the conformance cases use).

Quadratic games put a fixed point of ``l_c`` at ``w_star`` with a chosen ``H_c``:

    l_i(w) = 1/2 (w - w_star)^T Q_i (w - w_star) + c_i^T (w - w_star),   sum_i c_i = 0,

so ``xi_c(w_star) = 0`` while ``xi(w_star) != 0`` in general, and ``H_c = sym(sum_i Q_i)``
is set to ``+P`` (stable) or ``-P`` (unstable) with ``P = R R^T + I/2`` positive definite.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from games.smooth import smooth_game

NUM_SINES = 2


def coefficients(draw, shape, bound=1.0):
    elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    return draw(hnp.arrays(np.float64, shape, elements=elements))


def player_sizes(draw, max_players=4, max_size=4):
    n = draw(st.integers(2, max_players))
    return draw(st.lists(st.integers(1, max_size), min_size=n, max_size=n))


@st.composite
def smooth_games(draw, max_players=4, max_size=4):
    """(game, w, v): a random smooth game, a point and a direction, all (D,) float64."""
    sizes = player_sizes(draw, max_players, max_size)
    D = sum(sizes)
    shapes = {"Q": (D, D), "b": (D,), "sin_U": (NUM_SINES, D), "sin_phase": (NUM_SINES,)}
    losses = []
    for _ in sizes:
        loss = {name: coefficients(draw, shape) for name, shape in shapes.items()}
        loss["sin_amplitude"] = np.ones(NUM_SINES)
        loss["cubic"] = coefficients(draw, (1, D)) / np.cbrt(D)  # (p^T w)^3 / D
        losses.append(loss)
    w = coefficients(draw, (D,), bound=1.5)
    v = coefficients(draw, (D,))
    return smooth_game(losses, sizes), w, v


@st.composite
def quadratic_games(draw, stable=True, max_players=3, max_size=3):
    """(game, w_star, H_c): a quadratic game whose ``l_c`` has a fixed point at ``w_star``."""
    sizes = player_sizes(draw, max_players, max_size)
    n, D = len(sizes), sum(sizes)
    R = coefficients(draw, (D, D))
    H_c = (R @ R.T + 0.5 * np.eye(D)) * (1 if stable else -1)
    Qs = [coefficients(draw, (D, D)) for _ in range(n - 1)]
    skew = coefficients(draw, (D, D))
    Qs.append(H_c - sum(0.5 * (Q + Q.T) for Q in Qs) + (skew - skew.T))
    cs = [coefficients(draw, (D,)) for _ in range(n - 1)]
    cs.append(-sum(cs))
    w_star = coefficients(draw, (D,))
    # 1/2 (w - w*)^T Q (w - w*) + c^T (w - w*) = 1/2 w^T Q w + (c - sym(Q) w*)^T w + const
    losses = [{"Q": Q, "b": c - 0.5 * (Q + Q.T) @ w_star} for Q, c in zip(Qs, cs)]
    return smooth_game(losses, sizes), w_star, H_c
