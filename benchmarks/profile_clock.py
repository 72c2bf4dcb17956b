"""The timers of ``benchmarks/profile_update.py``: seconds and matrix-product FLOPs of one
PPO update by step (``STEPS``), by kind (matrix products, other autograd primitives, the
rest) and by operation (each of the learner's own primitives, its value or its VJP, and
autograd's primitives outside them), put on the learner's functions by ``install``.

It wraps whichever learner ``aga_ref`` imports (``PYTHONPATH=DIR`` for another checkout),
so a module or function an older learner lacks is skipped.
"""

import collections
import importlib
import time

import autograd.numpy as anp
import numpy as np
from autograd import core

from aga_ref import primitives
from aga_ref.rl import methods, policy, ppo, surrogate


def _optional(name):
    try:
        return importlib.import_module(name)
    except ImportError:  # an older learner
        return None


layers, mappo_update = _optional("aga_ref.rl.layers"), _optional("aga_ref.rl.mappo_update")

CLOCK = [time.process_time]  # the timers' clock; --wall: time.perf_counter
STEPS = ("minibatch", "forward", "log-softmax", "xi", "xi_c", "entropy grad", "HVP",
         "critic", "value norm", "direction", "clip", "Adam", "instruments", "other")  # fmt: skip


class Clock:
    """Exclusive seconds and matmul FLOPs per (step, kind) and per (step, operation); a
    stack of what is running. An operation is one of the learner's own primitives (its
    value, or its VJP with whatever autograd operations that VJP runs: ``layer_norm VJP``),
    else the autograd primitive running outside them (``anp.multiply VJP``: mostly the HVP
    differentiating the VJPs once more), else ``outside primitives``."""

    def __init__(self):
        self.stack = [["other", "rest", 0.0, 0.0, None]]  # step, kind, start, children's s, op
        self.seconds = collections.defaultdict(float)  # (step, kind) -> s
        self.flops = collections.defaultdict(float)  # step -> FLOPs
        self.ops = collections.defaultdict(float)  # (step, operation) -> s
        self.op_flops = collections.defaultdict(float)  # (step, operation) -> FLOPs
        self.products = collections.Counter()  # (shapes, dtypes, layouts) -> calls

    def step(self):
        return next(s for s, kind, *_ in reversed(self.stack) if kind == "rest")

    def timed(self, fun, step=None, kind="rest", op=None):
        def run(*args, **kwargs):
            frame = [step or self.step(), kind, CLOCK[0](), 0.0, self.inner_op(op)]
            self.stack.append(frame)
            try:
                return fun(*args, **kwargs)
            finally:
                self.stack.pop()
                elapsed = CLOCK[0]() - frame[2]
                self.seconds[frame[0], kind] += elapsed - frame[3]
                self.ops[frame[0], frame[4] or "outside primitives"] += elapsed - frame[3]
                self.stack[-1][3] += elapsed

        return run

    def inner_op(self, op):
        """The operation a frame opened now for ``op`` counts as: the learner's operation
        around it keeps the name of what autograd runs inside it."""
        around = self.stack[-1][4]
        return around if around and not around.startswith("anp.") else op


def install(clock):
    """Put the clock's timers on the update's steps, the primitives and their VJPs."""
    for module, name, step in ((ppo, "minibatch", "minibatch"), (methods, "direction", "direction"),
                               (ppo, "clip_by_global_norm", "direction"),
                               (ppo, "adam_step", "Adam"), (ppo, "_actor_step", "Adam"),
                               (ppo, "direction_instruments", "instruments"),
                               (ppo, "step_cosines", "instruments"),
                               (ppo, "step_sizes", "instruments"),
                               (policy, "log_softmax", "log-softmax"),
                               (mappo_update, "normalise_buffer", "minibatch"),
                               (mappo_update, "critic_targets", "value norm"),
                               (mappo_update, "clip", "clip")):  # fmt: skip
        if module and hasattr(module, name):
            setattr(module, name, clock.timed(getattr(module, name), step))
    if hasattr(ppo, "value_loss"):  # MAPPO's Huber and clipped loss: its value, by name
        ppo.value_loss = clock.timed(ppo.value_loss, op="value loss")
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
    """Every autograd primitive's value and VJP timed as kind "primitive" or "matmul", and
    as an operation: the learner's own (``aga_ref.primitives``, ``aga_ref.rl.layers``) by
    name, autograd's as ``anp.NAME``."""
    own = {id(getattr(m, n)) for m in (primitives, layers) if m for n in dir(m)}
    seen = set()
    for module in [m for m in (anp, primitives, layers, policy, surrogate, ppo) if m]:
        for name in dir(module):
            f = getattr(module, name)
            if not getattr(f, "_is_autograd_primitive", False) or f in seen:
                continue
            seen.add(f)
            op = name if id(f) in own else f"anp.{name}"
            cell = f.__closure__[f.__code__.co_freevars.index("f_raw")]
            kind = "matmul" if name == "matmul" else "primitive"
            cell.cell_contents = _counted(clock, cell.cell_contents, kind, op)
            if f in core.primitive_vjps:  # the maker (run when the value is traced) and the VJP
                maker = clock.timed(core.primitive_vjps[f], kind="primitive", op=f"{op} VJP")
                core.primitive_vjps[f] = lambda *a, _m=maker, _op=op: _vjp(clock, _m(*a), _op)


def _counted(clock, raw, kind, op):
    timed = clock.timed(raw, kind=kind, op=op)
    if kind != "matmul":
        return timed

    def matmul(a, b, **kwargs):
        where = clock.step(), clock.inner_op(op)
        out = timed(a, b, **kwargs)
        clock.products[signature(a), signature(b)] += 1
        clock.flops[where[0]] += 2 * out.size * np.shape(a)[-1]
        clock.op_flops[where] += 2 * out.size * np.shape(a)[-1]
        return out

    return matmul


def signature(a):
    """(shape, dtype, layout) of a product's operand: layout "C" (row-major), "T" (its last
    two axes swapped are row-major: a transposed view) or "strided" (anything else)."""
    a = np.asarray(a)
    if a.ndim < 2 or a.flags.c_contiguous:
        return a.shape, a.dtype.str, "C"
    return a.shape, a.dtype.str, "T" if np.swapaxes(a, -1, -2).flags.c_contiguous else "strided"


def _vjp(clock, vjp, op):
    return clock.timed(lambda g: tuple(vjp(g)), kind="primitive", op=f"{op} VJP")
