"""The closing GIF of ``aga-ref plot`` (and ``aga-ref train``): a trained run's actors
playing one environment, a gridworld episode (``games.gridworld.video``) or a Selfish-MMM2
battle (``games.smac.render``)."""

import json
import os

import numpy as np


def episode_gif(folder, path, num_steps=100):
    """Play the run's trained actors for ``num_steps`` in one environment and save a GIF."""
    from aga_ref.rl.checkpoint import load_checkpoint_arrays
    from aga_ref.rl.layers import arch_of
    from aga_ref.rl.policy import sample_actions, unflatten
    from aga_ref.rl.rollout import as_inputs
    from games.gridworld import make_env
    from games.gridworld.video import save_episode

    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    theta, shapes = load_checkpoint_arrays(os.path.join(folder, "checkpoint.npz"))
    if config["env"] == "mmm2":
        from games.smac import make_env as make_battles
        from games.smac.render import save_battle

        rng = np.random.default_rng(0)

        def policy(obs, avail):  # the trained actors, sampling as in training
            a, _ = sample_actions(unflatten(theta, shapes), as_inputs(obs),
                                  np.asarray(avail).transpose(1, 0, 2), rng,
                                  arch_of(shapes))  # fmt: skip
            return a.T

        return save_battle(make_battles("mmm2", seed=0), path, policy, num_steps=num_steps)
    env = make_env(config["env"], num_envs=1, num_agents=config["num_agents"], seed=0,
                   max_steps=config["max_steps"], record_episodes=False)  # fmt: skip
    rng, actions = np.random.default_rng(0), []
    obs, _ = env.reset(seed=0)
    for _ in range(num_steps):
        a, _ = sample_actions(unflatten(theta, shapes), as_inputs(obs), None, rng,
                              arch_of(shapes))  # (N, 1)  # fmt: skip
        actions.append(a.T)
        obs = env.step(a.T)[0]
    return save_episode(env, path, num_steps=num_steps, actions=np.array(actions), seed=0)
