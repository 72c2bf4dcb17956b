"""Altruistic Gradient Adjustment (AgA): paper Eq. 1 and the sign rule of Sec. 4.

    xi_adj   = xi + H_c^T xi_c                       adjustment term            (Eq. 1)
    xi_tilde = xi_c + lam * xi_adj                   AgA direction              (Eq. 1)
    w       <- w - eta * xi_tilde

``H_c^T xi_c = grad Ham_c`` with ``Ham_c = 1/2 ||xi_c||^2`` is one Hessian-vector product.

What the sign rule is for: near a stable fixed point of the collective loss ``l_c`` (a
minimum) the paper wants ``xi_tilde`` pulled toward ``grad Ham_c``, so that the step also
shrinks ``||xi_c||`` and settles there; near an unstable one (a saddle or maximum) it wants
``xi_tilde`` pushed away from ``grad Ham_c``, so that the step leaves it (Corollary 4.3).
The rule meets both by choosing only the sign of ``lam``; its size ``|lam|`` is the user's.

Sign of ``lam`` (write ``g = H_c^T xi_c``, ``u = xi_c``, ``v = xi_adj``):

- ``"paper"`` (default; Corollary 4.3 and the poster):
  ``lam * <u, g> * (<xi, g> + ||g||^2) >= 0``, i.e. ``sign(<u, g> <v, g>)``.
- ``"exact"``: the sign of ``d/dlam cos^2 angle(u + lam v, g)`` at ``lam = 0``, which is
  ``sign(<u, g> (<v, g> ||u||^2 - <u, g> <u, v>))``. The paper's first-order argument drops
  the second term -- the change of ``||xi_tilde||`` -- so the two rules can disagree; where
  they do, the paper's rule moves the angle the wrong way (docs/sign-alignment.md).
- ``"per_agent"``: the paper's rule with inner products over each player's block only,
  giving one sign per player (as in later RL re-implementations; not in the paper).

``sign(0) = +1`` for every rule: the paper does not say; at a tie both signs are
first-order neutral. With ``align=True`` ``lam`` must be > 0: the rule chooses its sign, so
a negative ``lam`` would be silently replaced by ``|lam|`` and ``lam = 0`` is Simul-Co, not
AgA; both are refused (``ValueError``). ``align=False`` keeps ``lam`` as given, of either
sign or 0: the poster's "AgA-Sign" ablation. At ``xi_c = 0`` the direction is ``lam * xi``,
not 0: AgA's rest points lie near, not at, the collective optimum (docs/paper.md, section 3;
kept as in the paper).
"""

from collections import namedtuple

import numpy as np

from aga_ref._checks import as_real, as_vector, one_of
from aga_ref.derivatives import linearize
from aga_ref.game import block_slices

SIGN_RULES = ("paper", "exact", "per_agent")

AgaTerms = namedtuple(
    "AgaTerms",
    "xi xi_c Hc_xic xi_adj xic_g xi_g g_g xic_xic xic_adj sign lam xi_tilde",
)
AgaTerms.__doc__ = """Every quantity of one AgA step.

xi, xi_c, Hc_xic (= g), xi_adj, xi_tilde: vectors (D,). xic_g = <xi_c, g>, xi_g = <xi, g>,
g_g = ||g||^2, xic_xic = ||xi_c||^2, xic_adj = <xi_c, xi_adj>: global inner products.
sign: +1.0/-1.0, or an array (n,) for sign_rule="per_agent". lam: the lam actually used,
``sign * lam`` with align=True (the lam given is > 0) and the lam given with align=False;
a float, or an array (D,) for "per_agent"."""


def check_aligned_lam(lam, align):
    """Refuse ``lam <= 0`` when the sign rule is on (``align``): the rule chooses lam's sign,
    so only ``|lam|`` is the user's to give. ``ValueError`` naming ``lam``."""
    if align and not lam > 0:
        raise ValueError(
            f"lam must be > 0 with the sign rule on: the rule chooses lam's sign, so give "
            f"|lam| (lam = 0 would be Simul-Co); got lam={lam!r} (only the AgA-Sign ablation, "
            f"align=False, takes a lam of either sign as given)"
        )


def _sign(x):
    """sign with sign(0) = +1; works elementwise."""
    return np.where(np.asarray(x) >= 0, 1.0, -1.0)


def _vectors(xi, xi_c, Hc_xic):
    """Validate the three vectors of a sign rule: finite, 1-D, one length."""
    xi = as_vector(xi, "xi")
    return xi, as_vector(xi_c, "xi_c", xi.size), as_vector(Hc_xic, "Hc_xic", xi.size)


def paper_sign(xi, xi_c, Hc_xic):
    """The paper's rule: ``sign(<xi_c, g> (<xi, g> + ||g||^2))`` with ``g = H_c^T xi_c``."""
    xi, xi_c, g = _vectors(xi, xi_c, Hc_xic)
    return float(_sign(np.dot(xi_c, g) * (np.dot(xi, g) + np.dot(g, g))))


def exact_sign(xi, xi_c, Hc_xic):
    """Sign of ``d/dlam cos^2 angle(xi_c + lam xi_adj, g)`` at ``lam = 0``."""
    xi, u, g = _vectors(xi, xi_c, Hc_xic)
    v = xi + g  # xi_adj
    return float(_sign(np.dot(u, g) * (np.dot(v, g) * np.dot(u, u) - np.dot(u, g) * np.dot(u, v))))


