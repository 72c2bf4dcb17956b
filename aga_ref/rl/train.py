"""The training loop: rollout, advantages, update, log, checkpoint; resumable bit for bit.

    state, rows = train(env, Config(method="aga", lam=100.0), out="runs/aga")

Writes ``out/config.json``, ``out/progress.csv`` (one row per update; episode metrics are
means over the episodes that finished since the previous row, blank if none did) and
``out/checkpoint.npz`` (every ``checkpoint_every`` updates and at the end). ``resume=True``
continues from the checkpoint with the same config and gives the same numbers as a run that
was never stopped: the checkpoint holds the parameters, both optimiser states, the random
generator, the environment object (pickled) and the episodes in progress. A config that
differs is refused, except a larger ``env_steps``, which extends the run: the learning
rate's annealing ``lr (1 - update / num_updates)`` then follows the new ``num_updates`` from
the next update on (it steps up at the resume point). A non-finite direction, gradient or
parameter stops the run with ``TrainingDiverged`` naming the update; the checkpoint on disk
is then still the last good one.
Every random stream of a run (the networks, the sampling, the minibatches and each
environment) derives from ``config.seed`` by ``aga_ref.rl.seeding``: runs of different seeds
share none.

A kill at any instant loses at most the updates since the last checkpoint, and a resume
computes them again, identically: every file is written atomically or appended and
reconciled (``aga_ref.rl.runfiles``), and the previous checkpoint is kept for the case that
the latest cannot be read (``aga_ref.rl.checkpoint``). A full disk or a read-only folder
raises ``runfiles.RunFolderUnwritable``; an unusable file on resume,
``runfiles.RunFileUnreadable``.
"""

import dataclasses
import json
import os
import time
import warnings

import numpy as np

from aga_ref._checks import NonFiniteError
from aga_ref.rl import optim, ppo, value_norm
from aga_ref.rl.checkpoint import (
    CHECKPOINT,
    PREVIOUS,
    load_checkpoint,
    save_checkpoint,
    usable_checkpoint,
)
from aga_ref.rl.config import Config
from aga_ref.rl.layers import Arch, arch_of
from aga_ref.rl.optim import adam_init
from aga_ref.rl.policy import ACTOR_OUT_SCALE, init_params, layer_shapes
from aga_ref.rl.progress import append_row, columns, read_rows, status_line, write_rows
from aga_ref.rl.returns import gae, sl_rewards, svo_rewards
from aga_ref.rl.rollout import EpisodeTracker, as_inputs, collect, global_state
from aga_ref.rl.runfiles import read_json, remove_strays, replaced
from aga_ref.rl.seeding import run_streams

RUN_FILES = ("config.json", "progress.csv", CHECKPOINT, PREVIOUS)  # what train() writes


class TrainingDiverged(FloatingPointError):
    """A training run produced a non-finite value; the message names the update."""


def init_state(env, config):
    """Fresh networks, optimisers, random generator and first observations. Every random
    stream comes from ``config.seed`` by ``seeding.run_streams``: the learner's generator
    and one 64-bit seed per environment, so runs of different seeds share no stream."""
    rng, env_seeds = run_streams(config.seed, config.num_envs)
    for name in ("reset", "step"):
        if not callable(getattr(env, name, None)):
            raise TypeError(f"env must have a {name}() method, got {type(env).__name__}")
    actions = getattr(env, "num_actions", None)
    if isinstance(actions, bool) or not isinstance(actions, (int, np.integer)) or actions < 2:
        raise ValueError(f"env.num_actions must be an integer >= 2, got {actions!r}")
    want = f"observations (B, N, ...) with B = config.num_envs = {config.num_envs} and N >= 2"
    if getattr(env, "num_envs", config.num_envs) != config.num_envs:  # before B seeds go in
        raise ValueError(f"env.reset() must return {want} agents, got env.num_envs = "
                         f"{env.num_envs}")  # fmt: skip
    obs, info = env.reset(seed=env_seeds)
    if np.ndim(obs) < 3 or np.shape(obs)[1] < 2 or np.shape(obs)[0] != config.num_envs:
        raise ValueError(f"env.reset() must return {want} agents, got shape {np.shape(obs)}")
    x = as_inputs(obs)  # (N, B, F)
    N = x.shape[0]
    arch = Arch(config.activation, config.layer_norm)  # actors' and critics' body
    actor_shapes = layer_shapes(x.shape[-1], config.hidden, env.num_actions, arch)
    theta = init_params(actor_shapes, N, rng, out_scale=ACTOR_OUT_SCALE)  # (N, P)
    if config.critic == "ippo":  # one critic per agent on its view, 2 values each
        critic_shapes = layer_shapes(x.shape[-1], config.hidden, 2, arch)
        phi = init_params(critic_shapes, N, rng, out_scale=1.0)  # (N, Pc)
    else:  # one centralised critic on the state, 2 values per agent
        critic_shapes = layer_shapes(global_state(env, info).shape[-1], config.hidden, 2 * N,
                                     arch)  # fmt: skip
        phi = init_params(critic_shapes, 1, rng, out_scale=1.0)  # (1, Pc)
    norm = {"value_norm": value_norm.init((N, 2))} if config.value_norm else {}  # per head
    return {
        **norm, "theta": theta, "phi": phi, "actor_opt": optim.init(config.optimizer, theta),
        "critic_adam": adam_init(phi),
        "actor_shapes": actor_shapes, "critic_shapes": critic_shapes, "rng": rng, "update": 0,
        "carry": {"obs": obs, "info": info, "done": np.zeros(len(obs), dtype=bool),
                  "tracker": EpisodeTracker(len(obs), N)},
        "rows": 0, "wall_s": 0.0,
    }  # fmt: skip


