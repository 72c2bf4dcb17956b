"""The policy-gradient game: surrogate derivatives against finite differences, the learner's
directions against ``aga_ref``'s on the same game built as an ``aga_ref.Game``, and the
structure of H and H_c that the module docstring states (block-diagonal, A = 0)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import aga_ref
from aga_ref import finite_diff as fd
from aga_ref.rl import methods
from aga_ref.rl.config import Config
from aga_ref.rl.surrogate import surrogate_terms
from tests.rl_setup import CLIP, tiny_problem


def test_some_ratios_are_clipped(problem):
    theta, shapes, batch, _ = problem
    stats = surrogate_terms(theta, shapes, batch, CLIP).stats
    assert 0 < stats["clip_fraction"] < 1


def test_xi_and_xi_c_match_finite_differences(problem):
    theta, shapes, batch, game = problem
    w = theta.ravel()
    terms = surrogate_terms(theta, shapes, batch, CLIP)
    assert_allclose(terms.xi.ravel(), fd.fd_simultaneous_gradient(game, w), atol=1e-7)
    assert_allclose(terms.xi_c.ravel(), fd.fd_collective_gradient(game, w), atol=1e-7)


def test_hvps_match_finite_differences(problem):
    theta, shapes, batch, game = problem
    w = theta.ravel()
    aga = surrogate_terms(theta, shapes, batch, CLIP, hvp="collective")
    cga = surrogate_terms(theta, shapes, batch, CLIP, hvp="individual")
    Hc_xic = fd.fd_hvp(game.collective_loss, w, aga.xi_c.ravel())
    assert_allclose(aga.Hv.ravel(), Hc_xic, rtol=1e-4, atol=1e-6)
    H_xi = fd.fd_hvp(lambda v: sum(l(v) for l in game.losses), w, cga.xi.ravel())
    assert_allclose(cga.Hv.ravel(), H_xi, rtol=1e-4, atol=1e-6)


def test_entropy_gradient_matches_finite_differences(problem):
    from aga_ref.rl.policy import actor_terms, unflatten
    from tests.rl_setup import _logp  # noqa: F401  (the same forward as the game)

    theta, shapes, batch, _ = problem
    N = theta.shape[0]

    def neg_entropy(w):
        ent = actor_terms(unflatten(w.reshape(N, -1), shapes), batch.x, batch.actions, batch.avail)[
            1
        ]
        return -np.sum(batch.weight * ent)

    terms = surrogate_terms(theta, shapes, batch, CLIP)
    assert_allclose(terms.ent_grad.ravel(), fd.fd_gradient(neg_entropy, theta.ravel()), atol=1e-7)


@pytest.mark.parametrize("sign_rule", aga_ref.SIGN_RULES)
@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("lam", [0.5, -3.0, 100.0])
def test_learner_aga_equals_aga_direction_on_the_game(problem, sign_rule, align, lam):
    theta, shapes, batch, game = problem
    if align and lam < 0:  # the rule chooses lam's sign: refused (aga.check_aligned_lam)
        with pytest.raises(ValueError, match="lam must be > 0"):
            Config(method="aga", lam=lam, sign_rule=sign_rule, align=align)
        return
    config = Config(method="aga", lam=lam, sign_rule=sign_rule, align=align)
    terms = surrogate_terms(theta, shapes, batch, CLIP, *methods.needs("aga"))
    d, _ = methods.direction("aga", terms, config)
    expected = aga_ref.aga_direction(game, theta.ravel(), lam, align=align, sign_rule=sign_rule)
    assert_allclose(d.ravel(), expected, rtol=1e-9, atol=1e-12)


def test_learner_cga_simul_co_and_simul_ind_equal_the_games(problem):
    theta, shapes, batch, game = problem
    w = theta.ravel()
    for method, expected in [
        ("cga", aga_ref.cga_direction(game, w, lam=1.0)),
        ("simul-co", aga_ref.simul_co_direction(game, w)),
        ("simul-ind", aga_ref.simul_ind_direction(game, w)),
    ]:
        terms = surrogate_terms(theta, shapes, batch, CLIP, *methods.needs(method))
        d, _ = methods.direction(method, terms, Config(method=method))
        assert_allclose(d.ravel(), expected, rtol=1e-9, atol=1e-12, err_msg=method)


def test_hessians_are_block_diagonal_and_A_vanishes(problem):
    theta, shapes, batch, game = problem
    w, (N, P) = theta.ravel(), theta.shape
    H, H_c = aga_ref.game_hessian(game, w), aga_ref.collective_hessian(game, w)
    off = ~np.kron(np.eye(N, dtype=bool), np.ones((P, P), dtype=bool))
    assert np.abs(H[~off]).max() > 1e-3 and np.abs(H_c[~off]).max() > 1e-3  # not trivially 0
    assert np.all(H[off] == 0) and np.all(H_c[off] == 0)
    assert_allclose(H, H.T, atol=1e-12)  # so A = (H - H^T) / 2 = 0
    # ... and SGA (which adds lam * A^T xi) is Simul-Ind here
    assert_allclose(aga_ref.sga_direction(game, w, lam=10.0), aga_ref.simul_ind_direction(game, w),
                    atol=1e-12)  # fmt: skip


def test_collective_surrogate_is_not_the_sum_of_the_individual_ones(problem):
    theta, shapes, batch, game = problem
    w = theta.ravel()
    assert abs(game.collective_loss(w) - sum(l(w) for l in game.losses)) > 1e-3


def test_float32_stays_float32_through_every_derivative():
    theta, shapes, batch = tiny_problem(seed=2)
    f32 = [None if a is None or a.dtype.kind != "f" else a.astype(np.float32) for a in batch]
    batch32 = type(batch)(*[b if a is None else a for a, b in zip(f32, batch)])
    for hvp in (None, "collective", "individual"):
        terms = surrogate_terms(theta.astype(np.float32), shapes, batch32, CLIP, hvp=hvp)
        for name in ("xi", "xi_c", "ent_grad", "Hv"):
            value = getattr(terms, name)
            assert value is None or value.dtype == np.float32, (hvp, name, value.dtype)


def test_log_softmax_gradient_stays_float32():
    # autograd's gradient of max divides by an integer count, which upcasts to float64;
    # policy.log_softmax holds the shift constant so the backward pass stays float32
    from autograd import grad

    from aga_ref.rl.policy import log_softmax

    logits = np.random.default_rng(0).standard_normal((2, 5, 4)).astype(np.float32)
    g = grad(lambda z: np.sum(log_softmax(z)[..., 0] * 1.5))(logits)
    assert g.dtype == np.float32
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert_allclose(g, 1.5 * ((np.arange(4) == 0) - p), rtol=1e-5, atol=1e-6)
