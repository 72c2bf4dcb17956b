"""aga-ref's nine game-dynamics methods against Letcher et al.'s own notebook.

    python examples/check_sos_notebook.py PATH/stable_opponent_shaping.ipynb [--points 20]
    python examples/check_sos_notebook.py PATH/stable_opponent_shaping.ipynb --ipd-runs 50

Needs PyTorch and a copy of the notebook from ``github.com/aletcher/stable-opponent-shaping``
(it is not shipped here). The script runs the notebook's own game definitions and its
``update_th`` (its third and fourth cells) in float64, at seeded random points of matching
pennies, the IPD and tandem, and compares each method's step ``(th_before - th_after) /
alpha`` with aga-ref's direction at the same point, printing the largest relative difference
per game and method. Exit status 0 when every difference is below ``--rtol`` (1e-9).

``--ipd-runs N`` instead runs the notebook's own IPD experiment (its code, its float32, its
``N(0, 1)`` starts seeded by ``torch.manual_seed(--seed)``, 100 steps at ``alpha = 1``) for
each of its methods and prints the final average loss and how many runs end in mutual
cooperation (both players' ``(1 - gamma) l_i <= 1.1``) or defection (both ``>= 1.9``), the
thresholds of ``aga-ref family``'s table, to compare with that table.
"""

import argparse
import json
import sys

import numpy as np

try:
    import torch
except ImportError:  # the examples need PyTorch; aga-ref itself does not
    raise SystemExit(
        "this example needs PyTorch: pip install torch --index-url "
        "https://download.pytorch.org/whl/cpu"
    ) from None

from aga_ref import (
    cga_direction,
    cgd_direction_dense,
    eg_direction,
    la_direction,
    lola_direction,
    lss_direction_dense,
    sga_direction,
    simul_ind_direction,
    sos_direction,
)
from games.opponent_shaping import ipd, matching_pennies, tandem

# notebook name -> aga-ref direction(game, w, alpha)
METHODS = {
    "nl": lambda game, w, alpha: simul_ind_direction(game, w),
    "la": la_direction,
    "lola": lola_direction,
    "sos": sos_direction,
    "sga": lambda game, w, alpha: sga_direction(game, w, lam=1.0, eps=0.1),
    "co": lambda game, w, alpha: cga_direction(game, w, lam=1.0),
    "eg": eg_direction,
    "cgd": cgd_direction_dense,
    "lss": lambda game, w, alpha: lss_direction_dense(game, w, lam=0.1),
}
GAMES = {"matching_pennies": matching_pennies, "ipd": ipd, "tandem": tandem}
STD = {"matching_pennies": 1.0, "ipd": 1.0, "tandem": 0.1}  # the notebook's initial spreads


def notebook_namespace(path):
    """Run the notebook's definition cells (games and ``update_th``) and return their names."""
    with open(path, encoding="utf-8") as f:
        cells = [c for c in json.load(f)["cells"] if c["cell_type"] == "code"]
    namespace = {"np": np, "torch": torch}
    for cell in cells:
        source = "".join(cell["source"])
        if "def update_th" in source or "def ipd" in source:
            exec(compile(source, path, "exec"), namespace)  # the notebook's own code
    for name in ("matching_pennies", "ipd", "tandem", "update_th"):
        if name not in namespace:
            raise SystemExit(f"{path}: no definition of {name} found; is it the SOS notebook?")
    return namespace


def notebook_step(namespace, game_name, algo, w, sizes, alpha):
    """The notebook's direction at ``w``: ``(th - update_th(th)) / alpha``, flat (D,)."""
    _, Ls = namespace[game_name]()
    parts = np.split(w, np.cumsum(sizes)[:-1])
    th = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in parts]
    th, _ = namespace["update_th"](th, Ls, alpha, algo)
    after = np.concatenate([t.detach().numpy() for t in th])
    return (w - after) / alpha


def notebook_ipd(namespace, runs, seed, steps=100, gamma=0.96):
    """The notebook's IPD cell, run by its own ``init_th`` and ``update_th`` (float32)."""
    torch.manual_seed(seed)
    dims, Ls = namespace["ipd"](gamma)
    for algo in ("nl", "la", "lola", "sos", "co", "sga", "eg", "cgd", "lss"):
        final = []
        for _ in range(runs):
            th = namespace["init_th"](dims, 1.0)
            for _ in range(steps):
                th, _ = namespace["update_th"](th, Ls, 1.0, algo)
            final.append([(1 - gamma) * float(loss.detach()) for loss in Ls(th)])
        final = np.array(final)  # (runs, 2), at the parameters after the last step
        coop = int(np.sum(np.all(final <= 1.1, axis=1)))
        defect = int(np.sum(np.all(final >= 1.9, axis=1)))
        print(f"ipd {algo:5s} (1-gamma) l_1 {final[:, 0].mean():.3f} +- {final[:, 0].std():.3f}"
              f"  cooperate {coop}/{runs}  defect {defect}/{runs}")  # fmt: skip
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", help="path to stable_opponent_shaping.ipynb")
    parser.add_argument("--points", type=int, default=20, help="random points per game")
    parser.add_argument("--rtol", type=float, default=1e-9, help="largest relative difference")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ipd-runs", type=int, default=0,
                        help="run the notebook's IPD experiment with this many runs "
                        "instead")  # fmt: skip
    args = parser.parse_args(argv)
    if args.ipd_runs:
        return notebook_ipd(notebook_namespace(args.notebook), args.ipd_runs, args.seed)
    torch.set_default_dtype(torch.float64)
    namespace = notebook_namespace(args.notebook)
    rng, worst_all = np.random.default_rng(args.seed), 0.0
    for game_name, make in GAMES.items():
        game = make()
        alphas = (1.0, 0.1)  # the notebook's IPD / pennies and tandem step sizes
        points = [rng.normal(0.0, STD[game_name], game.dim) for _ in range(args.points)]
        for algo, ours in METHODS.items():
            worst = 0.0
            for w in points:
                for alpha in alphas:
                    theirs = notebook_step(namespace, game_name, algo, w, game.sizes, alpha)
                    mine = ours(game, w, alpha)
                    scale = max(np.max(np.abs(theirs)), 1e-12)
                    worst = max(worst, float(np.max(np.abs(mine - theirs)) / scale))
            worst_all = max(worst_all, worst)
            flag = "ok" if worst <= args.rtol else "DIFFERS"
            print(f"{game_name:17s} {algo:5s} max relative difference {worst:.2e}  {flag}")
    print(f"largest: {worst_all:.2e} (rtol {args.rtol:g})")
    return 0 if worst_all <= args.rtol else 1


if __name__ == "__main__":
    sys.exit(main())
