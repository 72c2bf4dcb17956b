"""aga-ref verify PATH.json: check another implementation's outputs for the conformance
cases and print a pass/fail table per quantity, the coverage, then every failure. Exit status
0 when everything given matches, 1 on any mismatch or problem (or, with --require-all, on a
case or quantity left out), 2 when the file cannot be read: not JSON, not an object of
objects, a case id or a quantity given twice, or a value that is neither a number nor a
rectangular list of numbers (ragged, empty, null, an object, a string, a boolean), each said
in one line naming the place, what was expected and what was found.

PATH.json holds {case_id: {quantity: value}} for any of the three kits' cases, the games'
(toy/0, ...), the PPO minibatches' (ppo/0, ...) and the game dynamics' (dynamics/ipd/0, ...):
see aga_ref/data/submission.schema.json and docs/verify.md.
"""

import argparse
import json
import math
import sys

import jsonschema

from aga_ref.conformance.checking import check_all
from aga_ref.conformance.comparison import ATOL, RTOL, RTOL_FLOAT32, _numeric, value_shape
from aga_ref.conformance.loading import SUBMISSION_SCHEMA_PATH
from aga_ref.conformance.report import render  # noqa: F401  (aga_ref.conformance.verify.render)


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


class _Object(dict):
    """A JSON object that remembers the keys given more than once (``json`` keeps the last)."""

    def __init__(self, pairs):
        super().__init__(pairs)
        keys = [key for key, _ in pairs]
        self.repeated = sorted({key for key in keys if keys.count(key) > 1})


JSON_TYPES = ((bool, "a boolean"), (str, "a string"), (dict, "an object"), (list, "an array"),
              (type(None), "null"), ((int, float), "a number"))  # fmt: skip


def _found(value):
    """What a JSON value is, for a message: ``a string ("1.0")``, ``an array``, ..."""
    kind = next(name for kinds, name in JSON_TYPES if isinstance(value, kinds))
    return f"{kind} ({json.dumps(value)[:40]})" if isinstance(value, (str, bool)) else kind


def _not_a_number(value):
    """The first string or boolean in ``value`` (a number or nested lists), or None."""
    if isinstance(value, list):
        return next((item for item in map(_not_a_number, value) if item is not None), None)
    return None if _numeric(value) is not None else value


def read_submission(path):
    """The submission at ``path``; raises ``ValueError`` with one line naming the place of
    what cannot be read: bad JSON, not ``{case_id: {quantity: value}}``, a case id or a
    quantity given twice, a malformed value (``comparison.value_shape``: ragged, empty, null
    or an object; a string or a boolean)."""
    with open(path, encoding="utf-8") as f:
        outputs = json.load(f, object_pairs_hook=_Object)
    if not isinstance(outputs, dict):
        raise ValueError(f"the top level: expected an object {{case_id: {{quantity: value}}}}, "
                         f"found {_found(outputs)}")  # fmt: skip
    if outputs.repeated:
        raise ValueError(f"case id {outputs.repeated[0]!r} is given twice; give each case once")
    for case_id, quantities in outputs.items():
        if not isinstance(quantities, dict):
            raise ValueError(f"case {case_id!r}: expected an object {{quantity: value}}, found "
                             f"{_found(quantities)}")  # fmt: skip
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
            item = _not_a_number(value)
            if item is not None:
                inside = " inside the list" if isinstance(value, list) else ""
                raise ValueError(f"case {case_id!r}, quantity {name!r}: expected a number or a "
                                 f"list of numbers, found {_found(item)}{inside}")  # fmt: skip
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
    parser.add_argument("--rtol", type=tolerance, default=None,
                        help=f"relative tolerance: {RTOL} (default, float64) or "
                             f"{RTOL_FLOAT32} for a float32 implementation")  # fmt: skip
    parser.add_argument("--float32", action="store_true",
                        help=f"check a float32 implementation: --rtol {RTOL_FLOAT32}")  # fmt: skip
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
    if args.float32 and args.rtol is not None:
        parser.error("give --float32 or --rtol, not both")
    rtol = RTOL_FLOAT32 if args.float32 else RTOL if args.rtol is None else args.rtol
    reports = check_all(outputs, rtol, args.atol)
    problems = schema_problems(outputs)
    passed = render(reports, None, args.require_all, problems, rtol)
    return 0 if passed else 1
