"""The games' conformance cases: their quantities, and the reference values and tolerance
scales written into ``aga_ref/data/conformance_v1.json`` (``DATA_PATH``) by
``python -m games.conformance_specs``.

Each case names a game (given by formula or by coefficients, so any framework can rebuild
it: docs/verify.md and ``aga_ref.conformance.families``), a point ``w`` and the expected
value of every quantity in ``QUANTITIES``. ``tests/test_conformance.py`` recomputes every
expected value with finite differences of the loss values, an oracle that shares no code
with the autograd implementation.

Tolerance (``aga_ref.conformance.comparison``): a value ``o`` matches the expected ``e`` when
``max|o - e| <= atol + rtol * S``, where ``S`` (the case's ``scale`` for that quantity,
``reference_scales``) is the size of the terms the quantity is computed from, not of the
result. Near a fixed point ``xi_c`` is a sum of per-player gradients that cancel, and
``xi_tilde = xi_c + lam (xi + g)`` can be far smaller than its terms; any floating-point
computation of it errs by about machine epsilon times those terms, so a tolerance relative to
``|e|`` alone would fail a correct float32 implementation there. Signs must match exactly;
cases keep every sign at least a relative ``1e-3`` away from a tie.
"""

import os

import numpy as np

from aga_ref.aga import aga_terms
from aga_ref.baselines import cga_direction, sga_direction
from aga_ref.conformance import loading
from aga_ref.conformance.scales import term_sizes
from aga_ref.derivatives import linearize

VERSION = 1
DATA_PATH = os.path.join(loading.DATA_DIR, f"conformance_v{VERSION}.json")
ALIGNED_LAMS, UNALIGNED_LAMS, BASELINE_LAM = (0.1, 1.0), (0.1, -0.5), 1.0
SIGN_RULES = ("paper", "exact", "per_agent")
QUANTITIES = {
    "xi": "simultaneous gradient (D,)",
    "xi_c": "collective gradient, l_c = sum of losses (D,)",
    "Hc_xic": "H_c^T xi_c = grad Ham_c (D,)",
    "H_xi": "H xi (D,)",
    "Ht_xi": "H^T xi (D,)",
    "xic_g": "<xi_c, g>, g = H_c^T xi_c",
    "xi_g": "<xi, g>",
    "g_g": "||g||^2",
    "xic_xic": "||xi_c||^2",
    "xic_adj": "<xi_c, xi + g>",
    "sign_paper": "sign(<xi_c,g> (<xi,g> + ||g||^2)), sign(0) = +1",
    "sign_exact": "sign(<xi_c,g> (<xi_adj,g> ||xi_c||^2 - <xi_c,g> <xi_c,xi_adj>))",
    "sign_per_agent": "the paper's sign inside each player's block (n,)",
    **{f"xi_tilde[sign_rule={r},lam={lam}]": f"xi_c + sign * |lam| * (xi + g), {r} sign (D,)"
       for r in SIGN_RULES for lam in ALIGNED_LAMS},
    **{f"xi_tilde[align=False,lam={lam}]": "xi_c + lam * (xi + g), lam as given (D,)"
       for lam in UNALIGNED_LAMS},
    f"sga[lam={BASELINE_LAM},eps=0.1]": "xi + lam A^T xi with Balduzzi's sign alignment (D,)",
    f"cga[lam={BASELINE_LAM}]": "xi + lam H^T xi (D,)",
}  # fmt: skip


def reference_outputs(game, w):
    """Every quantity of ``QUANTITIES`` at ``w``, computed by aga-ref: ``{name: value}``."""
    lin = linearize(game, w)
    t = aga_terms(game, w, 1.0)
    out = {"xi": t.xi, "xi_c": t.xi_c, "Hc_xic": t.Hc_xic, "H_xi": lin.H_v(lin.xi),
           "Ht_xi": lin.Ht_v(lin.xi), "xic_g": t.xic_g, "xi_g": t.xi_g, "g_g": t.g_g,
           "xic_xic": t.xic_xic, "xic_adj": t.xic_adj}  # fmt: skip
    for rule in SIGN_RULES:
        out[f"sign_{rule}"] = aga_terms(game, w, 1.0, sign_rule=rule).sign
        for lam in ALIGNED_LAMS:
            key = f"xi_tilde[sign_rule={rule},lam={lam}]"
            out[key] = aga_terms(game, w, lam, sign_rule=rule).xi_tilde
    for lam in UNALIGNED_LAMS:
        out[f"xi_tilde[align=False,lam={lam}]"] = aga_terms(game, w, lam, align=False).xi_tilde
    out[f"sga[lam={BASELINE_LAM},eps=0.1]"] = sga_direction(game, w, BASELINE_LAM, eps=0.1)
    out[f"cga[lam={BASELINE_LAM}]"] = cga_direction(game, w, BASELINE_LAM)
    return {k: (np.asarray(v).tolist() if np.ndim(v) else float(v)) for k, v in out.items()}


