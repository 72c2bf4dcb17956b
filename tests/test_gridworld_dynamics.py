"""Gridworld spawning rates, observations, seeding, autoreset and invariants."""

import numpy as np
import pytest

from games.gridworld import make_env
from games.gridworld.maps import HARVEST_MAP, LAYOUTS
from games.gridworld.observe import AGENT, COLOURS
from tests.gridworld_setup import (
    CLEAN,
    EAST,
    NORTH,
    SOUTH,
    STAY,
    WEST,
    act,
    open_cell_block,
    placed,
    positions,
)

HARVEST = LAYOUTS["harvest"]


def within_binomial(count, trials, p, sd=4.5):
    return abs(count - trials * p) <= sd * np.sqrt(trials * p * (1 - p)) + 1e-9


def apple_neighbourhood():
    """From the map text: an apple cell with >= 4 apple neighbours (3x3), those neighbours,
    and an apple cell two cells away (outside the 3x3)."""
    apples = {(r, c) for r, row in enumerate(HARVEST_MAP) for c, ch in enumerate(row) if ch == "A"}
    for r, c in sorted(apples):
        near = [(r + i, c + j) for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0)]
        near = [cell for cell in near if cell in apples]
        far = [
            (r + i, c + j) for i in range(-2, 3) for j in range(-2, 3) if max(abs(i), abs(j)) == 2
        ]
        far = [cell for cell in far if cell in apples]
        if len(near) >= 4 and far:
            return (r, c), near, far[0]
    raise LookupError


@pytest.mark.parametrize("k, p", [(0, 0.0), (1, 0.005), (2, 0.02), (3, 0.05), (4, 0.05)])
def test_harvest_regrowth_rate_by_neighbour_count(k, p):
    target, near, far = apple_neighbourhood()
    index = {tuple(rc): i for i, rc in enumerate(zip(*HARVEST.row_col(HARVEST.apple_cells)))}
    apples = np.zeros(HARVEST.apple_cells.size, dtype=bool)
    apples[[index[cell] for cell in near[:k]]] = True
    apples[index[far]] = k == 0  # a distance-2 apple must not count (SSD's 3x3, not radius 2)
    r, c = open_cell_block(HARVEST, 1, 1)
    env = placed("harvest", [(r, c, NORTH)], num_envs=20000, apples=apples)
    act(env, STAY)
    grown = int(env.apples[:, index[target]].sum())
    assert grown == 0 if p == 0 else within_binomial(grown, 20000, p)


CLEANUP = LAYOUTS["cleanup"]


def cleanup_with_waste(num_waste, num_envs):
    waste = np.zeros(CLEANUP.river_cells.size, dtype=bool)
    waste[:num_waste] = True
    r, c = open_cell_block(CLEANUP, 1, 1)
    return placed("cleanup", [(r, c, NORTH)], num_envs=num_envs, waste=waste)


@pytest.mark.parametrize("num_waste", [0, 24, 40, 47])
def test_cleanup_apples_and_waste_below_the_threshold(num_waste):
    d = num_waste / 119
    env = cleanup_with_waste(num_waste, 2000)
    act(env, STAY)
    grown = int(env.apples.sum())
    assert within_binomial(grown, 2000 * 103, 0.05 * (1 - d / 0.4))
    assert np.all(env.waste.sum(1) == num_waste + 1)  # one new waste cell (1 - 0.5^m ~ 1)


@pytest.mark.parametrize("num_waste", [48, 56, 80])
def test_cleanup_nothing_grows_at_density_0_4_or_more(num_waste):
    env = cleanup_with_waste(num_waste, 50)
    for _ in range(20):
        act(env, STAY)
    assert env.apples.sum() == 0 and np.all(env.waste.sum(1) == num_waste)


def test_new_waste_falls_on_every_clean_cell_alike():
    env = cleanup_with_waste(0, 11900)
    act(env, STAY)
    counts = env.waste.sum(0)  # (119,): one new cell per env, uniform over 119 cells
    assert within_binomial(counts.min(), 11900, 1 / 119, sd=5)
    assert within_binomial(counts.max(), 11900, 1 / 119, sd=5)


