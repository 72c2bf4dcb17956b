"""Speed of learning agents: AgA against Simul-Ind, end to end and per update.

    python benchmarks/train.py [--games harvest cleanup mmm2] [--rounds 3] [--against REF]
    python benchmarks/train.py --preset mappo --critics mappo --games harvest [--against REF]

5 agents (Selfish-MMM2: 10), the learner's defaults (32 environments x 128 steps per update,
2 epochs of 4 minibatches, MLP 64-64). Runs single-threaded (set OPENBLAS_NUM_THREADS=1 before numpy
loads, as for every experiment on this 2-core machine). For each game and critic:

- end to end: ``rounds`` rounds, each one training update (rollout + advantages + update,
  4096 env-steps) of Simul-Ind then one of AgA, from the same start; the median env-steps/s
  of each and their ratio (goal: AgA at most 2.5x the time of Simul-Ind);
- one update on the same batch: the median seconds of ``ppo.update`` (both epochs, every
  minibatch, the critic included) and of the actor's terms alone on one minibatch
  (``surrogate_terms`` + the direction) for each method, and the ratios (goal: at most 3x);
- the update's arithmetic: its FLOPs per env-step, counted from the network sizes
  (``benchmarks/speed.py``), the GFLOP/s it achieves, and that as a fraction of the
  GFLOP/s of a plain float32 (1024, 1024) matrix product measured in the same run, before
  and after the games (the machine's practical peak for this work, single-threaded); the
  same in CPU seconds (``time.process_time``, the update's best repeat), which other
  processes on the machine inflate far less;
- where the time goes: the shares of the environment's ``step``, the rest of the rollout
  (the actors' forward passes and bookkeeping), the critics' values + GAE, and the update.
- with ``--against REF`` (a git commit, e.g. 4bb68b1), first the same end-to-end update
  timed with REF's learner and the working tree's, each in its own process
  (``git archive REF`` unpacked in a temporary folder, found first on ``PYTHONPATH``),
  alternating one update of each in every round, the order flipped every round: the median
  env-steps/s of both, the median of the per-round ratios (now / REF) and their range, and
  the CPU seconds (``time.process_time``) of the step and of the update alone, the best
  round's of each: load on the other core inflates wall-clock time and only ever adds to
  CPU time, so the smallest CPU time is the steadiest measure on a shared machine.
``--preset mappo`` runs all of it, ``--against`` included, under that preset's values
(``aga_ref.rl.presets``: one minibatch of all 4096 env-steps, 15 epochs, LayerNorm and ReLU,
ValueNorm, Huber and clipped value loss, a clip per network); AgA keeps its default ``lam``,
which changes no cost. Its profile by operation is ``benchmarks/profile_update.py --preset``.
The absolute goal is 2e7 env-steps of Harvest in an hour (5.5k env-steps/s) on the 2-core
machine the project runs on; every absolute rate printed belongs to the machine named in the
first line of the output. ``--quick`` runs tiny batches and networks in seconds (a smoke
test: its numbers mean little).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from aga_ref.rl import methods, ppo  # noqa: E402
from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.surrogate import surrogate_terms  # noqa: E402
from aga_ref.rl.train import experience, init_state, train_step  # noqa: E402
from games import gridworld, smac  # noqa: E402

try:  # as in profile_update.py: a --worker of a commit before the presets runs without them
    from aga_ref.rl.presets import PRESETS  # noqa: E402
except ImportError:
    PRESETS = {}

try:  # run as ``python benchmarks/train.py`` (this folder on the path) or imported from the root
    from against import against, against_table  # noqa: E402
    from architectures import architectures  # noqa: E402
    from speed import machine, matmul_gflops, update_flops  # noqa: E402
except ImportError:
    from benchmarks.against import against, against_table  # noqa: E402
    from benchmarks.architectures import architectures  # noqa: E402
    from benchmarks.speed import machine, matmul_gflops, update_flops  # noqa: E402


def environments(game, num_envs):
    """The batch the learner trains on: a gridworld game, or Selfish-MMM2 (10 agents)."""
    if game == "mmm2":
        return smac.make_env("mmm2", num_envs=num_envs, seed=0, record_episodes=False)
    return gridworld.make_env(game, num_envs=num_envs, seed=0, record_episodes=False)


class TimedEnv:
    """Forwards to an environment and adds the seconds spent in ``step`` to ``timings``."""

    def __init__(self, env, timings):
        self.env, self.timings = env, timings

    def __getattr__(self, name):
        return getattr(self.env, name)

    def step(self, actions):
        start = time.perf_counter()
        out = self.env.step(actions)
        self.timings["env"] = self.timings.get("env", 0.0) + time.perf_counter() - start
        return out


def end_to_end(game, critic, rounds, sizes):
    """Median env-steps/s of Simul-Ind and AgA (interleaved) and AgA's time shares."""
    rates, shares = {"simul-ind": [], "aga": []}, {}
    for method in rates:  # warm-up: first calls of autograd and numpy
        _one_update(game, critic, method, {}, sizes)
    for r in range(rounds):
        for method in rates:
            timings = {}
            rate = _one_update(game, critic, method, timings, sizes)
            rates[method].append(rate)
            shares[method] = timings
        print(
            f"  {game}/{critic} round {r + 1}/{rounds}: "
            f"{rates['simul-ind'][-1]:,.0f} vs {rates['aga'][-1]:,.0f} env-steps/s",
            flush=True,
        )
    return {m: float(np.median(v)) for m, v in rates.items()}, shares