def advantages(state, batch, config):
    """Values of every visited input, then GAE for the individual and collective rewards:
    (adv_ind, adv_col, returns, values, the critics' outputs). With ``value_norm`` the
    critics output normalised values: GAE, the returns and ``values`` use them
    denormalised by the statistics of each (agent, head) (MAPPO's ``compute_returns``);
    the outputs as they are go to the value clipping. Without, the last two are one."""
    T = batch["rewards"].shape[0]
    seen = batch["x"] if config.critic == "ippo" else batch["critic"]  # (T, ...)
    inputs = np.concatenate([seen, batch["next_critic"][None]])  # (T+1, ...)
    if config.critic == "ippo":  # (T+1, N, B, F) -> (N, (T+1) B, F)
        inputs = inputs.transpose(1, 0, 2, 3).reshape(inputs.shape[1], -1, inputs.shape[-1])
    else:  # (T+1, B, F) -> ((T+1) B, F), the centralised critic's input
        inputs = inputs.reshape(-1, inputs.shape[-1])
    out = ppo.critic_values(state["phi"], state["critic_shapes"], inputs)  # (N, (T+1) B, 2)
    v = value_norm.denormalize(state["value_norm"], out, 1) if config.value_norm else out
    B = batch["rewards"].shape[1]
    v, out = (a.reshape(a.shape[0], T + 1, B, 2).transpose(1, 2, 0, 3)
              for a in (v, out))  # (T+1, B, N, 2) each  # fmt: skip
    r = batch["rewards"].astype(np.float32)  # (T, B, N)
    if config.method == "svo":
        r_ind = svo_rewards(r, config.svo_theta, config.svo_weight)
    elif config.method == "sl":
        r_ind = sl_rewards(r, config.sl_alpha)
    else:
        r_ind = r
    r_col = np.broadcast_to(r.sum(-1, keepdims=True), r.shape)  # the collective reward
    flags = (batch["terminated"].astype(np.float32), batch["done"].astype(np.float32))
    adv_ind = gae(r_ind, v[..., 0], *flags, config.gamma, config.gae_lambda)
    adv_col = gae(r_col, v[..., 1], *flags, config.gamma, config.gae_lambda)
    ret = np.stack([adv_ind, adv_col], -1) + v[:T]  # (T, B, N, 2)
    return adv_ind, adv_col, ret, v[:T], out[:T]


def _agent_major(a):
    """(T, B, N, ...) -> (N, T B, ...)."""
    a = np.moveaxis(a, 2, 0)
    return a.reshape((a.shape[0], -1) + a.shape[3:])


def train_step(env, state, config, timings=None):
    """One rollout and one update; returns the progress row's values (a dict).
    ``timings``: an optional dict that accumulates the seconds of each phase."""
    clock = _Clock(timings)
    lr = config.lr * (1 - state["update"] / config.num_updates) if config.anneal_lr else config.lr
    data, finished = experience(env, state, config, clock)
    state, stats = ppo.update(state, data, config, lr, state["rng"])
    clock("update")
    state["update"] += 1
    return _row(state, config, finished, stats, lr)


def experience(env, state, config, clock=None):
    """Collect one rollout and turn it into the update's data: arrays (N, S, ...), with
    ``S = T * B`` samples per agent; also the finished episodes."""
    clock = clock or _Clock(None)
    layers = ppo.unflatten(state["theta"], state["actor_shapes"])
    batch, finished = collect(env, layers, state["carry"], config.num_steps, state["rng"],
                              config.critic, arch_of(state["actor_shapes"]))  # fmt: skip
    clock("rollout")
    adv_ind, adv_col, ret, values, outputs = advantages(state, batch, config)
    live = np.broadcast_to(batch["live"][..., None], adv_ind.shape)  # (T, B, N)
    data = {
        "x": _agent_major(batch["x"].transpose(0, 2, 1, 3)),  # (N, S, F)
        "actions": _agent_major(batch["actions"].transpose(0, 2, 1)),
        "logp": _agent_major(batch["logp"].transpose(0, 2, 1)),
        "avail": None if batch["avail"] is None
        else _agent_major(batch["avail"].transpose(0, 2, 1, 3)),
        "adv_ind": _agent_major(adv_ind), "adv_col": _agent_major(adv_col),
        "ret": _agent_major(ret), "values": _agent_major(values), "live": _agent_major(live),
        "old_values": _agent_major(outputs),
        "active": _agent_major(batch["active"]),
    }  # fmt: skip
    # the critics' inputs: MAPPO's states (S, F); IPPO's are the actors' own (N, S, F)
    data["critic"] = (batch["critic"].reshape(-1, batch["critic"].shape[-1])
                      if config.critic == "mappo" else data["x"])  # fmt: skip
    clock("advantages")
    return data, finished


