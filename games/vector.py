"""Argument checks shared by the vector environments (``games.gridworld``, ``games.smac``),
in Gymnasium's conventions: per-environment seeds and ``reset(options={"reset_mask": ...})``."""

import numpy as np


def seed_list(seed, num_envs):
    """One seed per environment (B,) uint64: ``seed + b`` for an int (Gymnasium's
    convention), or the ``num_envs`` seeds given, each an int in [0, 2^64) (the learner
    passes 64-bit seeds from ``np.random.SeedSequence.generate_state``). Read as Python
    objects first: NumPy would turn a list mixing ints below and above 2^63 into floats."""
    seeds = np.atleast_1d(np.asarray(seed, dtype=object))
    if not all(_is_seed(s) for s in seeds.flat):
        raise TypeError(f"seed must be a non-negative int or a sequence of them, got {seed!r}")
    if seeds.ndim != 1 or seeds.size not in (1, num_envs):
        raise ValueError(f"seed must be an int or {num_envs} ints, got shape {seeds.shape}")
    seeds = seeds.astype(np.uint64)
    return seeds + np.arange(num_envs, dtype=np.uint64) if seeds.size == 1 else seeds


def _is_seed(s):
    """An int (Python or NumPy, not bool) in [0, 2^64)."""
    return (isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_))
            and 0 <= s < 2**64)  # fmt: skip


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
