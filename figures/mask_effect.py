"""What active masks change in AgA's terms: one batch of a trained Selfish-MMM2 run.

    python -m figures.mask_effect runs/mmm2sweep/mmm2-aga-lam0.1-s0

Loads the run's final checkpoint (its parameters, environment and random state), collects
one batch as the learner would, takes one minibatch, and computes ``xi``, ``xi_c`` and
``H_c^T xi_c`` twice: with the active masks (``aga_ref.rl.ppo.minibatch``) and with every
transition counted for every agent, dead or not (the learner before the masks). Prints, per
agent, the share of its samples in which it was dead, the unmasked norms as multiples of the
masked ones, and the balance ``|H_c^T xi_c| / |xi_c|`` both ways (docs/mmm2.md).
"""

import argparse
import json
import os

import numpy as np

from aga_ref.rl import methods, ppo
from aga_ref.rl.checkpoint import load_checkpoint
from aga_ref.rl.config import Config
from aga_ref.rl.surrogate import surrogate_terms
from aga_ref.rl.train import experience


def terms(state, data, config, idx):
    """Norms per agent of xi, xi_c, H_c^T xi_c (N,) each, and AgA's share of lam < 0."""
    batch, _ = ppo.minibatch(data, idx, config.norm_adv)
    t = surrogate_terms(state["theta"], state["actor_shapes"], batch, config.clip,
                        hvp="collective")  # fmt: skip
    _, chosen = methods.direction("aga", t, config)
    return [np.linalg.norm(a, axis=1) for a in (t.xi, t.xi_c, t.Hv)], chosen["sign_negative"]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m figures.mask_effect",
                                     description=__doc__.split("\n\n")[0])  # fmt: skip
    parser.add_argument("run", help="a run folder with config.json and checkpoint.npz")
    parser.add_argument("--seed", type=int, default=0, help="which minibatch (default 0)")
    args = parser.parse_args(argv)
    for name in ("config.json", "checkpoint.npz"):
        if not os.path.isfile(os.path.join(args.run, name)):
            parser.error(f"run: {args.run} holds no {name}")
    with open(os.path.join(args.run, "config.json")) as f:
        saved = json.load(f)
    config = Config(**{k: v for k, v in saved.items() if k in Config.__dataclass_fields__})
    state = load_checkpoint(os.path.join(args.run, "checkpoint.npz"), config)
    data, _ = experience(state["env"], state, config)
    active, live = data["active"], data["live"]
    S = active.shape[1]
    idx = np.random.default_rng(args.seed).permutation(S)[: S // config.num_minibatches]
    (xi, xic, hv), neg = terms(state, data, config, idx)
    (xi_u, xic_u, hv_u), neg_u = terms(state, dict(data, active=live), config, idx)
    dead = 1 - active[:, idx].sum(1) / np.maximum(live[:, idx].sum(1), 1)
    print(f"{args.run}: dead agents' share of the batch's agent-samples: "
          f"{1 - active.sum() / live.sum():.3f}")  # fmt: skip
    print("agent  dead share  |xi| x  |xi_c| x  |Hc xi_c| x  balance masked  unmasked")
    for i in range(len(dead)):
        shrink = f"{xi_u[i] / xi[i]:6.3f}  {xic_u[i] / xic[i]:8.3f}  {hv_u[i] / hv[i]:11.3f}"
        print(f"{i:5d}  {dead[i]:10.2f}  {shrink}  {hv[i] / xic[i]:14.3f}  "
              f"{hv_u[i] / xic_u[i]:8.3f}")  # fmt: skip
    ratio = np.linalg.norm(hv) / np.linalg.norm(xic)
    ratio_u = np.linalg.norm(hv_u) / np.linalg.norm(xic_u)
    print(f"minibatch: |Hc xi_c| / |xi_c| masked {ratio:.3f}, unmasked {ratio_u:.3f}; "
          f"share of lam < 0 masked {neg}, unmasked {neg_u}")  # fmt: skip


if __name__ == "__main__":
    main()
