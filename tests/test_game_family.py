"""LA, LOLA, SOS, EG, CGD and LSS against their formulas written out with NumPy matrices,
against finite differences of the objectives they descend, and against the properties the
papers prove (Letcher et al. 2019; docs/game-family.md); bad constants and the optimisation
loop. CGD's and LSS's linear systems: ``test_game_family_solvers.py``."""

import numpy as np
import pytest
from autograd import grad

import aga_ref
from aga_ref import finite_diff as fd
from aga_ref.lookahead import lookahead_terms, sos_terms
from tests.game_family_setup import by_hand, quadratic, tandem_fixed_point, toy_point


@pytest.mark.parametrize("seed", range(4))
def test_every_direction_matches_its_formula_on_a_quadratic_game(seed):
    game, S, bs = quadratic(seed)
    w, alpha = np.random.default_rng(seed + 10).normal(size=game.dim), 0.3
    want = by_hand(game, S, bs, w, alpha)
    t = lookahead_terms(game, w)
    np.testing.assert_allclose(t.Ho_xi, want["H_o"] @ want["xi"], atol=1e-12)
    np.testing.assert_allclose(t.chi, want["chi"], atol=1e-12)
    for name in ("la", "lola", "eg", "cgd", "lss"):
        for suffix in ("", "_dense") if name in ("cgd", "lss") else ("",):
            kwargs = {} if name == "lss" else {"alpha": alpha}
            got = aga_ref.direction(game, name + suffix, w, **kwargs)
            np.testing.assert_allclose(got, want[name], rtol=1e-9, atol=1e-11, err_msg=name)


def test_off_diagonal_hvp_against_finite_differences():
    game, _, _ = quadratic(0)
    w = np.array([0.3, -0.2, 0.5, 1.0, -0.7])
    v = np.random.default_rng(1).normal(size=game.dim)
    H_o = fd.fd_game_hessian(game, w)
    for block in game.blocks:
        H_o[block, block] = 0.0
    np.testing.assert_allclose(aga_ref.off_diagonal_hvp(game, w, v), H_o @ v, atol=1e-6)


def test_lola_is_the_gradient_of_the_first_order_look_ahead_objective():
    """LOLA_i = d/dw_i [ l_i(w) - alpha sum_{j != i} <grad_{w_j} l_i(w), xi_j(w)> ] (Foerster
    et al. 2018): the outer derivative by finite differences; LA holds xi_j fixed at w."""
    alpha = 0.2

    def objective(game, w0, i, frozen):
        grad_i, xi_0 = grad(game.losses[i]), aga_ref.simultaneous_gradient(game, w0)

        def f(v):
            xi = xi_0 if frozen else aga_ref.simultaneous_gradient(game, v)
            others = [b for j, b in enumerate(game.blocks) if j != i]
            return game.losses[i](v) - alpha * sum(np.dot(grad_i(v)[b], xi[b]) for b in others)

        return f

    for game, w in [toy_point(), (quadratic(2)[0], np.linspace(-0.5, 0.5, 5))]:
        for frozen, name in ((False, "lola"), (True, "la")):
            want = np.concatenate([
                fd.fd_gradient(objective(game, w, i, frozen), w, indices=range(b.start, b.stop))
                for i, b in enumerate(game.blocks)
            ])  # fmt: skip
            got = aga_ref.direction(game, name, w, alpha=alpha)
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7, err_msg=name)


def test_lola_approximates_the_gradient_of_the_true_look_ahead_loss_to_second_order():
    """l_i(w_i, w_-i - alpha xi_-i(w)) differentiated in w_i by finite differences: LOLA's
    first-order error shrinks like alpha^2 (ratio about 4 when alpha halves)."""
    game, w = toy_point()

    def look_ahead_gradient(alpha):
        out = []
        for i, b in enumerate(game.blocks):

            def loss_after(v, i=i):
                xi = aga_ref.simultaneous_gradient(game, v)
                stepped = v.copy()
                for j, bj in enumerate(game.blocks):
                    if j != i:
                        stepped[bj] = v[bj] - alpha * xi[bj]
                return game.losses[i](stepped)

            out.append(fd.fd_gradient(loss_after, w, indices=range(b.start, b.stop)))
        return np.concatenate(out)

    errors = [np.linalg.norm(aga_ref.lola_direction(game, w, a) - look_ahead_gradient(a))
              for a in (0.02, 0.01)]  # fmt: skip
    assert 3.0 < errors[0] / errors[1] < 5.0, errors


