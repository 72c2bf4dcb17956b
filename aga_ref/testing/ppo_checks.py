"""Property-based checks of AgA on PPO minibatches: ``ppo_minibatches`` and
``assert_ppo_quantities_match`` (``aga_ref.testing``'s docstring)."""

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from aga_ref import conformance
from aga_ref.testing.aga_checks import _signs_clear_of_ties


@st.composite
def ppo_minibatches(draw, max_agents=3, max_samples=16):
    """``(weights, minibatch)`` in ``aga_ref.rl.reference``'s layout (docs/verify.md, "PPO
    minibatches"): N in 2..``max_agents`` actors ``tanh(tanh(x W1 + b1) W2 + b2) W3 + b3``
    with F in 1..3 inputs, H in 2..4 hidden units, A in 2..4 actions; S in
    4..``max_samples`` samples; about 30% of the actions masked (action 0 never); about 20%
    of each agent's samples inactive (weight 0; sample 0 always active); old
    log-probabilities from weights perturbed by 0.3, so PPO's clip binds on some samples;
    advantages as used (standard normal). float64; drawn from one seeded NumPy generator."""
    from aga_ref.rl.policy import actor_terms, layer_shapes, unflatten
    from aga_ref.rl.reference import LAYER_NAMES, flatten_weights

    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    N, S = draw(st.integers(2, max_agents)), draw(st.integers(4, max_samples))
    F, H, A = draw(st.integers(1, 3)), draw(st.integers(2, 4)), draw(st.integers(2, 4))
    shapes = dict(zip(LAYER_NAMES, layer_shapes(F, H, A)))
    weights = {k: rng.normal(0.0, 1 / np.sqrt(s[0]) if len(s) == 2 else 0.3, (N, *s))
               for k, s in shapes.items()}  # fmt: skip
    avail = rng.random((N, S, A)) < 0.7
    avail[..., 0] = True
    actions = np.array([[rng.choice(np.flatnonzero(a)) for a in row] for row in avail])
    active = rng.random((N, S)) < 0.8
    active[:, 0] = True
    old = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in weights.items()}
    layers = unflatten(flatten_weights(old), layer_shapes(F, H, A))
    x = rng.standard_normal((N, S, F))
    minibatch = {"inputs": x, "actions": actions, "avail": avail,
                 "old_logp": actor_terms(layers, x, actions, avail)[0],
                 "adv_ind": rng.standard_normal((N, S)), "adv_col": rng.standard_normal((N, S)),
                 "sample_weight": active / active.sum(axis=1, keepdims=True)}  # fmt: skip
    return weights, minibatch


def assert_ppo_quantities_match(ppo_quantities, weights, minibatch, clip=0.2,
                                rtol=conformance.RTOL, atol=conformance.ATOL):  # fmt: skip
    """Check ``ppo_quantities(weights, minibatch, clip) -> {name: value}`` (any of
    ``aga_ref.conformance.ppo.QUANTITIES`` but FCGrad's, which needs critic values) against
    ``aga_ref.rl.reference_terms`` with the kit's tolerance; draws near a sign tie are
    rejected (``assume``). Raises ``AssertionError`` with the kit's report."""
    from aga_ref.rl.reference import reference_terms, surrogate_game

    if not callable(ppo_quantities):
        raise TypeError(f"ppo_quantities must be callable, got {type(ppo_quantities).__name__}")
    ref = reference_terms(weights, minibatch, clip)
    game, w = surrogate_game(weights, minibatch, clip)
    scales = conformance.reference_scales(game, w)
    assume(_signs_clear_of_ties(game, {**ref, "H_xi": ref["Ht_xi"]}, scales))  # H symmetric
    outputs = ppo_quantities(weights, minibatch, clip)
    if not isinstance(outputs, dict) or not outputs:
        raise AssertionError(f"ppo_quantities must return a non-empty dict {{name: value}}, "
                             f"got {type(outputs).__name__} {outputs!r:.60}")  # fmt: skip
    conformance.check_tolerance(rtol, atol)
    rows = [(str(name), f"unknown quantity; known: {', '.join(ref)}", None, None)
            if name not in ref else
            conformance._compare(name, value, ref[name], scales.get(name), rtol, atol,
                                 game.num_players)
            for name, value in outputs.items()]  # fmt: skip
    report = conformance.Report("drawn PPO minibatch", rows, [])
    if not report:
        sizes = {k: np.shape(v) for k, v in minibatch.items()}
        raise AssertionError(f"{report}\nat a minibatch of shapes {sizes}")