def reference_scales(game, w, method="matrix_free"):
    """``{quantity: S}`` for every non-sign quantity: the size of the terms it is computed
    from, the scale of its tolerance (see the module docstring).

    Error scales are propagated elementwise, ``|.|`` meaning absolute values: player ``i``'s
    gradient ``G_i`` carries ``|G_i| + |H_i| |w|`` (its value and its sensitivity to the
    rounding of ``w``); sums add their terms' scales, products ``A x`` carry
    ``|A| (|x| + s_x)``, inner products ``<a, b>`` carry ``sum |a| s_b + s_a |b| + |a||b|``.
    ``S`` is the largest entry, and never below ``max|e|``. The products ``|A| x`` are
    matrix-free (``aga_ref.conformance.scales``: O(D) memory; exact for ``D <= 6``, a lower
    bound from sign probes above); ``method="dense"`` forms the Hessians, small ``D`` only."""
    t = term_sizes(game, w, method)
    xi, s_xi, xi_c, s_xic, g, s_g = t.xi, t.s_xi, t.xi_c, t.s_xic, t.g, t.s_g
    H_xi, s_Hxi, Ht_xi, s_Htxi = t.H_xi, t.s_Hxi, t.Ht_xi, t.s_Htxi
    s_adj = np.abs(xi) + s_xi + np.abs(g) + s_g  # xi + g

    def dot(a, s_a, b, s_b):
        return np.sum(np.abs(a) * s_b + s_a * np.abs(b) + np.abs(a * b))

    def tilde(lam):
        return np.abs(xi_c) + s_xic + abs(lam) * s_adj

    sga = np.abs(Ht_xi) + s_Htxi + np.abs(H_xi) + s_Hxi  # A^T xi = (H^T xi - H xi) / 2
    vectors = {"xi": s_xi, "xi_c": s_xic, "Hc_xic": s_g, "H_xi": s_Hxi, "Ht_xi": s_Htxi,
               "xic_g": dot(xi_c, s_xic, g, s_g), "xi_g": dot(xi, s_xi, g, s_g),
               "g_g": dot(g, s_g, g, s_g), "xic_xic": dot(xi_c, s_xic, xi_c, s_xic),
               "xic_adj": dot(xi_c, s_xic, xi + g, s_adj),
               f"sga[lam={BASELINE_LAM},eps=0.1]": np.abs(xi) + s_xi + BASELINE_LAM * sga / 2,
               f"cga[lam={BASELINE_LAM}]":
                   np.abs(xi) + s_xi + BASELINE_LAM * (np.abs(Ht_xi) + s_Htxi)}  # fmt: skip
    for rule in SIGN_RULES:
        for lam in ALIGNED_LAMS:
            vectors[f"xi_tilde[sign_rule={rule},lam={lam}]"] = tilde(lam)
    for lam in UNALIGNED_LAMS:
        vectors[f"xi_tilde[align=False,lam={lam}]"] = tilde(lam)
    return {name: float(np.max(s)) for name, s in vectors.items()}


def load(path=DATA_PATH, schema_path=loading.SCHEMA_PATH):
    """The whole data file as a dict (``version``, ``games``, ``cases``, ...), validated
    against ``schema_path`` (``aga_ref.conformance.loading.load``)."""
    return loading.load(path, schema_path)


def cases(path=DATA_PATH):
    """The cases: dicts with ``id``, ``game`` (its spec, not its name), ``tags``, ``w``,
    ``expected`` and ``scale`` (see docs/verify.md)."""
    data = load(path)
    return [dict(c, game=data["games"][c["game"]]) for c in data["cases"]]


def coverage(reports, path=DATA_PATH):
    """``loading.coverage`` over these cases: (cases checked, cases, pairs checked, pairs)."""
    return loading.coverage(reports, path)
