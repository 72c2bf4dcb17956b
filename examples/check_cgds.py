"""CGDs' BCGD (Schafer & Anandkumar's competitive gradient descent as packaged on PyPI,
``pip install CGDs==0.4.5``) checked on the kit's zero-sum game-dynamics cases: its step's
direction, the parameter change over the learning rate, against ``cgd[alpha=0.3]``.

    python examples/check_cgds.py [--float64-default]

It fails 20 of the 24 cases with float32-sized errors (up to 4e-8; the report says "Looks
like float32"): its conjugate gradient starts from ``torch.zeros(n)``, which takes PyTorch's
default dtype, float32, and accumulates its solution in place there, inside float64 code.
``--float64-default`` sets ``torch.set_default_dtype(torch.float64)`` first, and every case
passes with errors of ~1e-16. Exit status 0 when every case passes.
"""

import sys

try:
    import torch
    from CGDs import BCGD
except ImportError:  # this check needs PyTorch and CGDs; aga-ref itself does not
    raise SystemExit("this check needs PyTorch and CGDs: pip install torch CGDs==0.4.5") from None

from aga_ref.conformance import torch as kit

LR = 0.3  # BCGD's lr, the kit's alpha


def cgd_direction(case):
    """``{"cgd[alpha=0.3]": v}`` from one BCGD step on the case's game, parameters restored."""
    x, y = case.params  # player 1 minimises f = l_1; player 2, l_2 = -f, maximises it
    before = [p.detach().clone() for p in (x, y)]
    BCGD(max_params=[y], min_params=[x], lr_max=LR, lr_min=LR).step(
        loss=case.losses[0](case.params)
    )
    v = torch.cat([(b - p.detach()) / LR for b, p in zip(before, (x, y))])  # w <- w - LR v
    with torch.no_grad():
        for p, b in zip((x, y), before):
            p.copy_(b)
    return {f"cgd[alpha={LR}]": v}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--float64-default" in argv:
        torch.set_default_dtype(torch.float64)
    zero_sum = [c for c in kit.cases("dynamics") if "zero_sum" in c.tags]
    ok = kit.runner.run(lambda _: zero_sum, cgd_direction, "dynamics", kit.to_numpy, False)
    torch.set_default_dtype(torch.float32)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
