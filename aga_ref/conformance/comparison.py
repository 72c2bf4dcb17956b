"""Comparing an implementation's values with the expected ones, as every conformance kit
does (the games', the PPO minibatches' and the game dynamics' cases): the rule
``max|o - e| <= atol + rtol * S`` with ``S`` the case's scale, signs compared exactly, and a
``Report`` whose mismatch rows name the worst entry and, where the whole vector is off by one
factor, that factor (``1/n`` players or ``1/S`` samples: a mean where the kit sums; ``-1``: a
flipped sign), and ``float32_hint``, the line that says when failures look like float32."""

import numpy as np

SIGNS = {"sign_paper", "sign_exact", "sign_per_agent"}
# float64, float32 (docs/verify.md, step 5). A correct float64 implementation errs by ~1e-15
# of the terms, a float32 one by 3e-8 to 1e-5 (the examples): RTOL sits between the two, so
# float32 arithmetic fails the float64 check (and ``float32_hint`` says why).
RTOL, RTOL_FLOAT32, ATOL = 1e-9, 1e-4, 1e-12
FLOAT32_BAND = (RTOL, RTOL_FLOAT32)  # errors float32 arithmetic gives, float64 does not


class Report:
    """The outcome of ``check``: ``rows`` of (quantity, status, error, tolerance), ``problems``
    (messages that are not about one quantity) and ``ok``. A report is true exactly when it
    passed (``assert check(...)`` works); ``str(report)`` is a table."""

    def __init__(self, case_id, rows, problems):
        self.case_id, self.rows, self.problems = case_id, rows, problems
        self.ok = not problems and bool(rows) and all(row[1] == "ok" for row in rows)

    def __bool__(self):
        return self.ok

    def __str__(self):
        lines = [f"case {self.case_id}: {'PASS' if self.ok else 'FAIL'}"]
        lines += [f"  ! {message}" for message in self.problems]
        width = max([len(row[0]) for row in self.rows] + [8])
        for quantity, status, error, tol in self.rows:
            shown = "" if error is None else f"  error {error:.3g} (tolerance {tol:.3g})"
            lines.append(f"  {quantity:<{width}}  {status}{shown}")
        return "\n".join(lines)


def check_tolerance(rtol, atol):
    """Raise ``ValueError`` unless ``rtol`` and ``atol`` are finite numbers >= 0."""
    for name, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def value_shape(value):
    """The shape of a submitted value (a number, or nested lists as JSON gives them); raises
    ``ValueError`` saying what is malformed: a ragged list, an empty one, null or an object.
    Strings and booleans have shape ``()`` here: ``_numeric`` refuses them."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("an empty list")
        shapes = {value_shape(item) for item in value}
        if len(shapes) > 1:
            raise ValueError("a ragged list (its items have different shapes: "
                             f"{', '.join(str(s) for s in sorted(shapes))})")  # fmt: skip
        return (len(value), *shapes.pop())
    if value is None or isinstance(value, dict):
        raise ValueError("null" if value is None else "an object, not a number or a list")
    return np.shape(value)


def _numeric(value):
    """``value`` as a float64 array, or None when it holds anything but numbers (booleans
    and strings, numeric or not, are refused rather than converted)."""
    items = np.asarray(value, dtype=object).ravel() if np.shape(value) else [value]
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, float, np.number)):
            return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _compare(name, value, expected, scale, rtol, atol, n=None, samples=None):
    """One row: (quantity, status, error or None, tolerance or None). A mismatch's status
    names the worst entry (see ``_mismatch``); ``n`` is the game's number of players,
    ``samples`` a PPO minibatch's ``S``."""
    e = np.asarray(expected, dtype=np.float64)
    try:
        value_shape(value)
    except ValueError as error:
        return (name, f"malformed: {error}; give a number or a list of numbers", None, None)
    o = _numeric(value)
    if o is None:
        return (name, f"not numeric: got {value!r:.60}; give numbers (no strings or booleans)",
                None, None)  # fmt: skip
    if o.shape != e.shape:
        return (name, f"wrong shape: expected {e.shape}, got {o.shape}", None, None)
    if not np.all(np.isfinite(o)):
        return (name, "non-finite value", None, None)
    if name in SIGNS:
        same = np.array_equal(o, e)
        status = "ok" if same else f"MISMATCH: yours {o.tolist()}, expected {e.tolist()}"
        return (name, status, None, None)
    diff = float(np.max(np.abs(o - e), initial=0.0))
    S = max(float(np.max(np.abs(e), initial=0.0)), scale or 0.0)
    tol = atol + rtol * S
    error = diff / S if S > 0 else diff
    status = "ok" if diff <= tol else _mismatch(o, e, tol, rtol, n, samples)
    return (name, status, error, tol / S if S > 0 else tol)


def _mismatch(o, e, tol, rtol, n, samples=None):
    """The status "MISMATCH: ..." naming the worst entry with both values, and, for a vector
    that is the expected times one factor ``r`` (``|o - r e| <= tol`` everywhere), that
    factor: a mean where the kit sums gives exactly ``1/n`` (players) or ``1/S`` (a PPO
    minibatch's ``samples``), a flipped sign ``-1``."""
    if o.ndim == 0:
        return f"MISMATCH: yours {float(o):.10g}, expected {float(e):.10g}"
    worst = np.unravel_index(np.argmax(np.abs(o - e)), o.shape)
    index = ", ".join(str(int(i)) for i in worst)
    text = f"MISMATCH: worst entry [{index}] yours {o[worst]:.10g}, expected {e[worst]:.10g}"
    if o.size < 2 or np.count_nonzero(e) == 0 or np.all(e == e.flat[0]):
        return text  # a factor says nothing when every expected entry is the same
    r = float(o.ravel() @ e.ravel() / (e.ravel() @ e.ravel()))  # least-squares factor
    if np.max(np.abs(o - r * e)) > tol:
        return text
    close = lambda a, b: abs(a - b) <= max(10 * rtol, 1e-12) * abs(b)  # noqa: E731
    k = round(1 / r) if r != 0 else 0
    factor = f"1/{k}" if k >= 2 and close(r, 1 / k) else f"{r:.6g}"
    mean_n, mean_s = n and close(r, 1 / n), samples and close(r, 1 / samples)
    hint = f" (1/n for n = {n} players): a mean where the kit sums?" if mean_n else ""
    hint = f" (1/S for S = {samples} samples): a mean where the kit sums?" if mean_s else hint
    hint = ": a flipped sign?" if close(r, -1.0) else hint
    return f"{text}; every entry is {factor} x the expected{hint}"


def float32_hint(reports, rtol):
    """A line saying the failures look like float32 arithmetic, or None: at the float64
    tolerance, every failing value has an error within ``FLOAT32_BAND`` (and would pass
    ``RTOL_FLOAT32``), and no sign or shape is wrong."""
    failing = [row for r in reports for row in r.rows if row[1] != "ok"]
    if rtol >= FLOAT32_BAND[1] or not failing or any(row[2] is None for row in failing):
        return None
    worst = max(row[2] for row in failing)
    if not all(FLOAT32_BAND[0] <= row[2] < FLOAT32_BAND[1] for row in failing):
        return None
    return (f"every failure has an error between {FLOAT32_BAND[0]:g} and {FLOAT32_BAND[1]:g} "
            f"(worst {worst:.2e}), as float32 arithmetic gives (float64 reaches ~1e-15): if "
            "you compute in float32 on purpose, check with --float32; if not, look for a "
            "float32 step (JAX without jax_enable_x64, torch.tensor's float32 default, a "
            "float32 buffer or solver)")  # fmt: skip
