"""Property-based checks of LA, LOLA, SOS, EG, CGD and LSS implementations against aga-ref:
``opponent_shaping_points``, ``dynamics_games`` and ``assert_dynamics_match``
(``aga_ref.testing``'s docstring; the quantities are ``aga_ref.conformance.dynamics``'s)."""

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from aga_ref import conformance
from aga_ref.conformance.families import game_from_spec
from aga_ref.testing.aga_checks import (
    _assert_report,
    _floats,
    public_goods_points,
    smooth_points,
    toy_points,
)

BOXES = {"matching_pennies": (-2.0, 2.0), "ipd": (-2.0, 2.0), "tandem": (-1.0, 2.0)}


@st.composite
def opponent_shaping_points(draw):
    """``(spec, w)`` of Letcher et al.'s games: matching pennies, the IPD (``gamma`` in
    [0.5, 0.96]) or tandem, ``w`` uniform in a box ([-2, 2] per entry; [-1, 2] for tandem)."""
    family = draw(st.sampled_from(sorted(BOXES)))
    spec = {"family": family, "sizes": [5, 5] if family == "ipd" else [1, 1]}
    if family == "ipd":
        spec["gamma"] = draw(st.floats(0.5, 0.96, **_floats))
    low, high = BOXES[family]
    w = [draw(st.floats(low, high, **_floats)) for _ in range(sum(spec["sizes"]))]
    return spec, np.array(w)


def dynamics_games():
    """``(spec, w)`` from ``opponent_shaping_points`` or the kit's other families."""
    return st.one_of(opponent_shaping_points(), toy_points(), public_goods_points(),
                     smooth_points())  # fmt: skip


def assert_dynamics_match(dynamics_quantities, spec, w, rtol=conformance.RTOL,
                          atol=conformance.ATOL):  # fmt: skip
    """Check ``dynamics_quantities(spec, w) -> {name: value}`` (any of
    ``conformance.dynamics.QUANTITIES``: ``alpha = 0.3``, SOS's ``a = 0.5``, ``b = 0.1``,
    LSS's ``lam = 0.1``) against aga-ref at ``w`` (D,), with the kit's tolerance. Draws
    within a relative ``1e-3`` of one of SOS's switches, or where ``I + alpha H_o`` is
    ill-conditioned, are rejected (``assume``); where ``H`` is singular your LSS value, if
    any, is not checked. Raises ``AssertionError`` with the kit's report."""
    if not callable(dynamics_quantities):
        kind = type(dynamics_quantities).__name__
        raise TypeError(f"dynamics_quantities must be callable, got {kind}")
    game = game_from_spec(spec)
    w = game.point(w)
    robust, with_lss = conformance.dynamics.clear_of_switches(game, w)
    assume(robust)
    ref = conformance.dynamics.reference_outputs(game, w, with_lss)
    scales = conformance.dynamics.reference_scales(game, w, ref, spec["family"])
    outputs = dynamics_quantities(spec, w.copy())
    if isinstance(outputs, dict) and not with_lss:
        outputs = {k: v for k, v in outputs.items() if k != conformance.dynamics.LSS_KEY}
        assume(outputs)  # nothing left to check
    _assert_report(game, spec, w, outputs, ref, scales, rtol, atol)
