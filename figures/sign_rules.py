"""How often the paper's sign rule and the exact alignment sign disagree on the toy game,
at random points of the plotted region and near the social optimum (docs/paper.md, section 3:
"on the toy game the two signs differ at a few percent of random points").

    python -m figures.sign_rules [--out DIR] [--seed S] [--quick]
"""

import numpy as np

import aga_ref
from figures.output import save_table
from figures.script import run_script
from figures.toy_common import EXTENT
from games.toy import local_social_optimum, toy_game


def disagreement(points):
    """Fraction of ``points`` (P, 2) where the paper's and the exact sign differ."""
    game, differ = toy_game(), []
    for w in points:
        t = aga_ref.aga_terms(game, w, 1.0)
        differ.append(
            aga_ref.paper_sign(t.xi, t.xi_c, t.Hc_xic) != aga_ref.exact_sign(t.xi, t.xi_c, t.Hc_xic)
        )
    return float(np.mean(differ))


def make(out_dir, protocol):
    """Write ``sign_rules.md/.csv``; return the Markdown."""
    rng, num_points = np.random.default_rng(protocol.seed), protocol.toy.sign_points
    (x0, x1), (y0, y1) = EXTENT
    w_star, _ = local_social_optimum()
    regions = [
        (f"uniform in a1 [{x0}, {x1}], a2 [{y0}, {y1}]",
         np.column_stack([rng.uniform(x0, x1, num_points), rng.uniform(y0, y1, num_points)])),
        ("uniform in [-3, 3]^2", rng.uniform(-3, 3, size=(num_points, 2))),
        ("within 0.1 of the social optimum", w_star + 0.1 * _unit_disc(rng, num_points)),
    ]  # fmt: skip
    rows = [[name, str(len(points)), f"{disagreement(points):.1%}"] for name, points in regions]
    title = f"Toy game: points where sign_rule='paper' != 'exact' (seed {protocol.seed})"
    return save_table(out_dir, "sign_rules", ["region", "points", "disagree"], rows, title)


def _unit_disc(rng, num_points):
    """Uniform points in the unit disc (P, 2)."""
    radius, angle = np.sqrt(rng.uniform(size=num_points)), rng.uniform(0, 2 * np.pi, num_points)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def main():
    run_script(__doc__, make)


if __name__ == "__main__":
    main()
