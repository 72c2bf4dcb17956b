"""Checkpoints of a training run: everything needed to continue it bit for bit.

``checkpoint.npz`` holds the actors' and critics' parameters and optimiser states as arrays, and
everything else (the environment object, the random generator, the episodes in progress,
the update count, the config) pickled into one byte array. Load only checkpoints you wrote.

Each save copies the checkpoint it replaces to ``checkpoint.prev.npz`` and then replaces
``checkpoint.npz`` whole (``aga_ref.rl.runfiles.replaced``), so both exist and are complete
at every instant. ``usable_checkpoint`` falls back to the previous one when the latest
cannot be read (a disk that lost it, a hand copy cut short): it copies the previous over the
latest and says so; the updates after it are then computed again.
"""

import dataclasses
import os
import pickle
import shutil
import zipfile

import numpy as np

from aga_ref.rl.runfiles import RunFileUnreadable, replaced, unwritable

CHECKPOINT, PREVIOUS = "checkpoint.npz", "checkpoint.prev.npz"

OPTIMIZER_STATES = ("actor_opt", "critic_adam")  # the actors' optimiser is a choice


def save_checkpoint(path, state, config):
    """Write the whole training state atomically (a temporary file, then a rename), after
    keeping the checkpoint it replaces as ``checkpoint.prev.npz`` beside it."""
    arrays = {k: state[k] for k in ("theta", "phi")}
    for name in OPTIMIZER_STATES:
        arrays.update({f"{name}_{k}": v for k, v in state[name].items() if k != "t"})
    rest = {k: v for k, v in state.items() if k not in arrays and k not in OPTIMIZER_STATES}
    rest["optimizer_t"] = tuple(state[name]["t"] for name in OPTIMIZER_STATES)
    rest["config"] = dataclasses.asdict(config)
    blob = np.frombuffer(pickle.dumps(rest), dtype=np.uint8)
    with replaced(path, binary=True) as f:
        np.savez(f, blob=blob, **arrays)
        if os.path.exists(path):  # the new one is written, not yet in place: keep the old
            _copy(path, os.path.join(os.path.dirname(path), PREVIOUS))


def _copy(source, target):
    """Make ``target`` a copy of ``source``, atomically."""
    with open(source, "rb") as f, replaced(target, binary=True) as copy:
        shutil.copyfileobj(f, copy)


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
    rest = _read(path)[1]
    return rest["config"], rest["update"]


def saved_environment(path):
    """The environment object a checkpoint pickled (its game's settings with it)."""
    return _read(path)[1]["env"]


def usable_checkpoint(folder):
    """The note to print when ``folder``'s ``checkpoint.npz`` cannot be read and
    ``checkpoint.prev.npz`` was copied over it, else None; ``RunFileUnreadable`` (naming
    both files) when neither can be read."""
    path, previous = os.path.join(folder, CHECKPOINT), os.path.join(folder, PREVIOUS)
    try:
        _read(path)
        return None
    except RunFileUnreadable as error:
        latest = error
    try:
        update = _read(previous)[1]["update"]
    except RunFileUnreadable as error:
        raise RunFileUnreadable(f"{latest}, and so is the previous one: {error}") from None
    try:
        _copy(previous, path)
    except OSError as error:
        raise unwritable(path, error) from error
    return (f"{latest}; continuing from the previous checkpoint, {PREVIOUS} (update "
            f"{update}), whose later updates are computed again")  # fmt: skip


def _read(path):
    """(arrays, the rest unpickled) of a checkpoint; ``RunFileUnreadable`` naming ``path``
    and the reason when it is missing, cut short or not a checkpoint."""
    if os.path.isfile(path) and not zipfile.is_zipfile(path):  # np.load would try pickle
        raise RunFileUnreadable(f"{path} is unreadable (cut short, or not a checkpoint: no "
                                f"zip archive's directory at its end)")  # fmt: skip
    try:
        with np.load(path) as f:
            arrays = {k: f[k] for k in f.files}  # every array read: a CRC checks each
        if "blob" not in arrays:  # a zip of arrays, but not one save_checkpoint wrote
            raise RunFileUnreadable(f"{path} is not a checkpoint of aga-ref (missing 'blob')")
        return arrays, pickle.loads(arrays.pop("blob").tobytes())
    except FileNotFoundError:
        raise RunFileUnreadable(f"{path} does not exist") from None
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile,
            pickle.UnpicklingError, AttributeError) as error:  # fmt: skip
        raise RunFileUnreadable(f"{path} is unreadable ({type(error).__name__}: "
                                f"{error})") from None  # fmt: skip


def load_checkpoint(path, config):
    """The state saved by ``save_checkpoint``; the config must equal the saved one, except
    that ``env_steps`` may grow (the run is extended)."""
    arrays, rest = _read(path)
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
    arrays, rest = _read(path)
    return arrays["theta"], rest["actor_shapes"]
