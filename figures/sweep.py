"""``aga-ref sweep``: the protocol grid (games x methods x AgA's lam x seeds), one
``aga-ref train`` process per run, ``--jobs`` at a time, each single-threaded.

    aga-ref sweep --env-steps 300000 --seeds 0 --jobs 2 --out runs/sweep
    aga-ref sweep ... --print-commands      # one line per run, for a cluster scheduler
    aga-ref sweep --grid mechanism --envs harvest --env-steps 300000 --out runs/mechanism

``--grid protocol`` (the default) is games x methods x lam x seeds; ``--grid mechanism`` is
the ablation study of why AgA with a large lam stalls (``MECHANISM``: AgA lam = 100 with
Adam and SGD, with and without H_c^T xi_c, without sign alignment; Simul-Ind and CGA with
Adam and SGD; AgA lam = 0.1 with both and Simul-Co with SGD), every variant on every game
of ``--envs`` and seed of ``--seeds``, seeds outermost so that a cut grid has whole seeds.

A finished run (its ``progress.csv`` reaches the last update) is skipped and a started one
is resumed from its checkpoint, so the same command continues an interrupted sweep; with a
larger ``--env-steps`` it extends finished runs (``aga-ref train --help``, "resuming").
Each run records the sweep command in its ``config.json`` (``aga-ref plot`` lists it).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from aga_ref.rl.config import Config
from aga_ref.rl.methods import METHODS
from figures.arguments import (
    aga_lam,
    count,
    description,
    out_folder,
    plain,
    plural,
    refuse_unused,
)
from figures.train import ENVS, SWEEP_COMMAND
from figures.train_resume import run_in

EPILOG = __doc__.split("\n\n", 1)[1]
PAPER_LAMS = (0.1, 1.0, 100.0, 1000.0)
DEFAULT_METHODS = ("simul-ind", "simul-co", "svo", "cga", "sl", "aga", "fcgrad")
# (name, train arguments) of the mechanism study (docs/learning.md, section 2)
MECHANISM = (
    ("aga-lam100-adam", ["--method", "aga", "--lam", "100"]),
    ("aga-lam100-adam-no-hamiltonian", ["--method", "aga", "--lam", "100", "--no-hamiltonian"]),
    ("aga-lam100-sgd", ["--method", "aga", "--lam", "100", "--optimizer", "sgd"]),
    ("aga-lam100-sgd-no-hamiltonian",
     ["--method", "aga", "--lam", "100", "--optimizer", "sgd", "--no-hamiltonian"]),
    ("aga-lam100-adam-no-align", ["--method", "aga", "--lam", "100", "--no-align"]),
    ("simul-ind-adam", ["--method", "simul-ind", "--all-gradients"]),
    ("simul-ind-sgd", ["--method", "simul-ind", "--optimizer", "sgd", "--all-gradients"]),
    ("cga-lam1-adam", ["--method", "cga", "--lam", "1", "--all-gradients"]),
    ("cga-lam1-sgd", ["--method", "cga", "--lam", "1", "--optimizer", "sgd", "--all-gradients"]),
    # is lam = 100 best among SGD learners? the same comparison at lam = 0.1 and for Simul-Co
    ("aga-lam0.1-adam", ["--method", "aga", "--lam", "0.1"]),
    ("aga-lam0.1-sgd", ["--method", "aga", "--lam", "0.1", "--optimizer", "sgd"]),
    ("simul-co-sgd", ["--method", "simul-co", "--optimizer", "sgd", "--all-gradients"]),
)  # fmt: skip


def runs(envs, methods, lams, seeds):
    """Every run of the grid: (name, extra train arguments)."""
    out = []
    for env in envs:
        for method in methods:
            for lam in lams if method == "aga" else [None]:
                for seed in seeds:
                    name = f"{env}-{method}" + (f"-lam{lam:g}" if lam is not None else "")
                    args = ["--env", env, "--method", method, "--seed", str(seed)]
                    args += [] if lam is None else ["--lam", str(lam)]
                    out.append((f"{name}-s{seed}", args))
    return out


def mechanism_runs(envs, seeds):
    """The mechanism study's runs: (name, extra train arguments), seeds outermost."""
    return [(f"{env}-{name}-s{seed}", ["--env", env, *args, "--seed", str(seed)])
            for seed in seeds for env in envs for name, args in MECHANISM]  # fmt: skip


def command(name, args, env_steps, out, state):
    """The ``aga-ref train`` command line of one run; ``state`` as ``status`` says: a
    started run is resumed, a "new" one whose folder holds files of a run that never
    reached a checkpoint replaces them."""
    cmd = [sys.executable, "-m", "figures.cli", "train", *args, "--env-steps", str(env_steps)]
    cmd += ["--no-plot", "--out", os.path.join(out, name)]
    if state == "started":
        return cmd + ["--resume"]
    return cmd + (["--overwrite"] if state == "new" and run_in(os.path.join(out, name)) else [])


