"""Property-based checks of an AgA implementation on the differentiable games: the
strategies of the kit's game families and the checks ``assert_quantities_match``,
``assert_direction_matches``, ``assert_sign_alignment`` (``aga_ref.testing``'s docstring
says what each draws and checks)."""

import json

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from aga_ref import conformance
from aga_ref._checks import as_real, one_of
from aga_ref.aga import aga_terms
from aga_ref.conformance.families import game_from_spec

MARGIN, SIGNIFICANT, DROPPED_FRACTION, NUM_SINES = 1e-3, 1e-5, 0.9, 2
_floats = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _array(draw, shape, bound=1.0):
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(-bound, bound, **_floats)))


def _sizes(draw, max_players, max_size):
    n = draw(st.integers(2, max_players))
    return draw(st.lists(st.integers(1, max_size), min_size=n, max_size=n))


@st.composite
def toy_points(draw):
    """``(spec, w)``: the toy game at a point of the paper's box."""
    w = [draw(st.floats(0.0, 3.5, **_floats)), draw(st.floats(-0.75, 1.5, **_floats))]
    return {"family": "toy", "sizes": [1, 1]}, np.array(w)


@st.composite
def public_goods_points(draw, max_players=4):
    """``(spec, w)``: an n-player public goods game, ``a = b sigmoid(w)``."""
    n = draw(st.integers(2, max_players))
    b, c = draw(st.floats(0.5, 2.0, **_floats)), draw(st.floats(1.0, float(n), **_floats))
    spec = {"family": "public_goods", "sizes": [1] * n, "n": n, "b": b, "c": c}
    return spec, _array(draw, (n,), bound=2.0)


@st.composite
def smooth_points(draw, max_players=4, max_size=3):
    """``(spec, w)``: ``l_i = 1/2 w^T Q_i w + b_i^T w + sum_k sin(U_ik^T w + phi_ik) +
    (p_i^T w)^3 / D`` with coefficients in [-1, 1], w in [-1.5, 1.5]^D."""
    sizes = _sizes(draw, max_players, max_size)
    D, losses = sum(sizes), []
    for _ in sizes:
        losses.append({"Q": _array(draw, (D, D)).tolist(), "b": _array(draw, (D,)).tolist(),
                       "sin_amplitude": [1.0] * NUM_SINES,
                       "sin_U": _array(draw, (NUM_SINES, D)).tolist(),
                       "sin_phase": _array(draw, (NUM_SINES,)).tolist(),
                       "cubic": (_array(draw, (1, D)) / np.cbrt(D)).tolist()})  # fmt: skip
    return {"family": "smooth", "sizes": sizes, "losses": losses}, _array(draw, (D,), 1.5)


@st.composite
def near_fixed_points(draw, stable=True, max_players=3, max_size=3):
    """``(spec, w)``: a quadratic game whose ``l_c`` has a fixed point ``w*`` with
    ``H_c = +-(R R^T + diag(1/2..2))`` (``+`` stable, ``-`` unstable), ``xi(w*) != 0``, and ``w`` at
    a distance in [1e-3, 1e-1] from ``w*``. ``l_i = 1/2 (w - w*)^T Q_i (w - w*) +
    c_i^T (w - w*)``, ``sum_i c_i = 0``, ``sym(sum_i Q_i) = H_c``, written as ``Q``, ``b``."""
    sizes = _sizes(draw, max_players, max_size)
    n, D = len(sizes), sum(sizes)
    R = _array(draw, (D, D))
    spread = np.diag(np.linspace(0.5, 2.0, D))  # not I/2: at R = 0 that makes g || xi_c
    H_c = (R @ R.T + spread) * (1.0 if stable else -1.0)  # (D, D)
    Qs, skew = [_array(draw, (D, D)) for _ in range(n - 1)], _array(draw, (D, D))
    Qs.append(H_c - sum(0.5 * (Q + Q.T) for Q in Qs) + (skew - skew.T))
    cs = [_array(draw, (D,)) for _ in range(n - 1)]
    cs.append(-sum(cs))
    w_star, direction = _array(draw, (D,)), _array(draw, (D,))
    assume(np.linalg.norm(direction) > 1e-3)
    radius = draw(st.floats(1e-3, 1e-1, **_floats))
    losses = [{"Q": Q.tolist(), "b": (c - 0.5 * (Q + Q.T) @ w_star).tolist()}
              for Q, c in zip(Qs, cs)]  # fmt: skip
    w = w_star + radius * direction / np.linalg.norm(direction)  # (D,)
    return {"family": "smooth", "sizes": sizes, "losses": losses}, w


