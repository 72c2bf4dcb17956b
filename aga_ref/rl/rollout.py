"""Collecting a batch from any vectorised multi-agent environment with the gridworld's API.

The environment needs ``reset(seed=[s_0, ..., s_{B-1}]) -> (obs (B, N, ...), info)`` (one
seed per environment, ints in [0, 2^64), as Gymnasium's vector API takes them: the learner
passes the run's environment seeds, ``aga_ref.rl.seeding``) and
``step(actions (B, N)) -> (obs, rewards (B, N), terminations (B,), truncations (B,), info)``
with Gymnasium's next-step autoreset, plus ``num_actions``. Optional: ``info["avail_actions"]``
(B, N, A) bool (action masks; each agent needs at least one available action, else the
rollout stops with a ValueError naming the agent, environment and step); ``info["active"]``
(B, N) bool, which agents act on the observation returned with it (False for an agent that
is dead or otherwise out of the game; absent means every agent is active); and for a
centralised (MAPPO) critic ``info["state"]`` (B, ...) or ``env.state()``. An inactive
agent's samples are left out of its own update, as MAPPO's active masks do
(``aga_ref.rl.ppo``). Every other numeric array in ``info`` of shape (B, N) is summed over
the episode and the agents, every (B,) array is averaged over the episode's steps, and both
are reported under their own names (the gridworld's ``apples_eaten``, ``beam_hits``,
``cells_cleaned``, ``waste_density``).

Episode outcome metrics (social welfare, equality, efficiency, sustainability, peace) are
``aga_ref.episodes.EpisodeTracker``'s.
"""

import numpy as np

from aga_ref.episodes import EpisodeTracker  # noqa: F401  (part of this module's API)
from aga_ref.rl.layers import DEFAULT_ARCH
from aga_ref.rl.policy import sample_actions


def _float32(a):
    """float32 network input; uint8 images scaled to [0, 1]."""
    return a * np.float32(1 / 255) if a.dtype == np.uint8 else a.astype(np.float32)


def as_inputs(obs):
    """Observations (B, N, ...) -> network inputs (N, B, F) float32 (uint8 scaled to [0, 1])."""
    B, N = obs.shape[:2]
    return _float32(np.asarray(obs).reshape(B, N, -1).transpose(1, 0, 2))


def global_state(env, info):
    """The centralised critic's input (B, F): ``info["state"]`` or ``env.state()``."""
    state = info["state"] if "state" in info else env.state()
    return np.asarray(state).reshape(state.shape[0], -1)


def collect(env, layers, carry, num_steps, rng, critic_inputs, arch=DEFAULT_ARCH):
    """Run ``num_steps`` steps of every environment with the actors ``layers``.

    ``carry``: dict with the last ``obs``, ``info``, ``done`` (B,) and the ``tracker``; it
    is updated in place. ``critic_inputs`` in {"mappo", "ippo"}; ``arch``: the actors'
    ``aga_ref.rl.layers.Arch``. Returns the batch as a dict
    of (T, ...) arrays (``"critic"``: the states for MAPPO, None for IPPO, whose critics read
    ``"x"``), plus the last step's critic input under ``"next_critic"``, and the list of
    finished episodes. ``"live"`` (T, B): the step is a transition (not a reset step);
    ``"active"`` (T, B, N): it is, and the agent acted in it."""
    store, finished = {}, []

    def put(t, key, value):  # preallocated (T, ...) arrays: no copies to stack at the end
        if value is None:
            store[key] = None
            return
        if key not in store:
            store[key] = np.empty((num_steps,) + np.shape(value), np.asarray(value).dtype)
        store[key][t] = value

    for t in range(num_steps):
        obs, info = carry["obs"], carry["info"]
        x = as_inputs(obs)  # (N, B, F)
        avail = _avail(info, t)  # (N, B, A) or None
        actions, logp = sample_actions(layers, x, avail, rng, arch)  # (N, B)
        live = ~carry["done"]  # a reset step's action is ignored: not a transition
        active = live[:, None] & _active(info, actions.shape[::-1])  # (B, N)
        put(t, "critic", _critic_input(env, carry, critic_inputs, x))
        obs, rewards, terminated, truncated, info = env.step(actions.T)
        done = np.asarray(terminated, bool) | np.asarray(truncated, bool)
        finished += carry["tracker"].add(np.asarray(rewards, np.float64), info, live, done)
        for key, value in (("x", x), ("avail", avail), ("actions", actions), ("logp", logp),
                           ("rewards", rewards), ("terminated", terminated), ("done", done),
                           ("live", live), ("active", active)):  # fmt: skip
            put(t, key, value)
        carry.update(obs=obs, info=info, done=done)
    last_x = as_inputs(carry["obs"])
    store["next_critic"] = (
        last_x if critic_inputs == "ippo" else _critic_input(env, carry, critic_inputs, last_x)
    )
    return store, finished


def _avail(info, t):
    """``info["avail_actions"]`` (B, N, A) as (N, B, A) bool, None without it; an agent with
    no available action is refused here, where the environment and step are known."""
    avail = info.get("avail_actions")
    if avail is None:
        return None
    avail = np.asarray(avail, dtype=bool)  # (B, N, A)
    empty = ~avail.any(-1)  # (B, N): one vectorised test per step
    if empty.any():
        b, i = np.argwhere(empty)[0]
        raise ValueError(
            f'info["avail_actions"] must leave every agent at least one available action (a '
            f"dead or waiting agent its no-op, as SMAC does), got none for agent {i} of "
            f"environment {b} at step {t} of the rollout (avail_actions[{b}, {i}] is all False)"
        )
    return avail.transpose(1, 0, 2)


def _active(info, shape):
    """``info["active"]`` as a (B, N) bool array; all True without it."""
    active = info.get("active")
    if active is None:
        return np.ones(shape, dtype=bool)
    active = np.asarray(active)
    if active.shape != shape:
        raise ValueError(f'info["active"] must have shape (B, N) = {shape}, got {active.shape}')
    return active.astype(bool)


def _critic_input(env, carry, kind, x):
    """MAPPO: the global state (B, F) before the step; IPPO: the agents' inputs (N, B, F),
    which the batch keeps once, under ``"x"`` (so None here)."""
    return None if kind == "ippo" else _float32(global_state(env, carry["info"]))
