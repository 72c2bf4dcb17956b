"""The cost of AgA's Hamiltonian estimators (``aga_ref.rl.hamiltonian``) and of ``hvp_bias``,
and the size of ``same``'s bias at initialisation.

    python benchmarks/hamiltonian_estimator.py [--env harvest] [--repeats 5] [--draws 32]

One rollout of AgA (the learner's defaults: 32 x 128 samples, MAPPO critic, 2 epochs of 4
minibatches, Harvest's 5 agents) is collected once; then, interleaved ``repeats`` times,
``surrogate.surrogate_terms`` on one minibatch (the product and everything it shares) and a
whole ``ppo.update`` on the batch, for ``--hamiltonian-estimator same`` and ``split``, with
and without ``--hvp-bias``. Prints the median CPU seconds (``time.process_time``) of each
and its ratio to ``same``. One BLAS thread.

Bias. At the initial actors, ``draws`` random minibatches (a quarter of the batch each, as
the learner draws them) give both products; their means estimate ``E[same]`` and
``E[split]`` over minibatches of this batch, whose difference is ``same``'s bias
``grad 1/2 tr Cov(xi_c)``. Printed: its norm against ``||E[same]||``, with the mean of the
per-minibatch ``hvp_bias`` (``||same - split|| / ||same||``) beside it; the means keep a
noise of about ``1 / sqrt(draws)`` of a single minibatch's.
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
    parser.add_argument("--draws", type=int, default=32)
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
    _bias(state, data, base, args.draws)


def _bias(state, data, config, draws):
    """Print same's bias at ``state``'s actors, from ``draws`` minibatches of ``data``."""
    rng = np.random.default_rng(1)
    S = data["actions"].shape[1]
    products = {"same": [], "split": []}  # each (draws, N, P)
    for _ in range(draws):
        idx = rng.permutation(S)[: S // config.num_minibatches]
        batch, _ = ppo.minibatch(data, idx, config.norm_adv)
        for estimator, out in products.items():
            terms = surrogate_terms(state["theta"], state["actor_shapes"], batch, config.clip,
                                    "collective", ("xi_c",), estimator=estimator)  # fmt: skip
            out.append(terms.Hv)
    same, split = (np.mean(products[e], axis=0) for e in ("same", "split"))
    gaps = [np.linalg.norm(a - b) / np.linalg.norm(a) for a, b in zip(*products.values())]
    print(f"at initialisation, {draws} minibatches: ||E[same] - E[split]|| / ||E[same]|| = "
          f"{np.linalg.norm(same - split) / np.linalg.norm(same):.2f}; mean per-minibatch "
          f"hvp_bias {np.mean(gaps):.2f}; ||E[split]|| / ||E[same]|| = "
          f"{np.linalg.norm(split) / np.linalg.norm(same):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
