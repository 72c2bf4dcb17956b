"""LA, LOLA, SOS, EG, CGD and LSS in PyTorch, checked against aga-ref's game-dynamics cases.

    python examples/verify_pytorch_dynamics.py [--out outputs.json] [--float32] [--lola-sign]

Rebuilds every game of ``aga_ref.conformance.dynamics`` from its spec with torch (the
kit's games through ``verify_pytorch.losses_of``, and matching pennies, the IPD and tandem
here), computes every quantity with ``torch.autograd`` and dense ``torch.linalg`` solves,
writes ``{case_id: {quantity: value}}`` as JSON (by default to
``aga_ref_pytorch_dynamics_outputs.json`` in the temporary folder) and runs ``aga-ref
verify`` on it. ``--float32`` computes in float32 and verifies with ``--rtol 1e-4``;
``--lola-sign`` plants a classic bug, the shaping term added instead of subtracted.
"""

import argparse
import json
import os
import sys
import tempfile

try:
    import torch
except ImportError:  # the examples need PyTorch; aga-ref itself does not
    raise SystemExit(
        "this example needs PyTorch: pip install torch --index-url "
        "https://download.pytorch.org/whl/cpu"
    ) from None

from aga_ref.conformance import dynamics as kit
from aga_ref.conformance.verify import main as verify

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_pytorch import T, losses_of  # noqa: E402  (the kit's games in torch)

IPD_REWARDS = ([-1.0, -3.0, 0.0, -2.0], [-1.0, 0.0, -3.0, -2.0])  # CC, CD, DC, DD


def game_losses(spec):
    """The game's losses as torch functions of the flat parameter vector w."""
    if spec["family"] == "matching_pennies":
        l_1 = lambda w: (2 * torch.sigmoid(w[0]) - 1) * (2 * torch.sigmoid(w[1]) - 1)  # noqa: E731
        return [l_1, lambda w: -l_1(w)]
    if spec["family"] == "tandem":
        return [lambda w: (w[0] + w[1]) ** 2 - 2 * w[0], lambda w: (w[0] + w[1]) ** 2 - 2 * w[1]]
    if spec["family"] == "ipd":

        def visits(w):  # p0 (I - gamma P)^{-1}: discounted visits of CC, CD, DC, DD
            c1, c2 = torch.sigmoid(w[:5]), torch.sigmoid(w[5:])  # P(cooperate)
            joint = torch.stack([c1 * c2, c1 * (1 - c2), (1 - c1) * c2, (1 - c1) * (1 - c2)])
            A = torch.eye(4) - spec["gamma"] * joint[:, 1:].T  # row s of P: joint move after s
            return torch.linalg.solve(A.T, joint[:, 0])

        return [lambda w, r=r: -visits(w) @ T(r) for r in IPD_REWARDS]
    return losses_of(spec)


def dynamics_outputs(spec, w, lola_sign=False):
    """Every quantity of the game-dynamics kit at w, in PyTorch."""
    alpha, a, b, lam = kit.ALPHA, kit.SOS_A, kit.SOS_B, kit.LSS_LAM
    ends = torch.tensor(spec["sizes"]).cumsum(0).tolist()
    blocks = [slice(e - s, e) for s, e in zip(spec["sizes"], ends)]
    losses = game_losses(spec)

    def gradients(v):  # the players' full gradients grad_w l_i
        v = torch.as_tensor(v, dtype=torch.get_default_dtype()).detach().requires_grad_(True)
        return v, [torch.autograd.grad(l(v), v, create_graph=True)[0] for l in losses]

    w, G = gradients(w)
    xi = torch.cat([g[blk] for g, blk in zip(G, blocks)])
    H = torch.stack([torch.autograd.grad(x, w, retain_graph=True)[0] for x in xi])  # d xi / d w
    H_o = H.detach().clone()
    for blk in blocks:
        H_o[blk, blk] = 0.0
    xi, G = xi.detach(), [g.detach() for g in G]
    chi = torch.zeros_like(xi)
    for i, bi in enumerate(blocks):
        for j, bj in enumerate(blocks):
            if j != i:  # H_ji^T grad_{w_j} l_i, H_ji = d xi_j / d w_i
                chi[bi] += H[bj, bi].detach().T @ G[i][bj]
    la = xi - alpha * H_o @ xi
    dot = (-alpha * chi) @ la
    p1 = 1.0 if dot >= 0 else min(1.0, float(-a * (la @ la) / dot))
    p2 = float(xi @ xi) if torch.linalg.norm(xi) < b else 1.0
    p = min(p1, p2)
    _, G_eg = gradients(w.detach() - alpha * xi)
    sign = 1.0 if lola_sign else -1.0
    out = {"xi": xi, "Ho_xi": H_o @ xi, "chi": chi, f"la[alpha={alpha}]": la,
           f"lola[alpha={alpha}]": la + sign * alpha * chi,
           f"sos_p[alpha={alpha},a={a},b={b}]": p,
           f"sos[alpha={alpha},a={a},b={b}]": la - p * alpha * chi,
           f"eg[alpha={alpha}]": torch.cat([g[blk] for g, blk in zip(G_eg, blocks)]),
           f"cgd[alpha={alpha}]": torch.linalg.solve(torch.eye(len(xi)) + alpha * H_o, xi),
           }  # fmt: skip
    if spec["family"] != "tandem":  # H is singular there: the kit gives no LSS value
        H = H.detach()
        out[f"lss[lam={lam}]"] = 0.5 * (xi + H.T @ torch.linalg.solve(H, xi))
    return {k: torch.as_tensor(v).detach().tolist() for k, v in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="where to write the outputs (default: "
                        "aga_ref_pytorch_dynamics_outputs.json in $TMPDIR or /tmp)")  # fmt: skip
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    parser.add_argument("--lola-sign", action="store_true", help="plant LOLA's sign bug")
    args = parser.parse_args(argv)
    default = os.path.join(tempfile.gettempdir(), "aga_ref_pytorch_dynamics_outputs.json")
    out = args.out or default
    torch.set_default_dtype(torch.float32 if args.float32 else torch.float64)
    outputs = {c["id"]: dynamics_outputs(c["game"], c["w"], args.lola_sign) for c in kit.cases()}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(outputs, f)
    print(f"wrote {out}")
    return verify([out, "--require-all"] + (["--rtol", "0.0001"] if args.float32 else []))


if __name__ == "__main__":
    sys.exit(main())
