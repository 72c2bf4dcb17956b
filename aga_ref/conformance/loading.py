"""Reading the conformance kit's data files (``aga_ref/data/``): each validated against its
JSON Schema once per file version, and the coverage of a submission over one file.

``SCHEMA_PATH`` is the JSON Schema of the games' and the game-dynamics' data files,
``SUBMISSION_SCHEMA_PATH`` that of a submission (``{case_id: {quantity: value}}``);
``aga-ref verify`` validates against both. The PPO minibatches' file has its own schema
(``aga_ref.conformance.ppo.SCHEMA_PATH``).
"""

import json
import os

import jsonschema

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
SCHEMA_PATH = os.path.join(DATA_DIR, "conformance.schema.json")
SUBMISSION_SCHEMA_PATH = os.path.join(DATA_DIR, "submission.schema.json")
_VALIDATED = set()


def load(path, schema_path=SCHEMA_PATH):
    """The whole data file at ``path`` as a dict (``version``, ``games``, ``cases``, ...),
    validated against ``schema_path``."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    stamp = (os.path.abspath(path), os.path.getmtime(path))
    if stamp not in _VALIDATED:  # validation takes ~0.1 s: once per file version
        with open(schema_path, encoding="utf-8") as f:
            jsonschema.validate(data, json.load(f))
        _VALIDATED.add(stamp)
    return data


def coverage(reports, path, schema_path=SCHEMA_PATH):
    """``(cases checked, cases in all, (case, quantity) pairs checked, pairs in all)``: what a
    submission covered of the cases in ``path``. Only known cases and quantities count."""
    data = load(path, schema_path)
    total_pairs = sum(len(c["expected"]) for c in data["cases"])
    expected = {c["id"]: c["expected"] for c in data["cases"]}
    cases = {r.case_id for r in reports if r.case_id in expected}
    pairs = {(r.case_id, row[0]) for r in reports if r.case_id in expected
             for row in r.rows if row[0] in expected[r.case_id]}  # fmt: skip
    return len(cases), len(data["cases"]), len(pairs), total_pairs
