"""Every public boundary rejects bad input with a ValueError/TypeError naming the argument."""

import numpy as np
import pytest

import aga_ref

f = lambda w: w[0] * w[1]  # noqa: E731
GAME = aga_ref.Game([f, f], [1, 1])
W = np.array([0.5, -0.5])


@pytest.mark.parametrize(
    "losses, sizes, error, match",
    [
        ([f], [2], ValueError, "losses"),
        ([f, f], [1], ValueError, "sizes"),
        ([f, f], [1, 0], ValueError, r"sizes\[1\]"),
        ([f, f], [1, 1.5], ValueError, r"sizes\[1\]"),
        ([f, "f"], [1, 1], TypeError, r"losses\[1\]"),
    ],
)
def test_game_rejects_bad_definitions(losses, sizes, error, match):
    with pytest.raises(error, match=match):
        aga_ref.Game(losses, sizes)


@pytest.mark.parametrize(
    "w, error, match",
    [
        (np.zeros(3), ValueError, r"w must have shape \(2,\), got shape \(3,\)"),
        (np.zeros((2, 1)), ValueError, "w must have shape"),
        (np.array([0.0, np.nan]), ValueError, "w must be finite"),
        (np.array([0.0, np.inf]), ValueError, "w must be finite"),
        (np.array(["a", "b"]), TypeError, "w must be a real numeric array"),
        (np.array([True, False]), TypeError, "w must be a real numeric array"),
    ],
)
@pytest.mark.parametrize(
    "function",
    [aga_ref.simultaneous_gradient, aga_ref.collective_gradient, aga_ref.game_hessian,
     aga_ref.collective_hessian, aga_ref.aga_sign, aga_ref.simul_ind_direction],
)  # fmt: skip
def test_points_are_validated(function, w, error, match):
    with pytest.raises(error, match=match):
        function(GAME, w)


def test_products_validate_v():
    with pytest.raises(ValueError, match=r"v must have shape \(2,\)"):
        aga_ref.game_hvp(GAME, W, np.zeros(5))
    with pytest.raises(ValueError, match="v must be finite"):
        aga_ref.collective_hvp(GAME, W, np.array([1.0, np.nan]))


def test_a_loss_returning_a_non_scalar_is_named():
    game = aga_ref.Game([f, lambda w: w], [1, 1])
    with pytest.raises(TypeError, match=r"losses\[1\] must return a scalar, got shape \(2,\)"):
        aga_ref.simultaneous_gradient(game, W)
    with pytest.raises(TypeError, match=r"losses\[1\] must return a scalar"):
        game.loss_values(W)


def test_unknown_options_are_named():
    with pytest.raises(ValueError, match="sign_rule must be one of"):
        aga_ref.aga_direction(GAME, W, 0.1, sign_rule="global")
    with pytest.raises(ValueError, match="method must be one of"):
        aga_ref.optimize(GAME, "adam", W, 3, 0.1)
    with pytest.raises(ValueError, match="collective must be one of"):
        aga_ref.Game([f, f], [1, 1], collective="max")
    with pytest.raises(TypeError, match="align must be True or False"):
        aga_ref.aga_direction(GAME, W, 0.1, align="yes")
    with pytest.raises(TypeError, match="lam must be a real number"):
        aga_ref.aga_direction(GAME, W, "0.1")
    with pytest.raises(ValueError, match="lam must be a finite number"):
        aga_ref.aga_direction(GAME, W, np.nan)


def test_loop_arguments_are_validated():
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        aga_ref.optimize(GAME, "aga", W, 3, 0.0, lam=0.1)
    with pytest.raises(TypeError, match="num_steps must be an integer"):
        aga_ref.optimize(GAME, "aga", W, 2.5, 0.1, lam=0.1)
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\)"):
        aga_ref.optimize(GAME, "aga", np.zeros(4), 3, 0.1, lam=0.1)
    with pytest.raises(TypeError, match="projection must be callable"):
        aga_ref.optimize(GAME, "simul_ind", W, 3, 0.1, projection=1)
    with pytest.raises(ValueError, match=r"must return shape \(2,\)"):
        aga_ref.optimize(GAME, lambda game, w: np.zeros(3), W, 3, 0.1)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_non_finite_derivatives_raise_instead_of_returning_nan():
    game = aga_ref.Game([lambda w: np.sqrt(w[0]), f], [1, 1])
    with pytest.raises(aga_ref.NonFiniteError, match="xi"):
        aga_ref.simultaneous_gradient(game, np.array([0.0, 1.0]))


@pytest.mark.parametrize("rule", [aga_ref.paper_sign, aga_ref.exact_sign])
def test_sign_rules_validate_their_vectors(rule):
    with pytest.raises(ValueError, match=r"xi_c must have shape \(2,\), got shape \(3,\)"):
        rule(np.ones(2), np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="Hc_xic must be finite"):
        rule(np.ones(2), np.ones(2), np.array([1.0, np.inf]))


def test_a_method_without_its_required_arguments_is_named_before_the_loop():
    with pytest.raises(TypeError, match=r"method 'aga' is aga_direction\(.*'lam'"):
        aga_ref.optimize(GAME, "aga", W, 3, 0.1)
    with pytest.raises(TypeError, match="method 'cga'.*'gamma'"):
        aga_ref.optimize(GAME, "cga", W, 3, 0.1, lam=1.0, gamma=2)


@pytest.mark.parametrize(
    "blocks, error",
    [
        ([slice(0, 1)], ValueError),  # does not cover 0..2
        ([slice(0, 1), slice(0, 2)], ValueError),  # overlaps
        ([slice(0, 1), slice(2, 3)], ValueError),  # a gap, and past D
        ([slice(0, 2, 2), slice(2, 3)], TypeError),  # a step
        ([[0], [1, 2]], TypeError),  # index lists, not slices
    ],
)
def test_per_agent_sign_refuses_blocks_that_do_not_tile_the_vectors(blocks, error):
    v = np.array([1.0, -2.0, 0.5])
    with pytest.raises(error, match="blocks"):
        aga_ref.per_agent_sign(v, v, v, blocks)
