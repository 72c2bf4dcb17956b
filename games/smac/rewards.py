"""The team reward of MMM2 and its split into selfish per-agent rewards.

**Team reward** (SMAC's default, ``reward_only_positive``): per step,
``|sum over enemies of their health loss + 10 x new enemy deaths|``, plus 200 on a win,
divided by ``max_reward / 20`` with ``max_reward = 12 x 10 + 200 + 885 = 1205`` (the enemies'
deaths, the win, their total HP). Enemy healing offsets damage inside a step, and because of
the absolute value a step in which healing exceeds damage pays its size. ``rules="smaclite"``
pays gross damage plus 10 per kill instead (healing never subtracts).

**Selfish rewards** (the paper's formula is not published; this is our reconstruction). Agent
i's credit for a step is ``c_i = damage_i + 10 kills_i``: the HP it removed from enemies and
the kills it made, exact in the simulator. The team reward before the win bonus, ``T``, is
split in proportion to the credits, ``r_i = T c_i / sum_j c_j``, which is exactly ``c_i``
whenever no enemy healed in the step (``T = sum_j c_j``); a step with ``T > 0`` and no credit
(enemy healing alone, paid by SMAC's ``abs``) is split equally among the agents alive at the
start of the step, the ones that played it (an agent dead before the step is never paid,
also at the last step of a lost battle). The win bonus is split equally among the agents
alive at the end of the winning step, or, if every one of them died in it (SMAClite's rules
allow that win), among those alive at its start. So the per-agent rewards sum to the team
reward, and the Medivac, which deals no damage, is paid only through its share of a win:
healing its team earns it nothing directly, which is where the dilemma is sharpest.
Alternatives we considered: splitting the win bonus over all ten agents (dead ones too), or
in proportion to the episode's damage (the Medivac would then never be paid), or crediting
the Medivac with the HP it heals (a team-minded reward, not a selfish one).

**Real SMAC** does not say who dealt damage. ``attribute`` credits each enemy's health loss in
a step, and its death, to the agents ordered to attack it in that step, split equally among
them (an enemy hit by nobody so ordered leaves its loss unattributed; the split above still
makes the rewards sum to the team reward). ``games.smac.starcraft`` uses it on SC2's units.
"""

import numpy as np

DEATH_VALUE, WIN_VALUE = 10.0, 200.0
MAX_REWARD = 12 * DEATH_VALUE + WIN_VALUE + (3 * 125 + 8 * 45 + 150)  # 1205
SCALE = MAX_REWARD / 20.0


def team_reward(health_loss, deaths, won, rules="smac", gross_damage=None):
    """Unscaled team reward (B,) of a step: SMAC's ``|loss + 10 deaths| + 200 won``; with
    ``rules="smaclite"``, ``gross_damage`` (B,) replaces the net ``health_loss`` (B,)."""
    if rules == "smac":
        base = np.abs(health_loss + DEATH_VALUE * deaths)
    else:
        base = gross_damage + DEATH_VALUE * deaths
    return base + WIN_VALUE * won


def selfish_rewards(credit, team_before_win, won, alive_before, alive_after):
    """Per-agent unscaled rewards (B, N) that sum to ``team_before_win + 200 won``.

    ``credit`` (B, N): each agent's damage + 10 kills this step; ``team_before_win`` (B,);
    ``won`` (B,) bool; ``alive_before``, ``alive_after`` (B, N) bool: the agents alive at the
    start and at the end of the step. A row with nobody alive before pays nobody (no battle
    still on can have such a step)."""
    total = credit.sum(-1, keepdims=True)  # (B, 1)
    played = _equal_shares(alive_before)  # (B, N)
    share = np.where(total > 0, credit / np.maximum(total, 1e-12), played)
    survivors = alive_after.any(-1, keepdims=True)  # (B, 1)
    winners = np.where(survivors, _equal_shares(alive_after), played)
    return share * team_before_win[:, None] + WIN_VALUE * won[:, None] * winners


def _equal_shares(alive):
    """(B, N): 1 / (number alive) for each agent alive in its row, 0 elsewhere."""
    return alive / np.maximum(alive.sum(-1, keepdims=True), 1)


def attribute(health_loss, deaths, ordered):
    """Credits (N,) for real SMAC: ``health_loss`` (E,) each enemy's health + shield lost this
    step, ``deaths`` (E,) 1 for an enemy that died this step, ``ordered`` (N, E) bool, agent i
    was ordered to attack enemy e this step. Each enemy's loss and 10 per death are split
    equally among the agents that attacked it."""
    ordered = np.asarray(ordered, dtype=float)
    attackers = ordered.sum(0)  # (E,)
    value = np.asarray(health_loss, float) + DEATH_VALUE * np.asarray(deaths, float)
    per_attacker = np.where(attackers > 0, value / np.maximum(attackers, 1), 0.0)
    return ordered @ per_attacker
