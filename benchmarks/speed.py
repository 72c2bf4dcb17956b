"""What the speed benchmarks share: the machine's name, its float32 matrix-product rate
measured in the same run, and the floating-point operations of the learner's update.

Absolute rates belong to a machine, so every benchmark prints the CPU it ran on and the
GFLOP/s of a plain float32 matrix product measured in the same process (the practical peak
for this work: the networks are matrix products). The learner's update is then reported as
achieved GFLOP/s and as a fraction of that peak, the figure that carries over to another
machine. FLOPs are counted as in model-FLOPs utilisation (MFU, Chowdhery et al. 2022,
PaLM, appendix B): 2 per multiply-add of the networks' matrix products, derived from the
layer sizes; elementwise work (tanh, softmax, Adam) is not counted.
"""

import os
import platform
import time

import numpy as np


def machine():
    """The CPU's model name (``lscpu``'s, from /proc/cpuinfo on Linux) and the number of
    cores this process may use."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            name = next(t.split(":", 1)[1].strip() for t in f if t.startswith("model name"))
    except (OSError, StopIteration):  # not Linux
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores"


def matmul_gflops(n=1024, repeats=5, clock=time.perf_counter):
    """GFLOP/s of ``(n, n) @ (n, n)`` in float32, the best of ``repeats`` (BLAS with the
    process's thread setting; the benchmarks run single-threaded), timed by ``clock``
    (``time.process_time``: CPU seconds, which a busy second core inflates less)."""
    rng = np.random.default_rng(0)
    a, b = rng.random((2, n, n), dtype=np.float32)
    a @ b  # warm-up: BLAS's first call allocates
    best = np.inf
    for _ in range(repeats):
        start = clock()
        a @ b
        best = min(best, clock() - start)
    return 2 * n**3 / best / 1e9


def mlp_macs(shapes):
    """Multiply-adds per sample of each matrix product of one MLP ``policy.layer_shapes``:
    (m_1, m_2, m_3) for the three layers."""
    return tuple(int(np.prod(s)) for s in shapes if len(s) == 2)


def actor_macs(shapes, vjps, hvp):
    """Multiply-adds per sample and agent of the actor's terms (``surrogate_terms``).

    One forward pass (m_1 + m_2 + m_3); each vector-Jacobian product (``xi``, ``xi_c``, the
    entropy gradient) goes back through every layer, with two products per layer (the
    weights' gradient and the input's) except the first, whose input is data
    (m_1 + 2 m_2 + 2 m_3). A Hessian-vector product (``grad Ham``) differentiates once
    more, through one traced vector-Jacobian product (both factors of every product but
    the first layer's are now variables: m_1 + 4 m_2 + 4 m_3) and the forward pass it
    read (m_1 + 2 m_2 + 2 m_3)."""
    m1, m2, m3 = mlp_macs(shapes)
    forward, vjp = m1 + m2 + m3, m1 + 2 * m2 + 2 * m3
    second = (m1 + 4 * m2 + 4 * m3) + vjp if hvp else 0
    return forward + vjps * vjp + second


def critic_macs(shapes):
    """Multiply-adds per sample and critic network of the value loss's value and gradient:
    a forward pass and one vector-Jacobian product (2 m_1 + 3 m_2 + 3 m_3)."""
    m1, m2, m3 = mlp_macs(shapes)
    return 2 * m1 + 3 * m2 + 3 * m3


def update_flops(config, actor_shapes, critic_shapes, num_agents):
    """FLOPs per env-step of one PPO update (``aga_ref.rl.ppo.update``) under ``config``:
    every env-step is a sample for each of the ``num_agents`` actors and is visited
    ``update_epochs`` times; MAPPO has one critic network, IPPO one per agent."""
    from aga_ref.rl import methods

    hvp, need = methods.needs(config.method, config.hamiltonian, config.all_gradients)
    actors = num_agents * actor_macs(actor_shapes, vjps=len(need) + 1, hvp=hvp is not None)
    critics = (num_agents if config.critic == "ippo" else 1) * critic_macs(critic_shapes)
    return 2 * config.update_epochs * (actors + critics)
