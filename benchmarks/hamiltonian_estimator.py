"""The cost of AgA's Hamiltonian estimators (``aga_ref.rl.hamiltonian``) and of ``hvp_bias``.

    python benchmarks/hamiltonian_estimator.py [--env harvest] [--repeats 5]

One rollout of AgA (the learner's defaults: 32 x 128 samples, MAPPO critic, 2 epochs of 4
minibatches, Harvest's 5 agents) is collected once; then, interleaved ``repeats`` times,
``surrogate.surrogate_terms`` on one minibatch (the product and everything it shares) and a
whole ``ppo.update`` on the batch, for ``--hamiltonian-estimator same`` and ``split``, with
and without ``--hvp-bias``. Prints the median CPU seconds (``time.process_time``) of each
and its ratio to ``same``. One BLAS thread.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from aga_ref.rl import methods, ppo  # noqa: E402
from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.surrogate import surrogate_terms  # noqa: E402
from aga_ref.rl.train import experience, init_state  # noqa: E402
from games.gridworld import make_env  # noqa: E402

VARIANTS = (("same", False), ("split", False), ("same", True), ("split", True))


def _seconds(fn, *args, **kwargs):
    start = time.process_time()
    fn(*args, **kwargs)
    return time.process_time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=("harvest", "cleanup"), default="harvest")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    base = Config(method="aga", lam=100.0)
    env = make_env(args.env, num_envs=base.num_envs, seed=0)
    state = init_state(env, base)
    data, _ = experience(env, state, base)
    S = data["actions"].shape[1]
    batch, _ = ppo.minibatch(data, np.arange(S // base.num_minibatches), base.norm_adv)
    hvp, need = methods.needs("aga")
    times = {v: {"terms": [], "update": []} for v in VARIANTS}
    for _ in range(args.repeats):
        for estimator, bias in VARIANTS:
            config = Config(method="aga", lam=100.0, hamiltonian_estimator=estimator,
                            hvp_bias=bias)  # fmt: skip
            t = times[estimator, bias]
            if not bias:
                t["terms"].append(_seconds(surrogate_terms, state["theta"], state["actor_shapes"],
                                           batch, config.clip, hvp, need,
                                           estimator=estimator))  # fmt: skip
            t["update"].append(_seconds(ppo.update, copy.deepcopy(state), data, config,
                                        config.lr, np.random.default_rng(0)))  # fmt: skip
    print(f"{args.env}, {data['actions'].shape[0]} agents, minibatch of {S // 4} samples; "
          f"median CPU s over {args.repeats} repeats (ratio to same)")  # fmt: skip
    ref = {k: np.median(times["same", False][k]) for k in ("terms", "update")}
    for (estimator, bias), t in times.items():
        cells = [f"{k} {np.median(t[k]):.3f} s ({np.median(t[k]) / ref[k]:.2f}x)"
                 for k in ("terms", "update") if t[k]]  # fmt: skip
        print(f"  {estimator:5s} hvp_bias={'on ' if bias else 'off'}  " + "   ".join(cells))


if __name__ == "__main__":
    main()
