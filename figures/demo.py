"""One AgA step on the toy game with every term of Eq. 1 and the sign rule printed.

python -m figures.demo [--lam L] [--eta E]           (or: aga-ref demo ...)
"""

import argparse
import sys

import numpy as np

import aga_ref
from figures.arguments import aga_lam
from games.toy import toy_game

W_DEMO = np.array([1.0, 0.5])  # a point where every term is visibly non-zero
LAM, ETA = 0.1, 0.05


def show(w=W_DEMO, lam=LAM, eta=ETA):
    """Print one AgA step at ``w`` on the toy game."""
    game = toy_game()
    np.set_printoptions(precision=6, suppress=True)
    print(f"Toy game, w = {w}, lam = {lam}, eta = {eta}\n")
    t = aga_ref.aga_terms(game, w, lam)
    print(f"xi                 = {t.xi}")
    print(f"xi_c               = {t.xi_c}")
    print(f"g = H_c^T xi_c     = {t.Hc_xic}")
    print(f"xi_adj = xi + g    = {t.xi_adj}")
    print(f"<xi_c, g>          = {t.xic_g:.6f}")
    print(f"<xi, g>            = {t.xi_g:.6f}")
    print(f"||g||^2            = {t.g_g:.6f}")
    print(f"||xi_c||^2         = {t.xic_xic:.6f}")
    print(f"<xi_c, xi_adj>     = {t.xic_adj:.6f}\n")
    for rule in aga_ref.SIGN_RULES:
        t = aga_ref.aga_terms(game, w, lam, sign_rule=rule)
        print(f"sign_rule={rule!r}: sign = {t.sign}, lam used = {t.lam}")
        print(f"  xi_tilde = {t.xi_tilde},  w - eta * xi_tilde = {w - eta * t.xi_tilde}")
    t = aga_ref.aga_terms(game, w, lam, align=False)
    print(f"align=False (AgA-Sign): lam used = {t.lam}, xi_tilde = {t.xi_tilde}")


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref demo",
        description="One AgA step on the paper's toy game at w = (1, 0.5), every term of "
        "Eq. 1 and each sign rule's choice printed.",
    )  # fmt: skip
    parser.add_argument("--lam", type=aga_lam, default=LAM,
                        help=f"|lam|, a number > 0: each sign rule chooses its sign "
                        f"(default: {LAM})")  # fmt: skip
    parser.add_argument("--eta", type=float, default=ETA,
                        help=f"the step size of the printed update (default: {ETA})")  # fmt: skip
    return parser


def main(argv=None):
    args = make_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    show(lam=args.lam, eta=args.eta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
