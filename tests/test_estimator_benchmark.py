"""benchmarks/hamiltonian_estimator.py's error of one minibatch's product against the
paper's (``against_mean``), on draws whose bias and noise are known by construction."""

import numpy as np
import pytest

from benchmarks.hamiltonian_estimator import against_mean


@pytest.mark.parametrize("bias, noise", [(0.0, 0.5), (0.8, 0.0), (0.6, 0.8)])
def test_the_error_is_the_bias_and_the_noise_of_one_draw(bias, noise):
    # target t with |t| = 1; unbiased draws t + noise; the estimator's draws t + b + noise,
    # b orthogonal to t with |b| = bias: each draw's relative error -> sqrt(bias^2 + noise^2)
    rng = np.random.default_rng(0)
    D, P = 400, 2000
    t = np.zeros(P)
    t[0] = 1.0
    b = np.zeros(P)
    b[1] = bias
    unbiased = t + noise * rng.standard_normal((D, P)) / np.sqrt(P)
    draws = t + b + noise * rng.standard_normal((D, P)) / np.sqrt(P)
    error, cosine = against_mean(draws, unbiased)
    assert error == pytest.approx(np.hypot(bias, noise), abs=0.02)
    assert cosine == pytest.approx(1 / np.hypot(1, np.hypot(bias, noise)), abs=0.02)


def test_a_draw_is_never_judged_against_a_mean_that_contains_it():
    # two draws, each the other's opposite: a pooled mean is 0 (error undefined); cross-fitted,
    # each draw is judged against the other: relative error 2, cosine -1
    draws = np.array([[1.0, 0.0], [-1.0, 0.0]])
    error, cosine = against_mean(draws, draws)
    assert (error, cosine) == (pytest.approx(2.0), pytest.approx(-1.0))
