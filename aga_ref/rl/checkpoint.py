"""Checkpoints of a training run: everything needed to continue it bit for bit.

``checkpoint.npz`` holds the actors' and critics' parameters and optimiser states as arrays, and
everything else (the environment object, the random generator, the episodes in progress,
the update count, the config) pickled into one byte array. Load only checkpoints you wrote.
"""

import dataclasses
import os
import pickle

import numpy as np

OPTIMIZER_STATES = ("actor_opt", "critic_adam")  # the actors' optimiser is a choice


def save_checkpoint(path, state, config):
    """Write the whole training state atomically (a temporary file, then a rename)."""
    arrays = {k: state[k] for k in ("theta", "phi")}
    for name in OPTIMIZER_STATES:
        arrays.update({f"{name}_{k}": v for k, v in state[name].items() if k != "t"})
    rest = {k: v for k, v in state.items() if k not in arrays and k not in OPTIMIZER_STATES}
    rest["optimizer_t"] = tuple(state[name]["t"] for name in OPTIMIZER_STATES)
    rest["config"] = dataclasses.asdict(config)
    blob = np.frombuffer(pickle.dumps(rest), dtype=np.uint8)
    tmp = path + ".tmp.npz"
    np.savez(tmp, blob=blob, **arrays)
    os.replace(tmp, path)


def config_changes(saved, config):
    """{field: (saved, given)} where ``config`` differs from the ``saved`` dict, except a
    larger ``env_steps`` (a longer run); a field added after the checkpoint was written
    counts as its default."""
    defaults = {f.name: f.default for f in dataclasses.fields(config)}
    diff = {k: (saved.get(k, defaults[k]), v) for k, v in dataclasses.asdict(config).items()
            if saved.get(k, defaults[k]) != v}  # fmt: skip
    if diff.get("env_steps", (0, 0))[1] > diff.get("env_steps", (0, 0))[0]:
        del diff["env_steps"]
    return diff


def saved_config(path):
    """(config dict, updates done) of a checkpoint, to compare before resuming it."""
    with np.load(path) as f:
        rest = pickle.loads(f["blob"].tobytes())
    return rest["config"], rest["update"]


def load_checkpoint(path, config):
    """The state saved by ``save_checkpoint``; the config must equal the saved one, except
    that ``env_steps`` may grow (the run is extended)."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    rest = pickle.loads(arrays.pop("blob").tobytes())
    diff = config_changes(rest.pop("config"), config)
    if diff:
        changes = ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in diff.items())
        raise ValueError(f"config must equal the checkpoint's to resume (only env_steps may "
                         f"grow), got changes (saved -> given): {changes}")  # fmt: skip
    if "adam_t" in rest:  # written before the optimiser became a choice: Adam's names
        rest["optimizer_t"] = rest.pop("adam_t")
        arrays = {k.replace("actor_adam_", "actor_opt_"): v for k, v in arrays.items()}
    steps = rest.pop("optimizer_t")
    state = dict(rest, theta=arrays["theta"], phi=arrays["phi"])
    for name, t in zip(OPTIMIZER_STATES, steps):
        state[name] = {k[len(name) + 1 :]: v for k, v in arrays.items() if k.startswith(name)}
        state[name]["t"] = t
    return state


def load_checkpoint_arrays(path):
    """The actors' parameters (N, P) and layer shapes from a checkpoint, nothing else."""
    with np.load(path) as f:
        rest = pickle.loads(f["blob"].tobytes())
        return f["theta"], rest["actor_shapes"]
