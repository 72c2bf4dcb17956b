"""``aga-ref train``: wire a Cleanup or Harvest batch (``games.gridworld``) or Selfish-MMM2
battles (``games.smac``) to the learner (``aga_ref.rl``), show progress, write
``config.json``, ``progress.csv``, ``checkpoint.npz``, and draw the curve at the end
(``aga-ref plot``).

    aga-ref train --env harvest --method aga --lam 100 --env-steps 2000000 --seed 0 --out runs/x

With no ``--env-steps`` it runs a demo of ``DEMO_STEPS`` (a few minutes on 2 cores).
"""

import argparse
import ast
import dataclasses
import inspect
import os

from aga_ref.aga import SIGN_RULES
from aga_ref.rl.config import Config
from aga_ref.rl.methods import METHODS
from aga_ref.rl.optim import OPTIMIZERS

DEMO_STEPS = 300_000
ENVS = ("harvest", "cleanup", "mmm2")
MMM2_AGENTS, MMM2_LIMIT = 10, 180
EXPLICIT = ("method", "lam", "sign_rule", "align", "env_steps", "num_envs", "num_steps",
            "seed", "critic", "optimizer")  # fmt: skip


def _field_docs():
    """The one-line docstring under each field of ``Config`` (the cleanrl habit)."""
    body = ast.parse(inspect.getsource(Config)).body[0].body
    return {a.target.id: b.value.value.replace("%", "%%")  # argparse formats help with %
            for a, b in zip(body, body[1:])
            if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr)}  # fmt: skip


DOCS = _field_docs()


def add_arguments(parser):
    """The ``train`` command's options; every learner field has a flag."""
    parser.add_argument("--env", choices=ENVS, required=True, help="the game")
    parser.add_argument("--method", choices=METHODS, default="aga", help="default: aga")
    parser.add_argument(
        "--lam", type=float, default=None, help="AgA's or CGA's lam (default: AgA 0.1, CGA 1)"
    )
    parser.add_argument("--sign-rule", choices=SIGN_RULES, default="paper")
    parser.add_argument("--no-align", action="store_true", help="AgA without sign alignment")
    parser.add_argument(
        "--env-steps",
        type=int,
        default=None,
        help=f"budget in environment steps (default: a {DEMO_STEPS:,}-step demo)",
    )
    parser.add_argument("--num-envs", type=int, default=Config.num_envs)
    parser.add_argument("--num-steps", type=int, default=Config.num_steps)
    parser.add_argument("--num-agents", type=int, default=None,
                        help="gridworld agents (default 5; MMM2 has 10)")  # fmt: skip
    parser.add_argument("--max-steps", type=int, default=None,
                        help="gridworld episode length (default 1000; MMM2: 180)")  # fmt: skip
    parser.add_argument("--critic", choices=("mappo", "ippo"), default=Config.critic)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=Config.optimizer,
                        help="the actors' optimiser; sgd: an ablation (default: adam)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    for field in dataclasses.fields(Config):  # every other learner option, e.g. --gamma
        if field.name not in EXPLICIT:
            flag = "--" + field.name.replace("_", "-")
            doc = DOCS.get(field.name, "")
            if isinstance(field.default, bool):
                parser.add_argument(flag, action=argparse.BooleanOptionalAction,
                                    default=field.default, help=doc)  # fmt: skip
            else:
                parser.add_argument(flag, type=type(field.default), default=field.default,
                                    help=f"{doc} (default: {field.default:g})")  # fmt: skip
    parser.add_argument("--out", default=None, help="default: runs/ENV-METHOD-sSEED")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    parser.add_argument("--no-plot", action="store_true", help="skip the plot at the end")


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


def run(args, parser):
    """Train as ``args`` say; return the output folder."""
    from aga_ref.rl.train import train

    try:
        config = config_from(args)
        env = make_environment(args)
    except (ValueError, TypeError) as error:
        parser.error(str(error))
    out = args.out or os.path.join("runs", f"{args.env}-{args.method}-s{args.seed}")
    print(f"training {args.method} on {args.env}: {config.env_steps:,} env-steps, "
          f"{args.num_agents} agents, {config.num_updates} updates -> {out}/")  # fmt: skip
    if args.resume and not os.path.exists(os.path.join(out, "checkpoint.npz")):
        parser.error(f"--resume needs {out}/checkpoint.npz, which does not exist")
    train(env, config, out=out, resume=args.resume, meta=_meta(args))
    if not args.no_plot:
        from figures.train_plot import plot

        for path in plot([out], out, gif=args.env_steps is None):
            print(f"wrote {path}")
    return out


def make_environment(args):
    """The batch of environments ``args`` name (the learner tracks episodes itself)."""
    if args.env == "mmm2":
        from games.smac import make_env

        for flag, value, fixed in (("--num-agents", args.num_agents, MMM2_AGENTS),
                                   ("--max-steps", args.max_steps, MMM2_LIMIT)):  # fmt: skip
            if value not in (None, fixed):
                raise ValueError(f"{flag} is {fixed} for mmm2, got {value}")
        args.num_agents, args.max_steps = MMM2_AGENTS, MMM2_LIMIT
        return make_env("mmm2", num_envs=args.num_envs, seed=args.seed, record_episodes=False)
    from games.gridworld import make_env

    args.num_agents = 5 if args.num_agents is None else args.num_agents
    args.max_steps = 1000 if args.max_steps is None else args.max_steps
    return make_env(args.env, num_envs=args.num_envs, num_agents=args.num_agents,
                    seed=args.seed, max_steps=args.max_steps, record_episodes=False)  # fmt: skip


def _meta(args):
    """What the learner does not know but a plot needs: the environment's settings."""
    return {"env": args.env, "num_agents": args.num_agents, "max_steps": args.max_steps}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="aga-ref train", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    run(args, parser)
