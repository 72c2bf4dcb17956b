"""LA, LOLA, SOS, EG, CGD and LSS in PyTorch, checked on every game-dynamics case of the kit
as tensors (``aga_ref.conformance.torch``).

    python examples/verify_pytorch_dynamics.py [--float32] [--lola-sign]

Every quantity with ``torch.autograd`` (a dense ``H`` from rows of ``xi``; the games are
small) and dense ``torch.linalg`` solves; checked with every case and quantity required.
``--lola-sign`` plants a classic bug (LOLA's shaping term added, not subtracted);
``--float32`` computes in float32 and checks with the float32 tolerance.
"""

import argparse
import sys

try:
    import torch
except ImportError:  # the examples need PyTorch; aga-ref itself does not
    raise SystemExit(
        "this example needs PyTorch: pip install torch --index-url "
        "https://download.pytorch.org/whl/cpu"
    ) from None

from aga_ref.conformance import dynamics
from aga_ref.conformance import torch as kit


def gradients(losses, params):
    """The players' full gradients ``grad_w l_i`` (D,) each, differentiable again."""
    return [torch.cat(torch.autograd.grad(loss(params), params, create_graph=True,
                                          allow_unused=True, materialize_grads=True))
            for loss in losses]  # fmt: skip


def dynamics_quantities(case, lola_sign=False):
    """Every quantity of the game-dynamics kit at the case's point."""
    alpha, a, b, lam = dynamics.ALPHA, dynamics.SOS_A, dynamics.SOS_B, dynamics.LSS_LAM
    params, blocks, end = case.params, [], 0
    for p in params:
        blocks, end = blocks + [slice(end, end + len(p))], end + len(p)
    G = gradients(case.losses, params)
    xi = torch.cat([g[blk] for g, blk in zip(G, blocks)])
    H = torch.stack([torch.cat(torch.autograd.grad(x, params, retain_graph=True,
                                                   allow_unused=True, materialize_grads=True))
                     for x in xi])  # d xi / d w, (D, D)  # fmt: skip
    H_o = H.clone()
    for blk in blocks:
        H_o[blk, blk] = 0.0
    xi, G = xi.detach(), [g.detach() for g in G]
    chi = torch.zeros_like(xi)
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:  # H_ji^T grad_{w_j} l_i, H_ji = d xi_j / d w_i
                chi[bi] += H[bj, bi].T @ G[i][bj]
    la = xi - alpha * H_o @ xi
    dot = (-alpha * chi) @ la
    p1 = 1.0 if dot >= 0 else min(1.0, float(-a * (la @ la) / dot))
    p2 = float(xi @ xi) if torch.linalg.norm(xi) < b else 1.0
    p = min(p1, p2)
    stepped = [
        (q - alpha * xi[blk]).detach().requires_grad_(True) for q, blk in zip(params, blocks)
    ]
    G_eg = gradients(case.losses, stepped)
    out = {"xi": xi, "Ho_xi": H_o @ xi, "chi": chi, f"la[alpha={alpha}]": la,
           f"lola[alpha={alpha}]": la + (1.0 if lola_sign else -1.0) * alpha * chi,
           f"sos_p[alpha={alpha},a={a},b={b}]": p,
           f"sos[alpha={alpha},a={a},b={b}]": la - p * alpha * chi,
           f"eg[alpha={alpha}]": torch.cat([g[blk] for g, blk in zip(G_eg, blocks)]),
           f"cgd[alpha={alpha}]": torch.linalg.solve(torch.eye(len(xi), dtype=xi.dtype)
                                                     + alpha * H_o, xi)}  # fmt: skip
    if case.spec["family"] != "tandem":  # H is singular there: the kit gives no LSS value
        out[f"lss[lam={lam}]"] = 0.5 * (xi + H.T @ torch.linalg.solve(H, xi))
    return {k: torch.as_tensor(v, dtype=xi.dtype).detach() for k, v in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    parser.add_argument("--lola-sign", action="store_true", help="plant LOLA's sign bug")
    args = parser.parse_args(argv)
    dtype = torch.float32 if args.float32 else torch.float64
    ok = kit.check(lambda case: dynamics_quantities(case, args.lola_sign), kits="dynamics",
                   dtype=dtype, require_all=True)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
