"""benchmarks/profile_update.py: its per-step FLOPs, counted from the products as they
happen, add up to the update's FLOPs counted from the network sizes (benchmarks/speed.py),
and every step it names appears in its table."""

import os
import subprocess
import sys

import pytest

from aga_ref.rl.config import Config
from aga_ref.rl.train import init_state
from benchmarks.speed import update_flops
from games import gridworld

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("method", ["simul-ind", "aga"])
def test_profile_counts_every_flop_of_the_update_once(method):
    command = [sys.executable, os.path.join(ROOT, "benchmarks", "profile_update.py"), "--quick",
               "--games", "harvest", "--methods", method, "--repeats", "1"]  # fmt: skip
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    sizes = {"num_envs": 2, "num_steps": 8, "num_minibatches": 2, "hidden": 8}
    config = Config(method=method, env_steps=10**7, **sizes)
    state = init_state(gridworld.make_env("harvest", num_envs=2, seed=0), config)
    flops = update_flops(config, state["actor_shapes"], state["critic_shapes"], 5)
    total = f"{flops * config.batch_steps / 1e9:.2f} GFLOP"
    assert f"harvest, {method}: update " in out and total in out, (total, out)
    ceiling = next(line for line in out.splitlines() if "the products alone" in line)
    assert f"{flops * config.batch_steps / 1e9:.2f} GFLOP" in ceiling, ceiling  # replayed: all
    rows = [line.split(" | ")[0][2:] for line in out.splitlines() if line.startswith("| ")]
    steps = {"forward", "xi", "entropy grad", "critic", "Adam", "instruments"}
    steps |= {"xi_c", "HVP"} if method == "aga" else set()
    assert steps <= set(rows), rows


def test_the_preset_profile_names_mappos_operations_and_its_steps():
    command = [sys.executable, os.path.join(ROOT, "benchmarks", "profile_update.py"), "--quick",
               "--games", "harvest", "--methods", "aga", "--repeats", "1", "--preset", "mappo",
               "--rows", "200"]  # fmt: skip
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    cells = [line.split(" | ")[:2] for line in out.splitlines() if line.startswith("| ")]
    steps, ops = {c[0][2:] for c in cells}, {tuple(c) for c in cells if len(c) == 2}
    assert {"value norm", "clip", "HVP"} <= steps, steps
    for step, op in (("forward", "layer_norm"), ("forward", "relu"), ("xi", "layer_norm VJP"),
                     ("critic", "value loss"), ("HVP", "affine VJP")):  # fmt: skip
        assert (f"| {step}", op) in ops, (step, op, sorted(ops))


def test_a_products_operands_are_described_by_their_layout():
    import numpy as np

    from benchmarks.profile_clock import signature
    from benchmarks.profile_update import _operand

    a = np.zeros((2, 6, 4), np.float32)
    views = {"C": a, "T": np.swapaxes(a, 1, 2), "strided": a[:, ::2, :]}
    for layout, view in views.items():
        assert signature(view) == (view.shape, "<f4", layout)
        made = _operand(view.shape, "<f4", layout, np.random.default_rng(0))
        assert signature(made) == signature(view)  # the replay gets what the update had
