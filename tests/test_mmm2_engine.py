"""The MMM2 engine's rules, each on a hand-built battle with the expectation written out from
the unit table (SMAClite's values, MMM2 as SMAC defines it)."""

import numpy as np
import pytest

from games.smac.engine import Battles
from tests.mmm2_setup import (
    A_MARAUDER,
    A_MARINE,
    A_MEDIVAC,
    E_MARAUDER,
    E_MARINE,
    E_MEDIVAC,
    actions_for,
    placed,
    ticks,
)


@pytest.mark.parametrize(
    "shooter, victim, per_shot",
    [
        (A_MARINE, E_MARINE, 6.0),  # 6, armor 0
        (A_MARINE, E_MARAUDER, 5.0),  # 6 - armor 1
        (A_MARINE, E_MEDIVAC, 5.0),  # 6 - armor 1, Marines hit air
        (A_MARAUDER, E_MARINE, 10.0),  # 10, no bonus vs light
        (A_MARAUDER, E_MARAUDER, 19.0),  # 10 + 10 vs armored - armor 1
    ],
)
def test_one_shot_does_damage_plus_bonus_minus_armor(shooter, victim, per_shot):
    b = placed({shooter: (10.0, 16.0), victim: (14.0, 16.0)})
    hp0 = b.hp[0, victim]
    hp = ticks(b, actions_for({shooter: 6 + victim - 10}), 1)
    assert hp0 - hp[-1, 0, victim] == per_shot


def test_a_marauder_cannot_shoot_the_medivac_and_follows_it():
    b = placed({A_MARAUDER: (10.0, 16.0), E_MEDIVAC: (14.0, 16.0)})
    hp = ticks(b, actions_for({A_MARAUDER: 6 + E_MEDIVAC - 10}), 8)
    assert np.all(hp[:, 0, E_MEDIVAC] == 150.0)
    assert b.pos[0, A_MARAUDER, 0] > 10.0 + 7 * 3.15 / 16  # it walked toward it


@pytest.mark.parametrize("shooter, victim, interval", [(A_MARINE, E_MARAUDER, 10),
                                                       (A_MARAUDER, E_MARAUDER, 18)])  # fmt: skip
def test_cooldown_intervals(shooter, victim, interval):
    """A unit in reach with a cooled weapon fires on its first tick, then every 10 (Marine,
    0.61 s) or 18 (Marauder, 1.07 s) ticks of 1/16 s."""
    b = placed({shooter: (10.0, 16.0), victim: (14.0, 16.0)})
    hp = ticks(b, actions_for({shooter: 6 + victim - 10}), 40)[:, 0, victim]
    fired = np.flatnonzero(np.diff(np.concatenate([[125.0], hp])) < 0)
    np.testing.assert_array_equal(fired, np.arange(0, 40, interval))


@pytest.mark.parametrize("gap, fires", [(5.74, True), (5.76, False)])
def test_reach_counts_both_radii(gap, fires):
    """Marine on Marine: range 5 + 0.375 + 0.375 = 5.75 between centres."""
    b = placed({A_MARINE: (10.0, 16.0), E_MARINE: (10.0 + gap, 16.0)})
    hp = ticks(b, actions_for({A_MARINE: 6 + E_MARINE - 10}), 1)
    assert (hp[0, 0, E_MARINE] < 45.0) == fires
    assert (b.pos[0, A_MARINE, 0] == 10.0) == fires  # in reach it stands, else it walks


def test_a_kill_removes_the_unit_and_only_that_one():
    b = placed({A_MARAUDER: (10.0, 16.0), E_MARINE: (14.0, 16.0), E_MARINE + 1: (14.0, 18.0)})
    b.hp[0, E_MARINE] = 7.0
    hp = ticks(b, actions_for({A_MARAUDER: 6 + E_MARINE - 10}), 1)
    assert hp[0, 0, E_MARINE] == 0.0 and not b.alive[0, E_MARINE] and b.alive[0, E_MARINE + 1]