def per_agent_sign(xi, xi_c, Hc_xic, blocks):
    """The paper's rule inside each player's block: an array (n,) of +1.0/-1.0. ``blocks``
    are the players' slices (``Game.blocks``), which must cover ``0..D`` in order."""
    xi, xi_c, Hc_xic = _vectors(xi, xi_c, Hc_xic)
    _check_blocks(blocks, xi.size)
    return np.array([paper_sign(xi[b], xi_c[b], Hc_xic[b]) for b in blocks])


def aga_terms(game, w, lam, align=True, sign_rule="paper"):
    """Compute one AgA step at ``w`` and return every intermediate term (``AgaTerms``)."""
    lin = linearize(game, w)
    return aga_terms_from(lin.xi, lin.xi_c, lin.Hc_v(lin.xi_c), lam, align, sign_rule, game.sizes)


def aga_terms_from(xi, xi_c, Hc_xic, lam, align=True, sign_rule="paper", sizes=None):
    """Eq. 1 and the sign rule on given vectors (D,): ``xi``, ``xi_c`` and ``g = H_c^T xi_c``.

    The one implementation of AgA in the project: the differentiable games (``aga_terms``)
    and the learning agents (``aga_ref.rl``) both call it. ``sizes`` (the players' block
    sizes ``d_i``) is needed only by ``sign_rule="per_agent"``. ``lam``: > 0 with ``align``
    (the rule chooses its sign), any finite number without (``check_aligned_lam``)."""
    lam = as_real(lam, "lam")
    if not isinstance(align, (bool, np.bool_)):
        raise TypeError(f"align must be True or False, got {type(align).__name__} {align!r}")
    one_of(sign_rule, "sign_rule", SIGN_RULES)
    check_aligned_lam(lam, align)
    xi, xi_c, g = _vectors(xi, xi_c, Hc_xic)  # (D,) each; g = H_c^T xi_c = grad Ham_c
    xi_adj = xi + g  # (Eq. 1)
    if sign_rule == "per_agent":
        blocks = _blocks(sizes, xi.size)
        sign = per_agent_sign(xi, xi_c, g, blocks)  # (n,)
        lam_used = np.repeat(sign, [b.stop - b.start for b in blocks]) * abs(lam)
        lam_used = lam_used if align else lam  # (D,) or float
    else:
        rule = paper_sign if sign_rule == "paper" else exact_sign
        sign = rule(xi, xi_c, g)
        lam_used = sign * abs(lam) if align else lam
    xi_tilde = xi_c + lam_used * xi_adj  # (Eq. 1)
    return AgaTerms(
        xi=xi, xi_c=xi_c, Hc_xic=g, xi_adj=xi_adj,
        xic_g=float(np.dot(xi_c, g)), xi_g=float(np.dot(xi, g)), g_g=float(np.dot(g, g)),
        xic_xic=float(np.dot(xi_c, xi_c)), xic_adj=float(np.dot(xi_c, xi_adj)),
        sign=sign, lam=lam_used, xi_tilde=xi_tilde,
    )  # fmt: skip


def _check_blocks(blocks, dim):
    """Raise unless ``blocks`` are step-1 slices that tile ``0..dim`` in order."""
    blocks, end = list(blocks), 0
    for i, b in enumerate(blocks):
        if not isinstance(b, slice) or b.step not in (None, 1):
            raise TypeError(f"blocks[{i}] must be a slice with step 1, got {b!r}")
        if b.start != end or not isinstance(b.stop, (int, np.integer)) or b.stop <= end:
            raise ValueError(
                f"blocks must tile 0..{dim} in order without gaps or overlaps: blocks[{i}] "
                f"should start at {end}, got {b!r}"
            )
        end = b.stop
    if len(blocks) < 2 or end != dim:
        raise ValueError(f"blocks must cover 0..{dim} with at least 2 players, got {blocks}")


def _blocks(sizes, dim):
    """The players' slices from their block sizes, which must cover ``dim`` exactly."""
    if sizes is None:
        raise ValueError("sizes must be given for sign_rule='per_agent', got None")
    sizes = [int(s) for s in sizes]
    if any(s < 1 for s in sizes) or sum(sizes) != dim:
        raise ValueError(f"sizes must be positive and sum to D = {dim}, got {sizes}")
    return block_slices(sizes)


def aga_direction(game, w, lam, align=True, sign_rule="paper"):
    """The AgA direction ``xi_tilde`` (D,); update with ``w <- w - eta * xi_tilde``.
    ``lam`` > 0 with ``align=True`` (the sign rule chooses its sign: ``sign * lam`` is used);
    with ``align=False`` any finite ``lam``, used as given."""
    return aga_terms(game, w, lam, align=align, sign_rule=sign_rule).xi_tilde


def aga_sign(game, w, sign_rule="paper"):
    """The sign chosen for ``lam`` at ``w``: +1.0 or -1.0 (an array (n,) for per_agent)."""
    return aga_terms(game, w, 1.0, align=True, sign_rule=sign_rule).sign
