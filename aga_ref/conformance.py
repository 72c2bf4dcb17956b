"""Conformance kit: check another AgA implementation (PyTorch, JAX, ...) against aga-ref.

The cases live in ``aga_ref/data/conformance_v1.json`` (``DATA_PATH``), written by
``python -m games.conformance_specs``. Each case names a game (given by formula or by
coefficients, so any framework can rebuild it: see the README, "Verify your
implementation"), a point ``w`` and the expected value of every quantity in ``QUANTITIES``.
``tests/test_conformance.py`` recomputes every expected value with finite differences of
the loss values, an oracle that shares no code with the autograd implementation.

Tolerance (float64): a vector ``o`` matches ``e`` when ``max|o - e| <= atol + rtol *
max|e|``, with ``rtol = 1e-6`` and ``atol = 1e-10``; the reported error is
``max|o - e| / max|e|``. Signs must match exactly. For a float32
implementation pass ``rtol=1e-4``. Cases keep every sign at least a relative ``1e-3``
away from a tie.
"""

import json
import os

import numpy as np

from aga_ref.aga import aga_terms
from aga_ref.baselines import cga_direction, sga_direction
from aga_ref.derivatives import linearize

VERSION = 1
DATA_PATH = os.path.join(os.path.dirname(__file__), "data", f"conformance_v{VERSION}.json")
RTOL, ATOL = 1e-6, 1e-10
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
SIGNS = {"sign_paper", "sign_exact", "sign_per_agent"}


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


def load(path=DATA_PATH):
    """The whole data file as a dict (``version``, ``games``, ``cases``, ...)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cases(path=DATA_PATH):
    """The cases: dicts with ``id``, ``game`` (its spec), ``tag``, ``w`` and ``expected``."""
    data = load(path)
    return [dict(c, game=data["games"][c["game"]]) for c in data["cases"]]


class Report:
    """The outcome of ``check``: ``rows`` of (quantity, status, error, tolerance), ``problems``
    (messages that are not about one quantity) and ``ok``. ``str(report)`` is a table."""

    def __init__(self, case_id, rows, problems):
        self.case_id, self.rows, self.problems = case_id, rows, problems
        self.ok = not problems and bool(rows) and all(row[1] == "ok" for row in rows)

    def __str__(self):
        lines = [f"case {self.case_id}: {'PASS' if self.ok else 'FAIL'}"]
        lines += [f"  ! {message}" for message in self.problems]
        width = max([len(row[0]) for row in self.rows] + [8])
        for quantity, status, error, tol in self.rows:
            shown = "" if error is None else f"  error {error:.3g} (tolerance {tol:.3g})"
            lines.append(f"  {quantity:<{width}}  {status}{shown}")
        return "\n".join(lines)


def check(case_id, outputs, rtol=RTOL, atol=ATOL, path=DATA_PATH):
    """Compare ``outputs`` (``{quantity: value}``, any subset of ``QUANTITIES``) with the
    expected values of case ``case_id``. Never raises on bad outputs: every problem becomes
    a row or a message of the returned ``Report``."""
    known = {c["id"]: c for c in load(path)["cases"]}
    if case_id not in known:
        message = f"unknown case id {case_id!r}; see aga_ref.conformance.cases()"
        return Report(case_id, [], [message])
    if not isinstance(outputs, dict):
        return Report(case_id, [], [f"outputs must be a dict, got {type(outputs).__name__}"])
    if not outputs:
        return Report(case_id, [], ["outputs is empty: give at least one quantity"])
    expected, rows = known[case_id]["expected"], []
    for name, value in outputs.items():
        if name not in expected:
            rows.append((str(name), "unknown quantity (known: see QUANTITIES)", None, None))
        else:
            rows.append(_compare(name, value, expected[name], rtol, atol))
    return Report(case_id, rows, [])


def _compare(name, value, expected, rtol, atol):
    """One row: (quantity, status, error or None, tolerance or None)."""
    e = np.asarray(expected, dtype=np.float64)
    try:
        o = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return (name, f"not numeric: got {type(value).__name__}", None, None)
    if o.shape != e.shape:
        return (name, f"wrong shape: expected {e.shape}, got {o.shape}", None, None)
    if not np.all(np.isfinite(o)):
        return (name, "non-finite value", None, None)
    if name in SIGNS:
        same = np.array_equal(o, e)
        return (name, "ok" if same else f"MISMATCH: {o.tolist()} != {e.tolist()}", None, None)
    diff, scale = float(np.max(np.abs(o - e), initial=0.0)), float(np.max(np.abs(e), initial=0.0))
    tol = atol + rtol * scale
    error = diff / scale if scale > 0 else diff
    return (name, "ok" if diff <= tol else "MISMATCH", error, tol / scale if scale > 0 else tol)


def check_all(outputs_by_case, rtol=RTOL, atol=ATOL, path=DATA_PATH):
    """``check`` for every case in ``{case_id: outputs}``: a list of ``Report``."""
    if not isinstance(outputs_by_case, dict):
        kind = type(outputs_by_case).__name__
        return [Report("(file)", [], [f"expected a JSON object {{case_id: outputs}}, got {kind}"])]
    return [check(cid, out, rtol, atol, path) for cid, out in outputs_by_case.items()]
