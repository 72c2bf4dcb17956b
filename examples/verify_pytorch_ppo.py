"""AgA on PPO minibatches in PyTorch, as a MAPPO/IPPO learner computes it: the clipped
surrogates written here from the agents' actors and the minibatch's tensors
(``aga_ref.conformance.torch``), then the AgA step of ``verify_pytorch.aga_quantities``,
checked on every PPO case.

    python examples/verify_pytorch_ppo.py [--float32] [--wrong-sign] [--individual-in-lc]
        [--product-on-xi] [--mean-in-lc] [--inactive-counted]

Each bug flag plants one mistake a learner can make (docs/verify.md, "PPO minibatches");
``--float32`` computes in float32 and checks with the float32 tolerance. Exit status 0 when
everything passes.
"""

import argparse
import os
import sys

try:
    import torch
except ImportError:  # the examples need PyTorch; aga-ref itself does not
    raise SystemExit(
        "this example needs PyTorch: pip install torch --index-url "
        "https://download.pytorch.org/whl/cpu"
    ) from None

from aga_ref.conformance import torch as kit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_pytorch import aga_quantities  # noqa: E402  (the AgA step on any losses)

BUGS = ("wrong_sign", "individual_in_lc", "product_on_xi", "mean_in_lc", "inactive_counted")


def surrogates(case, bugs=()):
    """``(losses, l_c)``: agent i's ``-J_i(adv_ind)`` and ``-sum_j J_j(adv_col)``, functions
    of the agents' parameter list ``[(P,)] * N``."""
    mb, eps, N = case.minibatch, case.clip, len(case.params)
    q = mb["sample_weight"]  # (N, S): 0 on inactive samples and the reset step
    if "inactive_counted" in bugs:
        q = torch.full_like(q, 1.0 / q.shape[1])

    def J(params, i, adv):  # agent i's clipped surrogate, its samples weighted by q
        logits = case.actor(params[i], mb["inputs"][i]).masked_fill(~mb["avail"][i], -1e9)
        logp = logits.log_softmax(-1).gather(1, mb["actions"][i][:, None])[:, 0]  # (S,)
        rho, a = torch.exp(logp - mb["old_logp"][i]), mb[adv][i]
        return (q[i] * torch.minimum(rho * a, rho.clamp(1 - eps, 1 + eps) * a)).sum()

    adv_c = "adv_ind" if "individual_in_lc" in bugs else "adv_col"
    share = 1.0 / N if "mean_in_lc" in bugs else 1.0
    losses = [lambda p, i=i: -J(p, i, "adv_ind") for i in range(N)]
    return losses, lambda p: -share * sum(J(p, i, adv_c) for i in range(N))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    parser.add_argument("--wrong-sign", action="store_true", help="plant <xi_c, g> left out")
    parser.add_argument("--individual-in-lc", action="store_true", help="plant adv_ind in l_c")
    parser.add_argument("--product-on-xi", action="store_true", help="plant H_c xi for H_c xi_c")
    parser.add_argument("--mean-in-lc", action="store_true", help="plant l_c the mean, not sum")
    parser.add_argument("--inactive-counted", action="store_true", help="plant weights 1/S")
    args = parser.parse_args(argv)
    bugs = {bug for bug in BUGS if getattr(args, bug)}

    def quantities(case):
        losses, l_c = surrogates(case, bugs)
        planted = {"xi_xi"} if "wrong_sign" in bugs else set()
        planted |= {"product_on_xi"} & bugs
        return aga_quantities(losses, l_c, case.params, planted, case.values)

    dtype = torch.float32 if args.float32 else torch.float64
    return 0 if kit.check(quantities, kits="ppo", dtype=dtype) else 1


if __name__ == "__main__":
    sys.exit(main())
