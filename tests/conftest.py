"""Hypothesis profiles: ``deadline=None`` everywhere (autograd's first calls are slow);
``ci`` is also derandomized so CI runs are repeatable. Select with HYPOTHESIS_PROFILE.
The learner's tests share ``problem``: a tiny policy batch and its surrogate game."""

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.rl_setup import surrogate_game, tiny_problem

settings.register_profile("dev", deadline=None, max_examples=40)
settings.register_profile(
    "ci", deadline=None, max_examples=40, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(params=[(0, False), (1, True)], ids=["unmasked", "masked"])
def problem(request):
    seed, masked = request.param
    theta, shapes, batch = tiny_problem(seed=seed, masked=masked)
    N, P = theta.shape
    return theta, shapes, batch, surrogate_game(shapes, batch, N, P)