def sos_by_hand(want, alpha, a=0.5, b=0.1):
    xi_0, chi, xi = want["la"], want["chi"], want["xi"]
    dot = -alpha * chi @ xi_0
    p1 = 1.0 if dot >= 0 else min(1.0, -a * (xi_0 @ xi_0) / dot)
    p2 = (xi @ xi) if np.linalg.norm(xi) < b else 1.0
    return p1, p2


def find_point(predicate, tries=2000):
    """A (game, S, bs, w) from seeded quadratic games where ``predicate(terms)`` holds: points
    at distances 0.01 to 3 from the game's fixed point ``xi(w*) = 0``."""
    rng = np.random.default_rng(7)
    for k in range(tries):
        game, S, bs = quadratic(100 + k % 20)
        want = by_hand(game, S, bs, np.zeros(game.dim), 0.5)
        w_star = np.linalg.solve(want["H"], -want["xi"])  # xi(w) = H w + xi(0)
        w = w_star + rng.normal(size=game.dim) * rng.choice([0.01, 0.3, 3.0])
        if predicate(sos_terms(game, w, 0.5)):
            return game, S, bs, w
    raise AssertionError("no such point found")


@pytest.mark.parametrize(
    "branch, predicate",
    [
        ("dot >= 0: p1 = 1", lambda t: np.dot(-0.5 * t.chi, t.xi_0) >= 0 and t.p2 == 1),
        ("dot < 0, bound below 1: p1 < 1", lambda t: 0 < t.p1 < 1 and t.p2 == 1),
        ("dot < 0, bound above 1: p1 = 1",
         lambda t: np.dot(-0.5 * t.chi, t.xi_0) < 0 and t.p1 == 1 and t.p2 == 1),
        ("||xi|| < b: p2 = ||xi||^2", lambda t: np.linalg.norm(t.xi) < 0.1),
    ],
)  # fmt: skip
def test_sos_p_in_each_branch(branch, predicate):
    game, S, bs, w = find_point(predicate)
    want = by_hand(game, S, bs, w, 0.5)
    p1, p2 = sos_by_hand(want, 0.5)
    t = sos_terms(game, w, 0.5)
    assert t.p1 == pytest.approx(p1, rel=1e-10) and t.p2 == pytest.approx(p2, rel=1e-10)
    assert t.p == pytest.approx(min(p1, p2), rel=1e-10)
    direction = want["la"] - min(p1, p2) * 0.5 * want["chi"]
    np.testing.assert_allclose(aga_ref.sos_direction(game, w, 0.5), direction, atol=1e-11)
    if 0 < t.p1 < 1:  # the guarantee p1 exists for: <v, xi_0> >= (1 - a) ||xi_0||^2
        assert np.dot(t.direction, t.xi_0) >= 0.5 * np.dot(t.xi_0, t.xi_0) - 1e-12


def test_at_a_fixed_point_sos_equals_la_and_lola_moves_away():
    """p2 = ||xi||^2 = 0 at xi = 0: SOS is LA there, and LA, SOS, EG, CGD, LSS, consensus
    and SGA all keep the fixed point; LOLA's shaping term does not vanish (Letcher et al.
    2019, Sec. 3 on tandem: chi_1 = H_21^T grad_{w_2} l_1 = 2 * 2(x + y) = 4)."""
    game, w = tandem_fixed_point()
    assert np.all(aga_ref.simultaneous_gradient(game, w) == 0)
    t = sos_terms(game, w, 0.1)
    assert t.p == 0 and np.array_equal(t.direction, t.xi_0)
    for name, kwargs in [("la", {"alpha": 0.1}), ("sos", {"alpha": 0.1}), ("eg", {"alpha": 0.1}),
                         ("cgd", {"alpha": 0.1}), ("lss", {}), ("lss_dense", {}),
                         ("cga", {"lam": 1.0}), ("sga", {"lam": 1.0})]:  # fmt: skip
        np.testing.assert_allclose(aga_ref.direction(game, name, w, **kwargs), 0.0, atol=1e-15)
    np.testing.assert_allclose(aga_ref.lola_direction(game, w, 0.1), [-0.4, -0.4], rtol=1e-12)


