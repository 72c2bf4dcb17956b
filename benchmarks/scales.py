"""Time and peak memory of the conformance tolerance's scales on a real actor network.

    python -m benchmarks.scales [--hidden 220]     # from the repository root

The game is the PPO surrogate game of ``tests/rl_setup.py``: 5 agents, each a tanh MLP
(10 inputs, two hidden layers of ``--hidden`` units, 5 actions, masked actions), 32
samples, an explicit collective loss; ``--hidden 220`` gives D = 260,725. Prints D, the
seconds of one AgA step (``aga_terms``) and of ``reference_scales`` (matrix-free,
``aga_ref.conformance.scales``), and the process's peak resident memory. A dense
``|hess l_i|`` would need ``8 D^2`` bytes per loss (540 GB at D = 260,725).
"""

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # tests/

from aga_ref import aga_terms, conformance  # noqa: E402
from tests.rl_setup import surrogate_game, tiny_problem  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=220, help="hidden units per layer")
    args = parser.parse_args(argv)
    theta, shapes, batch = tiny_problem(N=5, S=32, F=10, hidden=args.hidden, A=5, masked=True)
    N, P = theta.shape
    game, w = surrogate_game(shapes, batch, N, P), theta.ravel()  # (D,)
    start = time.perf_counter()
    aga_terms(game, w, 1.0)
    middle = time.perf_counter()
    conformance.reference_scales(game, w)
    end = time.perf_counter()
    print(f"D {game.dim}  aga_terms {middle - start:.2f} s  reference_scales "
          f"{end - middle:.2f} s  peak memory {peak_megabytes():.0f} MB")  # fmt: skip


def peak_megabytes():
    """This process's peak resident memory. Linux's ``VmHWM`` restarts at ``exec``;
    ``ru_maxrss`` does not: a process started by a large one (a test run that imported
    PyTorch and JAX) reports its parent's size there."""
    try:
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024  # kB
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


if __name__ == "__main__":
    main()
