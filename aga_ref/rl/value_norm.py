"""MAPPO's value normalisation (``ValueNorm``): running statistics of the critics' return
targets, so that a critic learns values of mean 0 and variance about 1 whatever the reward
scale.

Source: marlbenchmark/on-policy, ``onpolicy/utils/valuenorm.py`` (Yu et al. 2022, "The
Surprising Effectiveness of PPO in Cooperative Multi-Agent Games", the ``use_valuenorm``
default). With the returns ``R`` of one minibatch (MAPPO updates the statistics in every
minibatch step, ``per_element_update=False``):

    mu <- beta mu + (1 - beta) mean(R)           nu <- beta nu + (1 - beta) mean(R^2)
    d  <- beta d  + (1 - beta)                   after k updates d = 1 - beta^k
    mean = mu / max(d, eps)                      var = max(nu / max(d, eps) - mean^2, 1e-2)
    normalize(R) = (R - mean) / sqrt(var)        denormalize(V) = V sqrt(var) + mean

``d`` removes the bias of starting ``mu`` and ``nu`` at 0 (as Adam's ``1 - b^t``), so
``mean`` is the exponentially weighted mean of the batch means. ``beta = 0.99999`` and
``eps = 1e-5`` are MAPPO's defaults; the floor ``1e-2`` on the variance is MAPPO's too (a
constant return is divided by 0.1, not by 0). The statistics are kept in float64 (MAPPO:
float32); inputs keep their dtype. A state is a dict, so it pickles into a checkpoint.
"""

import numpy as np

BETA, EPS, VAR_FLOOR = 0.99999, 1e-5, 1e-2


def init(shape):
    """The statistics of targets whose per-sample shape is ``shape`` (e.g. (N, 2): each
    agent's individual and collective value): zeros, and no update yet (``d = 0``)."""
    zeros = np.zeros(shape, dtype=np.float64)
    return {"mu": zeros, "nu": zeros.copy(), "d": 0.0}


def update(stats, returns, axis, beta=BETA):
    """The statistics after one minibatch of ``returns``; the mean is taken along ``axis``
    (the samples), so ``returns`` with ``axis`` removed has the statistics' shape."""
    returns = np.asarray(returns, dtype=np.float64)
    if np.moveaxis(returns, axis, 0).shape[1:] != stats["mu"].shape:
        raise ValueError(f"returns must have shape {stats['mu'].shape} once axis {axis} is "
                         f"removed, got {returns.shape}")  # fmt: skip
    if not np.all(np.isfinite(returns)):
        raise ValueError("returns must be finite, got a non-finite entry")
    return {
        "mu": beta * stats["mu"] + (1 - beta) * returns.mean(axis=axis),
        "nu": beta * stats["nu"] + (1 - beta) * np.square(returns).mean(axis=axis),
        "d": beta * stats["d"] + (1 - beta),
    }


def mean_var(stats):
    """The debiased running mean and the floored variance, each of the statistics' shape."""
    d = max(stats["d"], EPS)
    mean = stats["mu"] / d
    return mean, np.maximum(stats["nu"] / d - mean**2, VAR_FLOOR)


def normalize(stats, x, axis):
    """``(x - mean) / sqrt(var)``, the statistics broadcast along ``axis`` of ``x``."""
    mean, var = (np.expand_dims(a, axis) for a in mean_var(stats))
    return ((x - mean) / np.sqrt(var)).astype(np.result_type(x, np.float32))


def denormalize(stats, v, axis):
    """``v sqrt(var) + mean``: a normalised value back in the returns' units."""
    mean, var = (np.expand_dims(a, axis) for a in mean_var(stats))
    return (v * np.sqrt(var) + mean).astype(np.result_type(v, np.float32))
