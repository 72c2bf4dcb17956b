"""MAPPO's choices inside one PPO update, each a ``Config`` field that ``aga_ref.rl.ppo``
consults: where the advantages are normalised, how the gradients are clipped, and what the
critics learn (normalised targets, Huber and clipped value loss).

Source: marlbenchmark/on-policy, ``onpolicy/algorithms/r_mappo/r_mappo.py``:

- ``adv_norm_scope="buffer"`` (``R_MAPPO.train``): before the epochs, one mean and one std
  of the advantages over the whole buffer's active samples (``nanmean``/``nanstd`` with the
  inactive ones set to NaN), ``A <- (A - mean) / (std + 1e-5)``, every sample, no further
  normalisation per minibatch. We take all agents' samples together (the shared runner's
  one buffer), separately for the individual and the collective advantage. Ours by default
  (``"minibatch"``): each agent's own mean and std in each minibatch.
- ``clip_per_network`` (``R_MAPPO.ppo_update``: ``clip_grad_norm_`` of the actor's, then
  the critic's parameters): each network's gradient is clipped to ``max_grad_norm`` alone.
  A row of ``theta`` is one agent's actor, a row of ``phi`` one critic (the centralised
  critic is one row). For AgA this rescales each agent's block of ``xi_tilde`` on its own,
  so a clip changes the direction, not only its length. Ours by default: one clip over
  all actors together.
- ``value_norm`` (``R_MAPPO.cal_value_loss``): in each minibatch the ValueNorm statistics
  are first updated with the minibatch's returns, then the returns are normalised by them
  and are the critics' targets (``aga_ref.rl.value_norm``; one statistic per agent and
  head). The returns come from GAE on the denormalised values (``aga_ref.rl.train``).
- ``huber_delta``, ``clip_value_loss``: ``aga_ref.rl.value_loss`` with the critics'
  outputs at collection time (``data["old_values"]``, normalised with ``value_norm``) and
  ``clip`` as the clip range (MAPPO's ``clip_param`` serves both).
"""

import numpy as np

from aga_ref.rl import value_norm
from aga_ref.rl.optim import clip_by_global_norm

ADV_EPS = 1e-5  # MAPPO's std + 1e-5


def normalise_buffer(data):
    """``data`` with ``adv_ind`` and ``adv_col`` (N, S) each normalised by one mean and std
    over every agent's active samples (``data["active"]`` (N, S)); a new dict."""
    out, active = dict(data), data["active"]
    for key in ("adv_ind", "adv_col"):
        seen = data[key][active].astype(np.float64)  # (number of active samples,)
        if seen.size:
            normalised = (data[key] - seen.mean()) / (seen.std() + ADV_EPS)
            out[key] = normalised.astype(np.float32)
    return out


def clip_rows(g, max_norm):
    """Each row of ``g`` (R, P) (one network per row) scaled down to norm ``max_norm`` if
    larger; also the rows' norms (R,) before clipping."""
    norms = np.sqrt(np.sum(np.square(g, dtype=np.float64), axis=1))  # (R,)
    scale = np.minimum(1.0, max_norm / (norms + 1e-12))
    return (g * scale[:, None].astype(g.dtype)).astype(g.dtype), norms


def clip(g, config):
    """``g`` clipped as ``config`` says: (clipped, norm); per network, the mean of the rows'
    norms (the progress file's ``actor_grad_norm`` and ``critic_grad_norm``)."""
    if not config.clip_per_network:
        return clip_by_global_norm(g, config.max_grad_norm)
    g, norms = clip_rows(g, config.max_grad_norm)
    return g, float(np.mean(norms))


def critic_targets(state, returns, live, config):
    """The critics' targets (N, s, 2) for a minibatch's ``returns`` (N, s, 2): the returns
    themselves, or with ``value_norm``, normalised after ``state["value_norm"]`` has been
    updated with the returns of the minibatch's transitions (``live`` (N, s), the same in
    every row: a reset step is no transition, and its return is not one)."""
    if not config.value_norm:
        return returns
    keep = live[0]  # (s,)
    if keep.any():
        state["value_norm"] = value_norm.update(state["value_norm"], returns[:, keep], axis=1)
    return value_norm.normalize(state["value_norm"], returns, 1)
