"""Checking a submission ``{case_id: {quantity: value}}`` against every kit's cases: the
games' (``toy/0``, ...), the PPO minibatches' (``ppo/0``, ...) and the game dynamics'
(``dynamics/ipd/0``, ...), with the comparison rule of ``aga_ref.conformance.comparison``."""

from aga_ref.conformance import dynamics, games, ppo
from aga_ref.conformance.comparison import ATOL, RTOL, Report, _compare, check_tolerance


def check(case_id, outputs, rtol=RTOL, atol=ATOL, path=games.DATA_PATH):
    """Compare ``outputs`` (``{quantity: value}``, any subset of the case's quantities) with
    the expected values of case ``case_id``. Never raises on bad outputs: every problem
    becomes a row or a message of the returned ``Report``. Raises on a bad ``rtol`` or
    ``atol``."""
    check_tolerance(rtol, atol)
    return _check(_cases_by_id(path), case_id, outputs, rtol, atol)


def check_all(outputs_by_case, rtol=RTOL, atol=ATOL, path=games.DATA_PATH):
    """``check`` for every case in ``{case_id: outputs}``: a list of ``Report``. An empty or
    malformed submission gives one failing report that says why."""
    check_tolerance(rtol, atol)
    if not isinstance(outputs_by_case, dict):
        kind = type(outputs_by_case).__name__
        return [Report("(file)", [], [f"expected a JSON object {{case_id: outputs}}, got {kind}"])]
    if not outputs_by_case:
        return [Report("(file)", [], ["the submission holds no cases"])]
    known = _cases_by_id(path)
    return [_check(known, cid, out, rtol, atol) for cid, out in outputs_by_case.items()]


def _cases_by_id(path):
    """The cases of ``path`` by id; the default also holds the PPO minibatch cases and the
    game-dynamics cases."""
    known = {c["id"]: c for c in games.cases(path)}
    if path == games.DATA_PATH:
        known.update({c["id"]: c for c in ppo.cases()})
        known.update({c["id"]: c for c in dynamics.cases()})
    return known


def _check(known, case_id, outputs, rtol, atol):
    if case_id not in known:
        message = (
            f"unknown case id {case_id!r}; see aga_ref.conformance.cases(), "
            "aga_ref.conformance.ppo.cases() and aga_ref.conformance.dynamics.cases()"
        )
        return Report(case_id, [], [message])
    if not isinstance(outputs, dict):
        return Report(case_id, [], [f"outputs must be a dict, got {type(outputs).__name__}"])
    if not outputs:
        return Report(case_id, [], ["outputs is empty: give at least one quantity"])
    case, rows = known[case_id], []
    for name, value in outputs.items():
        if name not in case["expected"] and name in _left_out(case_id):
            rows.append((str(name), "not checked at this case: the game-dynamics kit gives "
                         "no LSS where H is singular (tandem)", None, None))  # fmt: skip
        elif name not in case["expected"]:
            known_names = ", ".join(case["expected"])
            rows.append((str(name), f"unknown quantity; known: {known_names}", None, None))
        else:
            scale, n = case["scale"].get(name), len(case["game"]["sizes"])
            S = len(case["minibatch"]["actions"][0]) if "minibatch" in case else None
            rows.append(_compare(name, value, case["expected"][name], scale, rtol, atol, n, S))
    return Report(case_id, rows, [])


def _left_out(case_id):
    """Quantities of a case's kit that the kit leaves out at some of its cases."""
    return {dynamics.LSS_KEY} if str(case_id).startswith("dynamics/") else set()
