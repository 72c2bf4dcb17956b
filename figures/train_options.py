"""The options of ``aga-ref train`` (``figures/train.py``): every field of the learner's
``Config`` (``aga_ref.rl.config``) has a flag whose help is the field's one-line docstring,
and the parsed options make the ``Config``. ``given_options`` tells the options written on a
command line from those left at their defaults (``--resume`` compares the former with the
run's, ``aga-ref sweep`` refuses the ones it sets itself)."""

import argparse
import ast
import dataclasses
import inspect

from aga_ref.aga import SIGN_RULES
from aga_ref.rl.config import CHOICES, Config
from aga_ref.rl.methods import METHODS
from aga_ref.rl.optim import OPTIMIZERS
from figures.arguments import count, integer
from figures.threads import add_threads_option
from figures.train_preset import add_preset_option

DEMO_STEPS = 300_000  # the budget when no --env-steps is given: a few minutes on 2 cores
ENVS = ("harvest", "cleanup", "mmm2")
# the Config fields with an option of their own below; every other field gets a generic one
EXPLICIT = ("method", "lam", "sign_rule", "align", "env_steps", "num_envs", "num_steps",
            "seed", "critic", "optimizer")  # fmt: skip


def _field_docs():
    """The one-line docstring under each field of ``Config`` (the cleanrl habit)."""
    body = ast.parse(inspect.getsource(Config)).body[0].body
    return {a.target.id: b.value.value.replace("%", "%%").replace("``", "")
            for a, b in zip(body, body[1:])
            if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr)}  # fmt: skip


DOCS = _field_docs()


def add_arguments(parser):
    """The ``train`` command's options; every learner field has a flag."""
    parser.add_argument("--env", choices=ENVS, default=None,
                        help="the game (required, except with --resume: the run's)")  # fmt: skip
    parser.add_argument("--method", choices=METHODS, default="aga", help="default: aga")
    parser.add_argument("--lam", type=float, default=None,
                        help="AgA's or CGA's lam (default: AgA 0.1, CGA 1)")  # fmt: skip
    parser.add_argument("--sign-rule", choices=SIGN_RULES, default="paper",
                        help=DOCS["sign_rule"] + " (default: paper)")  # fmt: skip
    parser.add_argument("--no-align", action="store_true", help="AgA without sign alignment")
    parser.add_argument(
        "--env-steps", type=integer, default=None,
        help=f"budget in environment steps, e.g. 2e6, rounded up to whole batches of "
        f"--num-envs * --num-steps (default: a {DEMO_STEPS:,}-step demo)",
    )  # fmt: skip
    parser.add_argument("--num-envs", type=integer, default=Config.num_envs,
                        help=f"{DOCS['num_envs']} (default: {Config.num_envs})")  # fmt: skip
    parser.add_argument("--num-steps", type=integer, default=Config.num_steps,
                        help=f"{DOCS['num_steps']} (default: {Config.num_steps})")  # fmt: skip
    parser.add_argument("--num-agents", type=integer, default=None,
                        help="gridworld agents, 2 or more (default 5; MMM2 has 10)")  # fmt: skip
    parser.add_argument("--max-steps", type=integer, default=None,
                        help="gridworld episode length (default 1000; MMM2: 180)")  # fmt: skip
    parser.add_argument("--critic", choices=("mappo", "ippo"), default=Config.critic,
                        help=DOCS["critic"] + " (default: mappo)")  # fmt: skip
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=Config.optimizer,
                        help="the actors' optimiser; sgd: an ablation (default: adam)")  # fmt: skip
    parser.add_argument("--seed", type=integer, default=0, help=DOCS["seed"] + " (default: 0)")
    for field in dataclasses.fields(Config):  # every other learner option, e.g. --gamma
        if field.name not in EXPLICIT:
            flag = "--" + field.name.replace("_", "-")
            doc = DOCS.get(field.name, "")
            if isinstance(field.default, bool):
                on_off = "on" if field.default else "off"
                parser.add_argument(flag, action=argparse.BooleanOptionalAction,
                                    default=field.default,
                                    help=f"{doc} (default: {on_off})")  # fmt: skip
            else:
                kind = integer if isinstance(field.default, int) else type(field.default)
                parser.add_argument(flag, type=kind, default=field.default,
                                    choices=CHOICES.get(field.name),
                                    help=f"{doc} (default: %(default)s)")  # fmt: skip
    add_preset_option(parser)
    parser.add_argument("--out", default=None,
                        help="output folder (default: runs/ENV-METHOD-sSEED)")  # fmt: skip
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint (below)")  # fmt: skip
    group.add_argument("--overwrite", action="store_true",
                       help="replace the run in --out (its files are deleted first)")  # fmt: skip
    group.add_argument("--resume-or-start", action="store_true",
                       help="--resume if --out holds a checkpoint, else start the run (as "
                       "--overwrite); a complete run exits at once: a line a scheduler can "
                       "run again and again (docs/rl.md, 'Grids on a cluster')")  # fmt: skip
    parser.add_argument("--no-plot", action="store_true",
                        help="skip the closing curves and GIF")  # fmt: skip
    parser.add_argument("--gif", action=argparse.BooleanOptionalAction, default=True,
                        help="with the closing curves, film a 100-step episode of the trained "
                        "agents into OUT/episode.gif, for every run (default: on)")  # fmt: skip
    parser.add_argument("--checkpoint-every", type=count(1), default=10, metavar="K",
                        help="write checkpoint.npz every K updates, and at the end and on "
                        "SIGINT or SIGTERM (default: 10)")  # fmt: skip
    add_threads_option(parser)
    parser.add_argument("--tensorboard", action=argparse.BooleanOptionalAction, default=None,
                        help="also write every progress.csv column as a TensorBoard scalar "
                        "into OUT/tensorboard/, to watch with tensorboard --logdir runs/ "
                        "(default: when tensorboardX is installed: pip install -e "
                        "'.[tensorboard]')")  # fmt: skip


def config_from(args):
    """The learner's ``Config`` from parsed arguments (raises ``ValueError`` on bad input)."""
    others = {f.name: getattr(args, f.name) for f in dataclasses.fields(Config)
              if f.name not in EXPLICIT}  # fmt: skip
    return Config(
        method=args.method, lam=args.lam, sign_rule=args.sign_rule, align=not args.no_align,
        env_steps=DEMO_STEPS if args.env_steps is None else args.env_steps,
        num_envs=args.num_envs, num_steps=args.num_steps, seed=args.seed, critic=args.critic,
        optimizer=args.optimizer, **others,
    )  # fmt: skip


def given_options(parser, argv):
    """The destinations of the options written on the command line ``argv`` (even those
    given their default value)."""
    unset = object()
    names = vars(parser.parse_args(argv))
    marked = parser.parse_args(argv, argparse.Namespace(**dict.fromkeys(names, unset)))
    return {name for name in names if getattr(marked, name) is not unset}
