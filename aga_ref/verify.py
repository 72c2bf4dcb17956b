"""``aga-ref verify PATH.json``: check another implementation's outputs for the conformance
cases and print a pass/fail table per quantity, then every failure. Exit status 0 when
everything given matches, 1 on any mismatch or problem, 2 when the file cannot be read.

PATH.json holds ``{case_id: {quantity: value}}``; see ``aga_ref.conformance``.
"""

import argparse
import json
import sys

from aga_ref.conformance import ATOL, RTOL, SIGNS, check_all


def summarise(reports):
    """Per quantity: [cases checked, failures, worst error, tolerance]."""
    table = {}
    for report in reports:
        for quantity, status, error, tol in report.rows:
            entry = table.setdefault(quantity, [0, 0, None, tol])
            entry[0] += 1
            entry[1] += status != "ok"
            if error is not None and (entry[2] is None or error > entry[2]):
                entry[2] = error
    return table


def render(reports, out=None):
    """Print the per-quantity table and the failures; return True when all passed."""
    out = sys.stdout if out is None else out
    row = "{:<36} {:>5} {:>6} {:>12} {:>10}  {}"
    print(row.format("quantity", "cases", "failed", "worst error", "tolerance", "result"), file=out)
    for quantity, (count, failed, worst, tol) in summarise(reports).items():
        worst_text = "-" if worst is None else f"{worst:.2e}"
        tol_text = f"{tol:.0e}" if tol is not None else "exact" if quantity in SIGNS else "-"
        result = "PASS" if not failed else "FAIL"
        print(row.format(quantity, count, failed, worst_text, tol_text, result), file=out)
    failures = [(r.case_id, row) for r in reports for row in r.rows if row[1] != "ok"]
    problems = [(r.case_id, message) for r in reports for message in r.problems]
    if failures or problems:
        print("\nFailures:", file=out)
    for case_id, message in problems:
        print(f"  {case_id}: {message}", file=out)
    for case_id, (quantity, status, error, _) in failures:
        shown = "" if error is None else f" (error {error:.2e})"
        print(f"  {case_id}  {quantity}: {status}{shown}", file=out)
    passed = bool(reports) and all(r.ok for r in reports)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'} ({len(reports)} cases checked)", file=out)
    return passed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="aga-ref verify", description=__doc__.splitlines()[0])
    parser.add_argument("path", help="JSON file {case_id: {quantity: value}}")
    parser.add_argument("--rtol", type=float, default=RTOL, help=f"default {RTOL} (float64)")
    parser.add_argument("--atol", type=float, default=ATOL, help=f"default {ATOL}")
    args = parser.parse_args(argv)
    try:
        with open(args.path, encoding="utf-8") as f:
            outputs = json.load(f)
    except (OSError, ValueError) as error:
        print(f"aga-ref verify: cannot read {args.path}: {error}", file=sys.stderr)
        return 2
    return 0 if render(check_all(outputs, args.rtol, args.atol)) else 1
