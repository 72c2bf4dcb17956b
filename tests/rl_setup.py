"""Shared set-up of the learner's tests: a tiny policy batch in float64, the surrogate game
built from it as an ``aga_ref.Game``, and a stateless matrix game with the gridworld's API."""

import numpy as np

from aga_ref import Game
from aga_ref.rl.policy import actor_terms, init_params, layer_shapes
from aga_ref.rl.surrogate import Batch, collective_loss, individual_losses

CLIP = 0.2


def tiny_problem(seed=0, N=2, S=7, F=3, hidden=4, A=3, masked=False):
    """(theta (N, P) float64, shapes, batch): actions sampled at theta_old, evaluated at a
    perturbed theta so that some ratios are clipped."""
    rng = np.random.default_rng(seed)
    shapes = layer_shapes(F, hidden, A)
    theta_old = init_params(shapes, N, rng, out_scale=1.0, dtype=np.float64)
    theta = theta_old + 0.3 * rng.standard_normal(theta_old.shape)
    x = rng.standard_normal((N, S, F))
    avail = None
    if masked:
        avail = rng.random((N, S, A)) < 0.7
        avail[..., 0] = True
    actions = np.array([[rng.choice(np.flatnonzero(avail[i, s])) if masked else rng.integers(A)
                         for s in range(S)] for i in range(N)])  # fmt: skip
    old_logp = actor_terms(_layers(theta_old, shapes), x, actions, avail)[0]
    weight = np.full((N, S), 1.0 / S)
    batch = Batch(x, actions, avail, old_logp, rng.standard_normal((N, S)),
                  rng.standard_normal((N, S)), weight)  # fmt: skip
    return theta, shapes, batch


def matmul_dtypes(run):
    """The dtypes of every operand of ``anp.matmul`` while ``run()`` runs (a set)."""
    import autograd.numpy as anp

    cell = next(c for c in anp.matmul.__closure__ if c.cell_contents is np.matmul)
    dtypes = set()

    def recording(a, b, **kwargs):
        dtypes.update((np.asarray(a).dtype, np.asarray(b).dtype))
        return np.matmul(a, b, **kwargs)

    cell.cell_contents = recording
    try:
        run()
    finally:
        cell.cell_contents = np.matmul
    return dtypes


def _layers(theta, shapes):
    from aga_ref.rl.policy import unflatten

    return unflatten(theta, shapes)


def _logp(w, shapes, batch, N):
    """Log-probabilities (N, S) from a flat w (D,), differentiable (slices of w)."""
    theta = w.reshape(N, -1)
    layers, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        layers.append(theta[:, start : start + size].reshape((N,) + shape))
        start += size
    return actor_terms(tuple(layers), batch.x, batch.actions, batch.avail)[0]


def surrogate_game(shapes, batch, N, P):
    """The surrogate game as an ``aga_ref.Game`` with an explicit collective loss."""

    def loss(i):
        return lambda w: individual_losses(_logp(w, shapes, batch, N), batch, CLIP)[i]

    return Game(
        [loss(i) for i in range(N)],
        [P] * N,
        collective=lambda w: collective_loss(_logp(w, shapes, batch, N), batch, CLIP),
    )


class MatrixGameEnv:
    """``B`` copies of a repeated stateless two-player matrix game, episodes of ``max_steps``,
    Gymnasium's next-step autoreset; observations are a constant (B, 2, 1)."""

    def __init__(self, payoffs, num_envs, max_steps=8):
        self.payoffs = np.asarray(payoffs, dtype=np.float32)  # (A, A, 2)
        self.num_envs, self.num_actions, self.max_steps = num_envs, self.payoffs.shape[0], max_steps

    def reset(self, seed=None):
        self.steps = np.zeros(self.num_envs, dtype=np.int64)
        self.needs_reset = np.zeros(self.num_envs, dtype=bool)
        return np.ones((self.num_envs, 2, 1), np.float32), {}

    def state(self):
        return np.ones((self.num_envs, 1), np.float32)

    def step(self, actions):
        restart = self.needs_reset
        rewards = self.payoffs[actions[:, 0], actions[:, 1]]  # (B, 2)
        rewards[restart] = 0.0
        self.steps = np.where(restart, 0, self.steps + 1)
        truncations = self.steps >= self.max_steps
        self.needs_reset = truncations
        obs = np.ones((self.num_envs, 2, 1), np.float32)
        return obs, rewards, np.zeros(self.num_envs, bool), truncations, {}


PRISONERS_DILEMMA = [[[3, 3], [0, 4]], [[4, 0], [1, 1]]]  # action 0 cooperate, 1 defect
