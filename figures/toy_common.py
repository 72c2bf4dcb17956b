"""Shared pieces of the toy-game figures: the methods, runs that survive divergence, the
reward landscape on a grid."""

import numpy as np

import aga_ref
from games.toy import reward_grid, toy_game

EXTENT = ((0.0, 3.5), (-0.75, 1.5))  # a_1 range, a_2 range of the plots
METHOD_STYLES = [  # (label, method, uses lam, colour)
    ("Simul-Ind", "simul_ind", False, "tab:blue"),
    ("Simul-Co", "simul_co", False, "tab:green"),
    ("CGA", "cga", True, "tab:orange"),
    ("SGA", "sga", True, "tab:brown"),
    ("AgA", "aga", True, "tab:red"),
]
# Line style, width and end marker per method, so that paths and end points that coincide
# stay visible: wide solid lines under narrow dashed ones, large markers under small ones.
LINE_STYLES = {"Simul-Ind": ("-", 4.5, "o", 13), "Simul-Co": ("-", 2.2, "P", 11),
               "CGA": ("--", 2.2, "s", 9), "SGA": (":", 2.2, "^", 7),
               "AgA": ("-", 1.0, "D", 6)}  # fmt: skip
LANDSCAPE_CMAP = "Oranges"


def run(method, w0, num_steps, eta, **kwargs):
    """The trajectory (T+1, 2), or its finite prefix and the error message if it diverged."""
    try:
        with np.errstate(all="ignore"):  # overflow on the way to a divergence is expected
            return aga_ref.optimize(
                toy_game(), method, np.asarray(w0), num_steps, eta, **kwargs
            ), ""
    except aga_ref.DivergenceError as error:
        return error.trajectory, str(error)


def collective_reward_of(trajectory):
    """r_1 + r_2 at every row of a trajectory (T+1, 2) -> (T+1,); NaN where it overflows."""
    with np.errstate(all="ignore"):  # a diverging run leaves huge but finite rows
        r_1, r_2 = reward_grid(trajectory[:, 0], trajectory[:, 1])
    return r_1 + r_2


def landscape(resolution=200):
    """Grids ``(A_1, A_2)`` and rewards ``(r_1, r_2)`` over ``EXTENT``, each (R, R)."""
    (x0, x1), (y0, y1) = EXTENT
    A_1, A_2 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return A_1, A_2, *reward_grid(A_1, A_2)
