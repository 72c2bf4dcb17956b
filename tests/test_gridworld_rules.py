"""Gridworld rules (docs/paper.md, section 8), each against an expectation written out
independently."""

import numpy as np
import pytest

from games.gridworld import rules
from games.gridworld.maps import LAYOUTS, parse
from tests.gridworld_setup import (
    CCW,
    CLEAN,
    CW,
    DOWN,
    EAST,
    FIRE,
    LEFT,
    NORTH,
    RIGHT,
    SOUTH,
    STAY,
    UP,
    WEST,
    act,
    open_cell_block,
    placed,
    positions,
)  # fmt: skip


def test_map_counts():
    harvest, cleanup = LAYOUTS["harvest"], LAYOUTS["cleanup"]
    assert harvest.apple_cells.size == 155 and harvest.river_cells.size == 0
    assert cleanup.river_cells.size == 119 and cleanup.waste_at_reset.sum() == 56
    assert cleanup.apple_cells.size == 103
    assert (harvest.height, harvest.width, cleanup.height, cleanup.width) == (16, 38, 25, 18)


# (heading, action) -> (d_row, d_col), written out by hand: "left" of a north-facing agent
# is west, of an east-facing agent north, and so on.
MOVES = {
    (NORTH, UP): (-1, 0), (NORTH, DOWN): (1, 0), (NORTH, LEFT): (0, -1), (NORTH, RIGHT): (0, 1),
    (EAST, UP): (0, 1), (EAST, DOWN): (0, -1), (EAST, LEFT): (-1, 0), (EAST, RIGHT): (1, 0),
    (SOUTH, UP): (1, 0), (SOUTH, DOWN): (-1, 0), (SOUTH, LEFT): (0, 1), (SOUTH, RIGHT): (0, -1),
    (WEST, UP): (0, -1), (WEST, DOWN): (0, 1), (WEST, LEFT): (1, 0), (WEST, RIGHT): (-1, 0),
}  # fmt: skip


@pytest.mark.parametrize("heading, action", sorted(MOVES))
def test_moves_are_relative_to_the_heading(heading, action):
    r, c = open_cell_block(LAYOUTS["cleanup"], 3, 3)
    env = placed("cleanup", [(r + 1, c + 1, heading)])
    act(env, action)
    dr, dc = MOVES[heading, action]
    assert positions(env) == [(r + 1 + dr, c + 1 + dc)] and env.heading[0, 0] == heading


@pytest.mark.parametrize("heading", [NORTH, EAST, SOUTH, WEST])
def test_turns(heading):
    clockwise = {NORTH: EAST, EAST: SOUTH, SOUTH: WEST, WEST: NORTH}
    r, c = open_cell_block(LAYOUTS["cleanup"], 3, 3)
    env = placed("cleanup", [(r + 1, c + 1, heading)])
    act(env, CW)
    assert env.heading[0, 0] == clockwise[heading]
    act(env, CCW)
    act(env, CCW)
    assert clockwise[env.heading[0, 0]] == heading and positions(env) == [(r + 1, c + 1)]


def test_walls_block():
    env = placed("harvest", [(1, 1, NORTH), (1, 2, WEST)])  # (0, *) and (*, 0) are walls
    act(env, UP, STAY)
    act(env, LEFT, STAY)
    assert positions(env) == [(1, 1), (1, 2)]


def test_a_contested_cell_gets_exactly_one_agent_chosen_at_random():
    r, c = open_cell_block(LAYOUTS["cleanup"], 3, 3)
    env = placed("cleanup", [(r + 1, c, EAST), (r + 1, c + 2, WEST)], num_envs=400)
    act(env, UP, UP)  # both want (r + 1, c + 1)
    rows, cols = env.layout.row_col(env.pos)  # (B, 2)
    first_won = (cols[:, 0] == c + 1) & (cols[:, 1] == c + 2)
    second_won = (cols[:, 1] == c + 1) & (cols[:, 0] == c)
    assert np.all(first_won ^ second_won)
    assert 150 < first_won.sum() < 250  # a fair coin: 200 +- 2.5 sd


def test_swaps_are_refused_but_a_chain_moves():
    r, c = open_cell_block(LAYOUTS["cleanup"], 3, 3)
    env = placed("cleanup", [(r + 1, c, EAST), (r + 1, c + 1, WEST)])
    act(env, UP, UP)
    assert positions(env) == [(r + 1, c), (r + 1, c + 1)]
    env = placed("cleanup", [(r + 1, c, EAST), (r + 1, c + 1, EAST)])
    act(env, UP, UP)  # the second leaves, the first takes its cell
    assert positions(env) == [(r + 1, c + 1), (r + 1, c + 2)]
    env = placed("cleanup", [(r + 1, c, EAST), (r + 1, c + 1, EAST)])
    act(env, UP, STAY)  # the second stays: the first is blocked
    assert positions(env) == [(r + 1, c), (r + 1, c + 1)]


def test_eating_an_apple_gives_one_and_empties_the_cell():
    layout = LAYOUTS["harvest"]
    apple = layout.apple_cells[0]
    (row,), (col,) = layout.row_col(np.array([apple]))
    env = placed("harvest", [(row, col - 1, EAST)])
    assert layout.wall[layout.cell(row, col - 1)] == 0 and env.apples[0, 0]
    _, rewards = act(env, UP)
    assert rewards[0, 0] == 1.0 and not env.apples[0, 0] and positions(env) == [(row, col)]


