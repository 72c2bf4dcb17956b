"""A training run's random streams, every one derived from its seed by numpy's SeedSequence.

    rng, env_seeds = run_streams(seed, num_envs)

``SeedSequence(seed)`` spawns two children. The first seeds the learner's generator ``rng``
(PCG64): the networks' initialisation, then every action sampled and every minibatch
shuffle, in the order the run draws them. The second gives the environments their seeds,
``generate_state(num_envs, uint64)``: one 64-bit integer per environment, passed to
``env.reset(seed=[...])`` as a list of ints (Gymnasium's vector API; our gridworld and
Selfish-MMM2 read each as that environment's seed).

Why not ``env.reset(seed=seed)``: by Gymnasium's convention that seeds environment b with
``seed + b``, so the runs of seeds s and s + 1 shared B - 1 of their B environments
(environment b of seed s is environment b - 1 of seed s + 1), and an interval over seeds
counted the same environments several times. SeedSequence hashes the seed and the child's
index into each child's state, so the streams of different seeds, and of the two children,
share nothing but by chance: two of the 2^64 environment seeds coincide with probability
about n^2 / 2^65 among n environments of all runs (``tests/test_rl_seeding.py`` checks seeds
0-9 with 32 environments each). The environments keep Gymnasium's ``seed + b`` for an int
seed: the fix belongs to the learner, which now never passes one.

Runs made before this module existed drew the learner's generator from ``default_rng(seed)``
and reset with ``seed``; this code does not replay them (docs/rl.md, "Seeds").
"""

import numpy as np


def run_streams(seed, num_envs):
    """The learner's generator and the ``num_envs`` environment seeds (a list of Python ints
    in [0, 2^64)) of a run of ``seed`` (an int >= 0)."""
    learner, environments = np.random.SeedSequence(seed).spawn(2)
    env_seeds = environments.generate_state(num_envs, np.uint64).tolist()  # (B,)
    return np.random.default_rng(learner), env_seeds
