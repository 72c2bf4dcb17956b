"""Throughput of the vectorised Selfish-MMM2: env-steps/s with uniformly random available
actions, and where a step's time goes.

    python benchmarks/mmm2.py [--batches 1 16 256 1024] [--seconds 3]

For each batch size B: the median over 5 timed blocks of env-steps per second (the policy's
sampling included, as a learner would pay it), the same divided by the GFLOP/s of a float32
(1024, 1024) matrix product measured in this run (the larger of before and after the
batches; ``benchmarks/speed.py``), a rate to compare across machines, the ratio to the
SMAClite throughput recorded in ``docs/results/mmm2/smaclite.json`` by an earlier ``python
-m figures.mmm2_fidelity smaclite`` (not measured in this run, so it holds only on the
machine that wrote the file; SMAClite is not installed here), and the share of a step's time
in movement and collisions, in targeting (the enemy AI and the orders), in shots and heals,
and in the observations, state and masks, measured by timing those functions in a separate
run. Progress goes to stderr. The first lines name the machine.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # single-threaded, as the learner runs

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from games.smac import make_env  # noqa: E402
from games.smac.engine import Battles  # noqa: E402
from games.smac.policies import random_actions  # noqa: E402

try:  # run as ``python benchmarks/mmm2.py`` or imported from the repository's root
    from speed import machine, matmul_gflops  # noqa: E402
except ImportError:
    from benchmarks.speed import machine, matmul_gflops  # noqa: E402

PARTS = {"movement": ["_move"], "targeting": ["_targets"], "shots and heals": ["_land", "_heal"]}
SMACLITE = os.path.join(os.path.dirname(__file__), "..", "docs", "results", "mmm2", "smaclite.json")


def throughput(B, seconds):
    env = make_env("mmm2", num_envs=B, seed=0)
    _, info = env.reset()
    rng = np.random.default_rng(0)
    per_block, rates = max(1, int(seconds / 5 * 4000 / B)), []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_block):
            _, _, _, _, info = env.step(random_actions(info["avail_actions"], rng))
        rates.append(per_block * B / (time.perf_counter() - start))
    return float(np.median(rates))


def shares(B, steps=20):
    """Fraction of a step spent in each part (functions timed by wrapping them)."""
    spent = dict.fromkeys([*PARTS, "observations"], 0.0)
    originals = {}

    def timed(part, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            out = function(*args, **kwargs)
            spent[part] += time.perf_counter() - start
            return out

        return wrapper

    for part, names in PARTS.items():
        for name in names:
            originals[name] = getattr(Battles, name)
            setattr(Battles, name, timed(part, originals[name]))
    env = make_env("mmm2", num_envs=B, seed=0)
    core = env.core
    observe, state = core.observe, core.state
    core.observe, core.state = timed("observations", observe), timed("observations", state)
    try:
        _, info = env.reset()
        rng = np.random.default_rng(0)
        for key in spent:
            spent[key] = 0.0
        start = time.perf_counter()
        for _ in range(steps):
            _, _, _, _, info = env.step(random_actions(info["avail_actions"], rng))
        total = time.perf_counter() - start
    finally:
        for name, function in originals.items():
            setattr(Battles, name, function)
    return {part: t / total for part, t in spent.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16, 256, 1024])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    smaclite = None
    if os.path.exists(SMACLITE):
        with open(SMACLITE, encoding="utf-8") as f:
            smaclite = json.load(f)["env_steps_per_second"]
    columns = ["B", "env-steps/s", "env-steps per peak GFLOP",
               "x SMAClite (recorded, not measured here)",
               *[f"{p} %" for p in [*PARTS, "observations"]]]  # fmt: skip
    before, measured = matmul_gflops(), []
    for k, B in enumerate(args.batches, start=1):
        print(f"[{k}/{len(args.batches)}] B = {B} ...", file=sys.stderr, flush=True)
        measured.append((B, throughput(B, args.seconds), shares(B)))
    after = matmul_gflops()
    peak = max(before, after)
    lines = [f"machine: {machine()}; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}",
             f"float32 (1024, 1024) @ (1024, 1024): {before:.1f} GFLOP/s before the batches, "
             f"{after:.1f} after (peak: the larger)\n",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]  # fmt: skip
    for B, rate, parts in measured:
        ratio = f"{rate / smaclite:.0f}" if smaclite else "-"
        lines.append(f"| {B} | {rate:,.0f} | {rate / peak:,.0f} | {ratio} | "
                     + " | ".join(f"{100 * v:.0f}" for v in parts.values()) + " |")  # fmt: skip
    if smaclite:
        lines.append(f"\nSMAClite (numpy RVO2, one battle): {smaclite:.0f} env-steps/s, "
                     "recorded in docs/results/mmm2/smaclite.json by an earlier run")  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
