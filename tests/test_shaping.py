"""SVO and SL reward shaping against hand-derived values on a linear public goods game."""

import math

import numpy as np

import aga_ref

B, C = 1.0, 1.5  # p_i = b - a_i + (c/2)(a_1 + a_2), actions are the raw parameters here
LINEAR_PG = aga_ref.Game(
    [lambda w: -(B - w[0] + C / 2 * (w[0] + w[1])), lambda w: -(B - w[1] + C / 2 * (w[0] + w[1]))],
    [1, 1],
)
W = np.array([0.2, 0.7])


def test_sl_gradient_closed_form():
    """d l_i'/d a_i = (1 - c/2) + alpha (1 - c): cooperation pays iff alpha > 1/2 at c = 1.5."""
    for alpha in [0.0, 0.5, 1.0, 2.0]:
        xi = aga_ref.simultaneous_gradient(aga_ref.sl_game(LINEAR_PG, alpha), W)
        np.testing.assert_allclose(xi, (1 - C / 2) + alpha * (1 - C))


def test_svo_loss_values_by_hand():
    theta, weight = math.pi / 4, 0.5
    shaped = aga_ref.svo_game(LINEAR_PG, theta, weight)
    r1, r2 = LINEAR_PG.rewards(W)
    expected = [
        -r1 + weight * abs(theta - math.atan2(r2, r1)),
        -r2 + weight * abs(theta - math.atan2(r1, r2)),
    ]
    np.testing.assert_allclose(shaped.loss_values(W), expected)


def test_svo_with_zero_weight_is_the_original_game():
    shaped = aga_ref.svo_game(LINEAR_PG, w_svo=0.0)
    np.testing.assert_allclose(
        aga_ref.simultaneous_gradient(shaped, W), aga_ref.simultaneous_gradient(LINEAR_PG, W)
    )
