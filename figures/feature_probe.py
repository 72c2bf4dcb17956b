"""``aga-ref probe DIR...``: hidden activations and logit spread of trained actors.

What trained actors compute on a fixed set of observations (the hidden layers' activations
and how much the logits vary between states) for runs of ``aga-ref train``, next to the same
networks at initialisation.

    aga-ref probe runs/mechanism/harvest-*-s0 --out docs/results/mechanism

The observations are those a uniform random policy sees in 32 environments over 64 steps
(seed 0) of the runs' game, the same for every run. Per run and layer, for the final
actors in ``checkpoint.npz`` and for the initial actors (``init_params`` with the run's seed,
by the rule of ``aga_ref.rl.seeding``; runs made before that rule started from other
actors: probe them at the commit that made them):

    act_l<k>      mean |h_k| of hidden layer k (tanh: 0 = silent, 1 = saturated)
    sat_l<k>      share of hidden units with |h_k| > 0.99 (saturation, for tanh without
                  LayerNorm: with ``--layer-norm`` h_k is read after the layer's LayerNorm,
                  whose size its gain and bias set, so these two columns do not measure
                  saturation there)
    logit_std     std of each logit over the observations, mean over agents and actions:
                  0 = the policy ignores its input
    entropy       mean entropy of the policy on the observations (max ln A)

Writes ``<game>_probe.md`` and ``.csv``; the mean over the runs of a method (with its
label from ``aga-ref plot``) and, in brackets, the range over them.
"""

import argparse
import json
import os

import numpy as np

from figures.arguments import out_folder, plain
from figures.output import save_table
from figures.train_runs import grouped

COLUMNS = ("act_l1", "act_l2", "sat_l1", "sat_l2", "logit_std", "entropy")


def observations(config, steps=64, num_envs=32, seed=0):
    """Actor inputs (N, S, F) seen by a uniform random policy in the run's game."""
    from aga_ref.rl.rollout import as_inputs
    from games.gridworld import make_env

    env = make_env(config["env"], num_envs=num_envs, num_agents=config["num_agents"],
                   seed=seed, max_steps=config["max_steps"], record_episodes=False)  # fmt: skip
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    xs = []
    for _ in range(steps):
        xs.append(as_inputs(obs))  # (N, B, F)
        obs = env.step(rng.integers(env.num_actions, size=(num_envs, config["num_agents"])))[0]
    return np.concatenate(xs, axis=1)


def probe(theta, shapes, x):
    """The probe's values (a dict) of actors ``theta`` (N, P) on inputs ``x`` (N, S, F)."""
    from aga_ref.rl.layers import arch_of
    from aga_ref.rl.policy import hidden, log_softmax, mlp, unflatten

    layers, arch = unflatten(theta, shapes), arch_of(shapes)  # the run's body (rl.layers)
    h1, h2 = hidden(layers, x, arch)  # (N, S, H) each
    logits = mlp(layers, x, arch)  # (N, S, A)
    logp = log_softmax(logits)
    return {
        "act_l1": np.mean(np.abs(h1)), "act_l2": np.mean(np.abs(h2)),
        "sat_l1": np.mean(np.abs(h1) > 0.99), "sat_l2": np.mean(np.abs(h2) > 0.99),
        "logit_std": np.mean(np.std(logits, axis=1)),
        "entropy": np.mean(-np.sum(np.exp(logp) * logp, axis=-1)),
    }  # fmt: skip


def run_probe(folders, out):
    """Probe every run's final and initial actors; write the table; return its path."""
    from aga_ref.rl.checkpoint import load_checkpoint_arrays
    from aga_ref.rl.policy import ACTOR_OUT_SCALE, init_params
    from aga_ref.rl.seeding import run_streams

    runs, inputs = [], {}
    for folder in folders:
        path = os.path.join(folder, "checkpoint.npz")
        if not os.path.exists(path):
            raise ValueError(f"folder must hold an aga-ref train run with a checkpoint, got "
                             f"{folder!r}")  # fmt: skip
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        if config.get("env") not in ("harvest", "cleanup"):
            raise ValueError(f"the probe takes Cleanup or Harvest runs, got {config.get('env')!r}")
        key = (config["env"], config["num_agents"], config["max_steps"])
        if key not in inputs:
            inputs[key] = observations(config)
        x = inputs[key]
        theta, shapes = load_checkpoint_arrays(path)
        rng = run_streams(config["seed"], config["num_envs"])[0]  # init_state's first draw
        init = init_params(shapes, theta.shape[0], rng, ACTOR_OUT_SCALE)
        runs.append((config, (probe(theta, shapes, x), probe(init, shapes, x)), folder))
    groups = grouped(runs)
    paths = []
    for game in sorted({g for g, _ in groups}):
        rows = []
        for (g, name), runs in sorted(groups.items()):
            if g != game:
                continue
            for which, index in (("trained", 0), ("initial", 1)):
                cells = []
                for key in COLUMNS:
                    v = np.array([r[index][key] for r in runs])
                    cells.append(f"{v.mean():.3g} [{v.min():.3g}, {v.max():.3g}]")
                rows.append([name, which, len(runs), *cells])
        title = (f"{game}: the actors on a fixed set of observations (a uniform random "
                 "policy's, 32 envs x 64 steps, seed 0): mean over runs [min, max]")  # fmt: skip
        save_table(out, f"{game}_probe", ["method", "actors", "runs", *COLUMNS], rows, title)
        paths.append(os.path.join(out, f"{game}_probe.md"))
    return paths


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref probe",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folders", nargs="+", help="aga-ref train output folders")
    parser.add_argument("--out", required=True, help="folder for <game>_probe.md and .csv")
    return parser


def main(argv=None):
    parser = make_parser()
    args = parser.parse_args(argv)
    for folder in args.folders:  # before any work
        if not os.path.isdir(folder):
            parser.error(f"folder {folder!r} does not exist (it must hold an aga-ref train run)")
    out_folder(parser, args.out)
    try:
        paths = run_probe(args.folders, args.out)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    for path in paths:
        print(f"wrote {path}")
    return 0
