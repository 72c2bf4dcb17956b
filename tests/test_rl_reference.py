"""``aga_ref.rl.reference_terms``: your own weights and minibatch in the documented layout give
the same terms as ``aga_ref`` on the surrogate game built by the tests' own set-up, and bad
input is refused naming the argument."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import aga_ref
from aga_ref.rl import flatten_weights, reference_terms
from aga_ref.rl.policy import unflatten
from aga_ref.rl.reference import LAYER_NAMES
from tests.rl_setup import CLIP, surrogate_game, tiny_problem


def user_layout(seed=0):
    theta, shapes, batch = tiny_problem(seed=seed, masked=True)
    weights = dict(zip(LAYER_NAMES, unflatten(theta, shapes)))
    minibatch = {"inputs": batch.x, "actions": batch.actions, "avail": batch.avail,
                 "old_logp": batch.old_logp, "adv_ind": batch.adv_ind, "adv_col": batch.adv_col,
                 "sample_weight": batch.weight}  # fmt: skip
    return weights, minibatch, theta, shapes, batch


@pytest.mark.parametrize("sign_rule", aga_ref.SIGN_RULES)
def test_the_terms_equal_aga_refs_on_the_surrogate_game(sign_rule):
    weights, minibatch, theta, shapes, batch = user_layout()
    game = surrogate_game(shapes, batch, *theta.shape)
    w = theta.ravel()
    out = reference_terms(weights, minibatch, CLIP)
    t = aga_ref.aga_terms(game, w, 0.1, sign_rule=sign_rule)
    assert_allclose(out[f"xi_tilde[sign_rule={sign_rule},lam=0.1]"], t.xi_tilde, atol=1e-12)
    assert_allclose(out[f"sign_{sign_rule}"], t.sign)
    assert_allclose(out["Ht_xi"], aga_ref.game_htvp(game, w, t.xi), atol=1e-12)
    assert_allclose(out["cga[lam=1.0]"], aga_ref.cga_direction(game, w, 1.0), atol=1e-12)
    assert np.array_equal(flatten_weights(weights).ravel(), w)


def test_fcgrad_needs_values_and_follows_them():
    weights, minibatch, *_ = user_layout()
    assert "fcgrad[beta=0.8]" not in reference_terms(weights, minibatch)
    low, high = ([0.0, 0.0], [-9.0, -9.0]), ([0.0, 0.0], [9.0, 9.0])
    a = reference_terms(weights, minibatch, values=low)["fcgrad[beta=0.8]"]
    b = reference_terms(weights, minibatch, values=high)["fcgrad[beta=0.8]"]
    xi, xi_c = (reference_terms(weights, minibatch)[k].reshape(2, -1) for k in ("xi", "xi_c"))
    conflict = np.sum(xi * xi_c, axis=1) < 0  # only conflicting agents look at the values
    assert np.array_equal(a.reshape(2, -1)[~conflict], b.reshape(2, -1)[~conflict])
    assert not conflict.any() or not np.allclose(a, b)


def broken(change):
    weights, minibatch, *_ = user_layout()
    weights, minibatch = dict(weights), dict(minibatch)
    change(weights, minibatch)
    return weights, minibatch


def _set(where, key, value):
    return lambda w, m: (w if where == "w" else m).__setitem__(key, value(w, m))


@pytest.mark.parametrize(
    "change, error, words",
    [
        (lambda w, m: w.pop("b3"), ValueError, "weights must be a dict with keys"),
        (_set("w", "W2", lambda w, m: w["W2"][:, :2]), ValueError, "weights['W2'] must have shape"),
        (_set("w", "W1", lambda w, m: w["W1"][:1]), ValueError, "at least 2 agents"),
        (_set("w", "b1", lambda w, m: w["b1"] * np.nan), ValueError, "['b1'] must be finite"),
        (lambda w, m: m.pop("old_logp"), ValueError, "minibatch is missing ['old_logp']"),
        (_set("m", "advantages", lambda w, m: 1), ValueError, "minibatch must be a dict with keys"),
        (_set("m", "inputs", lambda w, m: m["inputs"][..., :2]), ValueError, "minibatch['inputs']"),
        (_set("m", "actions", lambda w, m: m["actions"] * 1.0), TypeError, "minibatch['actions']"),
        (_set("m", "actions", lambda w, m: m["actions"] + 9), ValueError, "must lie in [0, 3)"),
        (_set("m", "avail", lambda w, m: np.zeros_like(m["avail"])), ValueError,
         "minibatch['avail'] must allow every taken action"),
        (_set("m", "avail", lambda w, m: m["avail"] * 1), TypeError, "minibatch['avail']"),
        (_set("m", "sample_weight", lambda w, m: m["sample_weight"] * 2), ValueError,
         "summing to 1 (or all 0), got row sums [2.0, 2.0]"),
        (_set("m", "adv_col", lambda w, m: m["adv_col"][:, :3]), ValueError,
         "minibatch['adv_col'] must have shape (2, 7)"),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument(change, error, words):
    weights, minibatch = broken(change)
    with pytest.raises(error) as info:
        reference_terms(weights, minibatch)
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"clip": 1.5}, ValueError, "clip must lie in (0, 1), got 1.5"),
        ({"clip": "0.2"}, TypeError, "clip must be a real number"),
        ({"values": [0.0, 1.0, 2.0]}, TypeError, "values must be a pair"),
        ({"values": ([0.0], [1.0, 2.0])}, ValueError, "values[0] must have shape (2,)"),
    ],
)
def test_bad_options_name_the_argument(kwargs, error, words):
    weights, minibatch, *_ = user_layout()
    with pytest.raises(error) as info:
        reference_terms(weights, minibatch, **kwargs)
    assert words in str(info.value), str(info.value)
