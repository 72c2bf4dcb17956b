"""aga-ref verify PATH.json: check another implementation's outputs for the conformance
cases and print a pass/fail table per quantity, the coverage, then every failure. Exit status
0 when everything given matches, 1 on any mismatch or problem (or, with --require-all, on a
case or quantity left out), 2 when the file cannot be read: not JSON, a case id or a quantity
given twice, or a value that is neither a number nor a rectangular list (ragged, empty, null,
an object), each said in one line naming the case and quantity.

PATH.json holds {case_id: {quantity: value}} for any of the three kits' cases, the games'
(toy/0, ...), the PPO minibatches' (ppo/0, ...) and the game dynamics' (dynamics/ipd/0, ...):
see aga_ref/data/submission.schema.json and docs/verify.md.
"""

import argparse
import json
import math
import sys

import jsonschema

from aga_ref.conformance import dynamics, games, ppo
from aga_ref.conformance.checking import check_all
from aga_ref.conformance.comparison import ATOL, RTOL, RTOL_FLOAT32, SIGNS, value_shape
from aga_ref.conformance.loading import SUBMISSION_SCHEMA_PATH

KITS = (("the games", games), ("PPO minibatches", ppo), ("game dynamics", dynamics))


def summarise(reports):
    """Per quantity: [cases checked, failures, worst error, the tolerance at that case]."""
    table = {}
    for report in reports:
        for quantity, status, error, tol in report.rows:
            entry = table.setdefault(quantity, [0, 0, None, tol])
            entry[0] += 1
            entry[1] += status != "ok"
            if error is not None and (entry[2] is None or error > entry[2]):
                entry[2], entry[3] = error, tol  # the tolerance it is compared with
    return table


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def schema_problems(outputs):
    """Messages for every place ``outputs`` breaks the submission schema, with its path.
    Values of single quantities are left to the per-quantity rows, which say more."""
    with open(SUBMISSION_SCHEMA_PATH, encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    problems = []
    for error in sorted(validator.iter_errors(outputs), key=lambda e: list(e.absolute_path)):
        if len(error.absolute_path) >= 2:
            continue
        where = "".join(f"[{part!r}]" for part in error.absolute_path) or "(top level)"
        problems.append(f"{where}: {error.message}")
    return problems


def render(reports, out=None, require_all=False, extra_problems=()):
    """Print the per-quantity table, the coverage and the failures; return True when all
    passed (and, with ``require_all``, every case and quantity was given)."""
    out = sys.stdout if out is None else out
    table = summarise(reports)
    width = max([len(q) for q in table] + [len("quantity")])
    row = "{:<WIDTH} {:>5} {:>6} {:>12} {:>10}  {}".replace("WIDTH", str(width))
    print(row.format("quantity", "cases", "failed", "worst error", "tolerance", "result"), file=out)
    for quantity, (count, failed, worst, tol) in table.items():
        worst_text = "-" if worst is None else f"{worst:.2e}"
        tol_text = f"{tol:.2e}" if tol is not None else "exact" if quantity in SIGNS else "-"
        result = "PASS" if not failed else "FAIL"
        print(row.format(quantity, count, failed, worst_text, tol_text, result), file=out)
    incomplete = _print_coverage(reports, out)
    failures = [(r.case_id, row) for r in reports for row in r.rows if row[1] != "ok"]
    problems = [("(file)", m) for m in extra_problems]
    problems += [(r.case_id, message) for r in reports for message in r.problems]
    if require_all and incomplete:
        problems.append(("(file)", "--require-all: the submission does not cover every case "
                                   "and quantity"))  # fmt: skip
    if failures or problems:
        print("\nFailures:", file=out)
    for case_id, message in problems:
        print(f"  {case_id}: {message}", file=out)
    for case_id, (quantity, status, error, _) in failures:
        shown = "" if error is None else f" (error {error:.2e})"
        word, colon, detail = status.partition(": ")  # the error right after MISMATCH
        print(f"  {case_id}  {quantity}: {word}{shown}{colon}{detail}", file=out)
    passed = bool(reports) and all(reports) and not problems
    checked = sum(1 for r in reports if r.rows)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'} ({plural(checked, 'case')} checked)", file=out)
    return passed


def _print_coverage(reports, out):
    """One coverage line per kit the submission uses (the games' when it uses none); True
    when a kit it uses is not fully covered."""
    counts = [(name, kit, kit.coverage(reports)) for name, kit in KITS]
    used = [entry for entry in counts if entry[2][0] > 0] or counts[:1]
    incomplete = False
    print(file=out)
    for name, kit, (cases, total_cases, pairs, total_pairs) in used:
        print(f"Coverage: {cases} of {plural(total_cases, 'case')}, {pairs} of {total_pairs} "
              f"(case, quantity) pairs checked ({name})", file=out)  # fmt: skip
        if cases < total_cases or pairs < total_pairs:
            incomplete = True
            ids = {c["id"] for c in kit.load()["cases"]}
            given = {row[0] for r in reports if r.case_id in ids for row in r.rows}
            missing = sorted(set(kit.QUANTITIES) - given)
            if missing:
                print(f"  not given in any case: {', '.join(missing)}", file=out)
            left = sorted(ids - {r.case_id for r in reports if r.rows})
            if left:
                more = f" and {len(left) - 10} more" if len(left) > 10 else ""
                print(f"  cases not given: {', '.join(left[:10])}{more}", file=out)
    return incomplete


class _Object(dict):
    """A JSON object that remembers the keys given more than once (``json`` keeps the last)."""

    def __init__(self, pairs):
        super().__init__(pairs)
        keys = [key for key, _ in pairs]
        self.repeated = sorted({key for key in keys if keys.count(key) > 1})


def read_submission(path):
    """The submission at ``path``; raises ``ValueError`` with one line naming the place of
    what cannot be read: bad JSON, a case id or a quantity given twice, a malformed value
    (``comparison.value_shape``: ragged, empty, null or an object)."""
    with open(path, encoding="utf-8") as f:
        outputs = json.load(f, object_pairs_hook=_Object)
    if not isinstance(outputs, dict):
        return outputs  # check_all says what is wrong with it
    if outputs.repeated:
        raise ValueError(f"case id {outputs.repeated[0]!r} is given twice; give each case once")
    for case_id, quantities in outputs.items():
        if not isinstance(quantities, dict):
            continue  # a row of its report says so
        if quantities.repeated:
            raise ValueError(f"case {case_id!r}: quantity {quantities.repeated[0]!r} is given "
                             "twice; give each quantity once")  # fmt: skip
        for name, value in quantities.items():
            try:
                value_shape(value)
            except ValueError as error:
                shown = f" {json.dumps(value)[:60]}" if isinstance(value, list) else ""
                raise ValueError(f"case {case_id!r}, quantity {name!r}: {error}{shown}; give a "
                                 "number or a list of numbers") from None  # fmt: skip
    return outputs


def tolerance(text):
    """argparse type: a finite float >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def main(argv=None):
    description = __doc__.split("\n\n")[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog="aga-ref verify", description=description)
    parser.add_argument("path", help="JSON file {case_id: {quantity: value}}")
    parser.add_argument("--rtol", type=tolerance, default=RTOL,
                        help=f"relative tolerance: {RTOL} (default, float64) or "
                             f"{RTOL_FLOAT32} for a float32 implementation")  # fmt: skip
    parser.add_argument("--atol", type=tolerance, default=ATOL, help=f"default {ATOL}")
    parser.add_argument("--require-all", action="store_true",
                        help="fail unless every case and every quantity of each kit the file "
                             "uses (the games, the PPO minibatches, the game dynamics) is "
                             "given")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        outputs = read_submission(args.path)
    except (OSError, ValueError) as error:
        print(f"aga-ref verify: cannot read {args.path}: {error}", file=sys.stderr)
        return 2
    reports = check_all(outputs, args.rtol, args.atol)
    problems = schema_problems(outputs) if isinstance(outputs, dict) else []
    return 0 if render(reports, require_all=args.require_all, extra_problems=problems) else 1
