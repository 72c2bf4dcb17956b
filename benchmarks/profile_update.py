"""Where one PPO update's time goes, by operation, with the FLOPs each computes.

    python benchmarks/profile_update.py [--games harvest cleanup mmm2] [--repeats 3] [--quick]
    python benchmarks/profile_update.py --layouts

For each game and method (Simul-Ind, AgA; MAPPO critic, the learner's defaults: 32 x 128
samples per update, 2 epochs of 4 minibatches) one rollout's batch is updated ``repeats``
times with a timer on every step of ``ppo.update`` and on every autograd primitive and
every vector-Jacobian product, so that each step's time splits into matrix products (BLAS),
other primitives, and the rest (Python, autograd's bookkeeping, plain NumPy). Each row
gives its milliseconds per update (the median over the repeats), its share, the FLOPs of
the matrix products it ran (2 per multiply-add, counted from their shapes as they happen)
and its GFLOP/s as a fraction of a plain float32 (1024, 1024) product timed in the same
run. The steps:

    minibatch      gathering a minibatch's arrays, advantage normalisation
    forward        the actors' forward pass (traced once; every pass below reads it)
      log-softmax  of it: log-softmax, action masks, log-probabilities, entropy
    xi, xi_c       vector-Jacobian products of the forward pass (``surrogate._gradients``)
    entropy grad   the entropy's vector-Jacobian product
    HVP            AgA's ``grad Ham_c = H_c^T xi_c``: the pass back through the three above
    critic         the value loss and its gradient
    direction      ``methods.direction`` (Eq. 1 and what it logs) and the norm clipping
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

import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
from autograd import core  # noqa: E402

from aga_ref import primitives  # noqa: E402
from aga_ref.rl import methods, policy, ppo, surrogate  # noqa: E402
from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.train import experience, init_state  # noqa: E402

try:  # run as a script (this folder on the path) or imported from the root
    from speed import machine, matmul_gflops  # noqa: E402
    from train import environments  # noqa: E402
except ImportError:
    from benchmarks.speed import machine, matmul_gflops  # noqa: E402
    from benchmarks.train import environments  # noqa: E402

CLOCK = [time.process_time]  # the timers' clock; --wall: time.perf_counter
STEPS = ("minibatch", "forward", "log-softmax", "xi", "xi_c", "entropy grad", "HVP",
         "critic", "direction", "Adam", "instruments", "other")  # fmt: skip


class Clock:
    """Exclusive seconds and matmul FLOPs per (step, kind); a stack of what is running."""

    def __init__(self):
        self.stack = [["other", "rest", 0.0, 0.0]]  # step, kind, start, children's seconds
        self.seconds = collections.defaultdict(float)  # (step, kind) -> s
        self.flops = collections.defaultdict(float)  # step -> FLOPs

    def step(self):
        return next(s for s, kind, *_ in reversed(self.stack) if kind == "rest")

    def timed(self, fun, step=None, kind="rest"):
        def run(*args, **kwargs):
            frame = [step or self.step(), kind, CLOCK[0](), 0.0]
            self.stack.append(frame)
            try:
                return fun(*args, **kwargs)
            finally:
                self.stack.pop()
                elapsed = CLOCK[0]() - frame[2]
                self.seconds[frame[0], kind] += elapsed - frame[3]
                self.stack[-1][3] += elapsed

        return run


def install(clock):
    """Put the clock's timers on the update's steps, the primitives and their VJPs."""
    for module, name, step in ((ppo, "minibatch", "minibatch"), (methods, "direction", "direction"),
                               (ppo, "clip_by_global_norm", "direction"),
                               (ppo, "adam_step", "Adam"), (ppo, "_actor_step", "Adam"),
                               (ppo, "direction_instruments", "instruments"),
                               (ppo, "step_cosines", "instruments"),
                               (ppo, "step_sizes", "instruments"),
                               (policy, "log_softmax", "log-softmax")):  # fmt: skip
        if hasattr(module, name):
            setattr(module, name, clock.timed(getattr(module, name), step))
    _time_vjps(clock)
    make_vjp, grad, value_and_grad = surrogate.make_vjp, surrogate.grad, ppo.value_and_grad
    ppo.value_and_grad = lambda fun: clock.timed(value_and_grad(fun), "critic")

    def timed_make_vjp(fun):  # the forward pass, then xi, xi_c, entropy in that order
        def forward(x):
            vjp, ans = clock.timed(make_vjp(fun), "forward")(x)
            names = iter(clock.vjp_names)
            return lambda g: clock.timed(vjp, next(names))(g), ans

        return forward

    def timed_grad(fun):  # the outer grad of the Hamiltonian is the HVP
        return clock.timed(grad(fun), "HVP" if fun.__name__ == "hamiltonian" else None)

    def timed_terms(theta, shapes, batch, clip, hvp=None, need=("xi", "xi_c"), **options):
        need = set(need) | ({"xi_c"} if hvp == "collective" else {"xi"} if hvp else set())
        clock.vjp_names = [n for n in ("xi", "xi_c") if n in need] + ["entropy grad"]
        return terms(theta, shapes, batch, clip, hvp=hvp, need=need, **options)

    terms = clock.timed(ppo.surrogate_terms)
    surrogate.make_vjp, surrogate.grad = timed_make_vjp, timed_grad
    ppo.surrogate_terms = timed_terms


def _time_vjps(clock):
    """Every autograd primitive's value and VJP timed as kind "primitive" or "matmul"."""
    modules = [anp, primitives] + [m for m in (policy, surrogate, ppo) if m]
    seen = set()
    for module in modules:
        for name in dir(module):
            f = getattr(module, name)
            if not getattr(f, "_is_autograd_primitive", False) or f in seen:
                continue
            seen.add(f)
            cell = f.__closure__[f.__code__.co_freevars.index("f_raw")]
            kind = "matmul" if name == "matmul" else "primitive"
            cell.cell_contents = _counted(clock, cell.cell_contents, kind)
            if f in core.primitive_vjps:
                maker = core.primitive_vjps[f]
                core.primitive_vjps[f] = lambda *a, _m=maker: _vjp(clock, _m(*a))


