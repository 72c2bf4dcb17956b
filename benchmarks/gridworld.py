"""Throughput of the vectorised Cleanup and Harvest: env-steps/s and agent-steps/s.

    python benchmarks/gridworld.py [--batches 1 16 256 1024] [--seconds 2] [--threads 1 2]

5 agents, uniformly random actions (drawn before timing), full 15x15 RGB observations every
step. For each game, batch size B and BLAS thread count (each measured in a fresh process
with ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` set, the thread
settings alternating over ``--rounds`` rounds): the median over 5 timed blocks of env-steps
per second (of the median round) with the slowest and fastest block of all rounds, agent-steps per
second (x5), the time of one step and of building its observations alone, and memory per
environment: the state and observation arrays, and the peak of everything one step allocates
(tracemalloc), divided by B. The step uses no BLAS, so both thread counts should agree within
noise. "x SSD" divides by the SSD code's throughput quoted in docs/paper.md, section 8 (one
environment, Python loops, 5 agents, random actions: about 3.2k env-steps/s for Cleanup and
2.5k for Harvest), not measured in this run (the SSD code is not installed here), so it holds
only for a machine like the one those figures came from. What this run does measure beside
the games is the machine: its CPU, and the GFLOP/s of a float32 (1024, 1024) matrix product
with each BLAS thread count (``benchmarks/speed.py``); "env-steps per peak GFLOP" divides the
rate by that, a rate to compare across machines (a step is integer and memory work, so it
scales with a machine's matrix-product speed only roughly).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from games.gridworld import make_env

try:  # run as ``python benchmarks/gridworld.py`` or imported from the repository's root
    from speed import machine, matmul_gflops
except ImportError:
    from benchmarks.speed import machine, matmul_gflops

SSD = {"cleanup": 3200, "harvest": 2500}
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def throughput(env, actions, seconds):
    """(median, slowest, fastest) env-steps/s over 5 blocks of about ``seconds / 5`` each."""
    env.reset(seed=0)
    env.step(actions[0])
    per_block, rates = max(1, int(seconds / 5 * 20000 / env.num_envs)), []
    for _ in range(5):
        start = time.perf_counter()
        for t in range(per_block):
            env.step(actions[t % len(actions)])
        rates.append(per_block * env.num_envs / (time.perf_counter() - start))
    return float(np.median(rates)), min(rates), max(rates)


def observation_ms(env, repeats=20):
    """Median milliseconds of building the observations alone (part of every step)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        env._observe()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def memory_per_env(env, actions):
    """(bytes of state + observation arrays, peak bytes allocated by one step) per env."""
    obs, *_ = env.step(actions[0])
    state = sum(
        getattr(env, name).nbytes for name in ("pos", "heading", "apples", "waste", "steps")
    )
    observation = obs.base.nbytes if obs.base is not None else obs.nbytes
    tracemalloc.start()
    env.step(actions[1])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (state + observation) / env.num_envs, peak / env.num_envs


def measure(game, B, seconds):
    """One JSON line on stdout: this process's measurements of (game, B)."""
    env = make_env(game, num_envs=B, num_agents=5, seed=0)
    actions = np.random.default_rng(0).integers(0, env.num_actions, size=(16, B, 5))
    rate, slowest, fastest = throughput(env, actions, seconds)
    held, peak = memory_per_env(env, actions)
    row = {"game": game, "B": B, "rate": rate, "slowest": slowest, "fastest": fastest,
           "views_ms": observation_ms(env), "held": held, "peak": peak}  # fmt: skip
    print(json.dumps(row), flush=True)


def run_worker(game, B, seconds, threads):
    """``measure`` (or, for game ``"peak"``, the matrix product's GFLOP/s) in a fresh process
    with ``threads`` BLAS threads."""
    env = dict(os.environ, **{k: str(threads) for k in BLAS_VARIABLES})
    command = [sys.executable, __file__, "--worker", game, str(B), "--seconds", str(seconds)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16, 256, 1024])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="BLAS threads")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per setting")
    parser.add_argument("--worker", nargs=2, metavar=("GAME", "B"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker and args.worker[0] == "peak":
        return print(json.dumps({"gflops": matmul_gflops(int(args.worker[1]))}), flush=True)
    if args.worker:
        return measure(args.worker[0], int(args.worker[1]), args.seconds)
    peak = {threads: run_worker("peak", 1024, 0, threads)["gflops"] for threads in args.threads}
    games = ("harvest", "cleanup")
    columns = ["game", "B", "BLAS threads", "env-steps/s (slowest-fastest block)",
               "agent-steps/s", "env-steps per peak GFLOP", "x SSD (quoted, not measured here)",
               "step ms", "views ms", "state+obs KiB/env", "step peak KiB/env"]  # fmt: skip
    table, done = [], 0
    total = len(games) * len(args.batches) * len(args.threads) * args.rounds
    for game in games:
        for B in args.batches:
            runs = {threads: [] for threads in args.threads}
            for _ in range(args.rounds):  # the thread settings alternate: load drifts hit both
                for threads in args.threads:
                    runs[threads].append(run_worker(game, B, args.seconds, threads))
                    done += 1
                    print(f"[{done}/{total}] {game} B={B} BLAS threads={threads}: "
                          f"{runs[threads][-1]['rate']:,.0f} env-steps/s", file=sys.stderr,
                          flush=True)  # fmt: skip
            for threads, rows in runs.items():
                best = sorted(rows, key=lambda r: r["rate"])[len(rows) // 2]  # the median round
                best["slowest"] = min(r["slowest"] for r in rows)
                best["fastest"] = max(r["fastest"] for r in rows)
                table.append(dict(best, threads=threads))
    print(f"machine: {machine()}")
    for threads, gflops in peak.items():  # before the games; and after, for the load's drift
        after = run_worker("peak", 1024, 0, threads)["gflops"]
        print(f"float32 (1024, 1024) @ (1024, 1024), BLAS threads={threads}: {gflops:.1f} "
              f"GFLOP/s before the games, {after:.1f} after (peak: the larger)")  # fmt: skip
        peak[threads] = max(gflops, after)
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for r in table:
        rate = r["rate"]
        print(f"| {r['game']} | {r['B']} | {r['threads']} "
              f"| {rate:,.0f} ({r['slowest']:,.0f}-{r['fastest']:,.0f}) | {5 * rate:,.0f} "
              f"| {rate / peak[r['threads']]:,.0f} | {rate / SSD[r['game']]:.1f} "
              f"| {1e3 * r['B'] / rate:.2f} | {r['views_ms']:.2f} "
              f"| {r['held'] / 1024:.1f} | {r['peak'] / 1024:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