def test_no_waste_spawns_under_a_standing_agent():
    """SSD's authors' rule (its issue tracker; the code before its 2019 refactor skipped
    river cells holding an agent): 20,000 environments with a clean river and an agent
    standing still on a river cell; waste never appears under it, and the other 118 clean
    cells share the new waste alike (the agent's cell is not a trial: 1 - 0.5^118 ~ 1)."""
    rows, cols = CLEANUP.row_col(CLEANUP.river_cells)
    r, c = int(rows[0]), int(cols[0])
    env = placed("cleanup", [(r, c, NORTH)], num_envs=20000,
                 waste=np.zeros(CLEANUP.river_cells.size, bool))  # fmt: skip
    act(env, STAY)
    assert positions(env) == [(r, c)]
    under = CLEANUP.cell_to_river[CLEANUP.cell(r, c)]
    assert env.waste[:, under].sum() == 0  # about 168 if the cell were not excluded
    assert np.all(env.waste.sum(1) == 1)
    others = np.delete(env.waste.sum(0), under)
    assert within_binomial(others.min(), 20000, 1 / 118, sd=5)
    assert within_binomial(others.max(), 20000, 1 / 118, sd=5)


# Agent 1 stands 2 north and 1 east of agent 0; where agent 0 sees it, by heading (hand-made).
SEEN_AT = {NORTH: (5, 8), EAST: (6, 5), SOUTH: (9, 6), WEST: (8, 9)}


@pytest.mark.parametrize("heading", [NORTH, EAST, SOUTH, WEST])
def test_views_are_rotated_so_the_heading_points_up(heading):
    r, c = open_cell_block(CLEANUP, 5, 5)
    env = placed("cleanup", [(r + 2, c + 2, heading), (r, c + 3, heading)])
    obs, _ = act(env, STAY, STAY)
    np.testing.assert_array_equal(obs[0, 0, 7, 7], COLOURS[AGENT])  # itself at the centre
    np.testing.assert_array_equal(obs[0, 0][SEEN_AT[heading]], COLOURS[AGENT + 1])


def test_outside_the_map_is_black():
    env = placed("harvest", [(1, 1, NORTH)])
    obs, _ = act(env, STAY)
    np.testing.assert_array_equal(obs[0, 0, 6, 7], COLOURS[2])  # the wall row just ahead
    assert not obs[0, 0, :6].any() and not obs[0, 0, :, :6].any()  # beyond it: black


def run(game, seeds, actions, max_steps=40):
    env = make_env(game, num_envs=len(seeds), num_agents=5, seed=list(seeds), max_steps=max_steps)
    trace = [env.reset()[0]]
    for a in actions:
        obs, rewards, _, truncations, _ = env.step(a)
        trace += [obs, rewards, truncations]
    return trace


@pytest.mark.parametrize("game", ["harvest", "cleanup"])
def test_a_batch_equals_single_runs_and_seeds_matter(game):
    seeds = [3, 7, 11]
    num_actions = {"harvest": 8, "cleanup": 9}[game]
    actions = np.random.default_rng(0).integers(0, num_actions, size=(100, 3, 5))  # 2 autoresets
    batch = run(game, seeds, actions)
    for b, seed in enumerate(seeds):
        single = run(game, [seed], actions[:, b : b + 1])
        for x, y in zip(batch, single):
            np.testing.assert_array_equal(x[b], y[0])
    again = run(game, seeds, actions)
    assert all(np.array_equal(x, y) for x, y in zip(batch, again))
    other = run(game, [4, 7, 11], actions)
    assert not np.array_equal(batch[0][0], other[0][0])


def test_autoreset_follows_gymnasium_next_step():
    env = make_env("harvest", num_envs=2, seed=0, max_steps=3)
    env.reset()
    fire = np.full((2, 5), 7)
    for t in range(3):
        _, rewards, terminations, truncations, _ = env.step(fire)
        assert np.all(truncations == (t == 2)) and not terminations.any()
    _, rewards, _, truncations, _ = env.step(fire)  # ignored: this step resets
    assert np.all(rewards == 0) and not truncations.any() and np.all(env.steps == 0)
    _, rewards, _, _, _ = env.step(fire)
    assert np.all(rewards <= -1)


