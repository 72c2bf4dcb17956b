"""Rendering: a colour code per cell, whole-map RGB images and egocentric 15x15 views.

Codes: 0 outside the map (black), 1 floor, 2 wall, 3 apple, 4 clean river, 5 waste,
6 stream, 7 + i agent i. A view is the (2r+1) x (2r+1) square around the agent, rotated so
that its heading points up (row 0 is farthest ahead, the agent at the centre); cells beyond
the map are black. Beams are not drawn.

Views are cut from a sliding-window view of the code grid (a copy of 15x15 bytes per agent,
indexed by (B, N) arrays only), then turned by ``np.rot90`` with ``k = heading`` in four
masked groups: a window facing north is already upright. (One gather through a table of
offsets per heading was tried: it is faster for one environment and 3x slower for 256.) The
SSD code turns the views of agents facing east or west the other way (``k = -heading``),
which puts the cells behind them at the top; ``view="ssd"`` reproduces that. Colours are
packed in a uint32 (R, G, B, 0), so the RGB array is a uint8 view of it (the colour axis has
stride 4).
"""

import numpy as np

from games.gridworld.maps import VIEW_RADIUS

OUTSIDE, FLOOR, WALL, APPLE, RIVER, WASTE, STREAM, AGENT = range(8)
COLOURS = np.array(
    [[0, 0, 0], [40, 40, 40], [180, 180, 180], [0, 220, 0], [60, 120, 220], [140, 100, 40],
     [120, 190, 230], [230, 60, 60], [230, 200, 0], [160, 70, 255], [255, 130, 200],
     [0, 200, 200], [255, 140, 0], [120, 80, 40], [200, 255, 120], [255, 255, 255],
     [90, 90, 255]],
    dtype=np.uint8,
)  # fmt: skip
MAX_AGENTS = len(COLOURS) - AGENT
PALETTE = (COLOURS.astype(np.uint32) * np.array([1, 256, 65536], dtype=np.uint32)).sum(
    1, dtype=np.uint32
)


def cell_codes(layout, apples, waste, pos):
    """The code of every cell (B, Hp*Wp) uint8."""
    B = pos.shape[0]
    base = np.where(layout.wall, WALL, np.where(layout.stream, STREAM, FLOOR))
    codes = np.broadcast_to(
        np.where(layout.inside, base, OUTSIDE).astype(np.uint8), (B, layout.padded_size)
    ).copy()
    codes[:, layout.apple_cells] = np.where(apples, APPLE, FLOOR)
    codes[:, layout.river_cells] = np.where(waste, WASTE, RIVER)
    codes[np.arange(B)[:, None], pos] = AGENT + np.arange(pos.shape[1], dtype=np.uint8)
    return codes


def to_rgb(codes):
    """Codes (...) -> RGB (..., 3) uint8, a view of packed uint32 colours."""
    return PALETTE.take(codes).view(np.uint8).reshape(codes.shape + (4,))[..., :3]


def views(layout, codes, pos, heading, view="upright"):
    """Egocentric RGB views (B, N, 15, 15, 3) uint8. ``view="ssd"``: as the SSD code, whose
    views of agents facing east or west are turned by 180 degrees from ours."""
    B, r, W = codes.shape[0], VIEW_RADIUS, layout.padded_width
    side = 2 * r + 1
    grid = codes.reshape(B, -1, W)  # (B, Hp, Wp)
    windows = np.lib.stride_tricks.sliding_window_view(grid, (side, side), axis=(1, 2))
    row, col = np.divmod(pos, W)
    turns = {"upright": (0, 1, 2, 3), "ssd": (0, 3, 2, 1)}[view]  # quarter turns per heading
    window = windows[np.arange(B)[:, None], row - r, col - r]  # (B, N, 15, 15), a copy
    for h in (1, 2, 3):
        mask = heading == h
        if mask.any():
            window[mask] = np.rot90(window[mask], k=turns[h], axes=(1, 2))  # a copy
    return to_rgb(window)


def global_rgb(layout, codes):
    """The whole unpadded map as RGB (B, H, W, 3) uint8."""
    r, W = VIEW_RADIUS, layout.padded_width
    grid = codes.reshape(codes.shape[0], -1, W)[:, r:-r, r:-r]
    return np.ascontiguousarray(to_rgb(grid))
