"""Conformance kit, part 2: PPO minibatches, for AgA inside a policy-gradient learner.

The cases live in ``aga_ref/data/conformance_ppo_v1.json`` (``DATA_PATH``, JSON Schema
``SCHEMA_PATH``), written by ``python -m games.conformance_ppo_specs``. Each case gives
2 or 3 agents' tanh-MLP actors (their weights), one minibatch (inputs, actions, availability
masks, old log-probabilities, both advantages as used, sample weights with zeros for
inactive samples), PPO's clip ``eps``, the critics' mean values for FCGrad, and the expected
value of every quantity of ``QUANTITIES``; the layout is ``aga_ref.rl.reference``'s and
docs/verify.md ("PPO minibatches") states every convention. ``tests/test_conformance_ppo.py``
recomputes every expected value with finite differences of the surrogate losses, written
there anew in NumPy.

Checking shares everything with the games (``aga_ref.conformance``): ``conformance.check``,
``check_all`` and ``aga-ref verify`` know these case ids (``ppo/0``, ...) too, with the same
tolerance rule (``atol + rtol * S``, ``S`` the case's ``scale``) and the same report.
"""

import os

from aga_ref.conformance import games, loading

VERSION = 1
DATA_PATH = os.path.join(loading.DATA_DIR, f"conformance_ppo_v{VERSION}.json")
SCHEMA_PATH = os.path.join(loading.DATA_DIR, "conformance_ppo.schema.json")
FCGRAD_BETA = 0.8
_GAME_NAMES = ("xi", "xi_c", "Hc_xic", "Ht_xi", "xic_g", "xi_g", "g_g", "xic_xic", "xic_adj",
               "sign_paper", "sign_exact", "sign_per_agent")  # fmt: skip
QUANTITIES = {
    **{name: games.QUANTITIES[name] for name in _GAME_NAMES},
    "xi": "grad of l_i = -J_i(theta_i; A_ind) in agent i's block, (D,), D = N P",
    "xi_c": "grad of l_c = -sum_j J_j(theta_j; A_col), (D,)",
    "Ht_xi": "H^T xi: hess(l_i) of agent i's block applied to xi's block (D,)",
    "sign_per_agent": "the paper's sign inside each agent's block (N,)",
    **{k: v for k, v in games.QUANTITIES.items() if k.startswith("xi_tilde")},
    f"cga[lam={games.BASELINE_LAM}]": games.QUANTITIES["cga[lam=1.0]"],
    f"fcgrad[beta={FCGRAD_BETA}]": "FCGrad's per-agent direction (Kim & Sycara 2025) (D,)",
}


def load(path=DATA_PATH):
    """The whole data file as a dict, validated against ``SCHEMA_PATH``."""
    return loading.load(path, SCHEMA_PATH)


def cases(path=DATA_PATH):
    """The cases: dicts with ``id``, ``tags``, ``clip``, ``network``, ``weights``,
    ``minibatch``, ``values``, ``expected``, ``scale``, and ``game``: the surrogate game's
    block sizes (``{"family": "ppo_minibatch", "sizes": [P] * N}``)."""
    return [dict(c, game={"family": "ppo_minibatch", "sizes": c["sizes"]})
            for c in load(path)["cases"]]  # fmt: skip


def coverage(reports, path=DATA_PATH):
    """``loading.coverage`` over these cases."""
    return loading.coverage(reports, path, SCHEMA_PATH)