@pytest.mark.parametrize("radius", [1e-2, 1e-3, 1e-4])
def test_near_a_fixed_point_sos_differs_from_la_by_at_most_alpha_xi_squared_chi(radius):
    game, w = tandem_fixed_point()
    w = w + radius * np.array([0.6, 0.8])
    t = sos_terms(game, w, 0.1)
    gap = np.linalg.norm(t.direction - t.xi_0)
    assert t.p == pytest.approx(np.dot(t.xi, t.xi))
    assert gap <= 0.1 * np.dot(t.xi, t.xi) * np.linalg.norm(t.chi) * (1 + 1e-12)


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        *[(name, {"alpha": bad}, "^alpha must be a finite number > 0")
          for name in ("la", "lola", "sos", "eg", "cgd", "cgd_dense")
          for bad in (0.0, -1.0, float("nan"))],
        ("sos", {"alpha": 1.0, "a": 1.5}, "^a must be in"),
        ("sos", {"alpha": 1.0, "a": 0.0}, "^a must be a finite number > 0"),
        ("sos", {"alpha": 1.0, "b": 0.0}, "^b must be a finite number > 0"),
        ("lss", {"lam": 0.0}, "^lam must be a finite number > 0"),
        ("lss_dense", {"lam": -0.1}, "^lam must be a finite number > 0"),
    ],
)  # fmt: skip
def test_bad_constants_are_refused_by_name(name, kwargs, match):
    game, w = toy_point()
    with pytest.raises(ValueError, match=match):
        aga_ref.direction(game, name, w, **kwargs)


def test_sos_accepts_a_equal_to_1_and_its_defaults_are_the_papers():
    game, S, bs, w = find_point(lambda t: 0 < t.p1 < 1 and t.p2 == 1)
    assert np.all(np.isfinite(aga_ref.sos_direction(game, w, 0.5, a=1.0)))
    np.testing.assert_array_equal(aga_ref.sos_direction(game, w, 0.5),
                                  aga_ref.sos_direction(game, w, 0.5, a=0.5, b=0.1))  # fmt: skip
    near, _, _, w_near = find_point(lambda t: 0.1 < np.linalg.norm(t.xi) < 0.3)
    assert sos_terms(near, w_near, 0.5).p2 == 1.0  # b = 0.1 by default: ||xi|| >= b gives 1
    assert sos_terms(near, w_near, 0.5, b=0.5).p2 < 1.0


def test_p2_is_1_whenever_xi_is_at_least_b_even_when_its_square_is_below_1():
    game, S, bs, w = find_point(lambda t: 0.1 < np.linalg.norm(t.xi) < 0.9)
    t = sos_terms(game, w, 0.5)
    assert t.p2 == 1.0 and np.dot(t.xi, t.xi) < 1.0


def test_lookahead_terms_ignore_an_explicit_collective_loss():
    """H_o xi and chi depend on the players' losses only: the same with l_c given on its own."""
    game, _, _ = quadratic(3)
    explicit = aga_ref.Game(game.losses, game.sizes, collective=lambda w: 0.5 * (w @ w))
    w = np.linspace(-0.4, 0.6, game.dim)
    for got, want in zip(lookahead_terms(explicit, w), lookahead_terms(game, w)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_every_new_method_runs_in_the_optimisation_loop():
    game, w = toy_point()
    for name, kwargs in [("la", {"alpha": 0.1}), ("lola", {"alpha": 0.1}),
                         ("sos", {"alpha": 0.1}), ("eg", {"alpha": 0.1}),
                         ("cgd", {"alpha": 0.1}), ("lss", {})]:  # fmt: skip
        trajectory = aga_ref.optimize(game, name, w, 5, 0.05, **kwargs)
        assert trajectory.shape == (6, 2) and np.all(np.isfinite(trajectory))
    with pytest.raises(TypeError, match="lola"):
        aga_ref.optimize(game, "lola", w, 5, 0.05, lam=1.0)
    with pytest.raises(TypeError, match=r"\(lam not among its parameters\)"):
        aga_ref.optimize(game, "cgd", w, 5, 0.05, lam=1.0)  # alpha missing, lam unknown
    with pytest.raises(ValueError, match=r"\[0, 1, 2, 3, 4\] and 5 more \(10 of 10\)"):
        aga_ref.optimize(aga_ref.Game([lambda v: v @ v] * 2, [5, 5]), "la", np.full(10, np.nan),
                         5, 0.05, alpha=0.1)  # fmt: skip
