"""AgA in PyTorch on games rebuilt by hand from their JSON specs, checked with aga-ref verify:
the route for frameworks without an adapter (``verify_pytorch.py`` uses
``aga_ref.conformance.torch`` instead).

    python examples/verify_pytorch_by_hand.py [--out outputs.json] [--wrong-sign] [--float32]

Rebuilds every conformance game from its spec with torch, computes every quantity with
``torch.autograd.grad(..., create_graph=True)``, writes ``{case_id: {quantity: value}}`` as
JSON (to ``--out``; by default ``aga_ref_pytorch_outputs.json`` in the temporary folder,
``$TMPDIR`` or ``/tmp``, never the working directory) and runs ``aga-ref verify`` on it.
``--wrong-sign`` plants a classic bug (the paper's sign without its ``<xi_c, g>`` factor) to
show that the check catches it. ``--float32`` computes everything in float32 and verifies
with the float32 tolerance (``--rtol 1e-4``).
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

from aga_ref import conformance
from aga_ref.conformance.verify import main as verify


def T(x):
    return torch.tensor(x, dtype=torch.get_default_dtype())


def losses_of(spec):
    """The game's losses as torch functions of the flat parameter vector w."""
    if spec["family"] == "toy":
        return [lambda w: -torch.sin(w[0] * w[1] + w[1] ** 2),
                lambda w: -(torch.cos(1 + w[0] - (1 + w[1]) ** 2) + w[0] * w[1] ** 2)]  # fmt: skip
    if spec["family"] == "public_goods":
        n, b, c = spec["n"], spec["b"], spec["c"]
        return [lambda w, i=i: -(b - b * torch.sigmoid(w)[i] + c / n * (b * torch.sigmoid(w)).sum())
                for i in range(n)]  # fmt: skip
    D = sum(spec["sizes"])

    def smooth(k):
        get = lambda key, shape: T(k[key]) if key in k else torch.zeros(shape)  # noqa: E731
        Q, b, A, P = get("Q", (D, D)), get("b", D), get("sin_amplitude", 0), get("cubic", (0, D))
        U, phi = get("sin_U", (len(A), D)), get("sin_phase", len(A))
        return lambda w: (
            0.5 * w @ Q @ w + b @ w + (A * torch.sin(U @ w + phi)).sum() + ((P @ w) ** 3).sum()
        )

    return [smooth(k) for k in spec["losses"]]


def sign(x):
    return 1.0 if x >= 0 else -1.0


def aga_outputs(spec, w, wrong_sign=False):
    """Every conformance quantity at w, in PyTorch."""
    w = T(w).requires_grad_(True)
    ends = torch.tensor(spec["sizes"]).cumsum(0).tolist()
    blocks = [slice(e - s, e) for s, e in zip(spec["sizes"], ends)]
    grads = [torch.autograd.grad(l(w), w, create_graph=True)[0] for l in losses_of(spec)]
    xi = torch.cat([g[b] for g, b in zip(grads, blocks)])  # simultaneous gradient
    xi_c = sum(grads)  # collective gradient
    vjp = lambda y, v: torch.autograd.grad(y, w, v, retain_graph=True, create_graph=True)[0]  # noqa: E731
    g = vjp(xi_c, xi_c.detach())  # H_c^T xi_c (one HVP)
    Ht_xi = vjp(xi, xi.detach())  # H^T xi (one VJP)
    u = torch.zeros_like(w, requires_grad=True)  # H xi by the double-VJP trick
    H_xi = torch.autograd.grad(torch.autograd.grad(xi, w, u, create_graph=True)[0], u, xi.detach())[
        0
    ]
    xi, xi_c, g, Ht_xi, H_xi = (x.detach() for x in (xi, xi_c, g, Ht_xi, H_xi))
    adj = xi + g
    paper = sign(xi @ g + g @ g) if wrong_sign else sign(xi_c @ g * (xi @ g + g @ g))
    exact = sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj)))
    per_agent = T([sign(xi_c[b] @ g[b] * (xi[b] @ g[b] + g[b] @ g[b])) for b in blocks])
    per_coordinate = torch.cat([s.repeat(b.stop - b.start) for s, b in zip(per_agent, blocks)])
    At_xi = 0.5 * (Ht_xi - H_xi)
    lam_sga = sign(xi @ Ht_xi * (At_xi @ Ht_xi) / len(w) + 0.1)
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "H_xi": H_xi, "Ht_xi": Ht_xi, "xic_g": xi_c @ g,
           "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c, "xic_adj": xi_c @ adj,
           "sign_paper": paper, "sign_exact": exact, "sign_per_agent": per_agent,
           "sga[lam=1.0,eps=0.1]": xi + lam_sga * At_xi, "cga[lam=1.0]": xi + Ht_xi}  # fmt: skip
    for rule, s in [("paper", paper), ("exact", exact), ("per_agent", per_coordinate)]:
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    return {k: torch.as_tensor(v).tolist() for k, v in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="where to write the outputs (default: "
                        "aga_ref_pytorch_outputs.json in $TMPDIR or /tmp)")  # fmt: skip
    parser.add_argument("--wrong-sign", action="store_true", help="plant a sign-rule bug")
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    args = parser.parse_args(argv)
    out = args.out or os.path.join(tempfile.gettempdir(), "aga_ref_pytorch_outputs.json")
    torch.set_default_dtype(torch.float32 if args.float32 else torch.float64)
    outputs = {
        c["id"]: aga_outputs(c["game"], c["w"], args.wrong_sign) for c in conformance.cases()
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(outputs, f)
    print(f"wrote {out}")
    return verify([out] + (["--rtol", str(conformance.RTOL_FLOAT32)] if args.float32 else []))


if __name__ == "__main__":
    sys.exit(main())
