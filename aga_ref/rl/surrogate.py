"""The policy-gradient game: PPO surrogates of a batch as losses of a differentiable game.

Players are the ``N`` agents; agent i's parameters ``theta_i`` (row i of ``theta`` (N, P))
define its policy ``pi_i``. A batch of experience (``Batch``) gives, with the probability
ratio ``rho_i = pi_i(a | o) / pi_old,i(a | o)`` and PPO's clipped objective
``J_i(theta_i; A) = E[min(rho_i A, clip(rho_i, 1 - eps, 1 + eps) A)]``,

    l_i(theta) = -J_i(theta_i; A_i)               agent i's advantage (GAE on r_i)
    l_c(theta) = -sum_j J_j(theta_j; A_c)          the collective advantage (GAE on sum_k r_k)

so that ``xi`` (block i = grad_{theta_i} l_i) and ``xi_c`` (block j = grad_{theta_j} l_c)
are PPO's policy gradients with the individual and with the collective advantage.

What ``H`` and ``H_c`` are here. Agent j's log-probabilities depend on ``theta_j`` only and
the advantages are constants of the batch, so every cross-agent second derivative of these
surrogates is zero: ``H`` and ``H_c`` are block-diagonal with symmetric blocks
``hess_{theta_i} l_i`` and ``hess_{theta_i} l_c``. Hence ``A = (H - H^T)/2 = 0``: SGA is
Simul-Ind, CGA's ``H^T xi`` is each agent's own Hessian of its own loss applied to its own
gradient, and AgA's ``H_c^T xi_c`` is one Hessian-vector product per agent, all computed
in one pass. The interaction between agents reaches AgA only through the advantages (from
the other agents' behaviour in the batch), not through ``H_c``. Score-function estimators
that keep cross-agent terms (DiCE, Foerster et al. 2018) are outside the paper.
``tests/test_rl_surrogate.py`` shows each of these facts on a built ``aga_ref.Game``.

Cost. ``xi`` = grad of ``sum_i l_i`` (the cross terms vanish), ``xi_c`` = grad of ``l_c``,
and ``H_c^T xi_c = grad Ham_c`` with ``Ham_c = 1/2 ||xi_c||^2``. One forward pass of all
agents' networks (batched along N) feeds every backward pass: ``xi``, ``xi_c`` and the
entropy gradient are vector-Jacobian products of that pass with cotangents on the
log-probabilities, and ``grad Ham_c`` differentiates the traced ``xi_c`` once more. No
cost grows with the number of agents beyond the batched products themselves. That product
is ``estimator="same"``; ``"split"`` (``aga_ref.rl.hamiltonian``) differentiates
``1/2 <xi_c^A, xi_c^B>`` over the minibatch's two halves instead, unbiased for
``grad 1/2 ||E xi_c||^2`` where ``"same"`` adds the gradient of its own variance.
"""

from collections import namedtuple

import autograd.numpy as anp
import numpy as np
from autograd import grad, make_vjp
from autograd.builtins import tuple as pair
from autograd.tracer import getval

from aga_ref._checks import one_of
from aga_ref.rl.hamiltonian import ESTIMATORS, combine, split_batch, split_hamiltonian
from aga_ref.rl.layers import DEFAULT_ARCH, arch_of
from aga_ref.rl.policy import actor_terms, flatten, unflatten

Batch = namedtuple("Batch", "x actions avail old_logp adv_ind adv_col weight")
Batch.__doc__ = """One (mini)batch of S samples per agent, every array (N, S, ...).

x (N, S, F) actor inputs; actions (N, S) int; avail (N, S, A) bool or None; old_logp (N, S)
log-probabilities when acting; adv_ind, adv_col (N, S) individual and collective advantages;
weight (N, S): each sample's weight in agent i's mean: 0 where the agent did not act (a reset
step, or the agent was inactive: MAPPO's active masks), the others equal, each row summing to
1 (or all 0 for an agent with no active sample, whose terms are then 0)."""

