"""The games and points of the conformance cases, and the script that writes the data file.

    python -m games.conformance_specs      # rewrites aga_ref/data/conformance_v1.json

Every game is given by a family name and its constants, so any framework can rebuild it:
``toy`` (``games.toy``), ``public_goods`` (``games.public_goods``: ``a_i = b sigmoid(w_i)``)
and ``smooth`` (``games.smooth``: coefficients, quadratic games included). Points are seeded:
generic points, points near a stable and near an unstable fixed point of ``l_c``, and points
where the paper's sign and the exact sign disagree. Points where a sign is within a relative
``1e-3`` of a tie are skipped, so that every framework (and a finite-difference oracle)
gives the same sign.
"""

import json

import numpy as np

from aga_ref import conformance
from games.public_goods import public_goods_game
from games.smooth import smooth_game
from games.toy import local_social_optimum, toy_game

MARGIN = 1e-3


def _quadratic_specs(rng):
    """Quadratic games with a fixed point of l_c at 0 where xi(0) = b_i blocks != 0."""
    specs = {}
    for name, sizes, sign in [
        ("quadratic_stable", [1, 2], 1.0),
        ("quadratic_unstable", [1, 1, 1], -1.0),
    ]:
        D, n = sum(sizes), len(sizes)
        R = np.round(rng.uniform(-1, 1, (D, D)), 2)
        H_c = sign * (R @ R.T + 0.5 * np.eye(D))  # the symmetric part of sum_i Q_i
        Qs = [np.round(rng.uniform(-1, 1, (D, D)), 2) for _ in range(n - 1)]
        Qs.append(H_c - sum(0.5 * (Q + Q.T) for Q in Qs))
        bs = [np.round(rng.uniform(-1, 1, D), 2) for _ in range(n - 1)]
        bs.append(-sum(bs))  # sum_i b_i = 0: xi_c(0) = 0
        losses = [{"Q": Q.tolist(), "b": b.tolist()} for Q, b in zip(Qs, bs)]
        specs[name] = {"family": "smooth", "sizes": sizes, "losses": losses}
    return specs


def _smooth_specs(rng):
    specs = {}
    for name, sizes in [("smooth_a", [2, 1]), ("smooth_b", [1, 2, 1])]:
        D = sum(sizes)
        losses = [
            {"Q": np.round(rng.uniform(-1, 1, (D, D)), 2).tolist(),
             "b": np.round(rng.uniform(-1, 1, D), 2).tolist(),
             "sin_amplitude": [1.0, 0.5], "sin_U": np.round(rng.uniform(-1, 1, (2, D)), 2).tolist(),
             "sin_phase": np.round(rng.uniform(-1, 1, 2), 2).tolist(),
             "cubic": np.round(rng.uniform(-0.5, 0.5, (1, D)), 2).tolist()}
            for _ in sizes
        ]  # fmt: skip
        specs[name] = {"family": "smooth", "sizes": sizes, "losses": losses}
    return specs


def game_specs(seed=0):
    """``{game_id: spec}`` for every conformance game."""
    rng = np.random.default_rng(seed)
    return {
        "toy": {"family": "toy", "sizes": [1, 1]},
        "public_goods_2": {"family": "public_goods", "sizes": [1, 1], "n": 2, "b": 1.0, "c": 1.5},
        "public_goods_3": {"family": "public_goods", "sizes": [1] * 3, "n": 3, "b": 1.0, "c": 2.0},
        **_quadratic_specs(rng),
        "counterexample_stable": {"family": "smooth", "sizes": [1, 1], "losses": [
            {"b": [1.0, 0.0]}, {"Q": [[1.0, 0.0], [0.0, 2.0]], "b": [-1.0, 0.0]}]},
        "counterexample_unstable": {"family": "smooth", "sizes": [1, 1], "losses": [
            {"Q": [[-0.1, 0.0], [0.0, -0.2]]}, {"Q": [[-0.1, 0.0], [0.0, -0.2]]}]},
        **_smooth_specs(rng),
    }  # fmt: skip


def build(spec):
    """The ``aga_ref.Game`` of a spec."""
    if spec["family"] == "toy":
        return toy_game()
    if spec["family"] == "public_goods":
        return public_goods_game(spec["n"], spec["b"], spec["c"])
    if spec["family"] == "smooth":
        return smooth_game(spec["losses"], spec["sizes"])
    raise ValueError(f"spec['family'] must be toy, public_goods or smooth, got {spec['family']!r}")


def _relative(value, scale):
    return abs(value) / scale if scale > 0 else 0.0


