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

Error. How far one minibatch's product is from the paper's product, ``E[split]``, for each
estimator: ``||product - E[split]|| / ||E[split]||`` and the cosine of the two, averaged
over the draws. ``same``'s error is its bias and its noise, ``split``'s its noise only
(the noise of two half-size estimates). Cross-fitted: ``E[split]`` comes from the other half
of the draws, so a draw is never compared with a mean that contains it.

    python benchmarks/hamiltonian_estimator.py --preset mappo --skip-timing --draws 64

``--preset mappo`` takes MAPPO's configuration (``aga_ref.rl.presets``): its minibatch is
the whole batch, so each draw is a new rollout of the initial actors (``draws`` rollouts)
and the means are over rollouts; inputs and advantages are prepared as ``ppo.update``
prepares them (whole-buffer advantages, standardised LayerNorm inputs).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from aga_ref.rl import methods, ppo  # noqa: E402
from aga_ref.rl.config import Config  # noqa: E402
from aga_ref.rl.presets import PRESETS, preset_config  # noqa: E402
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
    parser.add_argument("--preset", choices=sorted(PRESETS), default=None,
                        help="measure the bias under this preset (the timing needs the "
                        "defaults' minibatches: give --skip-timing)")  # fmt: skip
    parser.add_argument("--skip-timing", action="store_true", help="measure the bias only")
    args = parser.parse_args(argv)
    if args.draws < 4:
        parser.error(f"--draws must be at least 4 (two halves of 2 or more), got {args.draws}")
    if args.preset and not args.skip_timing:
        parser.error(f"--preset {args.preset} measures the bias only; give --skip-timing")
    base = preset_config(args.preset, method="aga", lam=100.0) if args.preset else \
        Config(method="aga", lam=100.0)  # fmt: skip
    env = make_env(args.env, num_envs=base.num_envs, seed=0)
    state = init_state(env, base)
    data, _ = experience(env, state, base)
    if args.skip_timing:
        return _bias(state, data, base, args.draws, env)
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
    _bias(state, data, base, args.draws, env)


def _bias(state, data, config, draws, env):
    """Print same's bias at ``state``'s actors, and each estimator's error, from ``draws``
    minibatches of ``data`` (or, with one minibatch per batch, ``draws`` new rollouts)."""
    rng = np.random.default_rng(1)
    S = data["actions"].shape[1]
    products = {"same": [], "split": []}  # each (draws, N, P)
    prepared, per_minibatch = ppo.prepared(data, state, config)
    for d in range(draws):
        if config.num_minibatches == 1 and d > 0:  # the minibatch is the batch: a new one
            prepared, _ = ppo.prepared(experience(env, state, config)[0], state, config)
        idx = rng.permutation(S)[: S // config.num_minibatches]  # split halves by position
        batch, _ = ppo.minibatch(prepared, idx, per_minibatch)
        for estimator, out in products.items():
            terms = surrogate_terms(state["theta"], state["actor_shapes"], batch, config.clip,
                                    "collective", ("xi_c",), estimator=estimator)  # fmt: skip
            out.append(terms.Hv)
    same, split = (np.mean(products[e], axis=0) for e in ("same", "split"))
    gaps = [np.linalg.norm(a - b) / np.linalg.norm(a) for a, b in zip(*products.values())]
    # the bias estimate's own noise: the spread of one draw's same - split over sqrt(draws)
    differences = np.subtract(products["same"], products["split"])  # (draws, N, P)
    floor = np.sqrt(np.mean(np.sum((differences - (same - split)) ** 2, axis=(1, 2))) / draws)
    what = "rollouts (whole-batch minibatches)" if config.num_minibatches == 1 else "minibatches"
    print(f"at initialisation, {draws} {what}: ||E[same] - E[split]|| / ||E[same]|| = "
          f"{np.linalg.norm(same - split) / np.linalg.norm(same):.2f}; mean per-minibatch "
          f"hvp_bias {np.mean(gaps):.2f}; ||E[split]|| / ||E[same]|| = "
          f"{np.linalg.norm(split) / np.linalg.norm(same):.2f}; the first ratio's own noise "
          f"(one standard error) {floor / np.linalg.norm(same):.2f}")  # fmt: skip
    for estimator, out in products.items():
        error, cosine = against_mean(out, products["split"])
        print(f"  {estimator:5s} one minibatch against E[split] (cross-fitted): relative error "
              f"{error:.2f}, cosine {cosine:.2f}")  # fmt: skip


def against_mean(draws, unbiased):
    """(mean relative error, mean cosine) of each of ``draws`` (D, ...) against the mean of
    ``unbiased`` (D, ...), the same D draws' unbiased estimates, cross-fitted: the first
    half's draws against the second half's mean, and the other way round."""
    half = len(draws) // 2
    targets = (np.mean(unbiased[half:], axis=0), np.mean(unbiased[:half], axis=0))
    errors, cosines = [], []
    for d, P in enumerate(draws):
        target = targets[d >= half]
        errors.append(np.linalg.norm(P - target) / np.linalg.norm(target))
        cosines.append(np.sum(P * target) / (np.linalg.norm(P) * np.linalg.norm(target)))
    return float(np.mean(errors)), float(np.mean(cosines))


if __name__ == "__main__":
    main()