def test_medivac_heals_at_its_rate_and_pays_energy():
    """0.5625 HP a tick, one energy per 3 HP (bought one energy at a time), +0.5625/16
    energy a tick, from 50 energy."""
    b = placed({A_MEDIVAC: (10.0, 16.0), A_MARINE: (12.0, 16.0)})
    b.hp[0, A_MARINE] = 20.0
    hp = ticks(b, actions_for({A_MEDIVAC: 6 + A_MARINE}), 16)
    np.testing.assert_allclose(hp[:, 0, A_MARINE], 20.0 + 0.5625 * np.arange(1, 17))
    spent = np.ceil(16 * 0.5625 / 3)  # whole energy points bought for 9 HP
    np.testing.assert_allclose(b.energy[0, A_MEDIVAC], 50.0 + 16 * 0.5625 / 16 - spent)


def test_medivac_refuses_a_full_target_and_a_new_one_below_5_energy():
    b = placed({A_MEDIVAC: (10.0, 16.0), A_MARINE: (12.0, 16.0)})
    assert np.all(ticks(b, actions_for({A_MEDIVAC: 6 + A_MARINE}), 4)[:, 0, A_MARINE] == 45.0)
    b = placed({A_MEDIVAC: (10.0, 16.0), A_MARINE: (12.0, 16.0)})
    b.hp[0, A_MARINE], b.energy[0, A_MEDIVAC] = 20.0, 4.0
    assert np.all(ticks(b, actions_for({A_MEDIVAC: 6 + A_MARINE}), 4)[:, 0, A_MARINE] == 20.0)


def test_the_enemy_prefers_the_medivac_in_scan_range_else_the_nearest():
    b = placed({A_MEDIVAC: (10.0, 16.0), A_MARINE: (12.0, 16.0), E_MARINE: (15.5, 16.0)})
    ticks(b, actions_for({}), 1)
    assert b.target[0, E_MARINE] == A_MEDIVAC  # 5.5 <= 5.75: the Medivac, though farther
    b = placed({A_MEDIVAC: (9.0, 16.0), A_MARINE: (12.0, 16.0), E_MARINE: (15.5, 16.0)})
    ticks(b, actions_for({}), 1)
    assert b.target[0, E_MARINE] == A_MARINE  # the Medivac out of scan: the nearest


def test_an_enemy_without_target_attack_moves_to_9_16():
    b = placed({A_MARINE: (2.0, 9.0), E_MARINE: (23.0, 16.0)})
    ticks(b, actions_for({}), 16)
    np.testing.assert_allclose(b.pos[0, E_MARINE], [23.0 - 16 * 3.15 / 16, 16.0])


def test_units_are_kept_apart_and_on_the_walkable_band():
    b = placed({A_MARINE: (10.0, 16.0), A_MARINE + 1: (10.1, 16.0), A_MARINE + 2: (12.0, 8.1)})
    ticks(b, actions_for({A_MARINE + 2: 3}), 16)  # the third walks south, into the edge
    gap = np.linalg.norm(b.pos[0, A_MARINE] - b.pos[0, A_MARINE + 1])
    assert gap > 2 * 0.375 - 0.05
    assert b.pos[0, A_MARINE + 2, 1] == pytest.approx(8.0 + 0.375)


def test_same_seed_same_battles_and_a_batch_equals_single_battles():
    from games.rng import seed_keys
    from games.smac.features import avail_actions
    from games.smac.policies import random_actions

    batch, singles = Battles(3, "smac", seed_keys([5, 6, 7])), [
        Battles(1, "smac", seed_keys([s])) for s in (5, 6, 7)]  # fmt: skip
    rng = np.random.default_rng(0)
    for _ in range(25):
        a = random_actions(avail_actions(batch), rng)
        batch.step(a)
        for b, single in enumerate(singles):
            single.step(a[b : b + 1])
    for b, single in enumerate(singles):
        np.testing.assert_array_equal(batch.hp[b], single.hp[0])
        np.testing.assert_array_equal(batch.pos[b], single.pos[0])
