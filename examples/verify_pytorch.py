"""AgA in PyTorch, every quantity of the games' and the PPO minibatches' kits, checked on the
kit's cases as tensors (``aga_ref.conformance.torch``).

    python examples/verify_pytorch.py [--wrong-sign] [--float32]

``aga_quantities`` is a whole AgA step on per-player parameter tensors, written with
``torch.autograd.grad(..., create_graph=True)``: the terms, the three sign rules,
``xi_tilde``, SGA and CGA, and FCGrad on the PPO minibatches. ``--wrong-sign`` plants a
classic bug (the paper's sign without its ``<xi_c, g>`` factor); ``--float32`` computes in
float32 and checks with the float32 tolerance. Exit status 0 when everything passes.
``verify_pytorch_by_hand.py`` rebuilds the games from their JSON specs instead, for users
of other frameworks.
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

from aga_ref.conformance import torch as kit


def sign(x):
    return 1.0 if x >= 0 else -1.0


def grad(y, params, v=None):
    """``d y / d params`` joined into one (D,) tensor (a VJP with ``v`` when y is a vector)."""
    parts = torch.autograd.grad(y, params, v, create_graph=True, allow_unused=True,
                                materialize_grads=True)  # fmt: skip
    return torch.cat(parts)


def aga_quantities(losses, l_c, params, bugs=(), values=None):
    """Every quantity of the games' kit (``values`` None) or the PPO kit's (``values``: the
    critics' ``v_ind``, ``v_col`` for FCGrad) at ``params``. ``bugs`` plants mistakes:
    ``"no_xic_g"`` (the paper's sign without ``<xi_c, g>``), ``"xi_xi"`` (``<xi, xi>`` for
    ``<xi, g>`` in the paper's sign), ``"product_on_xi"`` (``H_c xi`` for ``H_c^T xi_c``)."""
    blocks, end = [], 0
    for p in params:
        blocks, end = blocks + [slice(end, end + len(p))], end + len(p)
    xi = torch.cat([grad(loss(params), params[i]) for i, loss in enumerate(losses)])
    xi_c = grad(l_c(params), params)  # collective gradient
    on = xi if "product_on_xi" in bugs else xi_c
    g, Ht_xi = grad(xi_c, params, on.detach()), grad(xi, params, xi.detach())  # VJPs
    u = torch.zeros_like(xi, requires_grad=True)  # H xi by the double-VJP trick
    H_xi = torch.autograd.grad(grad(xi, params, u), u, xi.detach())[0]
    xi, xi_c, g, Ht_xi, H_xi = (x.detach() for x in (xi, xi_c, g, Ht_xi, H_xi))
    adj = xi + g

    def paper(b):  # the paper's sign on the entries b
        first = 1.0 if "no_xic_g" in bugs else xi_c[b] @ g[b]
        inner = xi[b] @ xi[b] if "xi_xi" in bugs else xi[b] @ g[b]
        return sign(first * (inner + g[b] @ g[b]))

    per_agent = torch.tensor([paper(b) for b in blocks], dtype=xi.dtype)
    s = {
        "paper": paper(slice(None)),
        "exact": sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj))),
        "per_agent": torch.cat([v.repeat(b.stop - b.start) for v, b in zip(per_agent, blocks)]),
    }
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "Ht_xi": Ht_xi, "xic_g": xi_c @ g,
           "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c, "xic_adj": xi_c @ adj,
           "sign_paper": s["paper"], "sign_exact": s["exact"], "sign_per_agent": per_agent,
           "cga[lam=1.0]": xi + Ht_xi}  # fmt: skip
    for rule in ("paper", "exact", "per_agent"):
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s[rule] * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    if values is None:  # the games: H is not symmetric, SGA and H xi are in the kit
        At_xi = 0.5 * (Ht_xi - H_xi)
        out["H_xi"] = H_xi
        s_sga = sign(xi @ Ht_xi * (At_xi @ Ht_xi) / len(xi) + 0.1)  # / D, all parameters
        out["sga[lam=1.0,eps=0.1]"] = xi + s_sga * At_xi
    else:
        out["fcgrad[beta=0.8]"] = fcgrad(xi, xi_c, blocks, values)
    return out


def fcgrad(xi, xi_c, blocks, values, beta=0.8):
    """FCGrad (Kim & Sycara 2025), agent by agent."""
    N, out = len(blocks), []
    for i, b in enumerate(blocks):
        gi, ci = xi[b], xi_c[b]
        if gi @ ci >= 0:
            out.append((1 - beta) * gi + beta * ci)
        elif values["v_col"][i] / N >= values["v_ind"][i]:
            out.append(gi - (gi @ ci) / (ci @ ci) * ci)
        else:
            out.append(ci - (ci @ gi) / (gi @ gi) * gi)
    return torch.cat(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong-sign", action="store_true", help="plant a sign-rule bug")
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    args = parser.parse_args(argv)

    def quantities(case):  # the PPO cases carry the critics' values, for FCGrad
        values = getattr(case, "values", None)
        bugs = {"no_xic_g"} if args.wrong_sign else set()
        return aga_quantities(case.losses, case.l_c, case.params, bugs, values)

    dtype = torch.float32 if args.float32 else torch.float64
    return 0 if kit.check(quantities, kits=("games", "ppo"), dtype=dtype) else 1


if __name__ == "__main__":
    sys.exit(main())