Terms = namedtuple("Terms", "xi xi_c ent_grad Hv stats")
Terms.__doc__ = """xi, xi_c (N, P); ent_grad (N, P) = grad of -E[entropy] (descend it to raise
the entropy); Hv (N, P): ``H_c^T xi_c`` (hvp="collective"), ``H^T xi`` (hvp="individual")
or None; stats: dict of floats (approx_kl, clip_fraction, entropy)."""


def ppo_objective(logp, batch, adv, clip):
    """PPO's clipped surrogate ``J_j`` of every agent (N,): weighted mean over samples.

    ``min(rho A, clip(rho, 1 - eps, 1 + eps) A)`` equals ``A min(rho, 1 + eps)`` where
    ``A >= 0`` and ``A max(rho, 1 - eps)`` where ``A < 0``; written so, with the clip applied
    to ``log rho`` before ``exp``, no branch that is not taken evaluates ``exp`` of a large
    log-ratio, so the value and its derivatives of every order stay finite wherever the
    taken branch is (autograd's ``0 * exp(100)`` of an unused branch is NaN in float32)."""
    delta = logp - batch.old_logp  # log rho (N, S)
    up = anp.exp(anp.minimum(delta, float(np.log1p(clip))))  # min(rho, 1 + eps)
    delta_neg = anp.where(adv < 0, delta, 0.0)  # only where the branch is taken
    down = anp.exp(anp.maximum(delta_neg, float(np.log1p(-clip))))  # max(rho, 1 - eps)
    return anp.sum(batch.weight * adv * anp.where(adv >= 0, up, down), axis=1)


def individual_losses(logp, batch, clip):
    """``[l_1, ..., l_N]`` (N,) as a function of the log-probabilities (N, S)."""
    return -ppo_objective(logp, batch, batch.adv_ind, clip)


def collective_loss(logp, batch, clip):
    """``l_c`` (scalar) as a function of the log-probabilities (N, S)."""
    return -anp.sum(ppo_objective(logp, batch, batch.adv_col, clip))


def _gradients(layers, batch, clip, need, stash, arch=DEFAULT_ARCH):
    """One forward pass, then ``xi`` and ``xi_c`` as VJPs of it: two tuples of per-layer
    arrays. Works on plain arrays and on autograd boxes alike (then ``grad`` of its output
    is an HVP); the entropy gradient and the statistics go to ``stash`` as plain arrays."""

    def pack(t):  # log-probabilities of the taken actions, entropies: a pair of (N, S)
        # a traced pair, not a stacked (2, N, S) array: indexing the stack would send every
        # gradient back through np.add.at (slower, for the same numbers)
        return pair(actor_terms(t, batch.x, batch.actions, batch.avail, arch))

    vjp, (logp, entropy) = make_vjp(pack)(layers)
    zeros = anp.zeros_like(getval(logp))
    xi = xi_c = None
    if "xi" in need:
        d_ind = grad(lambda lp: anp.sum(individual_losses(lp, batch, clip)))(logp)  # (N, S)
        xi = vjp((d_ind, zeros))  # grad sum_i l_i = xi (cross terms vanish)
    if "xi_c" in need:
        d_col = grad(lambda lp: collective_loss(lp, batch, clip))(logp)  # (N, S)
        xi_c = vjp((d_col, zeros))  # grad l_c
    stash["ent_grad"] = flatten([getval(g) for g in vjp((zeros, -batch.weight))])
    stash["logp"], stash["entropy"] = getval(logp), getval(entropy)
    return xi, xi_c


def _flat(g):
    """A tuple of per-layer (possibly boxed) arrays -> plain (N, P), or None."""
    return None if g is None else flatten([getval(a) for a in g])


