"""What each case tag of the three kits means, and the likely cause of a mismatch at a case
that carries it: ``aga-ref verify`` names the tags on every mismatch line and explains the
tags of the failing cases once, after the failures (docs/verify.md, "The report").

A tag says what is special at a case; a mismatch found only at cases with that tag points at
the code that the special point exercises. Tags with no known cause (``generic``, ...) are
named on the lines but not explained.
"""

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


def likely_causes(tags):
    """``["tag: cause", ...]`` for the tags of ``tags`` that ``TAGS`` explains, in order."""
    return [f"{tag}: {TAGS[tag]}" for tag in dict.fromkeys(tags) if tag in TAGS]
