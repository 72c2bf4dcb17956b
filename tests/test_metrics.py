"""Metrics against closed forms and a second implementation of the Gini coefficient."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

import aga_ref

rewards = hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(0, 10))
signed_rewards = hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-10, 10))


def sorted_gini(r):
    """Second implementation: G = sum_i (2i - n - 1) r_(i) / (n sum r), r >= 0 sorted."""
    r, n = np.sort(r), len(r)
    return np.sum((2 * np.arange(1, n + 1) - n - 1) * r) / (n * r.sum())


def test_equality_two_players_closed_form():
    assert math.isclose(aga_ref.equality([1.0, 3.0]), 1 - 2 / (2 * 4))
    assert aga_ref.equality([2.0, 2.0]) == 1.0


@pytest.mark.parametrize("n", [2, 3, 5])
def test_equality_when_one_player_has_everything_is_one_over_n(n):
    assert math.isclose(aga_ref.equality([7.0] + [0.0] * (n - 1)), 1 / n)


@given(rewards)
def test_gini_matches_the_sorted_formula_for_non_negative_rewards(r):
    if r.sum() > 1e-9:
        assert math.isclose(aga_ref.gini(r), sorted_gini(r), rel_tol=1e-9, abs_tol=1e-12)


@given(signed_rewards, st.floats(-5, 5).filter(lambda c: abs(c) > 1e-3))
def test_equality_is_bounded_and_scale_invariant(r, c):
    e = aga_ref.equality(r)
    assert 0.0 <= e <= 1.0
    assert math.isclose(aga_ref.equality(c * r), e, rel_tol=1e-9, abs_tol=1e-9)


def test_all_zero_rewards_are_perfectly_equal():
    assert aga_ref.equality([0.0, 0.0, 0.0]) == 1.0


def test_batched_metrics_match_row_by_row():
    r = np.random.default_rng(0).uniform(-1, 2, size=(7, 3))  # (runs, n)
    np.testing.assert_allclose(aga_ref.equality(r), [aga_ref.equality(row) for row in r])
    np.testing.assert_allclose(aga_ref.social_welfare(r), r.sum(axis=1))


def test_mean_ci_matches_scipy_t_interval():
    x = np.random.default_rng(1).normal(2.0, 0.5, size=50)
    mean, half = aga_ref.mean_ci(x)
    low, high = stats.t.interval(0.95, df=49, loc=x.mean(), scale=stats.sem(x))
    assert math.isclose(mean - half, low) and math.isclose(mean + half, high)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: aga_ref.equality([1.0]), "rewards must have shape"),
        (lambda: aga_ref.equality(np.zeros((2, 2, 2))), "rewards must have shape"),
        (lambda: aga_ref.equality([1.0, np.nan]), "rewards must be finite"),
        (lambda: aga_ref.mean_ci([1.0]), "samples must have shape"),
        (lambda: aga_ref.mean_ci([1.0, 2.0], confidence=1.5), "confidence must lie"),
    ],
)
def test_metrics_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
