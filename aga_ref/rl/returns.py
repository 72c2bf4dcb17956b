"""Reward shaping of the per-step rewards (SVO, SL) and generalised advantage estimation.

SVO (McKee et al. 2020) for agent i with own reward ``r_i`` and the others' mean ``m_i``:
``r_i' = r_i - w_svo * |theta_svo - atan2(m_i, r_i)|``. When ``r_i = m_i = 0`` (most steps
of Cleanup and Harvest) the angle is undefined; we take it to equal ``theta_svo``, so a step
in which nobody is rewarded costs nothing (``atan2(0, 0) = 0`` would charge every agent a
constant ``w_svo * theta_svo`` on those steps instead).
SL (Apt & Schafer 2014): ``r_i' = r_i + alpha * sum_j r_j``.

GAE (Schulman et al. 2016) with Gymnasium's next-step autoreset:

    delta_t = r_t + gamma (1 - terminated_t) V(o_{t+1}) - V(o_t)
    A_t     = delta_t + gamma lambda (1 - done_t) A_{t+1},   done = terminated | truncated

A truncated episode is bootstrapped with the value of its last observation; the step after
an episode ends (the reset step, whose action the environment ignores) is not a transition
and gets weight 0 in every loss (``valid``).
"""

import numpy as np


def svo_rewards(rewards, theta, weight):
    """SVO-shaped rewards (..., N) from rewards (..., N)."""
    r = np.asarray(rewards, dtype=np.float64)
    N = r.shape[-1]
    others = (r.sum(-1, keepdims=True) - r) / (N - 1)  # (..., N)
    angle = np.where((r == 0) & (others == 0), theta, np.arctan2(others, r))
    return (r - weight * np.abs(theta - angle)).astype(np.float32)


def sl_rewards(rewards, alpha):
    """SL-shaped rewards (..., N): own reward plus ``alpha`` times the social welfare."""
    r = np.asarray(rewards, dtype=np.float64)
    return (r + alpha * r.sum(-1, keepdims=True)).astype(np.float32)


def gae(rewards, values, terminated, done, gamma, lam):
    """Advantages (T, B, N) from rewards (T, B, N), values (T+1, B, N) and flags (T, B)."""
    T = rewards.shape[0]
    not_term = 1.0 - terminated[..., None]  # (T, B, 1)
    not_done = 1.0 - done[..., None]
    adv = np.zeros(rewards.shape, dtype=np.float32)
    last = np.zeros(rewards.shape[1:], dtype=np.float32)  # (B, N)
    for t in reversed(range(T)):
        delta = rewards[t] + gamma * not_term[t] * values[t + 1] - values[t]
        last = (delta + gamma * lam * not_done[t] * last).astype(np.float32)
        adv[t] = last
    return adv
