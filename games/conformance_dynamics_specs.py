"""The games and points of the game-dynamics conformance cases, and the script that writes
their data file (``aga_ref.conformance.dynamics``).

    python -m games.conformance_dynamics_specs
    # rewrites aga_ref/data/conformance_dynamics_v1.json

Points are seeded: generic points in each game's box, then a search for a point in each of
SOS's two limiting branches (``0 < p1 < 1`` and ``p = p2 = ||xi||^2``) near a fixed point where
the game has one we know. A point is kept only when SOS's switches are a relative ``MARGIN``
away (``conformance_dynamics`` module docstring) and CGD's matrix is well conditioned.

The robustness test and the tolerance scales are ``aga_ref.conformance.dynamics``'s
``clear_of_switches`` and ``reference_scales`` (``aga_ref.testing`` uses them too).
"""

import numpy as np

from aga_ref import conformance, game_hessian, simultaneous_gradient
from aga_ref.conformance.dynamics import ALPHA, SOS_A, SOS_B, clear_of_switches, reference_scales
from aga_ref.lookahead import sos_terms
from games.conformance_specs import build as build_kit_game
from games.conformance_specs import data_file, write
from games.conformance_specs import game_specs as kit_specs

KIT_GAMES = ("toy", "public_goods_2", "quadratic_unstable", "smooth_b")
NEW_GAMES = {
    "matching_pennies": {"family": "matching_pennies", "sizes": [1, 1]},
    "ipd": {"family": "ipd", "sizes": [5, 5], "gamma": 0.96},
    "tandem": {"family": "tandem", "sizes": [1, 1]},
}


def zero_sum(sizes, **l_1):
    """A two-player ``"smooth"`` spec with ``l_2 = -l_1`` (code for zero-sum games only, such
    as CGD's original form, runs these; issue 28: 20 zero-sum cases with matching pennies')."""
    inside = ("sin_U", "sin_phase")  # inside the sine: kept; its amplitude is negated
    minus = {k: (-np.asarray(v)).tolist() for k, v in l_1.items() if k not in inside}
    l_2 = {**{k: v for k, v in l_1.items() if k in inside}, **minus}
    return {"family": "smooth", "sizes": sizes, "losses": [l_1, l_2]}


ZERO_SUM_GAMES = {  # appended after the others: the earlier games' draws are unchanged
    "zero_sum_bilinear": zero_sum([1, 1], Q=[[0.4, 1.0], [1.0, -0.3]], b=[0.2, -0.1]),
    "zero_sum_rotation": zero_sum(
        [1, 1], Q=[[0.0, 1.5], [1.5, 0.0]], b=[0.0, 0.3], cubic=[[0.2, 0.0]]
    ),  # fmt: skip
    "zero_sum_sine": zero_sum(
        [1, 1],
        Q=[[0.3, 0.8], [0.8, -0.5]],
        sin_amplitude=[0.5],
        sin_U=[[1.0, -0.7]],
        sin_phase=[0.4],
    ),  # fmt: skip
    "zero_sum_4d": zero_sum(
        [2, 2],
        Q=[
            [0.5, 0.1, 0.9, -0.4],
            [0.1, 0.3, 0.2, 1.1],
            [0.9, 0.2, -0.2, 0.0],
            [-0.4, 1.1, 0.0, -0.4],
        ],
        b=[0.1, -0.2, 0.0, 0.3],
    ),  # fmt: skip
}


def game_specs():
    """``{game_id: spec}``: four of the kit's games, the three of Letcher et al. and four
    zero-sum games."""
    kit = kit_specs()
    return {**{name: kit[name] for name in KIT_GAMES}, **NEW_GAMES, **ZERO_SUM_GAMES}


def build(spec):
    """The ``aga_ref.Game`` of a spec (the new families through ``conformance.families``)."""
    if spec["family"] in NEW_GAMES:
        from aga_ref.conformance.families import game_from_spec

        return game_from_spec(spec)
    return build_kit_game(spec)


def fixed_point(game_id, game):
    """A fixed point ``xi(w*) = 0`` where one is known in closed form, else None."""
    if game_id == "tandem":
        return np.array([0.3, 0.7])
    if game_id == "matching_pennies":
        return np.zeros(2)
    if game_id in ("quadratic_unstable", "zero_sum_bilinear", "zero_sum_4d"):  # xi affine
        zero = np.zeros(game.dim)
        return np.linalg.solve(game_hessian(game, zero), -simultaneous_gradient(game, zero))
    return None


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
        wanted["generic"] += game_id in ZERO_SUM_GAMES
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
            robust, with_lss = clear_of_switches(game, w)
            if not robust:
                continue
            wanted[tag] -= 1
            tags = [tag] + [b for b, pred in BRANCHES.items() if pred(t) and b != tag]
            zero = game_id in ZERO_SUM_GAMES or game_id == "matching_pennies"
            tags += ["zero_sum"] if zero else []
            out = conformance.dynamics.reference_outputs(game, w, with_lss)
            found.append({"id": f"dynamics/{game_id}/{len(found)}", "game": game_id,
                          "tags": tags, "w": w.tolist(), "expected": out,
                          "scale": reference_scales(game, w, out, spec["family"])})  # fmt: skip
            if not any(wanted.values()):
                break
        cases += found
    return data_file(conformance.dynamics.VERSION, "games.conformance_dynamics_specs",
                     conformance.dynamics.QUANTITIES, specs, cases)  # fmt: skip


def main():
    write(generate(), conformance.dynamics.DATA_PATH)


if __name__ == "__main__":
    main()
