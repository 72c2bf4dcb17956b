"""Throughput of the vectorised Cleanup and Harvest: env-steps/s and agent-steps/s.

    python benchmarks/gridworld.py [--batches 1 16 256 1024] [--seconds 2]

5 agents, uniformly random actions (drawn before timing), full 15x15 RGB observations every
step. For each game and batch size B: the median over 5 timed blocks of env-steps per
second, agent-steps per second (x5), the time of one step and of building its observations
alone, and memory per environment: the state and observation
arrays, and the peak of everything one step allocates (tracemalloc), divided by B. The SSD
reference (one environment, Python loops, 5 agents, random actions) was measured on this
kind of machine: about 3.2k env-steps/s for Cleanup and 2.5k for Harvest (SPEC section 7).
"""

import argparse
import time
import tracemalloc

import numpy as np

from games.gridworld import make_env

SSD = {"cleanup": 3200, "harvest": 2500}


def throughput(env, actions, seconds):
    """Median env-steps/s over 5 blocks of about ``seconds / 5`` each."""
    env.reset(seed=0)
    env.step(actions[0])
    per_block, rates = max(1, int(seconds / 5 * 20000 / env.num_envs)), []
    for _ in range(5):
        start = time.perf_counter()
        for t in range(per_block):
            env.step(actions[t % len(actions)])
        rates.append(per_block * env.num_envs / (time.perf_counter() - start))
    return float(np.median(rates))


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16, 256, 1024])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    columns = ["game", "B", "env-steps/s", "agent-steps/s", "x SSD", "step ms", "views ms",
               "state+obs KiB/env", "step peak KiB/env"]  # fmt: skip
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for game in ("harvest", "cleanup"):
        for B in args.batches:
            env = make_env(game, num_envs=B, num_agents=5, seed=0)
            actions = np.random.default_rng(0).integers(0, env.num_actions, size=(16, B, 5))
            rate = throughput(env, actions, args.seconds)
            held, peak = memory_per_env(env, actions)
            print(f"| {game} | {B} | {rate:,.0f} | {5 * rate:,.0f} | {rate / SSD[game]:.1f} "
                  f"| {1e3 * B / rate:.2f} | {observation_ms(env):.2f} "
                  f"| {held / 1024:.1f} | {peak / 1024:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
