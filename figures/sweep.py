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

Options after ``--`` go to every run's ``aga-ref train`` (``-- --num-envs 16 --hidden
128``); those the grid sets (``--env``, ``--method``, ``--lam``, ``--seed``, the mechanism
variants' own, ``--env-steps``, ``--out``) are refused there. ``--preset mappo`` gives every
run MAPPO's configuration (``aga-ref train --preset``); keep such runs in their own ``--out``.

Every run is ``aga-ref train ... --resume-or-start``: a finished run (its checkpoint is at
the last update) is skipped, a started one is resumed from its checkpoint, and one stopped
before its first checkpoint starts again, so the same command continues an interrupted
sweep, and each line of ``--print-commands`` can be run again and again by a scheduler until
its run is complete; with a larger ``--env-steps`` it extends finished runs (``aga-ref train
--help``, "resuming"). A run keeps its options: before any run starts, a run of the grid
(finished or not) that the command would change is refused in one line; delete its folder,
or give another ``--out``, to run it anew. A second trainer on a run's folder is refused (a
lock). SIGTERM or Ctrl-C stops the sweep: its runs checkpoint and exit, and the same command
continues them; if the sweep is killed, its runs end too (on Linux). Each run records the
sweep command in its ``config.json`` (``aga-ref plot`` lists it).

