"""AgA on PPO minibatches in PyTorch, checked against aga-ref's PPO conformance cases.

    python examples/verify_pytorch_ppo.py [--out outputs.json] [--float32] [--wrong-sign]
        [--individual-in-lc] [--product-on-xi] [--mean-in-lc] [--inactive-counted]

Rebuilds every PPO-minibatch case (each agent's tanh-MLP actor, its minibatch, PPO's clipped
surrogates) from the layout of docs/verify.md ("PPO minibatches") with torch, computes every
quantity with ``torch.autograd.grad(..., create_graph=True)``, writes ``{case_id: {quantity:
value}}`` as JSON (to ``--out``; by default ``aga_ref_pytorch_ppo_outputs.json`` in the
temporary folder, ``$TMPDIR`` or ``/tmp``, never the working directory) and runs ``aga-ref
verify`` on it. ``--float32`` computes everything in float32 and verifies with the float32
tolerance (``--rtol 1e-4``). Each other flag plants one classic bug, to show that the check
catches it: ``--wrong-sign`` the paper's sign with ``<xi, xi>`` in place of ``<xi, g>``;
``--individual-in-lc`` the individual advantages in ``l_c``; ``--product-on-xi`` the
product ``H_c xi`` instead of ``H_c^T xi_c``; ``--mean-in-lc`` ``l_c`` the mean over agents,
not the sum; ``--inactive-counted`` every sample counted (weights ``1/S``), active or not.
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

LAYERS = ("W1", "b1", "W2", "b2", "W3", "b3")
BUGS = ("wrong_sign", "individual_in_lc", "product_on_xi", "mean_in_lc", "inactive_counted")


def T(x):
    return torch.tensor(x, dtype=torch.get_default_dtype())


def sign(x):
    return 1.0 if x >= 0 else -1.0


def losses(case, w, bugs=()):
    """(l_i for each agent, l_c) at the flat parameters w (D,), as torch scalars."""
    net, mb, eps = case["network"], case["minibatch"], case["clip"]
    N, F, H, A = (net[k] for k in ("num_agents", "num_inputs", "hidden", "num_actions"))
    shapes = [(F, H), (H,), (H, H), (H,), (H, A), (A,)]  # W1, b1, W2, b2, W3, b3
    x, q = T(mb["inputs"]), T(mb["sample_weight"])  # (N, S, F), (N, S)
    actions, avail = torch.tensor(mb["actions"]), torch.tensor(mb["avail"]).bool()  # (N, S, A)
    if "inactive_counted" in bugs:
        q = torch.full_like(q, 1.0 / q.shape[1])
    theta = w.view(N, -1)  # (N, P): agent i's parameters, row i

    def logp(i):  # (S,): log pi_i(a | x), unavailable actions at logit -1e9
        W1, b1, W2, b2, W3, b3 = (p.view(s) for p, s in zip(
            theta[i].split([torch.Size(s).numel() for s in shapes]), shapes))  # fmt: skip
        logits = torch.tanh(torch.tanh(x[i] @ W1 + b1) @ W2 + b2) @ W3 + b3  # (S, A)
        logits = logits.masked_fill(~avail[i], -1e9)
        return logits.log_softmax(-1).gather(1, actions[i][:, None])[:, 0]

    def J(i, adv):  # agent i's clipped surrogate, a weighted mean over its samples
        rho, a = torch.exp(logp(i) - T(mb["old_logp"][i])), T(adv[i])
        return (q[i] * torch.minimum(rho * a, rho.clamp(1 - eps, 1 + eps) * a)).sum()

    l_i = [-J(i, mb["adv_ind"]) for i in range(N)]
    adv_c = mb["adv_ind"] if "individual_in_lc" in bugs else mb["adv_col"]
    share = 1.0 / N if "mean_in_lc" in bugs else 1.0
    return l_i, -share * sum(J(i, adv_c) for i in range(N))


def aga_outputs(case, bugs=()):
    """Every PPO conformance quantity of the case, in PyTorch."""
    N, P = len(case["sizes"]), case["sizes"][0]
    blocks = [slice(i * P, (i + 1) * P) for i in range(N)]
    w = torch.cat([T(case["weights"][k]).reshape(N, -1) for k in LAYERS], 1).reshape(-1)
    w.requires_grad_(True)  # (D,), agent i's block: W1, b1, ..., b3, each row-major
    l_i, l_c = losses(case, w, bugs)
    grads = [torch.autograd.grad(l, w, create_graph=True)[0] for l in l_i]
    xi = torch.cat([g[b] for g, b in zip(grads, blocks)])  # simultaneous gradient
    xi_c = torch.autograd.grad(l_c, w, create_graph=True)[0]  # collective gradient
    vjp = lambda y, v: torch.autograd.grad(y, w, v, retain_graph=True)[0]  # noqa: E731
    g = vjp(xi_c, (xi if "product_on_xi" in bugs else xi_c).detach())  # H_c^T xi_c (one HVP)
    Ht_xi = vjp(xi, xi.detach())  # H^T xi (one VJP)
    xi, xi_c = xi.detach(), xi_c.detach()
    adj = xi + g

    def paper(b):  # the paper's sign on the entries b
        inner = xi[b] @ xi[b] if "wrong_sign" in bugs else xi[b] @ g[b]
        return sign(xi_c[b] @ g[b] * (inner + g[b] @ g[b]))

    exact = sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj)))
    per_agent = T([paper(b) for b in blocks])
    s = {"paper": paper(slice(None)), "exact": exact, "per_agent": per_agent.repeat_interleave(P)}
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "Ht_xi": Ht_xi, "xic_g": xi_c @ g,
           "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c, "xic_adj": xi_c @ adj,
           "sign_paper": s["paper"], "sign_exact": exact, "sign_per_agent": per_agent,
           "cga[lam=1.0]": xi + Ht_xi}  # fmt: skip
    for rule in ("paper", "exact", "per_agent"):
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s[rule] * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    fcgrad = []  # Kim & Sycara (2025), agent by agent, beta = 0.8
    for i, b in enumerate(blocks):
        gi, ci = xi[b], xi_c[b]
        if gi @ ci >= 0:
            fcgrad.append(0.2 * gi + 0.8 * ci)
        elif case["values"]["v_col"][i] / N >= case["values"]["v_ind"][i]:
            fcgrad.append(gi - (gi @ ci) / (ci @ ci) * ci)
        else:
            fcgrad.append(ci - (ci @ gi) / (gi @ gi) * gi)
    out["fcgrad[beta=0.8]"] = torch.cat(fcgrad)
    return {k: torch.as_tensor(v).tolist() for k, v in out.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="where to write the outputs (default: "
                        "aga_ref_pytorch_ppo_outputs.json in $TMPDIR or /tmp)")  # fmt: skip
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    parser.add_argument("--wrong-sign", action="store_true", help="plant <xi, xi> for <xi, g>")
    parser.add_argument("--individual-in-lc", action="store_true", help="plant adv_ind in l_c")
    parser.add_argument("--product-on-xi", action="store_true", help="plant H_c xi for H_c xi_c")
    parser.add_argument("--mean-in-lc", action="store_true", help="plant l_c the mean, not sum")
    parser.add_argument("--inactive-counted", action="store_true", help="plant weights 1/S")
    args = parser.parse_args(argv)
    out = args.out or os.path.join(tempfile.gettempdir(), "aga_ref_pytorch_ppo_outputs.json")
    bugs = {bug for bug in BUGS if getattr(args, bug)}
    torch.set_default_dtype(torch.float32 if args.float32 else torch.float64)
    outputs = {c["id"]: aga_outputs(c, bugs) for c in conformance.ppo.cases()}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(outputs, f)
    print(f"wrote {out}")
    return verify([out] + (["--rtol", str(conformance.RTOL_FLOAT32)] if args.float32 else []))


if __name__ == "__main__":
    sys.exit(main())
