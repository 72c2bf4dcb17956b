"""Write a short episode of one environment to an animated GIF or a PNG strip (matplotlib).

save_episode(make_env("cleanup", seed=0), "cleanup.gif", num_steps=50)

Every frame is the whole map with each agent's heading drawn as a white triangle on its
cell, a title with the step and the collective return so far, and a legend of the colours
(agents by number, apples, waste, river, stream, walls).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from games.gridworld import observe  # noqa: E402

HEADING_MARKERS = ["^", ">", "v", "<"]  # north, east, south, west
CELL_INCHES = 0.22  # size of one map cell in the pictures


def play(env, num_steps, actions=None, seed=0, env_index=0):
    """Frames of one environment: a list of (rgb (H, W, 3), rows (N,), cols (N,), headings
    (N,), collective return so far)."""
    if actions is None:
        rng = np.random.default_rng(seed)
        actions = rng.integers(0, env.num_actions, size=(num_steps, env.num_envs, env.num_agents))
    env.reset(seed=seed)
    frames, total = [], 0.0

    def snapshot():
        rows, cols = env.layout.row_col(env.pos[env_index])
        frames.append((env.render(env_index), rows, cols, env.heading[env_index].copy(), total))

    snapshot()
    for step_actions in actions[:num_steps]:
        rewards = env.step(step_actions)[1]
        total += float(rewards[env_index].sum())
        snapshot()
    return frames


def legend_handles(game, num_agents):
    """Legend entries for the map's colours."""
    colour = lambda code: observe.COLOURS[code] / 255  # noqa: E731
    items = [(f"agent {i}", observe.AGENT + i) for i in range(num_agents)]
    items += [("apple", observe.APPLE), ("wall", observe.WALL), ("floor", observe.FLOOR)]
    if game == "cleanup":
        items += [("river", observe.RIVER), ("waste", observe.WASTE), ("stream", observe.STREAM)]
    handles = [Patch(facecolor=colour(code), edgecolor="black", label=name) for name, code in items]
    handles.append(plt.Line2D([], [], marker="^", color="white", markeredgecolor="black", ls="",
                              label="heading"))  # fmt: skip
    return handles


def draw(ax, frame, step):
    """One frame on ``ax``: the map, the agents' headings, a title."""
    rgb, rows, cols, headings, total = frame
    ax.clear()
    ax.imshow(rgb, interpolation="nearest")
    for r, c, h in zip(rows, cols, headings):
        ax.plot(c, r, HEADING_MARKERS[h], color="white", ms=5, markeredgecolor="black", mew=0.5)
    ax.set_title(f"t = {step}, collective return {total:g}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def save_episode(env, path, num_steps=50, actions=None, seed=0, env_index=0, columns=4):
    """Play ``num_steps`` steps (``actions`` (T, B, N), or uniformly random ones from
    ``seed``) and write the whole map of environment ``env_index`` at every step to ``path``:
    an animated GIF if it ends in ``.gif``, else a PNG strip of ``columns`` frames per row."""
    frames = play(env, num_steps, actions, seed, env_index)
    height, width = frames[0][0].shape[:2]
    handles = legend_handles(env.game, env.num_agents)
    if str(path).endswith(".gif"):
        fig, ax = plt.subplots(figsize=(width * CELL_INCHES + 1.6, height * CELL_INCHES + 0.5))
        fig.subplots_adjust(left=0.01, right=0.99 - 1.5 / fig.get_figwidth(), top=0.9, bottom=0.02)
        fig.legend(handles=handles, loc="center right", fontsize=7, frameon=False)
        movie = animation.FuncAnimation(fig, lambda t: draw(ax, frames[t], t), len(frames))
        movie.save(path, writer=animation.PillowWriter(fps=8), dpi=90)
    else:
        rows = -(-len(frames) // columns)
        size = (columns * width * CELL_INCHES, rows * (height * CELL_INCHES + 0.4))
        fig, axes = plt.subplots(rows, columns, figsize=size, squeeze=False)
        for k, ax in enumerate(axes.ravel()):
            if k < len(frames):
                draw(ax, frames[k], k)
            else:
                ax.axis("off")
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
                   frameon=False, bbox_to_anchor=(0.5, -0.02))  # fmt: skip
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path
