"""AgA for learning agents: the PPO surrogate game, every method's direction, and a
NumPy + autograd PPO learner for vectorised multi-agent environments.

Read ``surrogate.py`` (the game and what ``H``, ``H_c`` are for it), then ``methods.py``
(which calls ``aga_ref.aga`` for Eq. 1), then ``ppo.py`` and ``train.py``. ``reference.py``
(``reference_terms``) gives every AgA quantity of your own PPO minibatch. No module here
imports an environment; ``figures/train.py`` wires ``games.gridworld`` to ``train``.
"""

from aga_ref.rl.config import Config
from aga_ref.rl.methods import METHODS
from aga_ref.rl.reference import flatten_weights, reference_terms, surrogate_game
from aga_ref.rl.train import TrainingDiverged, train

__all__ = ["Config", "METHODS", "TrainingDiverged", "train", "reference_terms", "surrogate_game",
           "flatten_weights"]  # fmt: skip
