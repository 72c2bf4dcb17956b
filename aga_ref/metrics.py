"""Outcome metrics: social welfare, equality (1 - Gini; docs/paper.md, section 7), mean with
a 95% CI.

Equality. For rewards ``r`` of ``n`` players,

    Gini = sum_i sum_j |r_i - r_j| / (2 n sum_i |r_i|),     E = 1 - Gini.

With non-negative rewards this is the usual ``sum_i r_i`` denominator (docs/paper.md, section 7).
Deviation, for rewards of mixed or negative sign (gridworld returns can be negative): the
usual formula divides by a sum that may be zero or negative and leaves ``[0, 1]``; we divide
by ``sum_i |r_i|`` instead, which keeps ``E`` in ``[0, 1]`` (by the triangle inequality)
and continuous. All-zero rewards are perfectly equal: ``E = 1``.
"""

import numpy as np
from scipy import stats

from aga_ref._checks import NonFiniteError, as_real


def _rewards(rewards, name="rewards"):
    r = np.asarray(rewards, dtype=np.float64)
    if r.ndim not in (1, 2) or r.shape[-1] < 2:
        raise ValueError(f"{name} must have shape (n,) or (runs, n) with n >= 2, got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise NonFiniteError(f"{name} must be finite")
    return r


def social_welfare(rewards):
    """``SW = sum_i r_i``: a float for rewards (n,), an array (runs,) for (runs, n)."""
    return _rewards(rewards).sum(axis=-1)


def gini(rewards):
    """Gini coefficient (see module docstring): float or array (runs,)."""
    r = _rewards(rewards)  # (n,) or (runs, n)
    n = r.shape[-1]
    spread = np.abs(r[..., :, None] - r[..., None, :]).sum(axis=(-2, -1))
    scale = 2 * n * np.abs(r).sum(axis=-1)
    return np.where(scale > 0, spread / np.where(scale > 0, scale, 1.0), 0.0)[()]


def equality(rewards):
    """``E = 1 - Gini``: a float for rewards (n,), an array (runs,) for (runs, n)."""
    return 1.0 - gini(rewards)


def mean_ci(samples, confidence=0.95):
    """Mean and half-width of the Student-t confidence interval of ``samples`` (runs,)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"samples must have shape (runs,) with runs >= 2, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise NonFiniteError("samples must be finite")
    confidence = as_real(confidence, "confidence")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    t = stats.t.ppf(0.5 + confidence / 2, df=x.size - 1)
    return float(x.mean()), float(t * x.std(ddof=1) / np.sqrt(x.size))
