"""The actors' optimisers (Adam, SGD with momentum) and global-norm clipping, in NumPy.

    Adam (Kingma & Ba 2015):
        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
        theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    SGD with momentum (PyTorch's ``torch.optim.SGD`` convention, dampening 0):
        m <- mu m + g,            theta <- theta - lr * m

``g`` is any descent direction (for AgA, ``xi_tilde``), not only a gradient. Adam divides
every coordinate by its own running RMS, so its step is blind to how the direction's norm is
shared between layers; SGD keeps the direction as it is (the ``--optimizer sgd`` ablation).
A state is a dict of arrays shaped like ``theta`` plus the step count ``t``.
"""

import numpy as np

OPTIMIZERS = ("adam", "sgd")


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


def sgd_init(theta):
    """SGD's state for parameters ``theta``: the momentum buffer and step count."""
    return {"m": np.zeros_like(theta), "t": 0}


def sgd_step(theta, g, state, lr, momentum):
    """One step of SGD with momentum ``mu`` along ``g``; returns new parameters and state."""
    m = (momentum * state["m"] + g).astype(theta.dtype)
    return (theta - lr * m).astype(theta.dtype), {"m": m, "t": state["t"] + 1}


def init(name, theta):
    """The state of optimiser ``name`` ("adam" or "sgd") for ``theta``."""
    return adam_init(theta) if name == "adam" else sgd_init(theta)