def games():
    """``(spec, w)`` from any of the strategies above."""
    return st.one_of(toy_points(), public_goods_points(), smooth_points(),
                     near_fixed_points(stable=True), near_fixed_points(stable=False))  # fmt: skip


def _signs_clear_of_ties(game, ref, scales):
    """True when every sign of the kit (paper, per block, exact, SGA's) is at least a
    relative MARGIN from a tie, so that any correct floating-point code gives the same, and
    ``xi_c`` and ``g`` in every block are at least SIGNIFICANT times their scales (about
    100 float32 roundings: below, they are noise whose signs differ between correct codes)."""
    xi, u, g, Ht_xi, H_xi = (np.asarray(ref[k]) for k in ("xi", "xi_c", "Hc_xic", "Ht_xi", "H_xi"))
    norm, At_xi = np.linalg.norm, 0.5 * (Ht_xi - H_xi)
    for b in game.blocks:
        small = norm(u[b]) <= SIGNIFICANT * scales["xi_c"]
        if small or norm(g[b]) <= SIGNIFICANT * scales["Hc_xic"]:
            return False
    pairs = [(u[b] @ g[b] * (xi[b] @ g[b] + g[b] @ g[b]),
              norm(u[b]) * norm(g[b]) * (norm(xi[b]) * norm(g[b]) + norm(g[b]) ** 2))
             for b in [slice(None), *game.blocks]]  # fmt: skip
    kept, dropped = (ref["xi_g"] + ref["g_g"]) * ref["xic_xic"], ref["xic_g"] * ref["xic_adj"]
    pairs.append((ref["xic_g"] * (kept - dropped), norm(u) * norm(g) * (abs(kept) + abs(dropped))))
    pairs.append((xi @ Ht_xi * (At_xi @ Ht_xi) / game.dim + 0.1,
                  norm(xi) * norm(Ht_xi) ** 2 * norm(At_xi) / game.dim + 0.1))  # fmt: skip
    return all(scale > 0 and abs(value) > MARGIN * scale for value, scale in pairs)


def _reference(spec, w, fn, what):
    """(game, w, reference outputs), rejecting inputs near a sign tie."""
    if not callable(fn):
        raise TypeError(f"{what} must be callable, got {type(fn).__name__}")
    game = game_from_spec(spec)
    w = game.point(w)
    ref, scales = conformance.reference_outputs(game, w), conformance.reference_scales(game, w)
    assume(_signs_clear_of_ties(game, ref, scales))
    return game, w, ref, scales


def _assert_report(game, spec, w, outputs, ref, scales, rtol, atol):
    """Compare ``outputs`` with ``ref`` as ``aga-ref verify`` does; raise on a mismatch."""
    conformance.check_tolerance(rtol, atol)
    if not isinstance(outputs, dict) or not outputs:
        got = f"{type(outputs).__name__} {outputs!r:.60}"
        raise AssertionError(
            f"your function must return a non-empty dict {{name: value}}, got {got}"
        )
    rows = []
    for name, value in outputs.items():
        if name not in ref:
            rows.append((str(name), f"unknown quantity; known: {', '.join(ref)}", None, None))
        else:  # the kit's comparison: same tolerance, same messages
            S, n = scales.get(name), game.num_players
            rows.append(conformance._compare(name, value, ref[name], S, rtol, atol, n))
    report = conformance.Report("drawn case", rows, [])
    if not report:
        raise AssertionError(f"{report}\nat spec = {json.dumps(spec)}\n   w = {w.tolist()}")


