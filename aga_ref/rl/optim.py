"""Adam (Kingma & Ba 2015) and global-norm gradient clipping, in NumPy.

    m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
    theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

``g`` is any descent direction (for AgA, ``xi_tilde``), not only a gradient.
"""

import numpy as np


def clip_by_global_norm(g, max_norm):
    """``g`` scaled down to norm ``max_norm`` if larger (over every entry); also its norm."""
    norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
    scale = min(1.0, max_norm / (norm + 1e-12))
    return (g * np.float32(scale)).astype(g.dtype), norm


def adam_init(theta):
    """Adam's state for parameters ``theta``: moments and step count."""
    return {"m": np.zeros_like(theta), "v": np.zeros_like(theta), "t": 0}


def adam_step(theta, g, state, lr, b1=0.9, b2=0.999, eps=1e-5):
    """One Adam step along descent direction ``g``; returns new parameters and state."""
    t = state["t"] + 1
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    step = lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return (theta - step).astype(theta.dtype), {"m": m, "v": v, "t": t}
