"""What each case tag of the three kits means, and the likely cause of a mismatch at a case
that carries it: ``aga-ref verify`` names the tags on every mismatch line and explains the
tags of the failing cases once, after the failures (docs/verify.md, "The report").

A tag says what is special at a case; a mismatch found only at cases with that tag points at
the code that the special point exercises. Tags with no known cause (``generic``, ...) are
named on the lines but not explained. A tag is explained only when it singles out the
failures: compared within each kit and quantity that has a failure (a tag found on every
PPO case, ``masked``, says nothing there), the pairs that carry it fail more often than those
that do not, by more than chance would make them (``ranked_causes``).
"""

from math import comb

TAGS = {
    # the games (and the game dynamics)
    "near_stable": "near a stable fixed point of l_c (H_c positive definite), xi_c ~ 0: the "
                   "players' gradients cancel in xi_c; a mismatch here alone points at "
                   "float32 or a sum taken in a cancelling order, or at the sign rules' "
                   "pull toward g",
    "near_unstable": "near an unstable fixed point of l_c: as near_stable; a sign mismatch "
                     "here alone points at the sign of <xi_c, g> (the push away from g)",
    "sign_disagreement": "the paper's sign and the exact sign differ here: a sign mismatch "
                         "here alone points at the two rules swapped, or at the exact rule's "
                         "<xi_adj, g> ||xi_c||^2 - <xi_c, g> <xi_c, xi_adj> "
                         "(docs/sign-alignment.md)",
    "sga_dimension": "SGA's sign divides by D, the total number of parameters, not by the "
                     "number of players n, of tensors or a block size d_i: an sga mismatch "
                     "here alone is that normalisation",
    # the PPO minibatches
    "clipped": "PPO's clip binds on some samples: min(rho A, clip(rho, 1 - eps, 1 + eps) A), "
               "the clip on rho, not on the advantage",
    "masked": "unavailable actions are removed from the softmax (logit -1e9): a mismatch of "
              "xi points at the mask not applied",
    "inactive": "some samples are inactive (weight 0) with advantages that are not 0: every "
                "vector off by one factor points at inactive samples counted or a mean over "
                "all S samples",
    "reset_step": "sample 0 is a reset step, weight 0 for every agent",
    "xic_g_negative": "<xi_c, g> < 0: the sign rules give -1 here",
    "xi_g_plus_g_g_negative": "<xi, g> + ||g||^2 < 0: a sign_paper mismatch here alone points "
                              "at that factor (<xi, xi> for <xi, g>, or |.| taken)",
    "per_agent_disagreement": "the agents' own signs differ: a sign_per_agent mismatch points "
                              "at one sign over all parameters instead of one per agent block",
    "all_rules_apart": "the paper's, the exact and the per-agent signs all differ: a swap of "
                       "two rules shows here",
    "fcgrad_agree": "FCGrad's first branch, <g_i, c_i> >= 0: (1 - beta) g_i + beta c_i",
    "fcgrad_behind": "FCGrad's branch v_col_i / N >= v_ind_i: g_i with its c_i component "
                     "removed",
    "fcgrad_ahead": "FCGrad's branch v_col_i / N < v_ind_i: c_i with its g_i component removed",
    "fcgrad_one_over_n": "FCGrad's branch is decided by the 1/N in v_col_i / N >= v_ind_i "
                         "(without it the other branch is taken): an fcgrad mismatch here "
                         "alone is that 1/N left out",
    # the game dynamics
    "sos_p1_branch": "SOS's p1 < 1 (LOLA's shaping scaled to keep the step within 90 degrees "
                     "of LA's): a sos or sos_p mismatch here alone points at p1 = "
                     "min(1, -a ||xi_0||^2 / <-alpha chi, xi_0>)",
    "zero_sum": "a two-player zero-sum game (l_2 = -l_1; matching pennies and four smooth "
                "games): a mismatch here alone points at code that assumes l_2 = -l_1 "
                "wrongly or applies only to zero-sum games",
    "sos_p2_branch": "SOS's p = ||xi||^2 near a fixed point (||xi|| < b): a sos or sos_p "
                     "mismatch here alone points at p2's threshold or formula",
}  # fmt: skip
SIGNED = ("sign_", "xi_tilde[sign_rule=")  # the quantities a sign rule decides
# The quantities a tag's cause can explain (their names' starts); a tag not here: any.
EXPLAINS = {
    "sga_dimension": ("sga",), "sos_p1_branch": ("sos",), "sos_p2_branch": ("sos",),
    "fcgrad_agree": ("fcgrad",), "fcgrad_behind": ("fcgrad",), "fcgrad_ahead": ("fcgrad",),
    "fcgrad_one_over_n": ("fcgrad",), "xic_g_negative": SIGNED, "all_rules_apart": SIGNED,
    "sign_disagreement": SIGNED,
    "xi_g_plus_g_g_negative": ("sign_paper", "xi_tilde[sign_rule=paper"),
    "per_agent_disagreement": ("sign_per_agent", "xi_tilde[sign_rule=per_agent"),
}  # fmt: skip


def ranked_causes(pairs, tags_of, limit=3, chance=0.2):
    """``["tag (counts, p): cause", ...]``, at most ``limit``, for the tags of ``TAGS`` that
    single out the failing pairs of ``pairs`` (``(case_id, quantity, failed)``; ``tags_of``
    maps a case id to its tags), each at the quantities it ``EXPLAINS``. A stratum is one
    kit's cases of one quantity, some failing and some not. In each, a tag's ``f`` failures
    among its ``n`` cases are compared with the stratum's ``F`` failures among ``N``: ``p``
    is the chance of ``f`` or more if the failures fell on cases at random (one-sided
    hypergeometric, Fisher's exact test). A tag keeps its best stratum; those with ``p <=
    chance`` are listed, the smallest ``p`` first."""
    strata = {}
    for case_id, quantity, failed in pairs:
        kit = str(case_id).split("/")[0]
        kit = kit if kit in ("ppo", "dynamics") else "games"
        strata.setdefault((kit, quantity), []).append((tags_of.get(case_id, ()), bool(failed)))
    best = {}  # tag -> (p, -f, quantity, f, n, F, N)
    for (_, quantity), rows in strata.items():
        F, N = sum(failed for _, failed in rows), len(rows)
        if not 0 < F < N:
            continue  # all passed or all failed: no tag tells the failures apart
        for tag in {t for tags, _ in rows for t in tags if t in TAGS}:
            if not quantity.startswith(EXPLAINS.get(tag, "")):
                continue
            n = sum(tag in tags for tags, _ in rows)
            f = sum(failed for tags, failed in rows if tag in tags)
            if f * N > F * n:  # fails more often with the tag than without
                entry = (_tail(f, n, F, N), -f, quantity, f, n, F, N)
                best[tag] = min(best.get(tag, entry), entry)
    ranked = sorted((entry, tag) for tag, entry in best.items() if entry[0] <= chance)
    return [f"{tag} ({quantity}: failed at {f} of its {n} cases, {F - f} of the {N - n} others; "
            f"p = {p:.2g}): {TAGS[tag]}"
            for (p, _, quantity, f, n, F, N), tag in ranked[:limit]]  # fmt: skip


def _tail(f, n, F, N):
    """P(X >= f) for X the failures among n cases drawn from N holding F: hypergeometric."""
    return sum(comb(F, k) * comb(N - F, n - k) for k in range(f, min(n, F) + 1)) / comb(N, n)
