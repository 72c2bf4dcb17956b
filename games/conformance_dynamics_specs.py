"""The games and points of the game-dynamics conformance cases, and the script that writes
their data file (``aga_ref.conformance_dynamics``).

    python -m games.conformance_dynamics_specs
    # rewrites aga_ref/data/conformance_dynamics_v1.json

Points are seeded: generic points in each game's box, then a search for a point in each of
SOS's two limiting branches (``0 < p1 < 1`` and ``p = p2 = ||xi||^2``) near a fixed point where
the game has one we know. A point is kept only when SOS's switches are a relative ``MARGIN``
away (``conformance_dynamics`` module docstring) and CGD's matrix is well conditioned.

Tolerance scales ``S`` propagate absolute values as ``aga_ref.conformance.reference_scales``
does, with the dense matrices (every game here has ``D <= 10``): player i's full gradient
``G_i`` carries ``s_i = |G_i| + |hess l_i| |w|``; a product ``A x`` carries
``|A| (|x| + s_x)``; a solve ``A^{-1} y`` carries ``|A^{-1}| (s_y + |A| |x|)``; terms that
cancel inside a gradient add their size (``cancelling_terms``: matching pennies).
"""

import numpy as np
from autograd import grad, hessian

from aga_ref import conformance_dynamics, game_hessian, simultaneous_gradient
from aga_ref.conformance_dynamics import ALPHA, LSS_KEY, SOS_A, SOS_B
from aga_ref.game_solvers import off_diagonal_hessian
from aga_ref.lookahead import sos_terms
from games.conformance_specs import build as build_kit_game
from games.conformance_specs import data_file, write
from games.conformance_specs import game_specs as kit_specs

MARGIN, MAX_COND = 1e-3, 1e6
KIT_GAMES = ("toy", "public_goods_2", "quadratic_unstable", "smooth_b")
NEW_GAMES = {
    "matching_pennies": {"family": "matching_pennies", "sizes": [1, 1]},
    "ipd": {"family": "ipd", "sizes": [5, 5], "gamma": 0.96},
    "tandem": {"family": "tandem", "sizes": [1, 1]},
}


def game_specs():
    """``{game_id: spec}``: four of the kit's games and the three of Letcher et al."""
    kit = kit_specs()
    return {**{name: kit[name] for name in KIT_GAMES}, **NEW_GAMES}


def build(spec):
    """The ``aga_ref.Game`` of a spec (the new families through ``aga_ref.families``)."""
    if spec["family"] in NEW_GAMES:
        from aga_ref.families import game_from_spec

        return game_from_spec(spec)
    return build_kit_game(spec)


def fixed_point(game_id, game):
    """A fixed point ``xi(w*) = 0`` where one is known in closed form, else None."""
    if game_id == "tandem":
        return np.array([0.3, 0.7])
    if game_id == "matching_pennies":
        return np.zeros(2)
    if game_id == "quadratic_unstable":  # xi(w) = H w + xi(0), H constant
        zero = np.zeros(game.dim)
        return np.linalg.solve(game_hessian(game, zero), -simultaneous_gradient(game, zero))
    return None


def _robust(game, w):
    """True when SOS's branches are a relative MARGIN from switching and CGD's matrix (and
    H, for LSS) are well conditioned. Returns (robust, with_lss)."""
    t = sos_terms(game, w, ALPHA, SOS_A, SOS_B)
    dot = float(np.dot(-ALPHA * t.chi, t.xi_0))
    size = ALPHA * np.linalg.norm(t.chi) * np.linalg.norm(t.xi_0)
    checks = [abs(dot) > MARGIN * size if size > 0 else True,
              abs(np.linalg.norm(t.xi) - SOS_B) > MARGIN * SOS_B]  # fmt: skip
    if dot < 0:
        checks.append(abs(-SOS_A * np.dot(t.xi_0, t.xi_0) / dot - 1) > MARGIN)
    if t.p1 < 1 and t.p2 < 1:
        checks.append(abs(t.p1 - t.p2) > MARGIN * max(t.p1, t.p2))
    A = np.eye(game.dim) + ALPHA * off_diagonal_hessian(game, w)
    checks.append(np.linalg.cond(A) < MAX_COND)
    H = game_hessian(game, w)
    with_lss = np.linalg.det(H) != 0 and np.linalg.cond(H) < MAX_COND
    return all(checks), bool(with_lss)


def cancelling_terms(family, v):
    """The size of terms that cancel inside the gradients at ``v`` (D,), added to their
    scales: matching pennies' ``d l_1 / d w_k = 2 p_k (1 - p_k) (2 p_other - 1)``, whose
    ``2 p - 1`` cancels terms of size ``2 p + 1`` near the equilibrium; 0 elsewhere."""
    if family != "matching_pennies":
        return 0.0
    p = 1.0 / (1.0 + np.exp(-v))
    return 2 * p * (1 - p) * (2 * p[::-1] + 1)


