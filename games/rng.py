"""Counter-based random numbers, one stream per environment, vectorised across the batch.

Environment b owns a 64-bit ``key`` (from its seed) and a ``counter`` (one tick per reset
or step). Every draw hashes (key, counter, stream, element index) with the SplitMix64
finaliser (Steele, Lea & Flood 2014), so it depends on nothing else: environment b of a batch
draws exactly the numbers a single environment with the same seed draws, and no Python loop
over environments is needed. ``stream`` separates a reset's draws from a step's (both can
fall on one counter value when an environment autoresets).
"""

import numpy as np

GOLDEN, MIX = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xD1B54A32D192ED03)
STREAMS = {"reset": 1, "step": 2}


def splitmix64(x):
    """The SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def seed_keys(seeds):
    """Keys (B,) uint64 from non-negative integer seeds (B,)."""
    return splitmix64(np.asarray(seeds, dtype=np.uint64) + GOLDEN)


def uniform(keys, counters, stream, size):
    """Uniform draws in [0, 1), shape (B, size), for streams ``STREAMS[stream]``."""
    base = splitmix64(keys ^ (counters * GOLDEN))  # (B,)
    index = np.uint64(STREAMS[stream] << 32) + np.arange(size, dtype=np.uint64)  # (size,)
    x = splitmix64(base[:, None] + index * MIX)  # (B, size)
    return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53
