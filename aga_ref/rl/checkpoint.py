"""Checkpoints of a training run: everything needed to continue it bit for bit.

``checkpoint.npz`` holds the actors' and critics' parameters and Adam moments as arrays, and
everything else (the environment object, the random generator, the episodes in progress,
the update count, the config) pickled into one byte array. Load only checkpoints you wrote.
"""

import dataclasses
import os
import pickle

import numpy as np


def save_checkpoint(path, state, config):
    """Write the whole training state atomically (a temporary file, then a rename)."""
    arrays = {k: state[k] for k in ("theta", "phi")}
    for name in ("actor_adam", "critic_adam"):
        arrays.update({f"{name}_m": state[name]["m"], f"{name}_v": state[name]["v"]})
    rest = {
        k: v for k, v in state.items() if k not in arrays and k not in ("actor_adam", "critic_adam")
    }
    rest["adam_t"] = (state["actor_adam"]["t"], state["critic_adam"]["t"])
    rest["config"] = dataclasses.asdict(config)
    blob = np.frombuffer(pickle.dumps(rest), dtype=np.uint8)
    tmp = path + ".tmp.npz"
    np.savez(tmp, blob=blob, **arrays)
    os.replace(tmp, path)


def load_checkpoint(path, config):
    """The state saved by ``save_checkpoint``; the config must equal the saved one."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    rest = pickle.loads(arrays.pop("blob").tobytes())
    saved = rest.pop("config")
    diff = {k: (saved[k], v) for k, v in dataclasses.asdict(config).items() if saved.get(k) != v}
    if diff:
        raise ValueError(f"config must equal the checkpoint's to resume; differing (saved, "
                         f"given): {diff}")  # fmt: skip
    t_actor, t_critic = rest.pop("adam_t")
    state = dict(rest, theta=arrays["theta"], phi=arrays["phi"])
    state["actor_adam"] = {"m": arrays["actor_adam_m"], "v": arrays["actor_adam_v"], "t": t_actor}
    state["critic_adam"] = {"m": arrays["critic_adam_m"], "v": arrays["critic_adam_v"],
                            "t": t_critic}  # fmt: skip
    return state


def load_checkpoint_arrays(path):
    """The actors' parameters (N, P) and layer shapes from a checkpoint, nothing else."""
    with np.load(path) as f:
        rest = pickle.loads(f["blob"].tobytes())
        return f["theta"], rest["actor_shapes"]
