"""The cost of ``--preset mappo`` per env-step against the learner's defaults, side by side.

    python benchmarks/preset_cost.py [--game harvest] [--method aga] [--rounds 3] [--gru] [--bodies]
    python benchmarks/preset_cost.py --bodies --no-updates   # only the bodies' actor terms

Both learners train on the same game from their own start (5 agents, 32 environments x 128
steps, 4096 env-steps per update); every round runs one update of each, the order flipped
every round, and prints both CPU seconds (``time.process_time``, which load on the other core
inflates less than wall-clock time) and wall seconds per update, and the ratio preset /
default of each, split into rollout, advantages and update. The medians of the per-round
ratios come last, with the load average beside them: on a shared machine only the ratios
mean something. Single-threaded (OPENBLAS_NUM_THREADS=1).

``--bodies`` times AgA's actor terms on one minibatch of 1,024 samples x 5 agents of
Harvest's 675 features (forward pass, ``xi``, ``xi_c``, ``H_c^T xi_c``: ``surrogate_terms``)
through each body: tanh, ReLU, tanh + LayerNorm, ReLU + LayerNorm (the preset's).
``--gru`` adds what MAPPO's GRU would cost, which the preset leaves out: the seconds of one
minibatch of actor terms (forward pass, xi, xi_c and the product H_c^T xi_c, as AgA needs)
through the preset's MLP body, and through the same body with a 64-unit GRU on top unrolled
over MAPPO's ``data_chunk_length`` of 10 steps, in autograd as the learner would have to.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
from autograd import grad  # noqa: E402

from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.layers import Arch, hidden_layers  # noqa: E402
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes, unflatten  # noqa: E402
from aga_ref.rl.presets import preset_config  # noqa: E402
from aga_ref.rl.surrogate import Batch, surrogate_terms  # noqa: E402
from aga_ref.rl.train import init_state, train_step  # noqa: E402
from games import gridworld  # noqa: E402

PHASES = ("rollout", "advantages", "update")


def timed_update(env, state, config):
    """One update (rollout, advantages, update): {phase: seconds, "cpu": ..., "wall": ...}."""
    timings, cpu, wall = {}, time.process_time(), time.perf_counter()
    train_step(env, state, config, timings)
    return {**timings, "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}


def side_by_side(game, method, rounds):
    """Per-round ratios (preset / default) of CPU and wall seconds and of each phase."""
    lam = {"lam": 100.0} if method == "aga" else {}
    configs = {"default": Config(method=method, **lam),
               "preset": preset_config("mappo", method=method, **lam)}  # fmt: skip
    runs = {}
    for name, config in configs.items():
        env = gridworld.make_env(game, num_envs=config.num_envs, seed=0, record_episodes=False)
        runs[name] = (env, init_state(env, config), config)
        timed_update(*runs[name])  # warm-up: first calls of autograd and numpy
    ratios = []
    for r in range(rounds):
        order = ("default", "preset") if r % 2 == 0 else ("preset", "default")
        seconds = {name: timed_update(*runs[name]) for name in order}
        ratio = {k: seconds["preset"][k] / seconds["default"][k] for k in ("cpu", "wall", *PHASES)}
        ratios.append(ratio)
        print(f"round {r + 1}/{rounds} ({' then '.join(order)}): CPU s/update default "
              f"{seconds['default']['cpu']:.2f}, preset {seconds['preset']['cpu']:.2f}; wall "
              f"{seconds['default']['wall']:.2f}, {seconds['preset']['wall']:.2f}; ratios "
              + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items())
              + f"; load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    return {k: float(np.median([r[k] for r in ratios])) for k in ratios[0]}


def body_costs(repeats=3, N=5, S=1024, F=675, H=64, A=8, seed=0):
    """{arch: median CPU seconds of surrogate_terms with the product, one minibatch}."""
    rng = np.random.default_rng(seed)
    x = rng.random((N, S, F)).astype(np.float32)  # views in [0, 1], as the gridworld's
    actions, out = rng.integers(A, size=(N, S)), {}
    for arch in (Arch("tanh", False), Arch("relu", False), Arch("tanh", True), Arch("relu", True)):
        shapes = layer_shapes(F, H, A, arch)
        theta = init_params(shapes, N, rng, out_scale=0.01)
        old = actor_terms(unflatten(theta, shapes), x, actions, None, arch)[0]
        adv = rng.normal(size=(2, N, S)).astype(np.float32)
        batch = Batch(x, actions, None, old, adv[0], adv[1], np.full((N, S), 1 / S, np.float32))
        surrogate_terms(theta, shapes, batch, 0.2, hvp="collective")  # warm-up
        times = []
        for _ in range(repeats):
            start = time.process_time()
            surrogate_terms(theta, shapes, batch, 0.2, hvp="collective")
            times.append(time.process_time() - start)
        out[arch] = float(np.median(times))
    return out


def gru_cost(repeats=3, N=5, S=1000, F=675, H=64, A=8, chunk=10, seed=0):
    """Median seconds of AgA's actor terms on one minibatch of S samples per agent: the
    preset's body, and the body with a GRU (PyTorch's gate equations) over chunks of
    ``chunk`` steps; (mlp seconds, gru seconds)."""
    rng = np.random.default_rng(seed)
    arch = Arch("relu", True)
    x = rng.normal(size=(N, S, F)).astype(np.float32)
    actions = rng.integers(A, size=(N, S))
    adv = rng.normal(size=(N, S)).astype(np.float32)

    def p(*shape, scale=0.1):
        return (scale * rng.standard_normal((N, *shape))).astype(np.float32)

    body = (p(F, H), p(H), p(H, H), p(H), p(H, A), p(A), p(F, scale=0) + 1, p(F), p(H) + 1,
            p(H), p(H) + 1, p(H))  # fmt: skip
    gru = (p(H, 3 * H), p(H, 3 * H), p(3 * H), p(3 * H))  # W_ih, W_hh, b_ih, b_hh

    def logits(w, use_gru):
        h = hidden_layers(w[:12], x, arch)[1]  # (N, S, H)
        if use_gru:  # S samples = S / chunk sequences of chunk steps, state 0 at each start
            W_ih, W_hh, b_ih, b_hh = w[12:]
            seq = anp.reshape(h, (N, S // chunk, chunk, H))
            state, outs = anp.zeros((N, S // chunk, H), dtype=np.float32), []
            for t in range(chunk):
                gi = anp.matmul(seq[:, :, t], W_ih) + b_ih[:, None]  # (N, S / chunk, 3H)
                gh = anp.matmul(state, W_hh) + b_hh[:, None]
                r = 1 / (1 + anp.exp(-(gi[..., :H] + gh[..., :H])))
                z = 1 / (1 + anp.exp(-(gi[..., H : 2 * H] + gh[..., H : 2 * H])))
                n = anp.tanh(gi[..., 2 * H :] + r * gh[..., 2 * H :])
                state = (1 - z) * n + z * state
                outs.append(state)
            h = anp.reshape(anp.stack(outs, axis=2), (N, S, H))
        z = anp.matmul(h, w[4]) + w[5][:, None]
        logp = z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))
        return anp.sum(anp.where(actions[..., None] == np.arange(A), logp, 0.0), axis=-1)

    def terms(w, use_gru):  # xi, xi_c and grad 1/2 ||xi_c||^2, as surrogate_terms does
        loss = lambda v: -anp.sum(adv * anp.exp(logits(v, use_gru) - 0.0)) / S  # noqa: E731
        grad(loss)(w)  # xi (same cost as xi_c)
        return grad(lambda v: 0.5 * sum(anp.sum(g**2) for g in grad(loss)(v)))(w)

    out = []
    for use_gru, w in ((False, body), (True, body + gru)):
        times = []
        for _ in range(repeats):
            start = time.process_time()
            terms(w, use_gru)
            times.append(time.process_time() - start)
        out.append(float(np.median(times)))
    return tuple(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--game", default="harvest", choices=("harvest", "cleanup"))
    parser.add_argument("--method", default="aga")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gru", action="store_true")
    parser.add_argument("--bodies", action="store_true")
    parser.add_argument("--no-updates", action="store_true", help="skip the side-by-side rounds")
    args = parser.parse_args()
    if args.bodies:
        for arch, seconds in body_costs().items():
            print(f"AgA's actor terms, one minibatch of 1024 x 5, {arch.activation}"
                  f"{' + LayerNorm' if arch.layer_norm else ''}: {seconds:.3f} CPU s; load "
                  f"{os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    if args.no_updates:
        args.rounds = 0
    if args.rounds:
        print(f"{args.game}, {args.method}{' lam 100' if args.method == 'aga' else ''}: "
              f"--preset mappo against the defaults, one update of each per round",
              flush=True)  # fmt: skip
        medians = side_by_side(args.game, args.method, args.rounds)
        print("median ratios preset / default: "
              + ", ".join(f"{k} {v:.2f}" for k, v in medians.items())
              + f"; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")  # fmt: skip
    if args.gru:
        mlp_s, gru_s = gru_cost()
        print(f"AgA's actor terms on one minibatch of 1000 samples x 5 agents, CPU s: the "
              f"preset's body {mlp_s:.2f}, with a GRU over 10-step chunks {gru_s:.2f} "
              f"(x{gru_s / mlp_s:.2f}); load average {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