def worker(sizes):
    """Serve ``game critic method`` lines on stdin: one timed update each, answered with
    ``env-steps/s step-CPU-seconds update-CPU-seconds`` on stdout (the learner is whichever
    ``aga_ref`` imports; CPU seconds by ``time.process_time``)."""
    update = ppo.update

    def timed_update(*args, **kwargs):  # the update's CPU seconds, as train_step calls it
        start = time.process_time()
        out = update(*args, **kwargs)
        timings["update_cpu"] = time.process_time() - start
        return out

    ppo.update = timed_update
    for line in sys.stdin:
        timings = {}
        rate = _one_update(*line.split(), timings, sizes)
        print(f"{rate} {timings['cpu']} {timings['update_cpu']}", flush=True)


def _one_update(game, critic, method, timings, sizes):
    config = Config(method=method, critic=critic, env_steps=10**7, **sizes)
    env = TimedEnv(environments(game, config.num_envs), timings)
    state = init_state(env, config)
    start, cpu = time.perf_counter(), time.process_time()
    train_step(env, state, config, timings)
    timings["cpu"] = time.process_time() - cpu
    return config.batch_steps / (time.perf_counter() - start)


def update_cost(game, critic, sizes, repeats=5):
    """Median seconds of one PPO update and of one minibatch's actor terms, the update's
    smallest CPU seconds (``update_cpu``), and its FLOPs per env-step, per method."""
    config = Config(critic=critic, env_steps=10**7, **sizes)
    env = environments(game, config.num_envs)
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    times = {m: {"update": [], "terms": [], "update_cpu": []} for m in ("simul-ind", "aga")}
    mini = _minibatch(data, config)
    for _ in range(repeats):
        for method in times:
            c = Config(method=method, critic=critic, env_steps=10**7, **sizes)
            s = copy.deepcopy({k: v for k, v in state.items() if k not in ("env", "carry")})
            start, cpu = time.perf_counter(), time.process_time()
            ppo.update(s, data, c, 1e-4, np.random.default_rng(0))
            times[method]["update"].append(time.perf_counter() - start)
            times[method]["update_cpu"].append(time.process_time() - cpu)
            start = time.perf_counter()
            terms = surrogate_terms(state["theta"], state["actor_shapes"], mini, c.clip,
                                    *methods.needs(method))  # fmt: skip
            values = (np.zeros(len(mini.x)), np.zeros(len(mini.x)))  # FCGrad only
            methods.direction(method, terms, c, values)
            times[method]["terms"].append(time.perf_counter() - start)
    out = {m: {k: float(np.median(v)) for k, v in t.items()} for m, t in times.items()}
    for method, t in times.items():  # load on the other core only ever adds CPU time
        out[method]["update_cpu"] = min(t["update_cpu"])
    for method in out:
        c = Config(method=method, critic=critic, env_steps=10**7, **sizes)
        out[method]["flops"] = update_flops(c, state["actor_shapes"], state["critic_shapes"],
                                            data["actions"].shape[0])  # fmt: skip
    return out, config.batch_steps


