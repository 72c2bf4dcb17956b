"""What the framework adapters share: the kit's cases as a framework's objects, and running
a user's function on every case with the verifier's report (``aga-ref verify``'s table), or
written to the JSON file that ``aga-ref verify`` reads.

A case is a ``Case``, read by attribute or by key alike (``case.losses``, ``case["losses"]``,
as the core's dict cases are read), with

    id, tags        the case id (``toy/0``, ``ppo/3``, ``dynamics/ipd/1``) and its tags
    spec            the game's spec (``{"family": "ppo_minibatch", "sizes": ...}`` for PPO)
    params          the players' parameter arrays at the case's point, a list ``[(d_i,)]``
    losses          ``[l_i(params) -> scalar]``; ``l_c(params)`` the collective loss: their
                    sum on the games, ``-sum_j J_j(adv_col)`` on the PPO minibatches

and on the PPO minibatches also ``weights`` (per agent ``{"W1": (F, H), ...}``, inputs times
``W``), ``minibatch`` (arrays of the data's layout), ``clip``, ``values``, ``network`` and
``actor(theta, x)``: agent logits ``(S, A)`` of flat parameters ``theta`` (P,), inputs
``x`` (S, F).
The user's function returns ``{quantity: value}`` (``check``) or, for the direction of AgA,
``xi_tilde`` as one ``(D,)`` array or a list of per-player blocks (``check_direction``).
"""

import json
import os
import sys
from types import SimpleNamespace

import numpy as np

from aga_ref.conformance import dynamics, games, ppo
from aga_ref.conformance.checking import check_all
from aga_ref.conformance.comparison import ATOL, RTOL, RTOL_FLOAT32
from aga_ref.conformance.formulas import (
    LAYERS,
    actor_logits,
    flat_actor_params,
    game_losses,
    ppo_losses,
)
from aga_ref.conformance.report import render

KITS = {"games": games, "ppo": ppo, "dynamics": dynamics}


class Case(SimpleNamespace):
    """One case: its fields are attributes (``case.id``) and keys (``case["id"]``, ``"id" in
    case``, ``case.keys()``), so that code written for the core's dict cases
    (``aga_ref.conformance.cases()``) reads these too."""

    def __getitem__(self, key):
        if not isinstance(key, str) or key not in vars(self):
            raise KeyError(f"{key!r}: a case holds {', '.join(vars(self))}")
        return getattr(self, key)

    def __contains__(self, key):
        return key in vars(self)

    def keys(self):
        return vars(self).keys()


def kit_names(kits):
    """``kits`` (a name or names of ``KITS``) as a tuple; raises on an unknown name."""
    names = (kits,) if isinstance(kits, str) else tuple(kits)
    unknown = [k for k in names if k not in KITS]
    if unknown or not names:
        raise ValueError(f"kits must be names among {list(KITS)}, got {kits!r}")
    return names


def kit_cases(kit, ops, leaf):
    """The cases of one kit (``"games"``, ``"ppo"``, ``"dynamics"``) with the framework's
    ``ops`` (``formulas``); ``leaf(array)`` makes one player's parameter array."""
    out = []
    for c in KITS[kit_names(kit)[0]].cases():
        case = Case(id=c["id"], tags=c["tags"], spec=c["game"])
        if kit == "ppo":
            case.losses, case.l_c = ppo_losses(c, ops)
            case.params = [leaf(theta) for theta in flat_actor_params(c)]  # (P,) each
            N = len(c["sizes"])
            case.weights = [{k: ops.tensor(c["weights"][k][i]) for k in LAYERS} for i in range(N)]
            case.minibatch = {k: (ops.tensor(v) if np.asarray(v).dtype.kind == "f"
                                  else ops.as_array(v))  # actions, avail: int, bool
                              for k, v in c["minibatch"].items()}  # fmt: skip
            case.clip, case.values, case.network = c["clip"], c["values"], c["network"]
            case.actor = lambda theta, x, net=c["network"]: actor_logits(theta, x, net, ops)
        else:
            case.losses = game_losses(c["game"], ops)
            case.l_c = lambda p, losses=case.losses: sum(loss(p) for loss in losses)
            ends = np.cumsum(c["game"]["sizes"])
            w = np.asarray(c["w"], dtype=np.float64)  # (D,)
            case.params = [leaf(w[e - d : e]) for d, e in zip(c["game"]["sizes"], ends)]
        out.append(case)
    return out


def collect(cases_of, quantities, kits, to_numpy, float32):
    """``quantities(case) -> {name: value}`` on every case of ``kits``: the submission
    ``{case_id: {name: value as float64 lists}}`` and the names given in float32 where
    float64 was asked for."""
    outputs, low = {}, set()
    for kit in kit_names(kits):
        for case in cases_of(kit):
            result = quantities(case)
            if not isinstance(result, dict):
                raise TypeError(f"your function must return a dict {{quantity: value}} at case "
                                f"{case.id}, got {type(result).__name__}")  # fmt: skip
            arrays = {name: to_numpy(value) for name, value in result.items()}
            low.update(n for n, a in arrays.items() if not float32 and a.dtype == np.float32)
            outputs[case.id] = {name: a.astype(np.float64).tolist() for name, a in arrays.items()}
    return outputs, low


def run(cases_of, quantities, kits, to_numpy, float32, require_all=False, out=None):
    """``quantities(case) -> {name: value}`` on every case of ``kits``; print the verifier's
    report to ``out`` and return True when everything given passed. A float32 output where
    float64 was asked for is named in the report (and fails it)."""
    outputs, low = collect(cases_of, quantities, kits, to_numpy, float32)
    problems = []
    if low:
        problems.append(f"float32 values where float64 was asked for ({', '.join(sorted(low))}): "
                        "enable float64 (JAX: jax.config.update('jax_enable_x64', True)) or "
                        "check float32 on purpose (float32=True)")  # fmt: skip
    rtol = RTOL_FLOAT32 if float32 else RTOL
    return render(check_all(outputs, rtol, ATOL), out or sys.stdout, require_all, problems, rtol,
                  require_all_name="require_all=True")  # fmt: skip


def write(cases_of, quantities, kits, to_numpy, float32, path):
    """``collect``'s submission written to ``path`` as ``aga-ref verify``'s JSON; returns
    ``path``. Float32 values are written as they are: ``aga-ref verify`` names them."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike), got "
                        f"{type(path).__name__}")  # fmt: skip
    outputs, _ = collect(cases_of, quantities, kits, to_numpy, float32)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(outputs, f)
    return path


def direction_quantities(direction, sign_rules, lams, to_numpy):
    """``direction(losses, l_c, params, lam, sign_rule) -> xi_tilde`` as a ``quantities``
    function of ``run``: ``xi_tilde[sign_rule=R,lam=L]`` for every rule and ``lam``."""
    rules = tuple(sign_rules)
    bad = [r for r in rules if r not in games.SIGN_RULES]
    if bad or not rules:
        raise ValueError(f"sign_rules must be among {list(games.SIGN_RULES)}, got {sign_rules!r}")

    def quantities(case):
        out = {}
        for rule in rules:
            for lam in lams:
                v = direction(case.losses, case.l_c, case.params, lam, rule)
                parts = v if isinstance(v, (list, tuple)) else [v]
                flat = np.concatenate([np.ravel(to_numpy(p)) for p in parts])  # (D,)
                out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = flat
        return out

    return quantities
