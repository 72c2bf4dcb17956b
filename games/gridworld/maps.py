"""The Harvest and Cleanup maps of the SSD code (docs/paper.md, section 8) and their parsed layout.

Characters: ``@`` wall, ``P`` spawn cell, ``A`` apple cell (Harvest, full at reset), ``B``
orchard cell (Cleanup, empty at reset), ``H`` river with waste, ``R`` clean river, ``S``
stream (walkable, not part of the waste area), space floor. Every non-wall cell is walkable.

Layout. The map is padded by ``VIEW_RADIUS`` cells of "outside" on every side, so that
every 15x15 view and every beam stays inside the array; a cell is one flat index into the
padded ``(Hp, Wp)`` grid. All state arrays refer to cells by these flat indices.
"""

from dataclasses import dataclass

import numpy as np

VIEW_RADIUS = 7  # 15x15 egocentric views

HARVEST_MAP = (
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
    "@ P   P      A    P AAAAA    P  A P  @",
    "@  P     A P AA    P    AAA    A  A  @",
    "@     A AAA  AAA    A    A AA AAAA   @",
    "@ A  AAA A    A  A AAA  A  A   A A   @",
    "@AAA  A A    A  AAA A  AAA        A P@",
    "@ A A  AAA  AAA  A A    A AA   AA AA @",
    "@  A A  AAA    A A  AAA    AAA  A    @",
    "@   AAA  A      AAA  A    AAAA       @",
    "@ P  A       A  A AAA    A  A      P @",
    "@A  AAA  A  A  AAA A    AAAA     P   @",
    "@    A A   AAA  A A      A AA   A  P @",
    "@     AAA   A A  AAA      AA   AAA P @",
    "@ A    A     AAA  A  P          A    @",
    "@       P     A         P  P P     P @",
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
)  # fmt: skip

CLEANUP_MAP = (
    "@@@@@@@@@@@@@@@@@@",
    "@RRRRRR     BBBBB@",
    "@HHHHHH      BBBB@",
    "@RRRRRR     BBBBB@",
    "@RRRRR  P    BBBB@",
    "@RRRRR    P BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRRR      BBBBB@",
    "@HHHHHHSSSSSSBBBB@",
    "@HHHHHHSSSSSSBBBB@",
    "@RRRRR   P P BBBB@",
    "@HHHHH   P  BBBBB@",
    "@RRRRRR    P BBBB@",
    "@HHHHHH P   BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHH    P  BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHHH  P P BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHH       BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHHH      BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHH       BBBBB@",
    "@@@@@@@@@@@@@@@@@@",
)  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """The static part of a map, in padded flat indices."""

    name: str
    height: int  # H, unpadded
    width: int  # W, unpadded
    padded_width: int  # Wp
    padded_size: int  # Hp * Wp
    walkable: np.ndarray  # (Hp*Wp,) bool
    wall: np.ndarray  # (Hp*Wp,) bool
    stream: np.ndarray  # (Hp*Wp,) bool
    inside: np.ndarray  # (Hp*Wp,) bool, the unpadded map
    spawn_cells: np.ndarray  # (S,) flat indices of P cells
    apple_cells: np.ndarray  # (A,) flat indices of A (Harvest) or B (Cleanup) cells
    river_cells: np.ndarray  # (R,) flat indices of H and R cells (Cleanup; empty for Harvest)
    waste_at_reset: np.ndarray  # (R,) bool: H cells
    cell_to_apple: np.ndarray  # (Hp*Wp,) index into apple_cells, -1 elsewhere
    cell_to_river: np.ndarray  # (Hp*Wp,) index into river_cells, -1 elsewhere

    def cell(self, row, col):
        """Flat padded index of map cell (row, col)."""
        return (row + VIEW_RADIUS) * self.padded_width + col + VIEW_RADIUS

    def row_col(self, cell):
        """Map (row, col) of flat padded indices (arrays welcome)."""
        row, col = np.divmod(cell, self.padded_width)
        return row - VIEW_RADIUS, col - VIEW_RADIUS


def parse(name, rows):
    """The ``Layout`` of a map given as a tuple of equal-length strings."""
    if len({len(row) for row in rows}) != 1:
        raise ValueError(f"map {name!r} must have rows of equal length")
    grid = np.array([list(row) for row in rows])  # (H, W) characters
    height, width = grid.shape
    padded = np.full((height + 2 * VIEW_RADIUS, width + 2 * VIEW_RADIUS), "0")
    padded[VIEW_RADIUS:-VIEW_RADIUS, VIEW_RADIUS:-VIEW_RADIUS] = grid
    flat = padded.ravel()
    apple_char = "A" if name == "harvest" else "B"
    apple_cells = np.flatnonzero(flat == apple_char)
    river_cells = np.flatnonzero((flat == "H") | (flat == "R"))
    cell_to_apple = np.full(flat.size, -1)
    cell_to_apple[apple_cells] = np.arange(apple_cells.size)
    cell_to_river = np.full(flat.size, -1)
    cell_to_river[river_cells] = np.arange(river_cells.size)
    return Layout(
        name=name, height=height, width=width, padded_width=padded.shape[1],
        padded_size=flat.size, walkable=(flat != "@") & (flat != "0"), wall=flat == "@",
        stream=flat == "S", inside=flat != "0", spawn_cells=np.flatnonzero(flat == "P"),
        apple_cells=apple_cells, river_cells=river_cells, waste_at_reset=flat[river_cells] == "H",
        cell_to_apple=cell_to_apple, cell_to_river=cell_to_river,
    )  # fmt: skip


LAYOUTS = {"harvest": parse("harvest", HARVEST_MAP), "cleanup": parse("cleanup", CLEANUP_MAP)}
