"""``aga-ref train``: train learning agents on Cleanup, Harvest (``games.gridworld``) or
Selfish-MMM2 battles (``games.smac``) with the learner of ``aga_ref.rl``, show progress,
write config.json, progress.csv and checkpoint.npz, and at the end draw the curves and film
a 100-step episode of the trained agents into episode.gif, for every run (``--no-gif``: not
the GIF, ``--no-plot``: neither). With tensorboardX installed (or ``--tensorboard``),
progress.csv's columns also go to tensorboard/ in the run's folder as TensorBoard scalars:
``tensorboard --logdir runs/``.

    aga-ref train --env harvest --method aga --lam 100 --env-steps 2e6 --seed 0 --out runs/x
    aga-ref train --env harvest --out runs/x --resume --env-steps 4e6   # continue it, longer

The options, one per field of the learner's ``Config``, are ``figures/train_options.py``;
with no ``--env-steps`` it runs a demo of ``DEMO_STEPS`` there (a few minutes on 2 cores). The
budget rounds up to whole batches of ``--num-envs * --num-steps`` environment steps. An
``--out`` that holds a run is refused unless ``--resume`` (continue it,
``figures/train_resume.py``) or ``--overwrite`` (replace it) is given. Every check of the
command line comes before the first line of output; ``config.json`` records the command
(or the ``aga-ref sweep`` that launched it) under ``commands``, one per start or resume,
each with the git commit of the code that ran it (``figures/provenance.py``).
"""

import argparse
import dataclasses
import os
import shlex
import shutil
import sys

from aga_ref.rl.config import Config
from aga_ref.rl.progress import TensorBoard, say, tensorboard_installed
from figures.arguments import description, flag_names, plural
from figures.provenance import noted
from figures.threads import blas_threads
from figures.train_options import ENVS, add_arguments, config_from, given_options
from figures.train_preset import apply_preset, preset_meta
from figures.train_stops import interrupt_outside_training, interrupted, stopping

MMM2_AGENTS, MMM2_LIMIT = 10, 180
# the files a run and its closing plot write: --overwrite removes exactly these
RUN_FILES = ("config.json", "progress.csv", "checkpoint.npz", "checkpoint.prev.npz",
             "summary.md", "episode.gif",
             *(f"{env}_{kind}" for env in ENVS
               for kind in ("curves.png", "outcomes.md", "outcomes.csv")))  # fmt: skip
TENSORBOARD = "tensorboard"  # the run's TensorBoard event files (--tensorboard)
SWEEP_COMMAND = "AGA_REF_SWEEP_COMMAND"  # set by aga-ref sweep: the command that made a run
PROGRESS = """\
progress line, one per update (every 10th when not on a terminal):
  [aga] update 3/74 12,288/303,104 env-steps (4%) 5,000/s  SW 12.3  E 0.81  eta 1.0 min
  SW  social welfare: the collective return (the sum of the agents' returns in an
      episode), mean over the episodes that ended in the latest update that had one
  E   the equality of those returns, 1 - Gini (1: all equal)
  Until the first episode ends the line reads "SW, E: no episode finished yet" (a
  Cleanup or Harvest episode lasts --max-steps steps, 1000 by default; an MMM2
  battle at most 180).

resuming (--resume): options left out take the run's values; options given must
equal the run's, except --env-steps, which may grow to extend the run. The
learning rate, annealed as lr * (1 - update / updates), then follows the new
total from the next update on: it steps up from the old schedule to the new one
(a run planned that long from the start anneals more slowly all along). A run
that is complete is left as it is."""


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref train", usage="aga-ref train --env {harvest,cleanup,mmm2} [options]",
        description=description(__doc__), epilog=PROGRESS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_arguments(parser)
    return parser


def check(parser, args, argv):
    """Every check of the command line, before any work: (config, env, out, commands, lock);
    config is None for a finished run that ``--resume`` would not extend; ``lock`` holds the
    folder for this trainer until it is closed (``figures/run_lock.py``)."""
    from figures.train_resume import claim

    if args.env is None and not args.resume:
        parser.error("the following arguments are required: --env (or --resume to continue "
                     "a run)")  # fmt: skip
    if args.resume and args.out is None:
        parser.error("--resume needs --out, the folder of the run to continue")
    given = apply_preset(args, given_options(parser, argv))  # figures/train_preset.py
    try:
        config = config_from(args)
        if args.no_align and args.sign_rule != "paper":
            raise ValueError("--sign-rule does not apply with --no-align (no sign is chosen)")
        if args.env is not None:
            environment_settings(args)
        env = None if args.resume else make_environment(args)  # checks its settings
    except (ValueError, TypeError) as error:
        parser.error(flag_names(str(error), [f.name for f in dataclasses.fields(Config)]
                                + ["num_agents", "max_steps"]))  # fmt: skip
    if args.tensorboard and not tensorboard_installed():
        parser.error("--tensorboard needs tensorboardX, which is not installed: pip "
                     "install tensorboardx (in aga-ref's clone: pip install -e "
                     "'.[tensorboard]')")  # fmt: skip
    out = args.out or os.path.join("runs", f"{args.env}-{args.method}-s{args.seed}")
    command = "aga-ref train " + shlex.join(argv)
    config, commands, lock = claim(parser, args, given, out, command, config)
    return config, env, out, [*commands, noted(os.environ.get(SWEEP_COMMAND) or command)], lock


