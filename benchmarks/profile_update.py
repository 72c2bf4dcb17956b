"""Where one PPO update's time goes, by operation, with the FLOPs each computes.

    python benchmarks/profile_update.py [--games harvest cleanup mmm2] [--repeats 3] [--quick]
    python benchmarks/profile_update.py --preset mappo --games harvest [--rows 30]
    python benchmarks/profile_update.py --layouts

For each game and method (Simul-Ind, AgA; MAPPO critic, the learner's defaults: 32 x 128
samples per update, 2 epochs of 4 minibatches) one rollout's batch is updated ``repeats``
times with a timer on every step of ``ppo.update`` and on every autograd primitive and
every vector-Jacobian product, so that each step's time splits into matrix products (BLAS),
other primitives, and the rest (Python, autograd's bookkeeping, plain NumPy). Each row
gives its milliseconds per update (the median over the repeats), its share, the FLOPs of
the matrix products it ran (2 per multiply-add, counted from their shapes as they happen)
and its GFLOP/s as a fraction of a plain float32 (1024, 1024) product timed in the same
run; then the costliest (step, operation) pairs (``--rows`` of them), where an operation is
one of the learner's primitives, its value or its VJP (``layer_norm``, ``relu``, ``affine``,
``layer_norm VJP``: the VJP with the autograd operations it runs), an autograd primitive
outside them (``anp.multiply VJP``: in the HVP, mostly autograd differentiating the
primitives' VJPs once more), MAPPO's ``value loss`` (its value), or ``outside primitives``
(Python, autograd's bookkeeping, plain NumPy). ``--preset mappo`` profiles the learner under
that preset (``aga_ref.rl.presets``: one minibatch, 15 epochs, LayerNorm and ReLU, ValueNorm,
Huber and clipped value loss, a clip per network; AgA with ``lam = 100``). The steps:

    minibatch      gathering a minibatch's arrays, advantage normalisation (the buffer's too)
    forward        the actors' forward pass (traced once; every pass below reads it)
      log-softmax  of it: log-softmax, action masks, log-probabilities, entropy
    xi, xi_c       vector-Jacobian products of the forward pass (``surrogate._gradients``)
    entropy grad   the entropy's vector-Jacobian product
    HVP            AgA's ``grad Ham_c = H_c^T xi_c``: the pass back through the three above
    critic         the value loss and its gradient
    value norm     the ValueNorm statistics' update and the normalised targets (the preset)
    direction      ``methods.direction`` (Eq. 1 and what it logs) and the global norm clip
    clip           ``mappo_update.clip``: the actors' and the critics' clips (the preset's)
    Adam           both optimisers' steps
    instruments    ``aga_ref.rl.instruments``'s norms and cosines
    other          the rest of ``ppo.update`` and ``surrogate_terms`` (the statistics)

Times are the process's CPU seconds (``time.process_time``): on a machine whose other core
is busy they inflate far less than wall-clock seconds (``--wall`` uses those). The timers
cost a few percent (the untimed update is printed beside the timed one). Runs
any checkout: ``PYTHONPATH=DIR python benchmarks/profile_update.py`` profiles the learner in
DIR (for example ``git archive 4bb68b1 | tar -x -C DIR``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import copy  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from aga_ref.rl import ppo  # noqa: E402
from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.train import experience, init_state  # noqa: E402

try:  # run as a script (this folder on the path) or imported from the root
    from profile_clock import CLOCK, STEPS, Clock, install  # noqa: E402
    from speed import machine, matmul_gflops  # noqa: E402
    from train import environments  # noqa: E402
except ImportError:
    from benchmarks.profile_clock import CLOCK, STEPS, Clock, install  # noqa: E402
    from benchmarks.speed import machine, matmul_gflops  # noqa: E402
    from benchmarks.train import environments  # noqa: E402
try:
    from aga_ref.rl.presets import PRESETS  # noqa: E402
except ImportError:  # an older learner (PYTHONPATH=DIR)
    PRESETS = {}


def batch(game, method, sizes, preset=None):
    """The learner's state and one rollout's data for ``game`` under ``method`` (and
    ``preset``, e.g. "mappo"; AgA with ``lam = 100`` then, the paper's)."""
    lam = {"lam": 100.0} if preset and method == "aga" else {}
    config = Config(method=method, env_steps=10**7, **{**PRESETS.get(preset, {}), **lam, **sizes})
    env = environments(game, config.num_envs)
    state = init_state(env, config)
    data, _ = experience(env, state, config)
    return config, {k: v for k, v in state.items() if k not in ("env", "carry")}, data


def update_seconds(config, state, data):
    """Seconds (``CLOCK``) of one ``ppo.update`` from a copy of ``state``."""
    s = copy.deepcopy(state)
    start = CLOCK[0]()
    ppo.update(s, data, config, 1e-4, np.random.default_rng(0))
    return CLOCK[0]() - start


def profile(clock, case, repeats):
    """{(step, kind): ms}, {step: GFLOP}, {(step, operation): ms} and {(step, operation):
    GFLOP} per update, medians over ``repeats``."""
    update_seconds(*case)  # warm-up
    tallies = (clock.seconds, clock.flops, clock.ops, clock.op_flops)
    runs = []
    for _ in range(repeats):
        [t.clear() for t in tallies + (clock.products,)]  # products: the last update's
        update_seconds(*case)
        runs.append([dict(t) for t in tallies])
    out = []
    for i, scale in enumerate((1e3, 1e-9, 1e3, 1e-9)):
        keys = STEPS if i == 1 else {k for run in runs for k in run[i]}
        out.append({k: scale * float(np.median([r[i].get(k, 0.0) for r in runs])) for k in keys})
    return out


def op_table(op_ms, op_gflop, peak, rows=16):
    """The ``rows`` costliest (step, operation) pairs of one profile."""
    total = sum(op_ms.values())
    lines = ["\n| step | operation | ms | share | GFLOP | GFLOP/s | fraction of peak |\n|"
             + "---|" * 7]  # fmt: skip
    for (step, op), t in sorted(op_ms.items(), key=lambda kv: -kv[1])[:rows]:
        f = op_gflop.get((step, op), 0.0)
        rate = f"{f / t * 1e3:.1f} | {100 * f / t * 1e3 / peak:.0f}%" if f else "- | -"
        lines.append(f"| {step} | {op} | {t:.1f} | {100 * t / total:.0f}% | {f:.2f} | {rate} |")
    return "\n".join(lines)


def table(game, method, ms, gflop, plain_ms, peak):
    """The markdown rows of one profile."""
    total = sum(ms.values())
    flops = sum(gflop.values())
    lines = [f"\n{game}, {method}: update {plain_ms:.0f} ms untimed, {total:.0f} ms timed, "
             f"{flops:.2f} GFLOP: {flops / plain_ms * 1e3:.1f} GFLOP/s, "
             f"{100 * flops / plain_ms * 1e3 / peak:.0f}% of the peak",
             "\n| step | ms | share | matmul ms | other primitives ms | rest ms | GFLOP "
             "| matmul GFLOP/s | step GFLOP/s | fraction of peak |\n|" + "---|" * 10]  # fmt: skip
    for step in STEPS:
        t = {kind: ms.get((step, kind), 0.0) for kind in ("matmul", "primitive", "rest")}
        row = sum(t.values())
        if row < 0.05:
            continue
        f = gflop[step]
        mm = f"{f / t['matmul'] * 1e3:.1f}" if t["matmul"] > 0 else "-"
        lines.append(f"| {step} | {row:.1f} | {100 * row / total:.0f}% | {t['matmul']:.1f} "
                     f"| {t['primitive']:.1f} | {t['rest']:.1f} | {f:.2f} | {mm} "
                     f"| {f / row * 1e3:.1f} | {100 * f / row * 1e3 / peak:.0f}% |")  # fmt: skip
    kinds = ("matmul", "primitive", "rest")
    kind = {k: sum(v for (_, c), v in ms.items() if c == k) for k in kinds}
    rate = flops / total * 1e3
    lines.append(f"| **all** | {total:.1f} | 100% | {kind['matmul']:.1f} | {kind['primitive']:.1f} "
                 f"| {kind['rest']:.1f} | {flops:.2f} | {flops / kind['matmul'] * 1e3:.1f} "
                 f"| {rate:.1f} | {100 * rate / peak:.0f}% |")  # fmt: skip
    return "\n".join(lines)


def layouts(repeats=30, N=5, S=1024, F=675, H=64):
    """GFLOP/s (best of ``repeats``, ``CLOCK``) of the first layer's products at the
    learner's sizes (Harvest: N agents, S samples, F features, H units): the forward
    ``x W``, the weights' gradient as autograd's ``matmul`` VJP forms it (``x^T g``) and as
    ``aga_ref.primitives.affine`` does (``(g^T x)^T``), the latter with a float64
    cotangent, as autograd's ``where`` made it on Selfish-MMM2, and three such gradients
    (xi's, xi_c's, the entropy's) as one product with 3 H columns."""
    rng = np.random.default_rng(0)
    x = np.take(rng.random((N, 4 * S, F), dtype=np.float32), rng.permutation(4 * S)[:S], 1)
    W, g = rng.random((N, F, H), dtype=np.float32), rng.random((N, S, H), dtype=np.float32)
    xT, gT, gT64 = np.swapaxes(x, 1, 2), np.swapaxes(g, 1, 2), np.swapaxes(g.astype(float), 1, 2)
    g3T = np.swapaxes(np.concatenate([g, 2 * g, 3 * g], axis=2), 1, 2)  # (N, 3 H, S)
    cases = {"forward x W": lambda: np.matmul(x, W),
             "weights' gradient x^T g (autograd's matmul VJP)": lambda: np.matmul(xT, g),
             "weights' gradient (g^T x)^T (affine's VJP)": lambda: np.matmul(gT, x),
             "the same, g float64": lambda: np.matmul(gT64, x),
             "three as one product, (g_1 g_2 g_3)^T x": lambda: np.matmul(g3T, x)}  # fmt: skip
    best = dict.fromkeys(cases, np.inf)
    for _ in range(repeats):  # interleaved, so that load hits every case alike
        for name, product in cases.items():
            start = CLOCK[0]()
            product()
            best[name] = min(best[name], CLOCK[0]() - start)
    flops = 2 * N * S * F * H
    lines = [
        f"\n| product, ({N}, {S}, {F}) x ({N}, {F}, {H}) or its gradient | GFLOP/s |\n|---|---|"
    ]
    lines += [
        f"| {name} | {flops * (3 if 'three' in name else 1) / t / 1e9:.1f} |"
        for name, t in best.items()
    ]
    return "\n".join(lines)


def _operand(shape, dtype, layout, rng):
    """A fresh operand of ``profile_clock.signature``'s description."""
    if layout == "C" or len(shape) < 2:
        return rng.random(shape).astype(dtype)
    swapped = shape[:-2] + (shape[-1], shape[-2])
    a = np.swapaxes(rng.random(swapped).astype(dtype), -1, -2)
    if layout == "T":
        return a
    return rng.random(shape[:-2] + (2 * shape[-2], shape[-1])).astype(dtype)[..., ::2, :]


def ceiling(products, peak, repeats=5):
    """The update's matrix products alone: every (shapes, dtypes, layouts) signature that
    one update ran (``Clock.products``) replayed as plain ``np.matmul`` on fresh operands of
    the same description, best of ``repeats`` (interleaved), times its count; then the same
    products with row-major float32 operands. The first is the update's fraction of the
    peak if everything but its products took no time; the second, if the products' layout
    and dtype were the best too. Returns a markdown line."""
    rng = np.random.default_rng(0)
    cases = [(sig, count, [_operand(*op, rng) for op in sig]) for sig, count in products.items()]
    best_cases = [(sig, count, [_operand(op[0], "<f4", "C", rng) for op in sig])
                  for sig, count in products.items()]  # fmt: skip
    best = {}
    for _ in range(repeats):
        for tag, group in (("as run", cases), ("row-major float32", best_cases)):
            for sig, _count, (a, b) in group:
                start = CLOCK[0]()
                np.matmul(a, b)
                key = tag, sig
                best[key] = min(best.get(key, np.inf), CLOCK[0]() - start)
    flops = sum(2 * count * np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), dtype=float)
                * a.shape[-2] * a.shape[-1] * b.shape[-1]
                for _sig, count, (a, b) in cases)  # fmt: skip
    out = []
    for tag in ("as run", "row-major float32"):
        t = sum(count * best[tag, sig] for sig, count, _ in cases)
        out.append(f"{tag}: {1e3 * t:.0f} ms, {flops / t / 1e9:.1f} GFLOP/s, "
                   f"{100 * flops / t / 1e9 / peak:.0f}% of the peak")  # fmt: skip
    layouts_seen = collections.Counter(op[2] for sig in products for op in sig)
    return (
        f"the products alone ({sum(products.values())} calls, {flops / 1e9:.2f} GFLOP, "
        f"{len(products)} signatures; operand layouts {dict(layouts_seen)}), replayed as "
        f"np.matmul: " + "; ".join(out)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=["harvest", "cleanup", "mmm2"])
    parser.add_argument("--methods", nargs="+", default=["simul-ind", "aga"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny batches: a smoke test")
    parser.add_argument("--layouts", action="store_true",
                        help="only the first layer's products in each memory layout")  # fmt: skip
    parser.add_argument("--wall", action="store_true", help="wall-clock seconds, not CPU")
    parser.add_argument("--rows", type=int, default=16, help="operations shown per profile")
    parser.add_argument("--preset", choices=sorted(PRESETS),
                        help="the learner under this preset (AgA with lam = 100)")  # fmt: skip
    args = parser.parse_args(argv)
    CLOCK[0] = time.perf_counter if args.wall else time.process_time
    print(f"machine: {machine()}; OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    peak = matmul_gflops(1024, 20, CLOCK[0])
    print(
        f"float32 (1024, 1024) @ (1024, 1024): {peak:.1f} GFLOP/s (peak); the times are "
        f"{'wall-clock' if args.wall else 'CPU'} seconds",
        flush=True,
    )
    if args.layouts:
        return print(layouts())
    sizes = {"num_envs": 2, "num_steps": 8, "num_minibatches": 2, "hidden": 8} if args.quick else {}
    cases = {(g, m): batch(g, m, sizes, args.preset) for g in args.games for m in args.methods}
    plain = {k: 1e3 * float(np.median([update_seconds(*c) for _ in range(args.repeats + 1)][1:]))
             for k, c in cases.items()}  # fmt: skip
    clock = Clock()
    install(clock)
    for (game, method), case in cases.items():
        ms, gflop, op_ms, op_gflop = profile(clock, case, args.repeats)
        print(table(game, method, ms, gflop, plain[game, method], peak), flush=True)
        print(op_table(op_ms, op_gflop, peak, args.rows), flush=True)
        print(f"\n{game}, {method}: {ceiling(clock.products, peak)}", flush=True)
    peak = max(peak, matmul_gflops(1024, 20, CLOCK[0]))
    print(f"\nfloat32 (1024, 1024) @ (1024, 1024): {peak:.1f} GFLOP/s (peak, after; the "
          f"fractions above divide by the first); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
