"""The kit's games and PPO surrogates written once over a framework's array operations, for
the adapters ``aga_ref.conformance.torch`` and ``aga_ref.conformance.jax``.

Every loss is a function of ``params``, the list of the players' parameter arrays (player
``i``'s block, ``(d_i,)``), as a user of PyTorch or JAX holds them; the formulas are those
of docs/verify.md (step 2, "PPO minibatches") and ``aga_ref.conformance.families``, written
here a second time (``tests/test_conformance_adapters.py`` checks the two agree on every
case). ``ops`` names the few operations that differ between frameworks:

    ops.tensor(x)               an array of the adapter's dtype from numbers or lists
    ops.sigmoid, ops.sin, ops.cos, ops.tanh, ops.exp, ops.log_softmax (last axis)
    ops.cat(list), ops.stack(list), ops.eye(n), ops.solve(A, b), ops.clip(x, lo, hi)
    ops.minimum(a, b), ops.where(mask, a, b)

The PPO actors take agent ``i``'s flat parameters ``(P,)``: ``W1 (F, H), b1, W2 (H, H), b2,
W3 (H, A), b3``, each row-major (``aga_ref.rl.flatten_weights``'s layout).
"""

import numpy as np

IPD_REWARDS = ([-1.0, -3.0, 0.0, -2.0], [-1.0, 0.0, -3.0, -2.0])  # CC, CD, DC, DD
LAYERS = ("W1", "b1", "W2", "b2", "W3", "b3")


def game_losses(spec, ops):
    """The players' losses of a kit spec, each ``l_i(params) -> scalar``."""
    family = spec["family"]
    if family == "toy":  # a_1, a_2 = params[0][0], params[1][0]
        return [lambda p: -ops.sin(p[0][0] * p[1][0] + p[1][0] ** 2),
                lambda p: -(ops.cos(1 + p[0][0] - (1 + p[1][0]) ** 2)
                            + p[0][0] * p[1][0] ** 2)]  # fmt: skip
    if family == "public_goods":
        n, b, c = spec["n"], spec["b"], spec["c"]
        contributions = lambda p: b * ops.sigmoid(ops.cat(p))  # noqa: E731  (n,)
        return [lambda p, i=i: -(b - contributions(p)[i] + c / n * contributions(p).sum())
                for i in range(n)]  # fmt: skip
    if family == "matching_pennies":
        l_1 = lambda p: (2 * ops.sigmoid(p[0][0]) - 1) * (2 * ops.sigmoid(p[1][0]) - 1)  # noqa: E731
        return [l_1, lambda p: -l_1(p)]
    if family == "tandem":
        return [lambda p: (p[0][0] + p[1][0]) ** 2 - 2 * p[0][0],
                lambda p: (p[0][0] + p[1][0]) ** 2 - 2 * p[1][0]]  # fmt: skip
    if family == "ipd":
        return [lambda p, r=r: -(_ipd_visits(p, spec["gamma"], ops) * ops.tensor(r)).sum()
                for r in IPD_REWARDS]  # fmt: skip
    D = sum(spec["sizes"])
    return [_smooth_loss(k, D, ops) for k in spec["losses"]]


def _ipd_visits(p, gamma, ops):
    """``p0 (I - gamma P)^{-1}`` (4,): discounted visits of CC, CD, DC, DD."""
    c1, c2 = ops.sigmoid(p[0]), ops.sigmoid(p[1])  # (5,) each: P(cooperate) per state
    joint = ops.stack([c1 * c2, c1 * (1 - c2), (1 - c1) * c2, (1 - c1) * (1 - c2)])  # (4, 5)
    A = ops.eye(4) - gamma * joint[:, 1:].T  # I - gamma P, row s of P: the move after s
    return ops.solve(A.T, joint[:, 0])  # (4,)


def _smooth_loss(k, D, ops):
    """``1/2 w^T Q w + b^T w + sum A sin(U w + phi) + sum (P w)^3``, ``w`` the blocks joined."""
    get = lambda key, shape: ops.tensor(k[key]) if key in k else ops.tensor(np.zeros(shape))  # noqa: E731
    Q, b, A, P = get("Q", (D, D)), get("b", D), get("sin_amplitude", 0), get("cubic", (0, D))
    U, phi = get("sin_U", (len(k.get("sin_amplitude", [])), D)), get("sin_phase", len(A))

    def loss(p):
        w = ops.cat(p)  # (D,)
        return 0.5 * w @ (Q @ w) + b @ w + (A * ops.sin(U @ w + phi)).sum() + ((P @ w) ** 3).sum()

    return loss


def flat_actor_params(case):
    """Each agent's flat parameters ``(N, P)`` as a NumPy array, the kit's layout."""
    N = len(case["sizes"])
    return np.concatenate([np.reshape(case["weights"][k], (N, -1)) for k in LAYERS], axis=1)


def actor_logits(theta, x, network, ops):
    """Agent logits ``(S, A)`` of its flat parameters ``theta`` (P,) at inputs ``x`` (S, F)."""
    F, H, A = network["num_inputs"], network["hidden"], network["num_actions"]
    shapes = [(F, H), (H,), (H, H), (H,), (H, A), (A,)]
    sizes = [int(np.prod(s)) for s in shapes]
    ends = np.cumsum(sizes)
    W1, b1, W2, b2, W3, b3 = (theta[e - n : e].reshape(s) for s, n, e in zip(shapes, sizes, ends))
    return ops.tanh(ops.tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3


def ppo_losses(case, ops):
    """``(losses, l_c)`` of a PPO case: ``l_i = -J_i(adv_ind)``, ``l_c = -sum_j J_j(adv_col)``,
    ``J_i(A) = sum_s q_is min(rho_is A_is, clip(rho_is, 1 - eps, 1 + eps) A_is)``."""
    mb, eps, net = case["minibatch"], case["clip"], case["network"]
    x, q, old_logp = (ops.tensor(mb[k]) for k in ("inputs", "sample_weight", "old_logp"))
    avail = np.asarray(mb["avail"], dtype=bool)  # (N, S, A)
    taken = ops.tensor(np.eye(net["num_actions"])[np.asarray(mb["actions"])])  # (N, S, A) 0/1
    adv = {k: ops.tensor(mb[k]) for k in ("adv_ind", "adv_col")}  # (N, S) each

    def J(p, i, kind):  # agent i's clipped surrogate, weighted by its sample weights
        logits = ops.where(avail[i], actor_logits(p[i], x[i], net, ops), -1e9)  # (S, A)
        logp = (ops.log_softmax(logits) * taken[i]).sum(-1)  # (S,): log pi_i(a | x)
        rho, a = ops.exp(logp - old_logp[i]), adv[kind][i]
        return (q[i] * ops.minimum(rho * a, ops.clip(rho, 1 - eps, 1 + eps) * a)).sum()

    N = len(case["sizes"])
    losses = [lambda p, i=i: -J(p, i, "adv_ind") for i in range(N)]
    return losses, lambda p: -sum(J(p, i, "adv_col") for i in range(N))