def run(args, parser, argv):
    """Train as ``args`` say; return the output folder (or None if there was nothing to do)."""
    config, env, out, commands, lock = check(parser, args, list(argv))
    with lock:  # this trainer's folder until it ends (figures/run_lock.py)
        return None if config is None else _train(args, config, env, out, commands, argv)


def _train(args, config, env, out, commands, argv):
    from aga_ref.rl.train import TrainingDiverged, train

    if args.overwrite:
        for name in RUN_FILES:
            if os.path.exists(os.path.join(out, name)):
                os.remove(os.path.join(out, name))
        shutil.rmtree(os.path.join(out, TENSORBOARD), ignore_errors=True)
    planned = config.num_updates * config.batch_steps
    rounded = "" if planned == config.env_steps else f" (a budget of {config.env_steps:,} " \
        f"rounded up to whole batches of {config.batch_steps:,})"  # fmt: skip
    preset = args.preset or getattr(args, "run_preset", None)  # given, or the run's record
    since = f" from update {args.resumed_from}" if args.resume else ""
    say(f"{'resuming' if args.resume else 'training'} {config.method} on {args.env}{since}"
        f"{f' (--preset {preset})' if preset else ''}: {planned:,} env-steps{rounded}, "
        f"{plural(args.num_agents, 'agent')}, {plural(config.num_updates, 'update')} -> "
        f"{out}/\n  SW: collective return (the agents' summed episode returns), E: their "
        f"equality (1 - Gini)")  # fmt: skip
    log = None
    if tensorboard_installed() if args.tensorboard is None else args.tensorboard:
        log = TensorBoard(os.path.join(out, TENSORBOARD))
        say(f"  TensorBoard: {log.logdir}/ (tensorboard --logdir {out})")
    try:
        with stopping(args, out, argv) as stop:  # signals, run-file errors: figures/train_stops.py
            state, _ = train(env, config, out=out, resume=args.resume, log=log,
                             checkpoint_every=args.checkpoint_every, should_stop=stop,
                             meta={**_meta(args), "commands": commands})  # fmt: skip
    except TrainingDiverged as error:
        print(f"aga-ref train: the run diverged: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        if log is not None:
            log.close()
    interrupted(stop, state["update"], config.num_updates)
    if not args.no_plot:
        from figures.train_plot import plot

        for path in plot([out], out, gif=args.gif):
            say(f"wrote {path}")
    return out


def environment_settings(args):
    """Fill in and check ``--num-agents`` and ``--max-steps`` for the game (``ValueError``)."""
    if args.env == "mmm2":
        for flag, value, fixed in (("--num-agents", args.num_agents, MMM2_AGENTS),
                                   ("--max-steps", args.max_steps, MMM2_LIMIT)):  # fmt: skip
            if value not in (None, fixed):
                raise ValueError(f"{flag} is {fixed} for mmm2, got {value}")
        args.num_agents, args.max_steps = MMM2_AGENTS, MMM2_LIMIT
        return
    if args.num_agents is not None and args.num_agents < 2:
        raise ValueError(f"num_agents must be 2 or more (a game of one agent has no "
                         f"collective to align with), got {args.num_agents}")  # fmt: skip
    args.num_agents = 5 if args.num_agents is None else args.num_agents
    args.max_steps = 1000 if args.max_steps is None else args.max_steps


def make_environment(args):
    """The batch of environments ``args`` name (the learner tracks episodes itself)."""
    if args.env == "mmm2":
        from games.smac import make_env

        return make_env("mmm2", num_envs=args.num_envs, seed=args.seed, record_episodes=False)
    from games.gridworld import make_env

    return make_env(args.env, num_envs=args.num_envs, num_agents=args.num_agents,
                    seed=args.seed, max_steps=args.max_steps, record_episodes=False)  # fmt: skip


def _meta(args):
    """What the learner does not know but a plot needs: the game's settings; the preset."""
    return {"env": args.env, "num_agents": args.num_agents, "max_steps": args.max_steps,
            **preset_meta(args)}  # fmt: skip


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    with blas_threads(args.threads):
        with interrupt_outside_training():
            run(args, parser, argv)