def _counted(clock, raw, kind):
    timed = clock.timed(raw, kind=kind)
    if kind != "matmul":
        return timed

    def matmul(a, b, **kwargs):
        out = timed(a, b, **kwargs)
        clock.flops[clock.step()] += 2 * out.size * np.shape(a)[-1]
        return out

    return matmul


def _vjp(clock, vjp):
    return clock.timed(lambda g: tuple(vjp(g)), kind="primitive")


def batch(game, method, sizes):
    """The learner's state and one rollout's data for ``game`` under ``method``."""
    config = Config(method=method, env_steps=10**7, **sizes)
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
    """{(step, kind): ms} and {step: GFLOP} per update, medians over ``repeats``."""
    update_seconds(*case)  # warm-up
    runs = []
    for _ in range(repeats):
        clock.seconds.clear(), clock.flops.clear()
        update_seconds(*case)
        runs.append((dict(clock.seconds), dict(clock.flops)))
    keys = {k for seconds, _ in runs for k in seconds}
    ms = {k: 1e3 * float(np.median([s.get(k, 0.0) for s, _ in runs])) for k in keys}
    gflop = {k: float(np.median([f.get(k, 0.0) for _, f in runs])) / 1e9 for k in STEPS}
    return ms, gflop


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=["harvest", "cleanup", "mmm2"])
    parser.add_argument("--methods", nargs="+", default=["simul-ind", "aga"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny batches: a smoke test")
    parser.add_argument("--layouts", action="store_true",
                        help="only the first layer's products in each memory layout")  # fmt: skip
    parser.add_argument("--wall", action="store_true", help="wall-clock seconds, not CPU")
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
    cases = {(g, m): batch(g, m, sizes) for g in args.games for m in args.methods}
    plain = {k: 1e3 * float(np.median([update_seconds(*c) for _ in range(args.repeats + 1)][1:]))
             for k, c in cases.items()}  # fmt: skip
    clock = Clock()
    install(clock)
    for (game, method), case in cases.items():
        ms, gflop = profile(clock, case, args.repeats)
        print(table(game, method, ms, gflop, plain[game, method], peak), flush=True)
    peak = max(peak, matmul_gflops(1024, 20, CLOCK[0]))
    print(f"\nfloat32 (1024, 1024) @ (1024, 1024): {peak:.1f} GFLOP/s (peak, after; the "
          f"fractions above divide by the first); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
