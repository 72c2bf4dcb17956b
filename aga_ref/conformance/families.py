"""The conformance kit's game families, rebuilt from their JSON specs (docs/verify.md, step 2).

A spec is ``{"family": ..., "sizes": [d_1, ..., d_n], ...constants}``; players minimise
their losses and ``l_c`` is their sum:

- ``"toy"`` (paper Sec. 4; ``games.toy``): ``l_1 = -sin(a_1 a_2 + a_2^2)``,
  ``l_2 = -[cos(1 + a_1 - (1 + a_2)^2) + a_1 a_2^2]``, ``sizes`` ``[1, 1]``;
- ``"public_goods"`` with ``n, b, c`` (paper Sec. 5; ``games.public_goods``):
  ``a = b * sigmoid(w)``, ``l_i = -(b - a_i + (c/n) sum_j a_j)``, ``sizes`` ``[1] * n``;
- ``"matching_pennies"``, ``"ipd"`` with ``gamma``, ``"tandem"`` (Letcher et al. 2019;
  ``games.opponent_shaping``, where they are written out): with ``p = sigmoid(w)``,
  ``l_1 = (2 p_1 - 1)(2 p_2 - 1) = -l_2``, sizes ``[1, 1]``; the IPD's exact discounted
  losses ``l_i = -p0 (I - gamma P)^{-1} r_i``, sizes ``[5, 5]``; ``l_1 = (w_1 + w_2)^2 - 2 w_1``,
  ``l_2 = (w_1 + w_2)^2 - 2 w_2``, sizes ``[1, 1]``;
- ``"smooth"`` with ``"losses"``, one coefficient dict per player (every term optional):
  ``l_i = 1/2 w^T Q w + b^T w + sum_k A_k sin(U_k^T w + phi_k) + sum_m (P_m^T w)^3`` with
  keys ``Q`` (D, D), ``b`` (D,), ``sin_amplitude`` A (K,), ``sin_U`` U (K, D),
  ``sin_phase`` phi (K,), ``cubic`` P (M, D); ``Q`` need not be symmetric.

``game_from_spec`` is what ``aga_ref.testing`` compares a user's implementation against;
``games.conformance_specs.build`` (which wrote the kit's data) builds the same games from
``games/`` (``tests/test_testing.py`` checks that the two agree on every game of the data).
"""

import autograd.numpy as anp
import numpy as np

from aga_ref.game import Game
from aga_ref.primitives import sigmoid

FAMILIES = ("toy", "public_goods", "smooth", "matching_pennies", "ipd", "tandem")
TERMS = {"Q", "b", "sin_amplitude", "sin_U", "sin_phase", "cubic"}


def smooth_loss(coefficients, dim):
    """The loss ``l(w)`` of one ``"smooth"`` coefficient dict (see the module docstring)."""
    unknown = set(coefficients) - TERMS
    if unknown:
        known = sorted(TERMS)
        raise ValueError(f"coefficients has unknown terms {sorted(unknown)}; known: {known}")
    c = {key: np.asarray(value, dtype=np.float64) for key, value in coefficients.items()}
    Q, b = c.get("Q", np.zeros((dim, dim))), c.get("b", np.zeros(dim))
    A, U = c.get("sin_amplitude", np.zeros(0)), c.get("sin_U", np.zeros((0, dim)))
    phi, P = c.get("sin_phase", np.zeros(len(A))), c.get("cubic", np.zeros((0, dim)))
    shapes = {"Q": (Q, (dim, dim)), "b": (b, (dim,)), "sin_U": (U, (len(A), dim)),
              "sin_phase": (phi, (len(A),)), "cubic": (P, (len(P), dim))}  # fmt: skip
    for name, (value, shape) in shapes.items():
        if value.shape != shape:
            raise ValueError(f"coefficients[{name!r}] must have shape {shape}, got {value.shape}")

    def loss(w):
        return (
            0.5 * anp.dot(w, anp.dot(Q, w)) + anp.dot(b, w)
            + anp.sum(A * anp.sin(anp.dot(U, w) + phi)) + anp.sum(anp.dot(P, w) ** 3)
        )  # fmt: skip

    return loss


