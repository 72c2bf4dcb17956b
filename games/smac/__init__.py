"""Selfish-MMM2: SMAC's MMM2 battle with per-agent (selfish) rewards, simulated in NumPy for
``B`` battles at once (``engine``), with SMAC's interface (``env.MMM2Env``), a Gymnasium vector
interface (``make_env``), and the same rewards on the real game (``starcraft``, needs SMAC
and StarCraft II)."""

from games.smac.env import MMM2VectorEnv, make_env
from games.smac.mmm2env import MMM2Env

__all__ = ["MMM2Env", "MMM2VectorEnv", "make_env"]