On a cluster (GNU parallel, a SLURM array): see docs/rl.md, section "Grids on a cluster".
"""

import argparse
import dataclasses
import os
import shlex
import sys
import zipfile

from aga_ref.rl.checkpoint import saved_config
from aga_ref.rl.config import Config
from aga_ref.rl.methods import METHODS
from aga_ref.rl.presets import PRESETS
from aga_ref.rl.progress import quiet_stdout, say
from figures import train
from figures.arguments import (
    aga_lam,
    count,
    description,
    flag_names,
    out_folder,
    plain,
    plural,
    refuse_unused,
)
from figures.sweep_processes import run_all, stopped, under_way
from figures.train_preset import apply_preset
from figures.train_resume import sweep_refusal

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


def command(name, args, env_steps, out, options=()):
    """The ``aga-ref train`` command line of one run, the same for its first start and every
    restart: ``--resume-or-start`` continues the run in its folder or starts it."""
    cmd = [sys.executable, "-m", "figures.cli", "train", *args, "--env-steps", str(env_steps)]
    return cmd + [*options, "--no-plot", "--out", os.path.join(out, name), "--resume-or-start"]


def train_options(parser, options, grid):
    """Check the options after ``--`` with ``aga-ref train``'s parser; refuse (through
    ``parser``) those that do not parse, those that the grid sets, and values that a run's
    trainer would refuse (a finished run's never sees them: it is skipped)."""
    train_parser = train.make_parser()
    train_parser.exit_on_error = False  # its errors are reported as the sweep's
    try:
        unknown = train_parser.parse_known_args(options)[1]
    except argparse.ArgumentError as error:
        parser.error(f"after --, for aga-ref train: {error}")
    if unknown:
        parser.error(f"after --: aga-ref train has no option {unknown[0]!r}")
    fixed = {"env", "env_steps", "out", "resume", "overwrite", "resume_or_start"}
    for _, args in grid:
        fixed |= train.given_options(train_parser, args)
    for dest in sorted(train.given_options(train_parser, options) & fixed):
        flag = next(w.split("=")[0] for w in options if w.startswith("--") and
                    w[2:].split("=")[0].replace("-", "_") in (dest, "no_" + dest))  # fmt: skip
        parser.error(f"after --: {flag} is set by the sweep for each run (its grid, "
                     f"--env-steps or --out); leave it out")  # fmt: skip
    for name, own in grid:  # the values, as each run's trainer checks them
        args = train_parser.parse_args([*own, *options])
        apply_preset(args, train.given_options(train_parser, options))
        try:
            train.config_from(args)
            train.environment_settings(args)
        except (ValueError, TypeError) as error:
            fields = [f.name for f in dataclasses.fields(Config)] + ["num_agents", "max_steps"]
            # the grid's own flags for this run (its method, a mechanism variant's
            # --no-hamiltonian), which the user did not type, are named as the grid's
            parser.error(f"after --, for aga-ref train, in the grid's run {name} "
                         f"({' '.join(own)}): {flag_names(str(error), fields)}")  # fmt: skip


def done(folder, env_steps):
    """Whether the run in ``folder`` is complete at ``env_steps``, by its checkpoint's count
    of updates (as ``aga-ref train`` judges it); a run planned longer is refused
    (``ValueError``)."""
    path = os.path.join(folder, "checkpoint.npz")
    if not os.path.exists(path):
        return False
    try:
        config, updates = saved_config(path)
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile):
        return False  # unreadable: its trainer recovers the previous checkpoint or says why
    if config["env_steps"] > env_steps:
        raise ValueError(f"{folder} holds a run of {config['env_steps']:,} env-steps, more "
                         f"than --env-steps {env_steps:,}; a sweep continues or extends "
                         f"runs, it does not shorten them")  # fmt: skip
    total = Config(env_steps=env_steps, num_envs=config["num_envs"],
                   num_steps=config["num_steps"]).num_updates  # fmt: skip
    return updates >= total


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref sweep", usage="aga-ref sweep --env-steps N [options] [-- TRAIN OPTIONS]",
        description=description(__doc__), epilog=plain(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument(
        "--grid",
        choices=("protocol", "mechanism"),
        default="protocol",
        help="protocol: games x methods x lams x seeds (default); mechanism: "
        "the ablations of AgA lam=100 (--methods and --lams do not apply)",
    )
    parser.add_argument("--envs", nargs="+", choices=train.ENVS, default=["cleanup", "harvest"],
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
                        help="print one aga-ref train line per run and exit; each ends in "
                        "--resume-or-start, so a scheduler can run it again unchanged "
                        "after a preemption")  # fmt: skip
    parser.add_argument("--preset", choices=sorted(PRESETS), default=None,
                        help="every run's aga-ref train --preset (mappo: MAPPO's defaults, "
                        "docs/rl.md); options after -- override it")  # fmt: skip
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    ours, options = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv \
        else (argv, [])  # fmt: skip
    parser = make_parser()
    args = parser.parse_args(ours)
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
    options = [*(["--preset", args.preset] if args.preset else []), *options]
    train_options(parser, options, grid)
    if args.print_commands:
        try:  # the Python docs' recipe for SIGPIPE: | head ends the listing, quietly
            for name, extra in grid:
                print(shlex.join(["aga-ref", *command(name, extra, args.env_steps, args.out,
                                                      options)[3:]]))  # fmt: skip
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
            return 1
        return 0
    try:
        todo = [(n, a) for n, a in grid if not done(os.path.join(args.out, n), args.env_steps)]
    except (ValueError, OSError) as error:
        parser.error(str(error))
    for name, extra in grid:  # finished or not, a run keeps its options
        refusal = sweep_refusal(
            os.path.join(args.out, name),
            command(name, extra, args.env_steps, args.out, options)[4:],
        )
        if refusal:
            parser.error(refusal)
    out_folder(parser, args.out)
    say(f"{plural(len(grid), 'run')}, {len(grid) - len(todo)} already done, "
        f"{args.jobs} at a time -> {args.out}/")  # fmt: skip
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env[train.SWEEP_COMMAND] = "aga-ref sweep " + shlex.join(argv)  # recorded by each run
    jobs = [(name, command(name, extra, args.env_steps, args.out, options),
             os.path.join(args.out, f"{name}.log"), env) for name, extra in todo]  # fmt: skip
    ended = {}

    def report(name, code, seconds):
        ended[name] = code
        what = "done" if code == 0 else "stopped, to be continued" if stopped(code) \
            else "failed, see its .log"  # fmt: skip
        say(f"[{len(ended)}/{len(todo)}] {name}: {what} (ran {seconds / 60:.1f} min)")

    stop = run_all(jobs, args.jobs, report)
    if stop is not None:
        print(f"stopped by {stop.name}: {plural(len(todo) - len(ended), 'run')} not started; "
              f"{under_way(args.out, ended)}; the same command continues them",
              file=sys.stderr)  # fmt: skip
        return 128 + stop
    failed = [name for name, code in ended.items() if code]  # stopped on its own: failed
    if failed:
        print(f"failed runs: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0
