"""The report of ``aga-ref verify`` and of the adapters' runners: a pass/fail table per
quantity, the coverage of each kit used, every failure with its case's tags, the likely
causes of those tags (``aga_ref.conformance.tags``), a line when the failures look like
float32 arithmetic, then the result, with a warning when under half of the kits' pairs were
given (docs/verify.md, "The report")."""

import sys

from aga_ref.conformance import dynamics, games, ppo
from aga_ref.conformance.checking import _cases_by_id
from aga_ref.conformance.comparison import RTOL, SIGNS, float32_hint
from aga_ref.conformance.tags import ranked_causes

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


def render(reports, out=None, require_all=False, extra_problems=(), rtol=RTOL,
           require_all_name="--require-all"):  # fmt: skip
    """Print the per-quantity table, the coverage and the failures; return True when all
    passed (and, with ``require_all``, every case and quantity was given). ``rtol`` is the
    tolerance the reports were checked with (for the float32 line); ``require_all_name`` is
    how the caller spells ``require_all`` (the CLI flag, or the adapters' argument)."""
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
    incomplete, pairs, total = _print_coverage(reports, out)
    failures = [(r.case_id, row) for r in reports for row in r.rows if row[1] != "ok"]
    problems = [("(file)", m) for m in extra_problems]
    problems += [(r.case_id, message) for r in reports for message in r.problems]
    if require_all and incomplete:
        problems.append(("(file)", f"{require_all_name}: the submission does not cover every "
                                   "case and quantity"))  # fmt: skip
    if failures or problems:
        print("\nFailures:", file=out)
    for case_id, message in problems:
        print(f"  {case_id}: {message}", file=out)
    tags = {cid: case["tags"] for cid, case in _cases_by_id(games.DATA_PATH).items()}
    for case_id, (quantity, status, error, _) in failures:
        shown = "" if error is None else f" (error {error:.2e})"
        word, colon, detail = status.partition(": ")  # the error right after MISMATCH
        tagged = f"  [tags: {', '.join(tags[case_id])}]" if tags.get(case_id) else ""
        print(f"  {case_id}  {quantity}: {word}{shown}{colon}{detail}{tagged}", file=out)
    hint = float32_hint(reports, rtol)
    pairs_given = [(r.case_id, row[0], row[1] != "ok") for r in reports for row in r.rows]
    causes = ranked_causes(pairs_given, tags)
    if causes and not hint:  # float32 errors reach every case: the tags would mislead
        print(
            "\nTags of the failing cases (likely causes): tags whose cases fail more often "
            "than the others of the same quantity, least likely by chance first:",
            file=out,
        )
        print("\n".join(f"  {line}" for line in causes), file=out)
    if hint:
        print(f"\nLooks like float32: {hint}", file=out)
    passed = bool(reports) and all(reports) and not problems
    checked = sum(1 for r in reports if r.rows)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'} ({plural(checked, 'case')} checked)", file=out)
    if 2 * pairs < total and not require_all:
        print(f"WARNING: only {pairs} of {total} (case, quantity) pairs of the kits used were "
              f"checked; give every case and quantity you compute, and {require_all_name} to "
              "fail on a gap", file=out)  # fmt: skip
    return passed


def _print_coverage(reports, out):
    """One coverage line per kit the submission uses (the games' when it uses none); returns
    (a kit it uses is not fully covered, pairs checked, pairs in the kits it uses)."""
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
    pairs, total = (sum(entry[2][k] for entry in used) for k in (2, 3))
    return incomplete, pairs, total