def scales(game, w, out, family=None):
    """``{quantity: S}``: the size of the terms each quantity is computed from (module
    docstring), never below ``max |expected|``."""
    blocks = game.blocks

    def terms(v):  # full gradients, full Hessians, their scales s_i, at v
        G = [grad(loss)(v) for loss in game.losses]
        K = [hessian(loss)(v) for loss in game.losses]
        extra = cancelling_terms(family, v)
        return G, K, [np.abs(g) + np.abs(k) @ np.abs(v) + extra for g, k in zip(G, K)]

    G, K, s = terms(w)
    xi = np.concatenate([G[i][b] for i, b in enumerate(blocks)])
    s_xi = np.concatenate([s[i][b] for i, b in enumerate(blocks)])
    H_o = np.abs(off_diagonal_hessian(game, w))
    s_Ho = H_o @ (np.abs(xi) + s_xi)
    s_chi = np.zeros(game.dim)
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:
                s_chi[bi] += np.abs(K[j][bj, bi]).T @ (np.abs(G[i][bj]) + s[i][bj])
    s_la = s_xi + ALPHA * s_Ho
    w_eg = w - ALPHA * xi
    _, K_eg, s_eg_i = terms(w_eg)
    H_eg = np.abs(np.concatenate([K_eg[i][b] for i, b in enumerate(blocks)]))
    s_eg = np.concatenate([s_eg_i[i][b] for i, b in enumerate(blocks)]) + ALPHA * H_eg @ s_xi
    A = np.eye(game.dim) + ALPHA * off_diagonal_hessian(game, w)
    A_inv, x = np.abs(np.linalg.inv(A)), np.asarray(out[f"cgd[alpha={ALPHA}]"])
    S = {"xi": s_xi, "Ho_xi": s_Ho, "chi": s_chi, f"la[alpha={ALPHA}]": s_la,
         f"lola[alpha={ALPHA}]": s_la + ALPHA * s_chi,
         f"sos[alpha={ALPHA},a={SOS_A},b={SOS_B}]": s_la + ALPHA * s_chi,
         f"sos_p[alpha={ALPHA},a={SOS_A},b={SOS_B}]": np.array([1.0]),
         f"eg[alpha={ALPHA}]": s_eg,
         f"cgd[alpha={ALPHA}]": A_inv @ (s_xi + ALPHA * H_o @ np.abs(x))}  # fmt: skip
    if LSS_KEY in out:
        H = game_hessian(game, w)
        u = np.linalg.solve(H, xi)
        s_u = np.abs(np.linalg.inv(H)) @ (s_xi + np.abs(H) @ np.abs(u))
        S[LSS_KEY] = 0.5 * (s_xi + np.abs(H).T @ (np.abs(u) + s_u))
    return {k: max(float(np.max(v)), float(np.max(np.abs(out[k])))) for k, v in S.items()}


BOXES = {"toy": ([0.0, -0.75], [3.5, 1.5]), "public_goods_2": (-2.0, 2.0), "ipd": (-2.0, 2.0)}
BRANCHES = {  # tag -> predicate on SosTerms
    "sos_p1_branch": lambda t: 0 < t.p1 < 1 and t.p1 < t.p2,
    "sos_p2_branch": lambda t: t.p2 < 1 and t.p2 < t.p1,
}


def generate(seed=0, tries=3000):
    """The whole data file as a dict: games, and robust cases with expected values."""
    rng, specs, cases = np.random.default_rng(seed), game_specs(), []
    for game_id, spec in specs.items():
        game, (low, high) = build(spec), BOXES.get(game_id, (-1.0, 1.0))
        centre = fixed_point(game_id, game)
        found, wanted = [], {"generic": 3, **{tag: 1 for tag in BRANCHES}}
        for k in range(tries):
            if k < 3 * 20:
                tag, w = "generic", rng.uniform(low, high, size=game.dim)
            elif centre is not None and k % 2:
                w = centre + rng.normal(size=game.dim) * rng.choice([0.003, 0.03, 0.3])
                tag = None
            else:
                w, tag = rng.uniform(low, high, size=game.dim) * rng.choice([0.1, 1.0]), None
            w = np.round(w, 6)
            t = sos_terms(game, w, ALPHA, SOS_A, SOS_B)
            tag = tag or next((b for b, pred in BRANCHES.items() if pred(t)), None)
            if tag is None or wanted.get(tag, 0) == 0:
                continue
            robust, with_lss = _robust(game, w)
            if not robust:
                continue
            wanted[tag] -= 1
            tags = [tag] + [b for b, pred in BRANCHES.items() if pred(t) and b != tag]
            out = conformance_dynamics.reference_outputs(game, w, with_lss)
            found.append({"id": f"dynamics/{game_id}/{len(found)}", "game": game_id,
                          "tags": tags, "w": w.tolist(), "expected": out,
                          "scale": scales(game, w, out, spec["family"])})  # fmt: skip
            if not any(wanted.values()):
                break
        cases += found
    return data_file(conformance_dynamics.VERSION, "games.conformance_dynamics_specs",
                     conformance_dynamics.QUANTITIES, specs, cases)  # fmt: skip


def main():
    write(generate(), conformance_dynamics.DATA_PATH)


if __name__ == "__main__":
    main()
