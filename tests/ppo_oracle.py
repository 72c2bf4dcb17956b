"""An independent oracle for the PPO-minibatch conformance cases
(``test_conformance_ppo.py``, ``test_conformance_ppo_cases.py``). It shares no code with
``aga_ref.rl``: the actors and PPO's clipped surrogates are written here anew
(``min(rho A, clip(rho) A)``, masks as a product instead of a -1e9 logit), every derivative
is a finite difference of their values (``fd_oracle``), and the AgA quantities are the
formulas of docs/verify.md written out (``quantities``). ``losses`` and ``quantities`` can
plant a user's mistake (``bug``)."""

import autograd.numpy as anp
import numpy as np

from aga_ref import conformance
from aga_ref import finite_diff as fd

CASES = conformance.ppo.cases()
IDS = [c["id"] for c in CASES]


def sign(x):
    return 1.0 if x >= 0 else -1.0


def arrays(case):
    """The minibatch as float64 / int / bool arrays (N, S, ...)."""
    mb = {k: np.asarray(v) for k, v in case["minibatch"].items()}
    mb["avail"] = mb["avail"].astype(bool)
    return mb


def losses(case, bug=None):
    """(l_i for each agent, l_c) as functions of the flat w (D,), from the layout of
    docs/verify.md. ``bug`` plants a user's mistake in the losses."""
    net, mb, eps = case["network"], arrays(case), case["clip"]
    N, F, H, A = (net[k] for k in ("num_agents", "num_inputs", "hidden", "num_actions"))
    cuts = np.cumsum([F * H, H, H * H, H, H * A])
    weight = mb["sample_weight"]
    if bug == "inactive_counted":  # every sample counted, active or not
        weight = np.full_like(weight, 1.0 / weight.shape[1])

    def logp(w):  # (N, S): log pi_i(a | x) with the unavailable actions removed
        rows = []
        for i, theta in enumerate(anp.reshape(w, (N, -1))):
            W1, b1, W2, b2, W3, b3 = anp.split(theta, cuts)
            h = anp.tanh(anp.dot(mb["inputs"][i], anp.reshape(W1, (F, H))) + b1)
            h = anp.tanh(anp.dot(h, anp.reshape(W2, (H, H))) + b2)
            logits = anp.dot(h, anp.reshape(W3, (H, A))) + b3  # (S, A)
            taken = anp.sum(logits * (np.arange(A) == mb["actions"][i][:, None]), axis=1)
            rows.append(taken - anp.log(anp.sum(anp.exp(logits) * mb["avail"][i], axis=1)))
        return anp.stack(rows)

    def J(w, adv):  # PPO's clipped objective of every agent (N,)
        rho = anp.exp(logp(w) - mb["old_logp"])
        return anp.sum(weight * anp.minimum(rho * adv, anp.clip(rho, 1 - eps, 1 + eps) * adv), 1)

    l_i = [lambda w, i=i: -J(w, mb["adv_ind"])[i] for i in range(N)]
    collective = mb["adv_ind"] if bug == "individual_in_lc" else mb["adv_col"]
    share = 1.0 / N if bug == "mean_in_lc" else 1.0
    return l_i, lambda w: -share * anp.sum(J(w, collective))


def quantities(case, xi, xi_c, g, Ht_xi, bug=None):
    """Every quantity of the kit from ``xi``, ``xi_c``, ``g = H_c^T xi_c`` and ``H^T xi``,
    the formulas of docs/verify.md written out (``bug="sign_xi_xi"``: the paper's sign
    with ``<xi, xi>`` in place of ``<xi, g>``)."""
    N, P = len(case["sizes"]), case["sizes"][0]
    blocks = [slice(i * P, (i + 1) * P) for i in range(N)]
    adj = xi + g

    def paper(b):
        inner = xi[b] @ xi[b] if bug == "sign_xi_xi" else xi[b] @ g[b]
        return sign(xi_c[b] @ g[b] * (inner + g[b] @ g[b]))

    s = {"paper": paper(slice(None)),
         "exact": sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj)))}  # fmt: skip
    per_agent = np.array([paper(b) for b in blocks])
    s["per_agent"] = np.repeat(per_agent, P)
    out = {"xi": xi, "xi_c": xi_c, "Hc_xic": g, "Ht_xi": Ht_xi, "xic_g": xi_c @ g,
           "xi_g": xi @ g, "g_g": g @ g, "xic_xic": xi_c @ xi_c, "xic_adj": xi_c @ adj,
           "sign_paper": s["paper"], "sign_exact": s["exact"], "sign_per_agent": per_agent,
           "cga[lam=1.0]": xi + Ht_xi}  # fmt: skip
    for rule in ("paper", "exact", "per_agent"):
        for lam in (0.1, 1.0):
            out[f"xi_tilde[sign_rule={rule},lam={lam}]"] = xi_c + s[rule] * lam * adj
    for lam in (0.1, -0.5):
        out[f"xi_tilde[align=False,lam={lam}]"] = xi_c + lam * adj
    fcgrad = []  # Kim & Sycara (2025), Algorithm 1, agent by agent
    v_ind, v_col = (np.asarray(case["values"][k]) for k in ("v_ind", "v_col"))
    for i, b in enumerate(blocks):
        gi, gc = xi[b], xi_c[b]
        if gi @ gc >= 0:
            fcgrad.append(0.2 * gi + 0.8 * gc)
        elif v_col[i] / (1 if bug == "fcgrad_no_one_over_n" else N) >= v_ind[i]:
            fcgrad.append(gi - (gi @ gc) / (gc @ gc) * gc)
        else:
            fcgrad.append(gc - (gc @ gi) / (gi @ gi) * gi)
    out["fcgrad[beta=0.8]"] = np.concatenate(fcgrad)
    return out


def flat_w(case):
    N = len(case["sizes"])
    layers = [np.reshape(case["weights"][k], (N, -1)) for k in ("W1", "b1", "W2", "b2", "W3", "b3")]
    return np.concatenate(layers, axis=1).ravel()


def fd_oracle(case):
    """Every quantity from finite differences of the loss values."""
    l_i, l_c = losses(case)
    w, P = flat_w(case), case["sizes"][0]
    blocks = [range(i * P, (i + 1) * P) for i in range(len(l_i))]
    xi = np.concatenate([fd.fd_gradient(loss, w, indices=b) for loss, b in zip(l_i, blocks)])
    xi_c = fd.fd_gradient(l_c, w)
    g = fd.fd_hvp(l_c, w, xi_c)  # H_c is a Hessian, so H_c^T xi_c = H_c xi_c
    own = [np.where(np.isin(np.arange(w.size), b), xi, 0.0) for b in blocks]
    Ht_xi = sum(fd.fd_hvp(loss, w, v) for loss, v in zip(l_i, own))  # sum_i hess(l_i) P_i xi
    return quantities(case, xi, xi_c, g, Ht_xi)


def near(value, oracle):
    """Within the finite differences' accuracy (as tests/test_conformance.py allows)."""
    e = np.asarray(oracle)
    return np.max(np.abs(np.asarray(value) - e)) <= 1e-5 * max(np.max(np.abs(e)), 1e-3)
