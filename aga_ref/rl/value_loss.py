"""MAPPO's value loss: the Huber loss of the value error, with PPO-style value clipping.

Source: marlbenchmark/on-policy, ``R_MAPPO.cal_value_loss`` (``onpolicy/algorithms/r_mappo/
r_mappo.py``) and ``huber_loss`` (``onpolicy/utils/util.py``), defaults ``use_huber_loss``,
``huber_delta = 10``, ``use_clipped_value_loss``, ``clip_param = 0.2``. With the critic's
values ``V``, the values ``V_old`` it gave when the batch was collected, and the targets
``R`` (normalised by ``value_norm`` when that is on, as are ``V`` and ``V_old``):

    V_clip = V_old + clip(V - V_old, -eps, eps)
    loss   = max(h(R - V), h(R - V_clip))                       (clipped value loss)
    h(e)   = e^2 / 2            if |e| <= delta
             delta (|e| - delta / 2)   otherwise                (Huber; e^2 / 2 without it)

The ``max`` is pessimistic, as PPO's clipped surrogate: a value that moved more than
``eps`` from ``V_old`` towards ``R`` is scored as if it had stopped at ``V_old +- eps`` (so
its gradient is 0 there), one that moved away keeps its full loss. The loss is a weighted
sum over samples (MAPPO: the mean over active samples, ``use_value_active_masks``), with
autograd's derivatives.
"""

import autograd.numpy as anp


def huber(e, delta):
    """The Huber loss of errors ``e`` (any shape), elementwise; quadratic within ``delta``."""
    a = anp.abs(e)
    return anp.where(a <= delta, 0.5 * e**2, delta * (a - 0.5 * delta))


def value_loss(values, old_values, targets, weight, clip=None, huber_delta=None):
    """``sum_s weight (loss of the value error)`` summed over every other axis (scalar).

    Args:
        values: (N, S, 2) the critics' values (autograd may trace them).
        old_values: (N, S, 2) their values when the batch was collected.
        targets: (N, S, 2) the return targets.
        weight: (N, S) each sample's weight (MAPPO: 1 / the number of active samples).
        clip: the clip range ``eps`` of the clipped value loss, or None for no clipping.
        huber_delta: Huber's ``delta``, or None for the squared error ``e^2 / 2``.
    """
    loss = (lambda e: 0.5 * e**2) if huber_delta is None else (lambda e: huber(e, huber_delta))
    per_sample = loss(targets - values)  # (N, S, 2)
    if clip is not None:
        clipped = old_values + anp.clip(values - old_values, -clip, clip)
        per_sample = anp.maximum(per_sample, loss(targets - clipped))
    return anp.sum(weight[..., None] * per_sample)