def fire_footprint(heading):
    """Cells hit by a beam of an agent at the bottom middle of an open 7x3 block, found by
    placing a victim on every cell of the block in turn."""
    r, c = open_cell_block(LAYOUTS["cleanup"], 7, 3)
    firer = (r + 6, c + 1) if heading == NORTH else (r, c + 1)
    hit = set()
    for i in range(7):
        for j in range(3):
            if (r + i, c + j) != firer:
                env = placed("cleanup", [(*firer, heading), (r + i, c + j, NORTH)])
                _, rewards = act(env, FIRE, STAY)
                assert rewards[0, 0] == -1.0  # the fire cost
                if rewards[0, 1] == -50.0:
                    hit.add((r + i - firer[0], c + j - firer[1]))
    return hit


def test_beam_footprint_on_an_empty_map():
    centre = {(-k, 0) for k in range(1, 6)}  # starts one cell ahead
    sides = {(-k, s) for k in range(0, 5) for s in (-1, 1)}  # start beside the agent
    assert fire_footprint(NORTH) == centre | sides
    assert fire_footprint(SOUTH) == {(-dr, dc) for dr, dc in centre | sides}


def test_the_first_agent_absorbs_a_ray_and_hits_add_up():
    r, c = open_cell_block(LAYOUTS["cleanup"], 7, 3)
    env = placed("cleanup", [(r + 6, c + 1, NORTH), (r + 4, c + 1, NORTH), (r + 2, c + 1, NORTH)])
    _, rewards = act(env, FIRE, STAY, STAY)  # agent 1 shields agent 2
    np.testing.assert_array_equal(rewards[0], [-1.0, -50.0, 0.0])
    env = placed("cleanup", [(r + 6, c + 1, NORTH), (r + 4, c + 1, WEST), (r + 2, c + 1, SOUTH)])
    _, rewards = act(env, FIRE, STAY, FIRE)  # agent 1 is hit from both sides
    np.testing.assert_array_equal(rewards[0], [-1.0, -100.0, -1.0])


WALLED = parse("walled", ("@@@@@@@", "@     @", "@  @  @", "@     @", "@  P  @", "@@@@@@@"))


def fire_at(victim):
    """Rewards when an agent at (4, 3) of WALLED fires north and another stands at victim."""
    pos = np.array([[WALLED.cell(4, 3), WALLED.cell(*victim)]])
    deltas = rules.beam_deltas(WALLED.padded_width)
    no_waste, zero = np.zeros((1, 0), bool), np.zeros((1, 2))
    heading, actions, order = (
        np.array([[NORTH, NORTH]]),
        np.array([[FIRE, STAY]]),
        np.array([[0, 1]]),
    )
    return rules.beams(WALLED, deltas, pos, heading, actions, order, no_waste, zero)[1]


def test_a_wall_cuts_a_ray():
    np.testing.assert_array_equal(fire_at((1, 3)), [[-1.0, 0.0]])  # behind the inner wall
    np.testing.assert_array_equal(fire_at((1, 2)), [[-1.0, -50.0]])  # the side ray passes it


def test_the_clean_beam_turns_the_first_waste_cell_into_river():
    layout = LAYOUTS["cleanup"]
    waste = layout.waste_at_reset.copy()
    row = 2  # "@HHHHHH ..." : waste in columns 1-6
    env = placed("cleanup", [(row, 8, WEST)], waste=waste)
    first, second = (
        layout.cell_to_river[layout.cell(row, 6)],
        layout.cell_to_river[layout.cell(row, 5)],
    )
    assert env.waste[0, first] and env.waste[0, second]
    _, rewards = act(env, CLEAN)
    assert not env.waste[0, first] and env.waste[0, second] and rewards[0, 0] == 0.0


def test_four_agents_rotating_around_a_2x2_block_all_move():
    """As in the SSD code (checked by stepping it side by side): a 4-cycle proceeds."""
    r, c = open_cell_block(LAYOUTS["cleanup"], 2, 2)
    env = placed("cleanup", [(r, c, EAST), (r, c + 1, SOUTH), (r + 1, c + 1, WEST),
                             (r + 1, c, NORTH)])  # fmt: skip
    act(env, UP, UP, UP, UP)
    assert positions(env) == [(r, c + 1), (r + 1, c + 1), (r + 1, c), (r, c)]


def test_a_blocked_occupant_blocks_the_agents_contesting_its_cell():
    """The documented deviation from SSD, on its worked example (Harvest, unpadded map):
    agents 0 and 1 contest (13, 35), whose occupant 3 tries to leave toward (13, 34), where
    agent 2 turns in place. SSD moves the winner of (13, 35) in anyway and two agents end on
    one cell; ours propagates the block, and nobody moves."""
    start = [(13, 36, WEST), (14, 35, SOUTH), (13, 34, SOUTH), (13, 35, NORTH)]
    for seed in range(20):  # whoever wins the contest
        env = placed("harvest", start, seed=seed, apples=False)
        act(env, UP, DOWN, CCW, LEFT)
        assert positions(env) == [(r, c) for r, c, _ in start]
        assert env.heading[0].tolist() == [WEST, SOUTH, EAST, NORTH]
