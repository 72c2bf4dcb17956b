"""The tolerance's scales without dense Hessians (aga_ref.conformance.scales): equal to the dense
definition for small D (so the committed scales are reproduced), a lower bound of it
above, O(D) memory at network sizes, and still wide enough for float32 rounding."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from aga_ref import conformance
from aga_ref.conformance import scales
from games.conformance_specs import build
from tests.rl_setup import surrogate_game, tiny_problem
from tests.strategies import smooth_games

ROOT = os.path.join(os.path.dirname(__file__), "..")


@pytest.mark.parametrize("case", conformance.cases()[::3], ids=lambda c: c["id"])
def test_the_committed_scales_are_reproduced_matrix_free_and_dense(case):
    game, w = build(case["game"]), np.array(case["w"])
    for method in scales.METHODS:
        S = conformance.reference_scales(game, w, method)
        assert S.keys() == case["scale"].keys()
        np.testing.assert_allclose(list(S.values()), list(case["scale"].values()), rtol=1e-12)


def matrix_rows(A):
    """``rows`` of ``abs_times`` for explicit matrices A (m, D, D)."""
    return lambda *v: tuple(a @ x for a, x in zip(A, v))


@given(hnp.arrays(np.float64, (2, 5, 5), elements=st.floats(-1, 1)),
       hnp.arrays(np.float64, 5, elements=st.floats(0, 1)))  # fmt: skip
def test_all_sign_vectors_give_the_dense_product_and_fewer_a_lower_bound(A, x):
    masks, dense = np.ones((2, 5)), np.abs(A) @ x  # (2, 5)
    exact = scales.abs_times(matrix_rows(A), x, scales.sign_probes(5), masks)
    some = scales.abs_times(matrix_rows(A), x, scales.sign_probes(5)[:3], masks)
    np.testing.assert_allclose(exact, dense, atol=1e-12)
    assert np.all(some <= dense + 1e-12)


def test_one_probe_misses_a_cancelling_row_and_the_sign_vectors_do_not():
    A = np.array([[[1.0, -1.0], [-1.0, 0.0]]])  # row 0 cancels on z = (1, 1)
    x, masks = np.ones(2), np.ones((1, 2))
    assert scales.abs_times(matrix_rows(A), x, np.ones((1, 2)), masks)[0, 0] == 0.0
    assert scales.abs_times(matrix_rows(A), x, scales.sign_probes(2), masks)[0, 0] == 2.0


def test_sign_probes_are_every_pattern_up_to_sign_then_seeded_random():
    z = scales.sign_probes(4)
    assert z.shape == (8, 4) and len({tuple(r) for r in np.vstack([z, -z])}) == 16
    big = scales.sign_probes(50, num_probes=5)
    assert big.shape == (6, 50) and np.all(big[0] == 1) and np.all(np.abs(big) == 1)
    np.testing.assert_array_equal(big, scales.sign_probes(50, num_probes=5))


@settings(max_examples=15)
@given(smooth_games(max_players=4, max_size=4))
def test_matrix_free_scales_never_exceed_the_dense_ones(case):
    game, w, _ = case
    mf, dense = (conformance.reference_scales(game, w, m) for m in scales.METHODS)
    for name, value in mf.items():
        assert value <= dense[name] * (1 + 1e-12), name
        if game.dim <= scales.EXACT_DIM:
            assert value == pytest.approx(dense[name], rel=1e-12), name


def test_an_explicit_collective_loss_is_bounded_by_its_dense_scales():
    theta, shapes, batch = tiny_problem(seed=1, N=2, hidden=3, masked=True)  # D = 2 * 37
    game, w = surrogate_game(shapes, batch, *theta.shape), theta.ravel()
    mf, dense = (conformance.reference_scales(game, w, m) for m in scales.METHODS)
    ratios = np.array([dense[k] / mf[k] for k in mf])
    assert np.all(ratios >= 1 - 1e-12) and np.all(ratios <= np.sqrt(game.dim)), ratios


def test_rounding_w_to_float32_stays_far_inside_the_float32_tolerance():
    """The sampled lower bound is still wide enough: the change of every quantity when a
    network's weights are rounded to float32 is ~1e-7 of its scale, not 1e-4."""
    theta, shapes, batch = tiny_problem(seed=0, N=3, S=16, F=6, hidden=24, A=4, masked=True)
    game, w = surrogate_game(shapes, batch, *theta.shape), theta.ravel()  # D = 3 * 892
    S = conformance.reference_scales(game, w)
    ref = conformance.reference_outputs(game, w)
    rounded = conformance.reference_outputs(game, w.astype(np.float32).astype(np.float64))
    errors = {k: np.max(np.abs(np.subtract(ref[k], rounded[k]))) / S[k] for k in S}
    assert max(errors.values()) < 1e-2 * conformance.RTOL_FLOAT32, errors


def test_scales_at_network_size_take_seconds_and_bounded_memory():
    """D = 23,125 (5 actors, two hidden layers of 60): one dense |hess l_i| alone would take
    4.3 GB. Limits are loose for a loaded 2-core machine (measured: 2 s, 133 MB)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, "-m", "benchmarks.scales", "--hidden", "60"]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    found = re.search(r"D (\d+) .* reference_scales ([\d.]+) s  peak memory (\d+) MB", out.stdout)
    dim, seconds, megabytes = int(found[1]), float(found[2]), int(found[3])
    assert dim == 23125 and seconds < 60 and megabytes < 1000, out.stdout


@pytest.mark.parametrize(
    "kwargs, error, words",
    [({"game": "toy"}, TypeError, "game must be an aga_ref.Game, got str"),
     ({"method": "lu"}, ValueError, "method must be one of"),
     ({"num_probes": -1}, ValueError, "num_probes must be an integer >= 0, got -1"),
     ({"w": [1.0]}, ValueError, "w must have shape (2,)")],
)  # fmt: skip
def test_bad_input_names_the_argument(kwargs, error, words):
    from games.toy import toy_game

    args = {"game": toy_game(), "w": np.zeros(2), **kwargs}
    with pytest.raises(error, match=re.escape(words)):
        scales.term_sizes(**args)
