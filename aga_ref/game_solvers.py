"""Extragradient, competitive gradient descent and local symplectic surgery as directions
``v(w)`` for ``w <- w - eta * v`` (docs/game-family.md). As in Letcher et al.'s notebook
(``stable_opponent_shaping.ipynb``, ``update_th``, branches ``'eg'``, ``'cgd'``, ``'lss'``):

    EG   v = xi(w - alpha xi(w))                     extragradient (Korpelevich 1976; the
                                                     notebook cites Mertikopoulos et al. 2019)
    CGD  v = (I + alpha H_o)^{-1} xi                 competitive gradient descent
                                                     (Schaefer & Anandkumar 2019)
    LSS  v = 1/2 (xi + H^T H^{-1} xi)                local symplectic surgery
                                                     (Mazumdar, Jordan & Sastry 2019)

For two players CGD's solve is Schaefer and Anandkumar's update with ``eta = alpha``:
block 1 of ``(I + alpha H_o)^{-1} xi`` is ``(I - alpha^2 H_12 H_21)^{-1} (xi_1 - alpha H_12
xi_2)``. LSS uses ``H^{-1}`` when ``H`` is invertible and the regularised pseudo-inverse
``(H^T H + lam I)^{-1} H^T`` (``lam = 0.1``) when it is singular.

The solves are matrix-free: scipy's GMRES on Hessian-vector products (``H_o v`` for CGD,
``H v`` for LSS; conjugate gradients on ``H^T H + lam I`` for LSS's regularised solve), to a
residual ``<= RTOL * ||rhs||`` (``RTOL = 1e-10``). ``cgd_direction_dense`` and
``lss_direction_dense`` form ``H`` and solve with LAPACK: for small games and tests. They
follow the notebook to the letter; the matrix-free ones differ in one place. The notebook
calls ``H`` singular when ``det(H) == 0`` exactly; a matrix-free method cannot compute that
determinant, so ``lss_direction`` takes the regularised solve only when GMRES cannot solve
``H u = xi``. Where ``H`` is singular but ``xi`` lies in its range (the tandem game) GMRES
still solves it and the two differ: there the dense version's ``H^T u`` is
``sigma^2 / (sigma^2 + lam)`` times the matrix-free one's along each singular direction.
"""

import numpy as np
from scipy.sparse.linalg import LinearOperator, cg, gmres

from aga_ref._checks import as_real
from aga_ref.derivatives import (
    _finite,
    game_hessian,
    linearize,
    off_diagonal_operator,
    simultaneous_gradient,
)

RTOL = 1e-10


def eg_direction(game, w, alpha):
    """Extragradient: ``xi`` at the extrapolated point ``w - alpha xi(w)`` (D,)."""
    alpha = as_real(alpha, "alpha", positive=True)
    w = game.point(w)
    return simultaneous_gradient(game, w - alpha * simultaneous_gradient(game, w))


def _solve(method, matvec, rhs):
    """``A x = rhs`` for the operator ``v -> matvec(v)`` by GMRES or CG to ``RTOL``.
    Returns ``(x, converged)``; ``x`` is zero when ``rhs`` is."""
    D = rhs.size
    if not np.any(rhs):
        return np.zeros(D), True
    A = LinearOperator((D, D), matvec=matvec, dtype=np.float64)
    x, info = method(A, rhs, rtol=RTOL, atol=0.0, maxiter=10 * D + 10)
    residual = np.linalg.norm(matvec(x) - rhs)
    converged = info == 0 and np.all(np.isfinite(x)) and residual <= 10 * RTOL * np.linalg.norm(rhs)
    return x, bool(converged)


def cgd_direction(game, w, alpha):
    """CGD: ``(I + alpha H_o)^{-1} xi`` (D,), by GMRES on ``H_o v`` products. Raises
    ``np.linalg.LinAlgError`` when GMRES cannot reach ``RTOL`` (``I + alpha H_o``
    singular or nearly so)."""
    alpha = as_real(alpha, "alpha", positive=True)
    xi, _, Ho_v, _ = off_diagonal_operator(game, w)
    x, converged = _solve(gmres, lambda v: v + alpha * Ho_v(v), xi)
    if not converged:
        raise np.linalg.LinAlgError(
            f"cgd_direction: GMRES did not solve (I + alpha H_o) v = xi to rtol {RTOL} at "
            f"alpha = {alpha}: the matrix is singular or nearly so"
        )
    return _finite(x, "the CGD direction")


def lss_direction(game, w, lam=0.1):
    """LSS: ``(xi + H^T u) / 2`` (D,) with ``u = H^{-1} xi`` by GMRES on ``H v`` products, or,
    where GMRES cannot solve ``H u = xi``, ``u = (H^T H + lam I)^{-1} H^T xi`` by conjugate
    gradients (module docstring: where this differs from the dense version)."""
    lam = as_real(lam, "lam", positive=True)
    lin = linearize(game, w)
    u, converged = _solve(gmres, lin.H_v, lin.xi)
    if not converged:
        normal = lambda v: lin.Ht_v(lin.H_v(v)) + lam * v  # noqa: E731
        u, converged = _solve(cg, normal, lin.Ht_v(lin.xi))
        if not converged:
            raise np.linalg.LinAlgError(
                f"lss_direction: CG did not solve (H^T H + lam I) u = H^T xi to rtol {RTOL}"
            )
    return _finite(0.5 * (lin.xi + lin.Ht_v(u)), "the LSS direction")


def off_diagonal_hessian(game, w):
    """``H_o`` (D, D): the dense game Hessian with its diagonal blocks zeroed. Small ``D``."""
    H = game_hessian(game, w)
    for block in game.blocks:
        H[block, block] = 0.0
    return H


def cgd_direction_dense(game, w, alpha):
    """CGD with the dense ``H_o`` and LAPACK's solve (the notebook's ``'cgd'``)."""
    alpha = as_real(alpha, "alpha", positive=True)
    A = np.eye(game.dim) + alpha * off_diagonal_hessian(game, w)
    return _finite(np.linalg.solve(A, simultaneous_gradient(game, w)), "the CGD direction")


def lss_direction_dense(game, w, lam=0.1):
    """LSS with the dense ``H``; regularised exactly when ``det(H) == 0`` (the notebook's
    ``'lss'``)."""
    lam = as_real(lam, "lam", positive=True)
    H, xi = game_hessian(game, w), simultaneous_gradient(game, w)
    if np.linalg.det(H) == 0:
        u = np.linalg.solve(H.T @ H + lam * np.eye(game.dim), H.T @ xi)
    else:
        u = np.linalg.solve(H, xi)
    return _finite(0.5 * (xi + H.T @ u), "the LSS direction")
