"""The sign-alignment claim (paper Corollary 4.3) as property tests, and its counterexamples.

Claim: with ``g = H_c^T xi_c``, choosing ``lam`` by the sign rule makes
``angle(xi_tilde, g) <= angle(xi_c, g)`` near a stable fixed point of ``l_c`` (pull) and
``>=`` near an unstable one (push). We measure the angle directly with a small ``|lam|``.

What holds: the *exact* sign (derivative of cos^2 in lam) delivers the claim wherever the
first-order change is not ~0. The *paper's* rule delivers it wherever the term its derivation
drops, ``<u, g><u, v>``, is dominated by the kept one, ``<v, g> ||u||^2``
(``u = xi_c``, ``v = xi_adj``). Where the two rules disagree the paper's rule moves the angle
the wrong way; two such games are kept below as explicit, hand-checkable examples.
"""

import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import aga_ref
from tests.strategies import quadratic_games, smooth_games


def cos_angle(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def angle_change(t, sign):
    """cos angle(xi_c + sign*s*xi_adj, g) - cos angle(xi_c, g), with a tiny relative step s;
    and the normalised first-order slope (to skip draws where it is ~0)."""
    u, v, g = t.xi_c, t.xi_adj, t.Hc_xic
    s = 1e-6 * np.linalg.norm(u) / np.linalg.norm(v)
    slope = (t.xi_g + t.g_g) * t.xic_xic - t.xic_g * t.xic_adj  # <v,g>|u|^2 - <u,g><u,v>
    slope /= t.xic_xic * np.linalg.norm(g) * np.linalg.norm(v)
    return cos_angle(u + sign * s * v, g) - cos_angle(u, g), slope


def near(case, direction, radius):
    game, w_star, _ = case
    assume(np.linalg.norm(direction) > 1e-3)
    w = w_star + radius * direction / np.linalg.norm(direction)
    t = aga_ref.aga_terms(game, w, 1.0)
    assume(np.linalg.norm(t.xi_c) > 1e-9 and np.linalg.norm(t.Hc_xic) > 1e-9)
    return t


directions = hnp.arrays(np.float64, 9, elements=st.floats(-1, 1))
radii = st.floats(1e-3, 1e-1)


def point_terms(case, direction, radius):
    D = case[0].dim
    return near(case, direction[:D], radius)


@pytest.mark.parametrize("stable", [True, False])
@given(data=st.data(), direction=directions, radius=radii)
def test_exact_rule_pulls_near_stable_and_pushes_near_unstable(stable, data, direction, radius):
    t = point_terms(data.draw(quadratic_games(stable=stable)), direction, radius)
    assert (t.xic_g > 0) == stable  # <xi_c, H_c xi_c> has the sign of H_c
    change, slope = angle_change(t, aga_ref.exact_sign(t.xi, t.xi_c, t.Hc_xic))
    assume(abs(slope) > 1e-3)
    assert change > 0 if stable else change < 0  # cos up = angle down = pull


@pytest.mark.parametrize("stable", [True, False])
@given(data=st.data(), direction=directions, radius=radii)
def test_paper_rule_holds_where_the_dropped_term_is_dominated(stable, data, direction, radius):
    t = point_terms(data.draw(quadratic_games(stable=stable)), direction, radius)
    kept, dropped = (t.xi_g + t.g_g) * t.xic_xic, t.xic_g * t.xic_adj
    assume(abs(dropped) < 0.9 * abs(kept))
    change, slope = angle_change(t, aga_ref.paper_sign(t.xi, t.xi_c, t.Hc_xic))
    assume(abs(slope) > 1e-3)
    assert change > 0 if stable else change < 0


@pytest.mark.parametrize("stable", [True, False])
@given(data=st.data(), direction=directions, radius=radii)
def test_paper_rule_fails_wherever_it_disagrees_with_the_exact_sign(
    stable, data, direction, radius
):
    t = point_terms(data.draw(quadratic_games(stable=stable)), direction, radius)
    paper = aga_ref.paper_sign(t.xi, t.xi_c, t.Hc_xic)
    assume(paper != aga_ref.exact_sign(t.xi, t.xi_c, t.Hc_xic))
    change, slope = angle_change(t, paper)
    assume(abs(slope) > 1e-3)
    assert change < 0 if stable else change > 0  # the wrong way


@given(smooth_games())
def test_exact_sign_is_the_sign_of_a_finite_difference_in_lam_of_cos2(case):
    game, w, _ = case
    t = aga_ref.aga_terms(game, w, 1.0)
    assume(t.xic_xic > 1e-12 and t.g_g > 1e-12)
    h = 1e-5 * np.sqrt(t.xic_xic) / np.linalg.norm(t.xi_adj)
    cos2 = [cos_angle(t.xi_c + lam * t.xi_adj, t.Hc_xic) ** 2 for lam in (h, -h)]
    assume(abs(cos2[0] - cos2[1]) > 1e-11)
    assert aga_ref.exact_sign(t.xi, t.xi_c, t.Hc_xic) == np.sign(cos2[0] - cos2[1])


@given(
    hnp.arrays(np.float64, 5, elements=st.floats(-1, 1)),
    hnp.arrays(np.float64, 5, elements=st.floats(-1, 1)),
)
def test_rules_agree_when_xi_vanishes(u, g):
    """With xi = 0 the dropped term <u,g>^2 <= |u|^2 |g|^2 (Cauchy-Schwarz) never wins."""
    assume(
        abs(np.dot(u, g)) > 1e-6
        and np.linalg.norm(u) ** 2 * np.linalg.norm(g) ** 2 - np.dot(u, g) ** 2 > 1e-9
    )
    assert aga_ref.paper_sign(np.zeros(5), u, g) == aga_ref.exact_sign(np.zeros(5), u, g)


# Counterexample 1: a stable fixed point. l_c = a_1^2/2 + a_2^2 is a convex bowl, H_c = diag(1, 2).
# On w = delta (1, 1): xi = (1, 2 delta), xi_c = (delta, 2 delta), g = (delta, 4 delta), so
#   paper sign = sign(9 delta^2 (delta + 25 delta^2)),
#   exact sign = sign(9 delta^2 * 4 delta^3 (2 delta - 1)):
# they differ for every 0 < |delta| < 1/25, arbitrarily close to the minimum.
STABLE_COUNTEREXAMPLE = aga_ref.Game(
    [lambda w: w[0], lambda w: 0.5 * w[0] ** 2 + w[1] ** 2 - w[0]], [1, 1]
)
# Counterexample 2: an unstable fixed point of a potential game, l_1 = l_2 = w^T M w / 2 with
# M = diag(-0.1, -0.2). All terms are homogeneous in w, so the signs are the same at every
# w = delta (1, 1): the paper's rule pulls toward the maximum of l_c. The rule adds xi and g,
# which scale differently; when |eig(H_c)| < 1/n, <xi, g> outweighs ||g||^2.
M = np.diag([-0.1, -0.2])
UNSTABLE_COUNTEREXAMPLE = aga_ref.Game([lambda w: 0.5 * anp.dot(w, anp.dot(M, w))] * 2, [1, 1])


@pytest.mark.parametrize("delta", [0.03, 0.01, 1e-3, -0.01])
def test_counterexample_near_a_stable_point(delta):
    w = delta * np.ones(2)
    t = aga_ref.aga_terms(STABLE_COUNTEREXAMPLE, w, 1.0)
    np.testing.assert_allclose(t.xi, [1, 2 * delta])  # closed forms, by hand
    np.testing.assert_allclose(t.xi_c, [delta, 2 * delta])
    np.testing.assert_allclose(t.Hc_xic, [delta, 4 * delta])
    assert t.sign == np.sign(delta) and aga_ref.aga_sign(
        STABLE_COUNTEREXAMPLE, w, "exact"
    ) == -np.sign(delta)
    assert angle_change(t, t.sign)[0] < 0  # the paper's rule pushes away from a minimum


@pytest.mark.parametrize("delta", [1.0, 1e-2, -1e-3])
def test_counterexample_near_an_unstable_point(delta):
    w = delta * np.ones(2)
    t = aga_ref.aga_terms(UNSTABLE_COUNTEREXAMPLE, w, 1.0)
    np.testing.assert_allclose(t.Hc_xic, 4 * M @ M @ w)  # g = H_c xi_c = (2M)(2M w)
    assert t.xic_g < 0 and t.sign == 1.0
    assert aga_ref.aga_sign(UNSTABLE_COUNTEREXAMPLE, w, "exact") == -1.0
    assert angle_change(t, t.sign)[0] > 0  # the paper's rule pulls toward a maximum
