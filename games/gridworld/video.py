"""Write a short episode of one environment to an animated GIF or a PNG strip (matplotlib).

save_episode(make_env("cleanup", seed=0), "cleanup.gif", num_steps=50)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402


def save_episode(env, path, num_steps=50, actions=None, seed=0, env_index=0, columns=10):
    """Play ``num_steps`` steps (``actions`` (T, B, N), or uniformly random ones from
    ``seed``) and write the whole map of environment ``env_index`` at every step to ``path``:
    an animated GIF if it ends in ``.gif``, else a PNG strip of ``columns`` frames per row."""
    if actions is None:
        rng = np.random.default_rng(seed)
        actions = rng.integers(0, env.num_actions, size=(num_steps, env.num_envs, env.num_agents))
    env.reset(seed=seed)
    frames = [env.render(env_index)]
    for step_actions in actions[:num_steps]:
        env.step(step_actions)
        frames.append(env.render(env_index))
    if str(path).endswith(".gif"):
        fig, ax = plt.subplots(figsize=(frames[0].shape[1] / 6, frames[0].shape[0] / 6))
        ax.axis("off")
        image = ax.imshow(frames[0])
        movie = animation.FuncAnimation(fig, lambda t: [image.set_data(frames[t])], len(frames))
        movie.save(path, writer=animation.PillowWriter(fps=8))
    else:
        rows = -(-len(frames) // columns)
        fig, axes = plt.subplots(rows, columns, figsize=(2 * columns, 1.2 * rows), squeeze=False)
        for k, ax in enumerate(axes.ravel()):
            ax.axis("off")
            if k < len(frames):
                ax.imshow(frames[k])
                ax.set_title(f"t={k}", fontsize=7)
        fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    return path
