"""Argument checks shared by the vector environments (``games.gridworld``, ``games.smac``),
in Gymnasium's conventions: per-environment seeds and ``reset(options={"reset_mask": ...})``."""

import numpy as np


def seed_list(seed, num_envs):
    """One non-negative integer seed per environment: ``seed + b`` for an int (Gymnasium's
    convention), or the ``num_envs`` seeds given."""
    seeds = np.atleast_1d(np.asarray(seed))
    if seeds.dtype == bool or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
        raise TypeError(f"seed must be a non-negative int or a sequence of them, got {seed!r}")
    if seeds.ndim != 1 or seeds.size not in (1, num_envs):
        raise ValueError(f"seed must be an int or {num_envs} ints, got shape {seeds.shape}")
    return seeds + np.arange(num_envs) if seeds.size == 1 else seeds


def reset_mask(options, num_envs):
    """The environments to reset (B,) bool: all, or ``options["reset_mask"]``."""
    if options is None:
        return np.ones(num_envs, dtype=bool)
    if not isinstance(options, dict) or set(options) - {"reset_mask"}:
        raise ValueError(f"options must be None or {{'reset_mask': mask}}, got {options!r}")
    mask = np.asarray(options["reset_mask"])
    if mask.dtype != bool or mask.shape != (num_envs,):
        raise ValueError(
            f"options['reset_mask'] must be a bool array of shape ({num_envs},), "
            f"got dtype {mask.dtype} shape {mask.shape}"
        )
    return mask.copy()
