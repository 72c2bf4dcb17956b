"""Shared set-up of the game-dynamics tests (``test_game_family.py``,
``test_game_family_solvers.py``): a seeded quadratic game with its matrices, every
direction written out from the papers' definitions with NumPy matrices, the toy game's
point and tandem's fixed point."""

import numpy as np

from games.smooth import smooth_game

SIZES = [2, 1, 2]  # three players, uneven blocks


def quadratic(seed, sizes=SIZES):
    """A quadratic game and its matrices: ``l_i = 1/2 w^T Q_i w + b_i^T w``, so
    ``grad l_i = S_i w + b_i`` and ``hess l_i = S_i = (Q_i + Q_i^T)/2``."""
    rng, D = np.random.default_rng(seed), sum(sizes)
    Qs = [rng.uniform(-1, 1, (D, D)) for _ in sizes]
    bs = [rng.uniform(-1, 1, D) for _ in sizes]
    game = smooth_game([{"Q": Q.tolist(), "b": b.tolist()} for Q, b in zip(Qs, bs)], sizes)
    S = [(Q + Q.T) / 2 for Q in Qs]
    return game, S, bs


def by_hand(game, S, bs, w, alpha):
    """Every direction from the matrices, written out from the papers' definitions."""
    blocks = game.blocks
    G = [S_i @ w + b_i for S_i, b_i in zip(S, bs)]  # grad_w l_i (D,)
    H = np.concatenate([S_i[blk] for S_i, blk in zip(S, blocks)])  # row block i of S_i
    xi = np.concatenate([G_i[blk] for G_i, blk in zip(G, blocks)])
    H_o = H.copy()
    for blk in blocks:
        H_o[blk, blk] = 0.0
    chi = np.zeros_like(xi)  # chi_i = sum_{j != i} H_ji^T grad_{w_j} l_i, H_ji = S_j[j, i]
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:
                chi[bi] += S[j][bj, bi].T @ G[i][bj]
    la = xi - alpha * H_o @ xi

    def xi_at(v):
        return H @ v + np.concatenate([b_i[blk] for b_i, blk in zip(bs, blocks)])

    return {
        "xi": xi, "H": H, "H_o": H_o, "chi": chi, "la": la, "lola": la - alpha * chi,
        "eg": xi_at(w - alpha * xi), "cgd": np.linalg.solve(np.eye(len(xi)) + alpha * H_o, xi),
        "lss": 0.5 * (xi + H.T @ np.linalg.solve(H, xi)),
    }  # fmt: skip


def toy_point():
    from games.toy import toy_game

    return toy_game(), np.array([1.2, 0.4])


def tandem_fixed_point(x=0.3):
    from games.opponent_shaping import tandem

    return tandem(), np.array([x, 1.0 - x])