def assert_quantities_match(quantities, spec, w, rtol=conformance.RTOL, atol=conformance.ATOL):
    """Check ``quantities(spec, w) -> {name: value}`` (any of ``conformance.QUANTITIES``)
    against aga-ref at ``w`` (D,); raises ``AssertionError`` with the report."""
    game, w, ref, scales = _reference(spec, w, quantities, "quantities")
    _assert_report(game, spec, w, quantities(spec, w.copy()), ref, scales, rtol, atol)


def assert_direction_matches(direction, spec, w, rtol=conformance.RTOL, atol=conformance.ATOL):
    """Check ``direction(spec, w, lam, sign_rule) -> xi_tilde`` (D,) for every sign rule and
    ``lam`` in ``conformance.ALIGNED_LAMS`` against aga-ref at ``w`` (D,)."""
    game, w, ref, scales = _reference(spec, w, direction, "direction")
    outputs = {f"xi_tilde[sign_rule={rule},lam={lam}]": direction(spec, w.copy(), lam, rule)
               for rule in conformance.SIGN_RULES for lam in conformance.ALIGNED_LAMS}  # fmt: skip
    _assert_report(game, spec, w, outputs, ref, scales, rtol, atol)


def _cos(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def assert_sign_alignment(direction, spec, w, sign_rule="exact", step=1e-4):
    """Check that ``direction(spec, w, lam, sign_rule)`` (D,) turns toward ``g = H_c^T xi_c``
    where ``<xi_c, g> > 0`` and away where it is < 0, for ``|lam| = step ||xi_c|| /
    ||xi_adj||`` (the module docstring; ``g`` from aga-ref). ``sign_rule`` ``"exact"``, or
    ``"paper"`` where its dropped term is dominated; points whose first-order change is below
    ``100 step`` (normalised) are rejected. For float32 pass ``step=1e-3``."""
    one_of(sign_rule, "sign_rule", ("exact", "paper"))
    step = as_real(step, "step", positive=True)
    game, w = _reference(spec, w, direction, "direction")[:2]
    t = aga_terms(game, w, 1.0)
    norm = np.linalg.norm
    assume(min(norm(t.xi_c), norm(t.Hc_xic), norm(t.xi_adj)) > 1e-12)
    kept, dropped = (t.xi_g + t.g_g) * t.xic_xic, t.xic_g * t.xic_adj
    slope = (kept - dropped) / (t.xic_xic * norm(t.Hc_xic) * norm(t.xi_adj))  # in [-2, 2]
    assume(abs(slope) > 100 * step)
    if sign_rule == "paper":
        assume(abs(dropped) < DROPPED_FRACTION * abs(kept))
    lam = step * norm(t.xi_c) / norm(t.xi_adj)
    # xi_tilde at lam = 0 is xi_c by definition; AgA itself refuses lam = 0 with a sign rule
    before, after = t.xi_c, np.asarray(direction(spec, w.copy(), lam, sign_rule), float)  # (D,)
    if after.shape != (game.dim,) or not np.all(np.isfinite(after)):
        raise AssertionError(f"direction at |lam| = {lam:.3g} must be finite of shape "
                             f"({game.dim},), got shape {after.shape}")  # fmt: skip
    c0, c1, pull = _cos(before, t.Hc_xic), _cos(after, t.Hc_xic), t.xic_g > 0
    if (c1 > c0) != pull:
        way = "pull xi_tilde toward" if pull else "push xi_tilde away from"
        raise AssertionError(
            f"sign_rule={sign_rule!r} should {way} g = H_c^T xi_c here (<xi_c, g> = "
            f"{t.xic_g:.3g}), but cos angle(xi_tilde, g) went from {c0:.12g} at lam = 0 to "
            f"{c1:.12g} at |lam| = {lam:.3g}: a wrong sign?\n"
            f"at spec = {json.dumps(spec)}\n   w = {w.tolist()}"
        )