class _Clock:
    """Adds the seconds since the last call to ``timings[phase]`` (does nothing if None)."""

    def __init__(self, timings):
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, phase):
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
            self.last = now


def _row(state, config, finished, stats, lr):
    row = {"update": state["update"], "env_steps": state["update"] * config.batch_steps,
           "episodes_finished": len(finished), "lr": lr, **stats}  # fmt: skip
    if finished:
        for key in finished[0]:
            if key == "returns":
                returns = np.mean([e["returns"] for e in finished], axis=0)
                row.update({f"return_agent_{i}": r for i, r in enumerate(returns)})
            elif key != "length":
                vals = [e[key] for e in finished if e[key] is not None]
                row[key] = float(np.mean(vals)) if vals else None
    return row


def train(
    env, config, out=None, resume=False, checkpoint_every=10, log=None, meta=None, should_stop=None
):
    """Train ``config.method`` on ``env`` for ``config.env_steps``; return (state, rows).

    ``meta``: a dict saved beside the config in ``config.json`` (e.g. the environment's
    name and settings, for plots); ``log(config, row, rows)`` is called after every update
    (default: a status line). ``should_stop()``, if given, is asked before every update;
    when it says True the run writes a checkpoint and returns early, with
    ``state["update"] < config.num_updates`` (``aga-ref train`` on SIGINT and SIGTERM)."""
    if not isinstance(config, Config):
        raise TypeError(f"config must be an aga_ref.rl.Config, got {type(config).__name__}")
    log = log or status_line
    state, rows = _start(env, config, out, resume, meta)
    env = state["env"]
    ckpt = None if out is None else os.path.join(out, CHECKPOINT)
    csv_path = None if out is None else os.path.join(out, "progress.csv")
    episodes = sum(int(r["episodes_finished"]) for r in rows)
    saved = state["update"] if resume else None  # the update the checkpoint on disk holds
    while state["update"] < config.num_updates:
        if should_stop is not None and should_stop():
            break
        start = time.perf_counter()
        try:
            row = train_step(env, state, config)
        except (FloatingPointError, NonFiniteError) as error:
            raise TrainingDiverged(
                f"update {state['update'] + 1}: {error}; the last good checkpoint is "
                f"{ckpt or '(none: no out folder)'}"
            ) from error
        episodes += row["episodes_finished"]
        state["wall_s"] += time.perf_counter() - start
        row.update(episodes=episodes, wall_s=round(state["wall_s"], 3))
        rows.append(row)
        if csv_path is not None:  # the row is on disk before a checkpoint counts it
            append_row(csv_path, rows, columns(state))
        state["rows"] = len(rows)
        log(config, row, rows)  # a log that writes (TensorBoard) is on disk before the checkpoint
        last = state["update"] == config.num_updates
        if ckpt is not None and (state["update"] % checkpoint_every == 0 or last):
            save_checkpoint(ckpt, state, config)
            saved = state["update"]
    if ckpt is not None and saved != state["update"]:  # stopped between checkpoints
        save_checkpoint(ckpt, state, config)
    return state, rows


def _start(env, config, out, resume, meta):
    """(state, rows kept) at the start of ``train``; in ``out``: stray temporary files
    removed, ``config.json`` written, ``progress.csv`` cut to the rows the checkpoint counts
    (``aga_ref.rl.runfiles``: what a kill leaves)."""
    if out is not None:
        os.makedirs(out, exist_ok=True)
        remove_strays(out, RUN_FILES)
    if resume:
        if out is None or not os.path.exists(os.path.join(out, CHECKPOINT)):
            raise ValueError(f"resume needs a checkpoint at out/checkpoint.npz, got out={out!r}")
        note = usable_checkpoint(out)
        if note:
            warnings.warn(note, RuntimeWarning, stacklevel=3)
        state = load_checkpoint(os.path.join(out, CHECKPOINT), config)
    else:
        state = init_state(env, config)
        state["env"] = env
        if out is not None and os.path.exists(os.path.join(out, PREVIOUS)):
            os.remove(os.path.join(out, PREVIOUS))  # another run's: never a fallback for this
    if out is None:
        return state, []
    path = os.path.join(out, "config.json")
    saved = read_json(path) if resume else {}  # the budget may have grown; meta is kept
    with replaced(path) as f:
        json.dump({**saved, **dataclasses.asdict(config), **(meta or {})}, f, indent=2)
    csv_path = os.path.join(out, "progress.csv")
    rows = read_rows(csv_path, state["rows"]) if resume else []
    write_rows(csv_path, rows, columns(state))
    return state, rows