def _robust(game, out):
    """True when no sign at this point is within a relative MARGIN of a tie."""
    xi, u, g = (np.asarray(out[k]) for k in ("xi", "xi_c", "Hc_xic"))
    v, n_ = xi + g, np.linalg.norm
    paper = [(np.dot(u[b], g[b]) * (np.dot(xi[b], g[b]) + np.dot(g[b], g[b])),
              n_(u[b]) * n_(g[b]) * (n_(xi[b]) * n_(g[b]) + n_(g[b]) ** 2))
             for b in [slice(None), *game.blocks]]  # fmt: skip
    exact = out["xic_g"] * (
        (out["xi_g"] + out["g_g"]) * out["xic_xic"] - out["xic_g"] * out["xic_adj"]
    )
    exact_scale = n_(u) * n_(g) * 2 * n_(u) ** 2 * n_(g) * n_(v)  # bounds both terms
    Ht_xi, At_xi = (
        np.asarray(out["Ht_xi"]),
        0.5 * (np.asarray(out["Ht_xi"]) - np.asarray(out["H_xi"])),
    )
    sga = [(np.dot(xi, Ht_xi) * np.dot(At_xi, Ht_xi) / d + 0.1,
            n_(xi) * n_(Ht_xi) ** 2 * n_(At_xi) / d + 0.1) for d in _sga_dims(game)]  # fmt: skip
    margins = [_relative(a, s) for a, s in paper + sga] + [_relative(exact, exact_scale)]
    return min(margins) > MARGIN


def _sga_dims(game):
    """SGA's ``d`` (the total number of parameters D), then the two usual mistakes: the
    number of players n and the largest block d_i."""
    return game.dim, game.num_players, max(game.sizes)


def _sga_dimension_matters(game, out):
    """True when SGA's sign with d = D differs from its sign with d = n or d = max d_i."""
    xi, Ht_xi, H_xi = (np.asarray(out[k]) for k in ("xi", "Ht_xi", "H_xi"))
    product = np.dot(xi, Ht_xi) * np.dot(0.5 * (Ht_xi - H_xi), Ht_xi)
    signs = {bool(product / d + 0.1 >= 0) for d in _sga_dims(game)}
    return len(signs) > 1


def _samplers(game_id, spec, game, rng):
    """(generic sampler, near sampler or None, near tag) for one game's points."""
    boxes = {"toy": ([0.0, -0.75], [3.5, 1.5]), "public_goods": (-2.0, 2.0)}
    low, high = boxes.get(spec["family"], (-1.0, 1.0))
    near = {"toy": ("near_stable", local_social_optimum()[0], 0.03),
            "quadratic_stable": ("near_stable", 0.0, 0.01),
            "quadratic_unstable": ("near_unstable", 0.0, 0.01),
            "counterexample_stable": ("near_stable", 0.0, 0.01),
            "counterexample_unstable": ("near_unstable", 0.0, 0.01)}.get(game_id)  # fmt: skip

    def generic():
        return rng.uniform(low, high, size=game.dim)

    if near is None:
        return generic, None, None
    tag, centre, radius = near

    def close():
        x = rng.standard_normal(game.dim)
        return centre + radius * x / np.linalg.norm(x)

    return generic, close, tag


def generate(seed=0, tries=2000):
    """The whole data file as a dict: games, and robust cases with expected values."""
    rng, specs, cases = np.random.default_rng(seed), game_specs(seed), []
    sga_rng = np.random.default_rng([seed, 1])  # its own stream: the other cases stay put
    for game_id, spec in specs.items():
        game = build(spec)
        generic, close, near_tag = _samplers(game_id, spec, game, rng)
        plan = [("generic", generic)] * 2 + ([(near_tag, close)] * 2 if close else [])
        searches = [("search", close or generic)] * tries
        if game.dim not in (game.num_players, max(game.sizes)):
            searches += [("search_sga", _samplers(game_id, spec, game, sga_rng)[0])] * tries
        found = []
        for tag, sample in plan + searches:
            if tag == "search" and any("sign_disagreement" in c["tags"] for c in found):
                continue
            if tag == "search_sga" and any("sga_dimension" in c["tags"] for c in found):
                break
            w = np.round(sample(), 6)
            out = conformance.reference_outputs(game, w)
            disagree = out["sign_paper"] != out["sign_exact"]
            dimension = _sga_dimension_matters(game, out)
            wanted = {"search": disagree, "search_sga": dimension}.get(tag, True)
            if not _robust(game, out) or not wanted:
                continue
            if tag == "search":
                tag = near_tag if close else "generic"
            tag = "generic" if tag == "search_sga" else tag
            tags = ([tag] + (["sign_disagreement"] if disagree else [])
                    + (["sga_dimension"] if dimension else []))  # fmt: skip
            scale = conformance.reference_scales(game, w)
            found.append({"id": f"{game_id}/{len(found)}", "game": game_id, "tags": tags,
                          "w": w.tolist(), "expected": out, "scale": scale})  # fmt: skip
        cases += found
    return data_file(conformance.VERSION, "games.conformance_specs", conformance.QUANTITIES,
                     specs, cases)  # fmt: skip


def data_file(version, module, quantities, specs, cases):
    """A kit's data file as a dict in the layout of ``conformance.schema.json``."""
    return {
        "version": version,
        "generated_by": f"python -m {module}",
        "tolerance": {
            "rtol": conformance.RTOL,
            "rtol_float32": conformance.RTOL_FLOAT32,
            "atol": conformance.ATOL,
        },
        "quantities": quantities,
        "games": specs,
        "cases": cases,
    }


def write(data, path):
    """Write a kit's data file and print how many cases of each tag it holds."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    tags = [t for c in data["cases"] for t in c["tags"]]
    summary = {t: tags.count(t) for t in sorted(set(tags))}
    print(f"wrote {len(data['cases'])} cases to {path}: {summary}")


def main():
    write(generate(), conformance.DATA_PATH)


if __name__ == "__main__":
    main()