def _toy_losses():
    def loss_1(w):
        return -anp.sin(w[0] * w[1] + w[1] ** 2)

    def loss_2(w):
        return -(anp.cos(1 + w[0] - (1 + w[1]) ** 2) + w[0] * w[1] ** 2)

    return [loss_1, loss_2]


def _public_goods_losses(n, b, c):
    def loss(i, w):
        a = b * sigmoid(w)  # (n,)
        return -(b - a[i] + (c / n) * anp.sum(a))

    return [lambda w, i=i: loss(i, w) for i in range(n)]


def _opponent_shaping_losses(family, gamma):
    """The losses of the three games of Letcher et al. 2019, written compactly (the readable
    version is ``games.opponent_shaping``; ``tests/test_game_family.py`` checks they agree)."""
    if family == "matching_pennies":
        loss = lambda w: (2 * sigmoid(w[0]) - 1) * (2 * sigmoid(w[1]) - 1)  # noqa: E731
        return [loss, lambda w: -loss(w)]
    if family == "tandem":
        return [lambda w: (w[0] + w[1]) ** 2 - 2 * w[0], lambda w: (w[0] + w[1]) ** 2 - 2 * w[1]]
    r = (np.array([-1.0, -3.0, 0.0, -2.0]), np.array([-1.0, 0.0, -3.0, -2.0]))  # CC CD DC DD

    def visits(w):  # p0 (I - gamma P)^{-1}, (4,)
        c1, c2 = sigmoid(w[:5]), sigmoid(w[5:])  # probabilities of cooperating
        joint = anp.stack([c1 * c2, c1 * (1 - c2), (1 - c1) * c2, (1 - c1) * (1 - c2)])  # (4, 5)
        return anp.dot(joint[:, 0], anp.linalg.inv(anp.eye(4) - gamma * joint[:, 1:].T))

    return [lambda w, r_i=r_i: -anp.dot(visits(w), r_i) for r_i in r]


def game_from_spec(spec):
    """The ``aga_ref.Game`` of a kit spec (a dict; see the module docstring)."""
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a dict, got {type(spec).__name__}")
    family, sizes = spec.get("family"), spec.get("sizes")
    if family not in FAMILIES:
        raise ValueError(f"spec['family'] must be one of {list(FAMILIES)}, got {family!r}")
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"spec['sizes'] must be a list of >= 2 block sizes, got {sizes!r}")
    if family == "toy":
        expected, losses = [1, 1], _toy_losses()
    elif family == "public_goods":
        n, b, c = (spec.get(key) for key in ("n", "b", "c"))
        if not isinstance(n, int) or n < 2 or not all(isinstance(x, (int, float)) for x in (b, c)):
            raise ValueError(f"spec needs n (int >= 2), b and c (numbers), got {n!r}, {b!r}, {c!r}")
        expected, losses = [1] * n, _public_goods_losses(n, float(b), float(c))
    elif family in ("matching_pennies", "ipd", "tandem"):
        gamma = spec.get("gamma") if family == "ipd" else 0.0
        if not isinstance(gamma, (int, float)) or not 0 <= gamma < 1:
            raise ValueError(f"spec['gamma'] must be a number in [0, 1), got {gamma!r}")
        expected = [5, 5] if family == "ipd" else [1, 1]
        losses = _opponent_shaping_losses(family, float(gamma))
    else:
        coefficients = spec.get("losses")
        if not isinstance(coefficients, list) or len(coefficients) != len(sizes):
            raise ValueError(f"spec['losses'] must hold one dict per player ({len(sizes)}), "
                             f"got {type(coefficients).__name__}")  # fmt: skip
        expected, losses = list(sizes), [smooth_loss(c, sum(sizes)) for c in coefficients]
    if list(sizes) != expected:
        raise ValueError(f"spec['sizes'] must be {expected} for {family!r}, got {sizes!r}")
    return Game(losses, sizes)