def status(folder, env_steps):
    """The run's state: "done", "started" (a checkpoint exists) or "new"; a run planned
    longer than ``env_steps`` is refused (``ValueError``)."""
    if not os.path.exists(os.path.join(folder, "checkpoint.npz")):
        return "new"
    with open(os.path.join(folder, "progress.csv")) as f:
        last = f.read().strip().splitlines()[-1].split(",")
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    if config["env_steps"] > env_steps:
        raise ValueError(f"{folder} holds a run of {config['env_steps']:,} env-steps, more "
                         f"than --env-steps {env_steps:,}; a sweep continues or extends "
                         f"runs, it does not shorten them")  # fmt: skip
    total = Config(env_steps=env_steps, num_envs=config["num_envs"],
                   num_steps=config["num_steps"]).num_updates  # fmt: skip
    return "done" if last[0] == str(total) else "started"


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref sweep", description=description(__doc__), epilog=plain(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument(
        "--grid",
        choices=("protocol", "mechanism"),
        default="protocol",
        help="protocol: games x methods x lams x seeds (default); mechanism: "
        "the ablations of AgA lam=100 (--methods and --lams do not apply)",
    )
    parser.add_argument("--envs", nargs="+", choices=ENVS, default=["cleanup", "harvest"],
                        help="default: cleanup harvest (mmm2: name it)")  # fmt: skip
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=list(DEFAULT_METHODS),
        help="the methods of the protocol grid (default: " + " ".join(DEFAULT_METHODS) + ")",
    )
    parser.add_argument(
        "--lams",
        nargs="+",
        type=aga_lam,
        default=list(PAPER_LAMS),
        help="AgA's lam values, one run each (default: the paper's 0.1 1 100 1000)",
    )
    parser.add_argument("--seeds", nargs="+", type=count(0), default=[0, 1, 2],
                        help="one run per seed (default: 0 1 2)")  # fmt: skip
    parser.add_argument(
        "--env-steps",
        type=count(1),
        required=True,
        help="each run's budget, e.g. 3e5 (rounded up to whole batches)",
    )

    parser.add_argument(
        "--jobs",
        type=count(1),
        default=os.cpu_count() or 1,
        help="runs at a time (default: one per core)",
    )
    parser.add_argument("--out", default="runs/sweep",
                        help="folder of the runs' folders (default: runs/sweep)")  # fmt: skip
    parser.add_argument("--print-commands", action="store_true",
                        help="print one command per run and exit")  # fmt: skip
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    mechanism = args.grid == "mechanism"
    refuse_unused(parser, args, [
        ("methods", not mechanism, "with --grid mechanism (its variants are fixed)"),
        ("lams", not mechanism and "aga" in args.methods,
         "with --grid mechanism or without aga in --methods (only AgA's lam is swept)"),
    ])  # fmt: skip
    if mechanism:
        grid = mechanism_runs(args.envs, args.seeds)
    else:
        grid = runs(args.envs, args.methods, args.lams, args.seeds)
    if args.print_commands:
        for name, extra in grid:
            cmd = command(name, extra, args.env_steps, args.out, None)
            print(" ".join(["aga-ref"] + cmd[3:]))
        return 0
    try:
        todo = [(n, a, status(os.path.join(args.out, n), args.env_steps)) for n, a in grid]
    except (ValueError, OSError) as error:
        parser.error(str(error))
    out_folder(parser, args.out)
    todo = [(n, a, s) for n, a, s in todo if s != "done"]
    print(f"{plural(len(grid), 'run')}, {len(grid) - len(todo)} already done, "
          f"{args.jobs} at a time -> {args.out}/", flush=True)  # fmt: skip
    made_by = "aga-ref sweep " + shlex.join(argv)
    start, failed = time.perf_counter(), []
    with ThreadPoolExecutor(args.jobs) as pool:
        jobs = {pool.submit(_run, n, a, s, args, made_by): n for n, a, s in todo}
        for k, job in enumerate(as_completed(jobs), start=1):
            name, code = jobs[job], job.result()
            failed += [name] if code else []
            print(f"[{k}/{len(todo)}] {name}: {'failed, see its .log' if code else 'done'} "
                  f"({(time.perf_counter() - start) / 60:.1f} min)", flush=True)  # fmt: skip
    if failed:
        print(f"failed runs: {failed}", file=sys.stderr)
        return 1
    return 0


def _run(name, extra, state, args, made_by):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env[SWEEP_COMMAND] = made_by  # each run records the sweep that made it
    cmd = command(name, extra, args.env_steps, args.out, state)
    with open(os.path.join(args.out, f"{name}.log"), "a") as log:
        return subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env).returncode
