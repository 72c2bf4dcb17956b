"""Property-based checks of *your* AgA implementation against aga-ref, from your own pytest
(docs/verify.md, "Property-based checks of your implementation").

Strategies (hypothesis) draw games of the conformance kit's families as specs, dicts in the
kit's JSON format (docs/verify.md, step 2; ``aga_ref.conformance.families``), with a point ``w``:

    toy_points()                 the paper's toy game, w in [0, 3.5] x [-0.75, 1.5]
    public_goods_points()        n = 2..4 players, b in [0.5, 2], c in [1, n], w in [-2, 2]^n
    smooth_points()              random quadratic + sine + cubic games (the kit's "smooth")
    near_fixed_points(stable)    quadratic games near a fixed point of l_c with H_c positive
                                 (stable) or negative (unstable) definite: xi_c ~ 0, xi != 0
    games()                      any of the above

each drawing ``(spec, w)``, ``w`` float64 (D,); for the game-dynamics methods

    opponent_shaping_points()    matching pennies, the IPD (gamma in [0.5, 0.96]) or tandem
    dynamics_games()             any of those, or a toy, public goods or smooth game

and for learners

    ppo_minibatches()            (weights, minibatch) in ``aga_ref.rl.reference``'s layout:
                                 2..3 tanh-MLP actors, masked actions, inactive samples,
                                 old log-probabilities at other weights (PPO's clip binds)

Your code enters through one of these protocols:

    quantities(spec, w) -> {name: value}               names of conformance.QUANTITIES
    direction(spec, w, lam, sign_rule) -> xi_tilde     (D,): xi_c + s |lam| (xi + H_c^T xi_c),
                                                       s by sign_rule "paper" or "exact"
    ppo_quantities(weights, minibatch, clip) -> {name: value}   names of
                                                       conformance.ppo.QUANTITIES
    dynamics_quantities(spec, w) -> {name: value}      names of
                                                       conformance.dynamics.QUANTITIES

and the checks raise ``AssertionError`` with the kit's report (worst entry, and hints such as
"a mean where the kit sums?"):

    assert_quantities_match(quantities, spec, w)    every quantity returned vs aga-ref
    assert_direction_matches(direction, spec, w)    xi_tilde, rules paper/exact/per_agent,
                                                    lam 0.1 and 1.0, vs aga-ref
    assert_sign_alignment(direction, spec, w, rule) the sign-alignment property (below)
    assert_ppo_quantities_match(ppo_quantities, weights, minibatch)   vs
                                                    ``aga_ref.rl.reference_terms``
    assert_dynamics_match(dynamics_quantities, spec, w)   LA, LOLA, SOS (and its p), EG,
                                                    CGD, LSS vs ``conformance.dynamics``

with the kit's tolerance (``max|o - e| <= atol + rtol S``, ``S`` of
``conformance.reference_scales``; ``rtol=conformance.RTOL_FLOAT32`` for float32). Sign
alignment (paper Corollary 4.3; docs/sign-alignment.md): with ``g = H_c^T xi_c``, a small
``|lam|`` turns ``xi_tilde`` toward ``g`` where ``<xi_c, g> > 0`` (near a stable fixed point)
and away where ``<xi_c, g> < 0``: always for the exact rule, for the paper's rule where the
term its derivation drops is dominated,
``|<xi_c, g> <xi_c, xi_adj>| < 0.9 |<xi_adj, g>| ||xi_c||^2``.
An input where a check does not apply (a sign within a relative ``MARGIN`` of a tie, as the
kit's cases avoid, or resting on a block of ``xi_c`` or ``g`` below ``SIGNIFICANT`` times
its scale; a first-order change ~0) is rejected with ``hypothesis.assume``: call the
checks inside ``@given`` tests. Needs hypothesis (``pip install hypothesis``).
"""

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # hypothesis is in aga-ref's test extra, not a core dependency
    raise ImportError(
        "aga_ref.testing needs hypothesis: pip install hypothesis "
        "(or pip install -e '.[test]' from a clone of aga-ref)"
    ) from error

from aga_ref.testing.aga_checks import (
    DROPPED_FRACTION,
    MARGIN,
    SIGNIFICANT,
    assert_direction_matches,
    assert_quantities_match,
    assert_sign_alignment,
    games,
    near_fixed_points,
    public_goods_points,
    smooth_points,
    toy_points,
)
from aga_ref.testing.dynamics_checks import (
    assert_dynamics_match,
    dynamics_games,
    opponent_shaping_points,
)
from aga_ref.testing.ppo_checks import assert_ppo_quantities_match, ppo_minibatches

__all__ = [
    "DROPPED_FRACTION", "MARGIN", "SIGNIFICANT", "assert_direction_matches",
    "assert_quantities_match", "assert_sign_alignment", "games", "near_fixed_points",
    "public_goods_points", "smooth_points", "toy_points", "assert_dynamics_match",
    "opponent_shaping_points", "dynamics_games", "assert_ppo_quantities_match",
    "ppo_minibatches",
]  # fmt: skip
