"""AgA in JAX, checked on the games' and the PPO minibatches' kits as JAX arrays
(``aga_ref.conformance.jax``): the terms, the inner products, the three sign rules and
``xi_tilde``, from ``jax.grad`` and ``jax.vjp`` on per-player parameter arrays.

    python examples/verify_jax.py [--float32] [--forget-x64] [--mean-in-lc]

``--float32`` computes in float32 on purpose (checked with the float32 tolerance);
``--forget-x64`` leaves ``jax_enable_x64`` off, as a user who forgets it would (JAX then
computes in float32, and the check says so); ``--mean-in-lc`` plants ``l_c`` as the mean of
the players' collective losses. Exit status 0 when everything passes.
"""

import argparse
import sys

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # the example needs JAX; aga-ref itself does not
    raise SystemExit("this example needs JAX: pip install jax") from None

from aga_ref.conformance import jax as kit


def aga_terms(losses, l_c, params, mean_in_lc=False):
    """``{quantity: value}``: AgA's terms, signs and directions at ``params``."""
    n = len(params)
    collective = (lambda p: l_c(p) / n) if mean_in_lc else l_c
    joined = lambda tree: jnp.concatenate(tree)  # noqa: E731  blocks -> (D,)
    own = lambda p: joined([jax.grad(loss)(p)[i] for i, loss in enumerate(losses)])  # noqa: E731
    xi, Ht = jax.vjp(own, params)  # xi and v -> H^T v
    xi_c, Hct = jax.vjp(lambda p: joined(jax.grad(collective)(p)), params)
    g, Ht_xi = joined(Hct(xi_c)[0]), joined(Ht(xi)[0])  # H_c^T xi_c, H^T xi
    adj, sizes = xi + g, [len(p) for p in params]
    ends = [0, *jnp.cumsum(jnp.array(sizes)).tolist()]
    sign = lambda x: jnp.where(x >= 0, 1.0, -1.0)  # noqa: E731  sign(0) = +1
    dot = lambda a, b, lo, hi: a[lo:hi] @ b[lo:hi]  # noqa: E731  <a, b> on entries lo..hi-1
    paper = lambda lo, hi: sign(dot(xi_c, g, lo, hi) * (dot(xi, g, lo, hi) + dot(g, g, lo, hi)))  # noqa: E731
    per_agent = jnp.stack([paper(lo, hi) for lo, hi in zip(ends, ends[1:])])  # (n,)
    signs = {
        "paper": paper(0, len(xi)),
        "per_agent": jnp.repeat(per_agent, jnp.array(sizes)),
        "exact": sign(xi_c @ g * (adj @ g * (xi_c @ xi_c) - xi_c @ g * (xi_c @ adj))),
    }
    terms = dict(xi=xi, xi_c=xi_c, Hc_xic=g, Ht_xi=Ht_xi, xic_g=xi_c @ g, xi_g=xi @ g,
                 g_g=g @ g, xic_xic=xi_c @ xi_c, xic_adj=xi_c @ adj, sign_per_agent=per_agent,
                 sign_paper=signs["paper"], sign_exact=signs["exact"])  # fmt: skip
    for rule, s in signs.items():
        terms.update({f"xi_tilde[sign_rule={rule},lam={lam}]": xi_c + s * lam * adj
                      for lam in (0.1, 1.0)})  # fmt: skip
    return terms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--float32", action="store_true", help="compute in float32")
    parser.add_argument("--forget-x64", action="store_true", help="leave jax_enable_x64 off")
    parser.add_argument("--mean-in-lc", action="store_true", help="plant l_c as a mean")
    args = parser.parse_args(argv)
    jax.config.update("jax_enable_x64", not args.forget_x64)
    ok = kit.check(lambda c: aga_terms(c.losses, c.l_c, c.params, args.mean_in_lc),
                   kits=("games", "ppo"), float32=args.float32)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
