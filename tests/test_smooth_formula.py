"""The smooth family's gradient and Hessian as stated in ``games/smooth.py`` and the data's
schema (issue 18, item 14): ``Q`` is not symmetric in most of the conformance games, so the
gradient of ``1/2 w^T Q w`` is ``(Q + Q^T)/2 w``. Checked against autograd on every smooth
game of the conformance data, at its cases' points and at random ones."""

import json

import autograd
import numpy as np
import pytest

import games.smooth
from aga_ref import conformance
from games.smooth import smooth_loss

GAMES = {k: g for k, g in conformance.load()["games"].items() if g["family"] == "smooth"}


def terms(c, D):
    """(Q, b, A, U, phi, P) of one coefficient dict, a missing term as zeros."""
    K = len(c.get("sin_amplitude", []))
    shapes = {"Q": (D, D), "b": D, "sin_amplitude": K, "sin_U": (K, D), "sin_phase": K,
              "cubic": (0, D)}  # fmt: skip
    return [np.array(c[k], dtype=float) if k in c else np.zeros(s) for k, s in shapes.items()]


def stated_gradient(c, w, symmetrise=True):
    """(Q + Q^T)/2 w + b + sum_k A_k cos(U_k^T w + phi_k) U_k + sum_m 3 (P_m^T w)^2 P_m"""
    Q, b, A, U, phi, P = terms(c, len(w))
    S = (Q + Q.T) / 2 if symmetrise else Q
    return S @ w + b + (A * np.cos(U @ w + phi)) @ U + (3 * (P @ w) ** 2) @ P


def stated_hessian(c, w):
    """(Q + Q^T)/2 - sum_k A_k sin(U_k^T w + phi_k) U_k U_k^T + sum_m 6 (P_m^T w) P_m P_m^T"""
    Q, b, A, U, phi, P = terms(c, len(w))
    return (Q + Q.T) / 2 - U.T @ np.diag(A * np.sin(U @ w + phi)) @ U + P.T @ np.diag(6 * P @ w) @ P


def points(game_id):
    D = sum(GAMES[game_id]["sizes"])
    rng = np.random.default_rng(len(game_id))
    at_cases = [np.array(c["w"]) for c in conformance.load()["cases"] if c["game"] == game_id]
    return at_cases + list(rng.uniform(-2, 2, (3, D)))


@pytest.mark.parametrize("game_id", sorted(GAMES))
def test_the_stated_gradient_and_hessian_are_autograds(game_id):
    spec = GAMES[game_id]
    D = sum(spec["sizes"])
    for c in spec["losses"]:
        loss = smooth_loss(c, D)
        for w in points(game_id):
            np.testing.assert_allclose(stated_gradient(c, w), autograd.grad(loss)(w), atol=1e-12)
            np.testing.assert_allclose(stated_hessian(c, w), autograd.hessian(loss)(w), atol=1e-12)


def test_q_w_is_wrong_on_the_data_so_the_check_can_fail():
    asymmetric = [
        (k, c) for k, g in GAMES.items() for c in g["losses"]
        if "Q" in c and not np.allclose(c["Q"], np.transpose(c["Q"]))
    ]  # fmt: skip
    assert len(asymmetric) == 8  # of 13 Q matrices: grad = Q w is no formula for them
    for game_id, c in asymmetric:
        w = points(game_id)[0]
        assert not np.allclose(stated_gradient(c, w, symmetrise=False), stated_gradient(c, w))


def test_the_module_and_the_schema_state_the_symmetrised_gradient():
    with open(conformance.SCHEMA_PATH, encoding="utf-8") as f:
        text = json.dumps(json.load(f))
    assert text.count("(Q + Q^T)/2 w") >= 2  # the losses' and Q's descriptions
    assert "grad l_i(w) = (Q + Q^T)/2 w + b" in games.smooth.__doc__
