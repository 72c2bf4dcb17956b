"""The optimisation loop: ``w_{t+1} = proj(w_t - eta * v(w_t))`` for any method's direction.

``METHODS`` maps a method name to its direction function ``v(game, w, **kwargs)``. The loop
returns the whole trajectory so that figures and tests can look at every step, and it stops
with a ``DivergenceError`` naming the step as soon as a value becomes non-finite or a
method's linear solve fails (CGD, LSS).
"""

import inspect

import numpy as np

from aga_ref._checks import NonFiniteError, as_count, as_real, one_of
from aga_ref.aga import aga_direction
from aga_ref.baselines import cga_direction, sga_direction, simul_co_direction, simul_ind_direction
from aga_ref.game_solvers import (
    cgd_direction,
    cgd_direction_dense,
    eg_direction,
    lss_direction,
    lss_direction_dense,
)
from aga_ref.lookahead import la_direction, lola_direction, sos_direction

METHODS = {
    "simul_ind": simul_ind_direction,
    "simul_co": simul_co_direction,
    "cga": cga_direction,
    "sga": sga_direction,
    "aga": aga_direction,
    "la": la_direction,
    "lola": lola_direction,
    "sos": sos_direction,
    "eg": eg_direction,
    "cgd": cgd_direction,
    "cgd_dense": cgd_direction_dense,
    "lss": lss_direction,
    "lss_dense": lss_direction_dense,
}


class DivergenceError(FloatingPointError):
    """A training run produced a non-finite value; the message names the step.

    ``error.trajectory`` holds the finite steps before it, (t+1, D), for plotting."""

    def __init__(self, message, trajectory):
        super().__init__(message)
        self.trajectory = trajectory


def direction(game, method, w, **kwargs):
    """The direction ``v(w)`` (D,) of ``method`` (a name in ``METHODS``, or a callable)."""
    if not callable(method):
        method = METHODS[one_of(method, "method", set(METHODS))]
    return method(game, w, **kwargs)


def _check_arguments(method, game, w, kwargs):
    """Raise a ``TypeError`` naming the method when ``kwargs`` do not fit its direction."""
    function = METHODS[one_of(method, "method", set(METHODS))] if not callable(method) else method
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin or C callable: nothing to check
        return
    try:
        signature.bind(game, w, **kwargs)
    except TypeError as error:
        name = getattr(function, "__name__", method)
        takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        unknown = [] if takes_any else sorted(set(kwargs) - set(signature.parameters))
        extra = f" ({', '.join(unknown)} not among its parameters)" if unknown else ""
        raise TypeError(
            f"method {method!r} is {name}{signature}; the keyword arguments given, "
            f"{sorted(kwargs)}, do not fit it: {error}{extra}"
        ) from None


def optimize(game, method, w0, num_steps, eta, projection=None, tol=None, **kwargs):
    """Run up to ``num_steps`` steps of ``method`` from ``w0``; return the trajectory (T+1, D).

    Args:
        game: a ``Game``.
        method: a name in ``METHODS`` or a callable ``v(game, w, **kwargs)``.
        w0: start point (D,).
        num_steps: T >= 0.
        eta: step size > 0.
        projection: optional callable ``w -> w`` applied after each step (e.g. a clip).
        tol: optional; stop after the first step with ``||w_{t+1} - w_t|| <= tol`` (the
            trajectory is then shorter than ``num_steps + 1``).
        **kwargs: passed to the direction (``lam``, ``sign_rule``, ...).
    """
    w = game.point(w0, "w0")
    num_steps = as_count(num_steps, "num_steps")
    eta = as_real(eta, "eta", positive=True)
    if projection is not None and not callable(projection):
        raise TypeError(f"projection must be callable or None, got {type(projection).__name__}")
    _check_arguments(method, game, w, kwargs)
    tol = None if tol is None else as_real(tol, "tol")
    name = getattr(method, "__name__", method)
    trajectory = np.empty((num_steps + 1, game.dim))  # (T+1, D)
    trajectory[0] = w
    for t in range(num_steps):
        try:
            v = np.asarray(direction(game, method, w, **kwargs), dtype=np.float64)  # (D,)
        except (NonFiniteError, np.linalg.LinAlgError) as error:  # a failed solve too
            message = f"{name} diverged at step {t + 1}: {error}"
            raise DivergenceError(message, trajectory[: t + 1]) from error
        if v.shape != (game.dim,):
            raise ValueError(f"method {name} must return shape ({game.dim},), got {v.shape}")
        w = w - eta * v
        if projection is not None:
            w = np.asarray(projection(w), dtype=np.float64)
        if w.shape != (game.dim,) or not np.all(np.isfinite(w)):
            message = (
                f"{name} diverged at step {t + 1}: w became non-finite "
                f"(last finite |w|max = {np.max(np.abs(trajectory[t])):.3g})"
            )
            raise DivergenceError(message, trajectory[: t + 1])
        trajectory[t + 1] = w
        if tol is not None and np.linalg.norm(w - trajectory[t]) <= tol:
            return trajectory[: t + 2]
    return trajectory
