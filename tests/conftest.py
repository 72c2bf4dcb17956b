"""Hypothesis profiles: ``deadline=None`` everywhere (autograd's first calls are slow);
``ci`` is also derandomized so CI runs are repeatable. Select with HYPOTHESIS_PROFILE.
The learner's tests share ``problem``: a tiny policy batch and its surrogate game. A sweep
run inside pytest starts its children without a fork of pytest, and BLAS and PyTorch run
one thread (the fixtures below)."""

import os
import sys

import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

from figures import sweep_processes
from tests.rl_setup import surrogate_game, tiny_problem

settings.register_profile("dev", deadline=None, max_examples=40)
settings.register_profile(
    "ci", deadline=None, max_examples=40, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(params=[(0, False), (1, True)], ids=["unmasked", "masked"])
def problem(request):
    seed, masked = request.param
    theta, shapes, batch = tiny_problem(seed=seed, masked=masked)
    N, P = theta.shape
    return theta, shapes, batch, surrogate_game(shapes, batch, N, P)


@pytest.fixture(autouse=True)
def sweep_children_without_preexec(monkeypatch):
    """A sweep run inside pytest asks for no ``PR_SET_PDEATHSIG`` for its children
    (``figures/sweep_processes.py``): the request is a ``preexec_fn``, Python run in a fork
    of pytest, which runs JAX's threads once a test has imported JAX (unsafe: JAX warns).
    The SIGKILLed sweep of ``test_requeue_sweep.py`` is a process of its own and keeps it."""
    monkeypatch.setattr(sweep_processes, "LIBC", None)


@pytest.fixture(autouse=True)
def one_blas_thread():
    """BLAS on one thread in every test, as ``aga-ref train`` runs by default
    (``figures/threads.py``): CI runs plain ``pytest``, whose OpenBLAS takes a thread per core.
    At a load of 4-5 on the shared 2-core machine, README block 34 (``train`` at 8,192
    env-steps, in process) took 15.1 and 17.6 s with OpenBLAS's 2 threads, 3.8 and 4.0 s with
    ``OPENBLAS_NUM_THREADS=1``. Libraries loaded during a test are limited from the next."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def one_torch_thread():
    """PyTorch on one thread once a test module has imported it: the tests' tensors are tiny,
    and a second thread only waits for a core. On the shared 2-core machine (load 6)
    ``examples/verify_pytorch_ppo.py`` took 6 to 56 s with torch's 2 threads, 1.0 to 1.3 s
    with one."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)
