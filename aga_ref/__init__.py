"""aga-ref: a pure-NumPy reference implementation of Altruistic Gradient Adjustment (AgA).

Li et al., "Aligning Individual and Collective Objectives in Multi-Agent Cooperation",
NeurIPS 2024 (arXiv 2402.12416). Read ``aga.py`` next to the paper's Eq. 1.

Modules: ``game`` (differentiable games), ``derivatives`` (xi, xi_c, H v, H^T v, H_c v,
dense H and H_c), ``aga`` (Eq. 1 and the sign rules), ``baselines`` (Simul-Ind, Simul-Co,
CGA, SGA), ``lookahead`` (LA, LOLA, SOS), ``game_solvers`` (EG, CGD, LSS), ``shaping``
(SVO, SL), ``optimize`` (the loop), ``metrics``, ``finite_diff``; the subpackage
``conformance`` is the kit other implementations are checked against (the games, PPO
minibatches and the game-dynamics family; its modules ``comparison``, ``scales``,
``families``, ``verify``, ...). The modules are attributes of the package
(``aga_ref.conformance.cases()``). ``aga_ref.testing`` (hypothesis checks of your
implementation) is imported on its own: it needs hypothesis. The learner is the
subpackage ``aga_ref.rl``, imported on its own.
"""

import sys

from aga_ref import conformance, finite_diff
from aga_ref._checks import NonFiniteError
from aga_ref.aga import (
    SIGN_RULES,
    AgaTerms,
    aga_direction,
    aga_sign,
    aga_terms,
    exact_sign,
    paper_sign,
    per_agent_sign,
)
from aga_ref.baselines import (
    cga_direction,
    sga_direction,
    simul_co_direction,
    simul_ind_direction,
)
from aga_ref.derivatives import (
    collective_gradient,
    collective_hessian,
    collective_hvp,
    game_hessian,
    game_htvp,
    game_hvp,
    linearize,
    off_diagonal_hvp,
    simultaneous_gradient,
)
from aga_ref.game import Game
from aga_ref.game_solvers import (
    cgd_direction,
    cgd_direction_dense,
    eg_direction,
    lss_direction,
    lss_direction_dense,
)
from aga_ref.lookahead import (
    LookaheadTerms,
    SosTerms,
    la_direction,
    lola_direction,
    lookahead_terms,
    sos_direction,
    sos_terms,
)
from aga_ref.metrics import equality, gini, mean_ci, social_welfare
from aga_ref.optimize import METHODS, DivergenceError, direction, optimize
from aga_ref.shaping import sl_game, svo_game

# The kit's modules sat at the top level until they became aga_ref.conformance (issue 28): the
# old names stay importable (``from aga_ref.families import game_from_spec``).
conformance_ppo, conformance_dynamics = conformance.ppo, conformance.dynamics
families, scales, verify = conformance.families, conformance.scales, conformance.verify
for _old, _module in (("conformance_ppo", conformance_ppo),
                      ("conformance_dynamics", conformance_dynamics), ("families", families),
                      ("scales", scales), ("verify", verify)):  # fmt: skip
    sys.modules[f"{__name__}.{_old}"] = _module

__version__ = "0.1.0"

__all__ = [
    "SIGN_RULES", "AgaTerms", "aga_direction", "aga_sign", "aga_terms", "exact_sign",
    "paper_sign", "per_agent_sign", "cga_direction", "sga_direction", "simul_co_direction",
    "simul_ind_direction", "collective_gradient", "collective_hessian", "collective_hvp",
    "game_hessian", "game_htvp", "game_hvp", "linearize", "simultaneous_gradient", "Game",
    "equality", "gini", "mean_ci", "social_welfare", "METHODS", "DivergenceError",
    "direction", "optimize", "sl_game", "svo_game", "NonFiniteError", "conformance",
    "conformance_ppo", "finite_diff", "verify", "families", "scales", "off_diagonal_hvp",
    "cgd_direction", "cgd_direction_dense", "eg_direction", "lss_direction",
    "lss_direction_dense", "LookaheadTerms", "SosTerms", "la_direction", "lola_direction",
    "lookahead_terms", "sos_direction", "sos_terms", "conformance_dynamics",
]  # fmt: skip