def _minibatch(data, config):
    from aga_ref.rl.surrogate import Batch

    S = data["actions"].shape[1] // config.num_minibatches
    w = np.full((data["x"].shape[0], S), 1.0 / S, np.float32)
    return Batch(data["x"][:, :S], data["actions"][:, :S], None, data["logp"][:, :S],
                 data["adv_ind"][:, :S], data["adv_col"][:, :S], w)  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=["harvest", "cleanup", "mmm2"])
    parser.add_argument("--critics", nargs="+", default=["mappo", "ippo"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="tiny batches and networks, one round: a smoke test")  # fmt: skip
    parser.add_argument("--against", metavar="REF",
                        help="also time commit REF's learner, alternating with ours")  # fmt: skip
    parser.add_argument("--preset", choices=sorted(PRESETS), help="the learner under a preset")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = {"num_envs": 2, "num_steps": 8, "num_minibatches": 2, "hidden": 8}
    sizes, repeats = (quick, 1) if args.quick else ({}, 5)
    sizes = {**PRESETS.get(args.preset, {}), **sizes}  # Config's values beyond the defaults
    if args.worker:
        return worker(sizes)
    rounds, n = (1, 256) if args.quick else (args.rounds, 1024)
    preset = f"; --preset {args.preset}" if args.preset else ""
    print(f"machine: {machine()}; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"load average {_load()}{preset}")  # fmt: skip
    peak, peak_cpu = [matmul_gflops(n)], [matmul_gflops(n, clock=time.process_time)]
    print(f"float32 ({n}, {n}) @ ({n}, {n}): {peak[0]:.1f} GFLOP/s (peak, before)", flush=True)
    if args.against:
        cases = [(g, c, m) for g in args.games for c in args.critics for m in ("simul-ind", "aga")]
        print(f"against {args.against} ...", flush=True)
        results = against(args.against, cases, max(rounds, 2), args.quick, args.preset)
        print(against_table(args.against, results))
        print(f"(load average {_load()})", flush=True)
    print("networks ...", flush=True)
    arch = architectures(S=64 if args.quick else 1024, repeats=repeats)
    lines, costs = [], []
    for game in args.games:
        for critic in args.critics:
            print(f"{game}/{critic}: end to end ...", flush=True)
            rates, shares = end_to_end(game, critic, rounds, sizes)
            print(f"{game}/{critic}: one update on the same batch ...", flush=True)
            cost, batch_steps = update_cost(game, critic, sizes, repeats)
            costs.append((game, critic, cost, batch_steps))
            t = shares["aga"]
            total = t["rollout"] + t["advantages"] + t["update"]  # the env is in the rollout
            env_share = t["env"] / total
            rollout_share = (t["rollout"] - t["env"]) / total
            lines.append(
                f"| {game} | {critic} | {rates['simul-ind']:,.0f} | {rates['aga']:,.0f} "
                f"| {rates['simul-ind'] / rates['aga']:.2f} "
                f"| {cost['aga']['update'] / cost['simul-ind']['update']:.2f} "
                f"| {cost['aga']['terms'] / cost['simul-ind']['terms']:.2f} "
                f"| {100 * env_share:.0f}% | {100 * rollout_share:.0f}% "
                f"| {100 * t['advantages'] / total:.0f}% | {100 * t['update'] / total:.0f}% |"
            )
    print(
        "\n| game | critic | Simul-Ind env-steps/s | AgA env-steps/s | time ratio end to end "
        "| update ratio | actor terms ratio | AgA: env | AgA: actors in rollout "
        "| AgA: values + GAE | AgA: update |\n|" + "---|" * 11
    )
    print("\n".join(lines))
    peak.append(matmul_gflops(n))
    peak_cpu.append(matmul_gflops(n, clock=time.process_time))
    print(f"\nfloat32 ({n}, {n}) @ ({n}, {n}): {peak[1]:.1f} GFLOP/s (peak, after); the "
          f"fractions below divide by the larger, {max(peak):.1f} (in CPU time "
          f"{max(peak_cpu):.1f}); load {_load()}")  # fmt: skip
    print("\n| game | critic | method | update FLOPs per env-step | update s | update GFLOP/s "
          "| fraction of the matrix-product peak | update CPU s (best) "
          "| fraction of the peak in CPU time |\n|" + "---|" * 9)  # fmt: skip
    for game, critic, cost, batch_steps in costs:
        for method, c in cost.items():
            rate = c["flops"] * batch_steps / c["update"] / 1e9
            cpu_rate = c["flops"] * batch_steps / c["update_cpu"] / 1e9
            print(f"| {game} | {critic} | {method} | {c['flops'] / 1e6:.2f} M "
                  f"| {c['update']:.3f} | {rate:.2f} | {100 * rate / max(peak):.2g}% "
                  f"| {c['update_cpu']:.3f} | {100 * cpu_rate / max(peak_cpu):.2g}% |")  # fmt: skip
    S = 64 if args.quick else 1024
    print(f"\n| forward, {S} views, one agent | ms |\n|---|---|")
    print(f"| MLP 675-64-64-9 | {arch['mlp']:.1f} |")
    print(f"| FCGrad's CNN by im2col | {arch['cnn']:.1f} |")
    print(f"\n| autograd gradient of the batched layer (5, {S}, 675) x (5, 675, 64) | ms |")
    print(f"|---|---|\n| np.matmul | {arch['matmul']:.1f} |\n| np.einsum | {arch['einsum']:.1f} |")


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
