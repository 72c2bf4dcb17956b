"""Central finite differences: the independent oracle for every derivative in ``aga_ref``.

Only function *values* are used -- never autograd -- so a wrong derivative rule cannot hide.

    gradient:  (f(w + h e_j) - f(w - h e_j)) / (2h)                                 O(h^2)
    mixed:     (f(w+hu+he) - f(w+hu-he) - f(w-hu+he) + f(w-hu-he)) / (4h^2) = e^T hess(f) u

The game Hessian is built straight from its definition, ``H[a, b] = d_b d_a l_{owner(a)}``,
so it checks the matrix-free identities of ``aga_ref.derivatives`` instead of repeating them.
``check_directional`` follows autograd's ``check_grads``: compare along a random direction.
"""

import numpy as np

from aga_ref._checks import as_real, as_vector

H_GRAD = 1e-5  # ~ eps^(1/3) for first differences
H_MIXED = 1e-4  # ~ eps^(1/4) for second differences


def fd_gradient(f, w, h=H_GRAD, indices=None):
    """Central-difference gradient of scalar ``f`` at ``w`` (D,) (only ``indices`` if given)."""
    w = as_vector(w, "w")
    indices = range(w.size) if indices is None else indices
    out = []
    for j in indices:
        e = np.zeros_like(w)
        e[j] = h
        out.append((f(w + e) - f(w - e)) / (2 * h))
    return np.array(out, dtype=np.float64)


def fd_hvp(f, w, u, h=H_MIXED, indices=None):
    """Central-difference ``hess(f)(w) u`` (D,) from function values (rows ``indices``)."""
    w, u = as_vector(w, "w"), as_vector(u, "u", np.size(w))
    scale = np.linalg.norm(u)
    if scale == 0:
        return np.zeros(w.size if indices is None else len(indices))
    hu = h * u / scale
    indices = range(w.size) if indices is None else indices
    out = []
    for j in indices:
        e = np.zeros_like(w)
        e[j] = h
        out.append(f(w + hu + e) - f(w + hu - e) - f(w - hu + e) + f(w - hu - e))
    return scale * np.array(out, dtype=np.float64) / (4 * h * h)


def fd_hessian(f, w, h=H_MIXED):
    """Central-difference Hessian (D, D) of scalar ``f``."""
    w = as_vector(w, "w")
    return np.stack([fd_hvp(f, w, e, h) for e in np.eye(w.size)], axis=1)


def fd_simultaneous_gradient(game, w):
    """``xi`` by finite differences: player i's loss differenced along its own block."""
    w = game.point(w)
    blocks = [range(b.start, b.stop) for b in game.blocks]
    return np.concatenate([fd_gradient(l, w, indices=b) for l, b in zip(game.losses, blocks)])


def fd_collective_gradient(game, w):
    """``xi_c`` by finite differences of ``l_c``."""
    return fd_gradient(game.collective_loss, game.point(w))


def fd_game_hessian(game, w):
    """``H`` (D, D) by its definition: row a is player owner(a)'s loss differenced twice."""
    w = game.point(w)
    columns = []
    for e in np.eye(game.dim):
        rows = [
            fd_hvp(l, w, e, indices=range(b.start, b.stop))
            for l, b in zip(game.losses, game.blocks)
        ]
        columns.append(np.concatenate(rows))
    return np.stack(columns, axis=1)


def fd_collective_hessian(game, w):
    """``H_c`` (D, D) by finite differences of ``l_c``."""
    return fd_hessian(game.collective_loss, game.point(w))


def check_directional(f, grad_f, w, rng, rtol=1e-5, atol=1e-7):
    """Assert ``<grad_f(w), u> ~= (f(w + h u) - f(w - h u)) / 2h`` for a random unit ``u``.

    Raises ``AssertionError`` with both numbers when they disagree (autograd's check_grads).
    """
    w = as_vector(w, "w")
    rtol, atol = as_real(rtol, "rtol"), as_real(atol, "atol")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    u = rng.standard_normal(w.size)
    u /= np.linalg.norm(u)
    exact = float(np.dot(grad_f(w), u))
    numeric = float((f(w + H_GRAD * u) - f(w - H_GRAD * u)) / (2 * H_GRAD))
    if not abs(exact - numeric) <= atol + rtol * max(abs(exact), abs(numeric)):
        raise AssertionError(
            f"directional derivative mismatch: exact {exact!r} vs finite difference {numeric!r}"
        )
