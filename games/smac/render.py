"""Pictures of a battle: ``frame`` (one RGB image) and ``save_battle`` (a GIF or PNG strip).

Allies are blue, enemies red; Marines are small circles, Marauders large squares, Medivacs
triangles (air). A short horizontal bar under each unit shows its HP (green on grey); a
dashed purple line ending in a plus joins a Medivac to the unit it is healing (unlike the HP
bars in colour, style and direction), a thin line an attacker to its target. The walkable
band is light grey. Every line carries a ``gid`` (``"hp"``, ``"heal"``, ``"attack"``) so
tests can find what was drawn.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from games.smac import units as U  # noqa: E402
from games.smac.engine import NONE, NUM_ALLIES  # noqa: E402

MARKERS = {U.MARAUDER: ("s", 11), U.MARINE: ("o", 7), U.MEDIVAC: ("^", 12)}
SIDES = ("tab:blue", "tab:red")
HP = {"color": "tab:green", "lw": 2.5}  # the filled part of a unit's HP bar
HEAL = {"color": "tab:purple", "ls": (0, (3, 2)), "lw": 1.6}  # a Medivac to its patient


def draw(ax, battles, b, title=""):
    """Battle ``b`` of ``battles`` (an ``engine.Battles``) on ``ax``."""
    s = battles.static
    ax.clear()
    ax.add_patch(plt.Rectangle((0, 8), 32, 16, color="0.93", zorder=0))
    pos, alive, hp, target = battles.pos[b], battles.alive[b], battles.hp[b], battles.target[b]
    for u in np.flatnonzero(alive):
        if target[u] != NONE and alive[target[u]]:
            (x0, y0), (x1, y1) = pos[u], pos[target[u]]
            if s.medivac[u]:  # a plus marks the healed end
                ax.plot([x0, x1], [y0, y1], **HEAL, alpha=0.9, zorder=1, gid="heal")
                ax.plot(x1, y1, "+", color=HEAL["color"], ms=9, mew=1.6, zorder=1, gid="heal")
            else:
                ax.plot([x0, x1], [y0, y1], color=SIDES[int(u >= NUM_ALLIES)], lw=0.4,
                        alpha=0.4, zorder=1, gid="attack")  # fmt: skip
    for u in np.flatnonzero(alive):
        marker, size = MARKERS[s.type[u]]
        ax.plot(*pos[u], marker, color=SIDES[int(u >= NUM_ALLIES)], ms=size, mec="black", mew=0.6,
                zorder=2)  # fmt: skip
        x, y, frac = pos[u][0], pos[u][1] - 0.9, hp[u] / s.hp_max[u]
        ax.plot([x - 0.5, x + 0.5], [y, y], color="0.6", lw=HP["lw"], zorder=3, gid="hp")
        ax.plot([x - 0.5, x - 0.5 + frac], [y, y], **HP, zorder=4, gid="hp")
    ax.set(xlim=(0, 32), ylim=(6, 26), aspect="equal", title=title)
    ax.set_xticks([])
    ax.set_yticks([])


def legend_handles():
    handles = [Line2D([], [], marker=m, ls="", color="0.5", mec="black", ms=sz, label=name)
               for (m, sz), name in zip(MARKERS.values(), U.TYPE_NAMES)]  # fmt: skip
    handles += [
        Line2D([], [], color=c, lw=6, label=side) for c, side in zip(SIDES, ("ally", "enemy"))
    ]
    handles.append(Line2D([], [], **HP, label="HP left (bar)"))
    handles.append(Line2D([], [], **HEAL, marker="+", ms=9, label="Medivac heals"))
    return handles


def frame(battles, b):
    """Battle ``b`` as an RGB image (H, W, 3) uint8."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    draw(ax, battles, b)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return image


def save_battle(env, path, policy, num_steps=60, seed=0, columns=4):
    """Play battle 0 of ``env`` (an ``MMM2VectorEnv``) for up to ``num_steps`` steps with
    ``policy(obs, avail) -> actions (B, N)`` (see ``games.smac.policies``) and write it to
    ``path``: an animated GIF if it ends in ``.gif``, else a PNG strip of every 5th step."""
    obs, info = env.reset(seed=seed)
    snapshots, total = [], 0.0
    for t in range(num_steps + 1):
        snapshots.append((_Snapshot(env.core.battles), f"step {t}, team return {total:.2f}"))
        if t == num_steps:
            break
        obs, rewards, terminated, truncated, info = env.step(policy(obs, info["avail_actions"]))
        total += float(rewards[0].sum())
        if terminated[0] or truncated[0]:
            won = "won" if info["battle_won"][0] else "lost"
            snapshots.append(
                (_Snapshot(env.core.battles), f"step {t + 1}: {won}, team return {total:.2f}")
            )
            break
    if str(path).endswith(".gif"):
        fig, ax = plt.subplots(figsize=(7.5, 4.4))
        fig.legend(handles=legend_handles(), loc="center right", fontsize=8, frameon=False)
        fig.subplots_adjust(left=0.01, right=0.84, top=0.92, bottom=0.02)
        movie = animation.FuncAnimation(
            fig, lambda k: draw(ax, snapshots[k][0], 0, snapshots[k][1]), len(snapshots)
        )
        movie.save(path, writer=animation.PillowWriter(fps=4), dpi=100)
    else:
        chosen = snapshots[::5] + ([snapshots[-1]] if (len(snapshots) - 1) % 5 else [])
        rows = -(-len(chosen) // columns)
        fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.8 * rows), squeeze=False)
        for ax, (battles, title) in zip(axes.ravel(), chosen):
            draw(ax, battles, 0, title)
        for ax in axes.ravel()[len(chosen) :]:
            ax.axis("off")
        fig.legend(handles=legend_handles(), loc="lower center", ncol=6, frameon=False)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


class _Snapshot:
    """The arrays ``draw`` reads, copied."""

    def __init__(self, battles):
        self.static = battles.static
        self.pos, self.alive = battles.pos.copy(), battles.alive.copy()
        self.hp, self.target = battles.hp.copy(), battles.target.copy()