def _split_product(layers, batch, clip, need, stash, pick, arch=DEFAULT_ARCH):
    """The ``split`` product (N, P): ``grad 1/2 <xi_c^A, xi_c^B>`` (``pick`` 1; 0: the same
    with ``xi``) on the halves of ``split_batch``; ``stash`` gets the whole minibatch's
    ``xi``, ``xi_c``, entropy gradient, log-probabilities and entropies from the halves'."""
    halves, share = split_batch(batch)
    parts = ({}, {})  # each half's stash

    def hamiltonian(t):  # 1/2 <xi_c^A, xi_c^B>
        grads = [_gradients(t, half, clip, need, part, arch) for half, part in zip(halves, parts)]
        stash["xi"], stash["xi_c"] = (combine(_flat(grads[0][k]), _flat(grads[1][k]), share)
                                      for k in (0, 1))  # fmt: skip
        return split_hamiltonian(grads[0][pick], grads[1][pick])

    Hv = flatten(grad(hamiltonian)(layers))  # 1/2 (H_c^A xi_c^B + H_c^B xi_c^A) (N, P)
    stash["ent_grad"] = combine(parts[0]["ent_grad"], parts[1]["ent_grad"], share)
    for name in ("logp", "entropy"):  # (N, S): the halves side by side, in the batch's order
        stash[name] = np.concatenate([parts[0][name], parts[1][name]], axis=1)
    return Hv


def surrogate_terms(theta, shapes, batch, clip, hvp=None, need=("xi", "xi_c"), estimator="same"):
    """``xi``, ``xi_c``, the entropy gradient and optionally one Hessian-vector product.

    Args:
        theta: (N, P) actor parameters.
        shapes: the actor's ``policy.layer_shapes``.
        batch: a ``Batch``.
        clip: PPO's ``eps``.
        hvp: None, ``"collective"`` (``H_c^T xi_c = grad Ham_c``, AgA) or ``"individual"``
            (``H^T xi = grad Ham``, CGA).
        need: which of ``"xi"``, ``"xi_c"`` to compute (the other is returned as None).
        estimator: how the product is estimated from the minibatch: ``"same"``, the
            gradient of ``1/2 ||xi_c||^2`` of the whole minibatch, or ``"split"``, of
            ``1/2 <xi_c^A, xi_c^B>`` over its two halves (``aga_ref.rl.hamiltonian``; the
            other terms stay the whole minibatch's).
    """
    one_of(estimator, "estimator", ESTIMATORS)
    need = set(need) | ({"xi_c"} if hvp == "collective" else {"xi"} if hvp else set())
    stash, layers, arch = {}, unflatten(theta, shapes), arch_of(shapes)  # arch: rl.layers
    if hvp is None:
        xi, xi_c = (_flat(g) for g in _gradients(layers, batch, clip, need, stash, arch))
        Hv = None
    elif estimator == "split":
        pick = 1 if hvp == "collective" else 0
        Hv = _split_product(layers, batch, clip, need, stash, pick, arch)
        xi, xi_c = stash["xi"], stash["xi_c"]
    else:
        pick = 1 if hvp == "collective" else 0

        def hamiltonian(t):  # 1/2 ||xi_c||^2 (or 1/2 ||xi||^2)
            grads = _gradients(t, batch, clip, need, stash, arch)
            stash["xi"], stash["xi_c"] = (_flat(g) for g in grads)
            return 0.5 * sum(anp.sum(a**2) for a in grads[pick])

        Hv = flatten(grad(hamiltonian)(layers))  # H_c^T xi_c or H^T xi (N, P)
        xi, xi_c = stash["xi"], stash["xi_c"]
    ratio = np.exp(stash["logp"] - batch.old_logp)
    acting = max(int(np.sum(np.sum(batch.weight, axis=1) > 0)), 1)  # agents with a sample
    stats = {  # means over those agents
        "approx_kl": float(np.sum(batch.weight * ((ratio - 1) - np.log(ratio))) / acting),
        "clip_fraction": float(np.sum(batch.weight * (np.abs(ratio - 1) > clip)) / acting),
        "entropy": float(np.sum(batch.weight * stash["entropy"]) / acting),
    }
    return Terms(xi, xi_c, stash["ent_grad"], Hv, stats)
