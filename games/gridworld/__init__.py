"""A vectorised NumPy gridworld for the sequential social dilemmas Cleanup and Harvest,
following the rules of the SSD code (Vinitsky et al.; docs/paper.md, section 8). See ``env.py``."""

from games.gridworld.env import GridworldEnv, make_env

__all__ = ["GridworldEnv", "make_env"]