def test_reset_without_seed_starts_a_new_episode():
    env = make_env("cleanup", num_envs=4, seed=5)
    first = env.reset()[0]
    assert not np.array_equal(first, env.reset()[0])
    assert np.array_equal(first, env.reset(seed=5)[0])


def neighbours_with_apple(layout, apples):
    """Apples among each apple cell's 8 neighbours, from (row, col) distances."""
    rows, cols = layout.row_col(layout.apple_cells)
    near = (abs(rows[:, None] - rows[None]) <= 1) & (abs(cols[:, None] - cols[None]) <= 1)
    np.fill_diagonal(near, False)
    return apples.astype(int) @ near.astype(int)


@pytest.mark.parametrize("game", ["harvest", "cleanup"])
def test_invariants_under_random_actions(game):
    env = make_env(game, num_envs=8, seed=1)
    env.reset()
    layout, rng = env.layout, np.random.default_rng(2)
    for _ in range(300):
        actions = rng.integers(0, env.num_actions, size=(8, 5))
        apples, waste = env.apples.copy(), env.waste.copy()
        env.step(actions)
        assert layout.walkable[env.pos].all()
        assert all(len(set(row)) == 5 for row in env.pos.tolist())
        on_apple = np.zeros_like(apples)
        for b, cells in enumerate(layout.cell_to_apple[env.pos]):
            on_apple[b, cells[cells >= 0]] = True
        assert not (apples & ~env.apples & ~on_apple).any()  # only eaten apples vanish
        assert not (~apples & env.apples & on_apple).any()  # none grows under an agent
        if game == "harvest":
            grown = ~apples & env.apples
            assert not (grown & (neighbours_with_apple(layout, apples) == 0)).any()
        else:
            cleaned = (actions == CLEAN).any(1)
            assert not (waste & ~env.waste)[~cleaned].any()  # waste goes only by cleaning
            assert np.all(env.waste.sum(1) - (waste & env.waste).sum(1) <= 1)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: make_env("prisoners"), ValueError, "game must be one of"),
        (lambda: make_env("cleanup", num_agents=11), ValueError, "num_agents must be at most 10"),
        (lambda: make_env("harvest", num_envs=0), ValueError, "num_envs must be a positive"),
        (lambda: make_env("harvest", seed=-1), TypeError, "seed must be a non-negative int"),
        (lambda: make_env("harvest", seed=[1, 2]), ValueError, "seed must be an int or 1 ints"),
    ],
)
def test_make_env_rejects_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "actions, error, match",
    [
        (np.full((2, 5), 8), ValueError, r"actions must lie in \[0, 7\] for harvest, got \[8\]"),
        (np.full((2, 5), -1), ValueError, r"actions must lie in \[0, 7\]"),
        (np.zeros((2, 4), int), ValueError, r"actions must have shape \(B, N\) = \(2, 5\)"),
        (np.zeros((2, 5)), TypeError, "actions must be an integer array, got dtype float64"),
        (np.zeros((2, 5), bool), TypeError, "actions must be an integer array"),
    ],
)
def test_step_rejects_bad_actions(actions, error, match):
    env = make_env("harvest", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(error, match=match):
        env.step(actions)


def test_global_state_and_render():
    env = make_env("harvest", num_envs=3, seed=0)
    env.reset()
    state = env.state()
    assert state.shape == (3, 16, 38, 3) and state.dtype == np.uint8
    np.testing.assert_array_equal(env.render(1), state[1])
    np.testing.assert_array_equal(state[0, 0, 0], COLOURS[2])  # a wall corner
    r, c = HARVEST.row_col(HARVEST.apple_cells[0])
    np.testing.assert_array_equal(state[0, r, c], COLOURS[3])  # apples are full at reset


def test_waste_density():
    cleanup, harvest = make_env("cleanup", num_envs=2, seed=0), make_env("harvest", seed=0)
    cleanup.reset()
    harvest.reset()
    np.testing.assert_allclose(cleanup.waste_density(), [56 / 119] * 2)
    np.testing.assert_array_equal(harvest.waste_density(), [0.0])


def test_an_unseeded_env_asks_for_a_seed():
    env = make_env("harvest", seed=None)
    with pytest.raises(ValueError, match=r"seed must be given"):
        env.reset()
    assert env.reset(seed=3)[0].shape == (1, 5, 15, 15, 3)
