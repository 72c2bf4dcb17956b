"""An unbiased estimator of AgA's product ``H_c^T xi_c`` on a minibatch: the ``split`` rule.

The learner's default (``"same"``) differentiates ``Ham_c = 1/2 ||xi_c||^2`` of the
minibatch's own estimate ``xi_c``. Over minibatches its expectation is

    E[grad 1/2 ||xi_c||^2] = grad 1/2 ||E xi_c||^2 + grad 1/2 tr Cov(xi_c)

(``E ||v||^2 = ||E v||^2 + tr Cov(v)``): besides the product of the paper, it descends the
estimator's own variance, i.e. the size of the per-sample scores. ``"split"`` cuts the
minibatch's S samples into two disjoint halves, A (the first ``S // 2`` positions of the
shuffled minibatch, the same for every agent: sample ``s`` is one transition for all of
them) and B (the rest), takes ``xi_c^A`` and ``xi_c^B`` as weighted means over each half
(each agent's weights renormalised within the half) and differentiates their inner product:

    Hc_xic_split = grad 1/2 <xi_c^A, xi_c^B> = 1/2 (H_c^A xi_c^B + H_c^B xi_c^A)

When the halves are independent draws, ``E <xi_c^A, xi_c^B> = <E xi_c^A, E xi_c^B> =
||E xi_c||^2``: the estimate is unbiased for ``grad 1/2 ||E xi_c||^2``
(``tests/test_rl_hamiltonian.py`` enumerates every minibatch of a small population).
Everything else of the step stays the full minibatch's: ``xi``, ``xi_c`` and the entropy
gradient are the halves' terms recombined with each agent's share of weight in each half
(``combine``; exact, the surrogates are weighted means), so only the product changes.

For equal halves of equal weights ``xi_c = (xi_c^A + xi_c^B) / 2`` and hence
``same - split = grad 1/8 ||xi_c^A - xi_c^B||^2``: the difference of the two estimates is
itself an estimate of the bias term above (``instruments``' ``hvp_bias`` column).

Cost. One forward pass per half (together, one pass over the minibatch), their
vector-Jacobian products for ``xi``, ``xi_c`` and the entropy, and one reverse pass through
both for the product: the same work as ``"same"`` on the same samples, in two calls of half
the size: a whole AgA update took 1.10-1.16x ``same``'s time on Harvest and Cleanup
(``benchmarks/hamiltonian_estimator.py``, docs/rl.md).

Limits. Independence is an assumption: the samples of one rollout are correlated in time
(the minibatch is a random subset of ``T * B`` steps of ``B`` episodes), so halves drawn
from it are not independent and a small bias remains; and the advantages are normalised
over the whole minibatch before it is split (``Config.norm_adv``), which couples the halves
too. An agent with no active sample in a half (``Batch.weight`` all 0 there, MAPPO's
active masks) has ``xi_c^A = 0`` and hence a zero product; with active masks the halves'
weights are also renormalised by a random count, so the estimate is exactly unbiased only
when every sample counts (all weights equal). Not in the paper: an option of this
reference implementation (``Config.hamiltonian_estimator``).
"""

import autograd.numpy as anp
import numpy as np

ESTIMATORS = ("same", "split")


def split_batch(batch):
    """The two halves of ``batch`` (a ``surrogate.Batch`` of S >= 2 samples) and each agent's
    share of weight in each: ((batch_A, batch_B), share (2, N, 1)).

    A holds positions ``0 .. S // 2 - 1``, B the rest; each half's weights are the row's
    weights renormalised to sum 1 within it (0 where the agent has no weight there), so
    ``weight = share[0] * weight_A`` on A and ``share[1] * weight_B`` on B."""
    S = batch.actions.shape[1]
    if S < 2:
        raise ValueError(f"the split estimator needs a minibatch of S >= 2 samples, got S={S}")
    halves, shares = [], []
    for part in (slice(0, S // 2), slice(S // 2, S)):
        w = batch.weight[:, part]  # (N, S_half)
        share = np.sum(w, axis=1, keepdims=True)  # (N, 1)
        halves.append(batch._replace(
            x=batch.x[:, part], actions=batch.actions[:, part], old_logp=batch.old_logp[:, part],
            avail=None if batch.avail is None else batch.avail[:, part],
            adv_ind=batch.adv_ind[:, part], adv_col=batch.adv_col[:, part],
            weight=w / np.where(share > 0, share, 1.0),
        ))  # fmt: skip
        shares.append(share)
    return tuple(halves), np.stack(shares)  # share (2, N, 1)


def combine(term_A, term_B, share):
    """The full minibatch's term (N, P) from the halves' (N, P) (either may be None: None)."""
    if term_A is None or term_B is None:
        return None
    return (share[0] * term_A + share[1] * term_B).astype(term_A.dtype)


def split_hamiltonian(xic_A, xic_B):
    """``1/2 <xi_c^A, xi_c^B>``, summed over agents: ``xic_A``, ``xic_B`` are tuples of
    per-layer (possibly traced) arrays. Its gradient is the ``split`` product."""
    return 0.5 * sum(anp.sum(a * b) for a, b in zip(xic_A, xic_B))
