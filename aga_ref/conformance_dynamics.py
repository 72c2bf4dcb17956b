"""Conformance kit, part 3: the game-dynamics family (LA, LOLA, SOS, EG, CGD, LSS).

The cases live in ``aga_ref/data/conformance_dynamics_v1.json`` (``DATA_PATH``), written by
``python -m games.conformance_dynamics_specs``, in the layout of the games' cases (the same
JSON Schema, ``aga_ref.conformance.SCHEMA_PATH``): ``id`` (``dynamics/<game>/<k>``), the
game's spec, the point ``w``, the expected value and the tolerance scale of every quantity
of ``QUANTITIES``. The games are four of the kit's (``toy``, ``public_goods_2``, a
three-player quadratic game, ``smooth_b``) and the three of Letcher et al. 2019
(``matching_pennies``, ``ipd``, ``tandem``; ``aga_ref.families``). Every quantity uses
``alpha = ALPHA``; SOS uses ``a = 0.5``, ``b = 0.1``; LSS ``lam = 0.1``.

Conventions (docs/game-family.md): ``H_o`` is ``H`` without its diagonal blocks;
``chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i``; every direction is what the step subtracts
(``w <- w - eta v``). The expected CGD and LSS values come from the dense solves (LAPACK),
not from GMRES's ``1e-10`` residual. LSS is given only where ``H`` is invertible: where
``H`` is singular (tandem) the notebook's ``det(H) == 0`` switch decides, which no other
implementation can be expected to reproduce in floating point. Points keep SOS's ``p`` a
relative ``1e-3`` away from the switches of its branches, so every framework takes the same
branch.
``tests/test_conformance_dynamics.py`` recomputes every expected value with finite
differences of the loss values and the formulas written out with NumPy matrices.

Checking shares everything with the other kits (``aga_ref.conformance.check``, ``check_all``
and ``aga-ref verify`` know these ids too), with the same tolerance rule ``atol + rtol * S``.
"""

import os

import numpy as np

from aga_ref import conformance
from aga_ref.game_solvers import cgd_direction_dense, eg_direction, lss_direction_dense
from aga_ref.lookahead import sos_terms

VERSION = 1
DATA_PATH = os.path.join(os.path.dirname(__file__), "data", f"conformance_dynamics_v{VERSION}.json")
SCHEMA_PATH = conformance.SCHEMA_PATH
ALPHA, SOS_A, SOS_B, LSS_LAM = 0.3, 0.5, 0.1, 0.1
QUANTITIES = {
    "xi": "simultaneous gradient (D,)",
    "Ho_xi": "H_o xi: H without its diagonal blocks, times xi (D,)",
    "chi": "LOLA's shaping term, chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i (D,)",
    f"la[alpha={ALPHA}]": "xi - alpha H_o xi (D,)",
    f"lola[alpha={ALPHA}]": "xi - alpha H_o xi - alpha chi (D,)",
    f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": "SOS's p = min(p1, p2), a scalar in [0, 1]",
    f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": "xi - alpha H_o xi - p alpha chi (D,)",
    f"eg[alpha={ALPHA}]": "xi(w - alpha xi(w)) (D,)",
    f"cgd[alpha={ALPHA}]": "(I + alpha H_o)^{-1} xi (D,)",
    f"lss[lam={LSS_LAM}]": "(xi + H^T H^{-1} xi) / 2, only where H is invertible (D,)",
}
LSS_KEY = f"lss[lam={LSS_LAM}]"


def reference_outputs(game, w, with_lss=True):
    """Every quantity of ``QUANTITIES`` at ``w`` (LSS only ``with_lss``): ``{name: value}``."""
    sos = sos_terms(game, w, ALPHA, SOS_A, SOS_B)
    out = {
        "xi": sos.xi, "Ho_xi": sos.Ho_xi, "chi": sos.chi, f"la[alpha={ALPHA}]": sos.xi_0,
        f"lola[alpha={ALPHA}]": sos.xi_0 - ALPHA * sos.chi,
        f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": sos.p,
        f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": sos.direction,
        f"eg[alpha={ALPHA}]": eg_direction(game, w, ALPHA),
        f"cgd[alpha={ALPHA}]": cgd_direction_dense(game, w, ALPHA),
    }  # fmt: skip
    if with_lss:
        out[LSS_KEY] = lss_direction_dense(game, w, LSS_LAM)
    return {k: (np.asarray(v).tolist() if np.ndim(v) else float(v)) for k, v in out.items()}


def load(path=DATA_PATH):
    """The whole data file as a dict, validated against ``SCHEMA_PATH``."""
    return conformance.load(path, SCHEMA_PATH)


def cases(path=DATA_PATH):
    """The cases: dicts with ``id``, ``game`` (its spec), ``tags``, ``w``, ``expected`` and
    ``scale``, as ``aga_ref.conformance.cases``."""
    data = load(path)
    return [dict(c, game=data["games"][c["game"]]) for c in data["cases"]]


def coverage(reports, path=DATA_PATH):
    """``conformance.coverage`` over these cases."""
    return conformance.coverage(reports, path, SCHEMA_PATH)
