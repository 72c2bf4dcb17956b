"""Time one AgA step against one Simul-Ind step on a scalable coupled game.

    python benchmarks/aga_step.py [--max-dim 1000000] [--dense-max-dim 1000]

The game: n = 4 players on a ring, block a = w_i, b = w_{i+1 mod n}, each of size D/4,

    l_i(w) = sum( a^2/2 + a*b + 0.1 * sin(a) * b^2 ),

so every loss costs O(D/4) and the game Hessian is coupled and non-symmetric. For each D
we print the median wall time of one Simul-Ind step and one matrix-free AgA step (21 runs,
5 for D >= 10^5, the two steps interleaved), the median of the per-run ratio AgA / Simul-Ind
with its quartiles and its largest value (the spread this shared machine gives), one AgA
step that forms the dense ``H_c`` (median of 3 runs, only up to --dense-max-dim) and its
ratio to the Simul-Ind median, and the peak memory of the matrix-free step per parameter.
Progress goes to stderr.
"""

import argparse
import sys
import time
import tracemalloc

import autograd.numpy as anp
import numpy as np

import aga_ref

NUM_PLAYERS, LAM, ETA = 4, 0.1, 0.01


def ring_game(dim):
    """The coupled ring game above, with ``dim`` parameters split evenly over 4 players."""
    m = dim // NUM_PLAYERS

    def loss(i, w):
        a = w[i * m : (i + 1) * m]
        j = (i + 1) % NUM_PLAYERS
        b = w[j * m : (j + 1) * m]
        return anp.sum(0.5 * a**2 + a * b + 0.1 * anp.sin(a) * b**2)

    losses = [lambda w, i=i: loss(i, w) for i in range(NUM_PLAYERS)]
    return aga_ref.Game(losses, [m] * NUM_PLAYERS)


def simul_ind_step(game, w):
    return w - ETA * aga_ref.simul_ind_direction(game, w)


def aga_step(game, w):
    return w - ETA * aga_ref.aga_direction(game, w, LAM)


def aga_dense_step(game, w):
    """Eq. 1 with the dense collective Hessian: O(D^2) memory and D reverse passes."""
    xi, xi_c = aga_ref.simultaneous_gradient(game, w), aga_ref.collective_gradient(game, w)
    Hc_xic = aga_ref.collective_hessian(game, w).T @ xi_c  # (D, D) @ (D,)
    lam = aga_ref.paper_sign(xi, xi_c, Hc_xic) * LAM
    return w - ETA * (xi_c + lam * (xi + Hc_xic))


def timed(step, game, w):
    start = time.perf_counter()
    step(game, w)
    return time.perf_counter() - start


def run_times(steps, game, w, repeats):
    """Seconds of each step in each run (repeats, len(steps)), the steps interleaved so that
    they share the machine's noise."""
    return np.array([[timed(step, game, w) for step in steps] for _ in range(repeats)])


def peak_bytes(step, game, w):
    tracemalloc.start()
    step(game, w)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-dim", type=int, default=10**6)
    parser.add_argument("--dense-max-dim", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    dims = [d for d in [12, 100, 1000, 10**4, 10**5, 10**6] if d <= args.max_dim]
    lines = ["| D | runs | Simul-Ind ms | AgA ms | AgA / Simul-Ind: median (quartiles), largest "
             "| AgA dense ms (3 runs) | dense / Simul-Ind | AgA peak bytes / param |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for k, dim in enumerate(dims, start=1):
        print(f"[{k}/{len(dims)}] D = {dim} ...", file=sys.stderr, flush=True)
        game = ring_game(dim)
        w = rng.standard_normal(game.dim)
        repeats = 21 if dim <= 10**4 else 5
        aga_step(game, w)  # warm-up
        times = run_times([simul_ind_step, aga_step], game, w, repeats)  # (repeats, 2)
        simul, aga = np.median(times, axis=0)
        ratios = times[:, 1] / times[:, 0]
        if dim <= args.dense_max_dim:
            dense = np.median(run_times([aga_dense_step], game, w, 3))
            dense_ms, dense_ratio = f"{1e3 * dense:.2f}", f"{dense / simul:.1f}"
        else:
            dense_ms = dense_ratio = "-"
        per_param = peak_bytes(aga_step, game, w) / dim
        lines.append(f"| {dim} | {repeats} | {1e3 * simul:.2f} | {1e3 * aga:.2f} "
                     f"| {np.median(ratios):.2f} ({np.percentile(ratios, 25):.2f}-"
                     f"{np.percentile(ratios, 75):.2f}), {ratios.max():.2f} "
                     f"| {dense_ms} | {dense_ratio} | {per_param:.0f} |")  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
