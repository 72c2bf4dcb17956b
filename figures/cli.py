"""The aga-ref command line: AgA's reference implementation (Altruistic Gradient
Adjustment), its checks of other implementations, and its experiments.

It lives in ``figures`` because it drives the experiments; ``aga_ref`` itself never imports
``games`` or ``figures``.

    aga-ref reproduce [--out DIR] [--quick] [--seed S] [--update-readme docs/results.md]
                      [--overwrite] [--threads N]
    aga-ref verify PATH.json [--rtol R]   check another implementation (aga_ref.conformance.verify)
    aga-ref cases                        print where the conformance cases are (games, PPO)
    aga-ref demo [--lam L]               one AgA step on the toy game, every term printed
    aga-ref --version                    the installed version
    aga-ref train --env harvest|cleanup|mmm2 [--method M] [...]   learning agents
    aga-ref plot DIR...                  curves, outcome table, episode GIF of train runs
    aga-ref sweep --env-steps N [...]    the protocol grid of train runs (figures/sweep.py)
    aga-ref probe DIR...                 hidden activations and logit spread of trained actors
    aga-ref family [--quick] [...]       AgA among LA, LOLA, SOS, EG, CGD, LSS on the IPD,
                                         matching pennies and tandem (figures/game_family.py)
"""

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version

from figures.arguments import count, description, out_folder, plural
from figures.threads import add_threads_option, blas_threads


def make_parser():
    parser = argparse.ArgumentParser(
        prog="aga-ref", description=description(__doc__),
        epilog="Each command has its own help: aga-ref COMMAND --help.",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print aga-ref's version and exit")  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True,
                                     help="each has its own --help")  # fmt: skip
    run = commands.add_parser(
        "reproduce", help="every figure and table of the paper's games",
        description="Run every experiment on the paper's differentiable games and write its "
        "figures (PNG), tables (Markdown, CSV) and summary.md into one folder.",
    )  # fmt: skip
    run.add_argument(
        "--out",
        help="output folder (default: results; with --update-readme: docs/results)",
    )
    run.add_argument("--quick", action="store_true", help="reduced runs for a smoke test")
    run.add_argument("--seed", type=count(0), default=0,
                     help="seed of every random start, an integer >= 0 (default: 0)")  # fmt: skip
    run.add_argument("--update-readme", metavar="PAGE",
                     help="rewrite the results section of this Markdown page "
                     "(docs/results.md); with --quick it needs --overwrite")  # fmt: skip
    run.add_argument("--overwrite", action="store_true",
                     help="replace the results an --out folder already holds (refused "
                     "without it)")  # fmt: skip
    add_threads_option(run)
    run.set_defaults(parser=run)  # for errors found after parsing
    commands.add_parser("demo", help="one AgA step on the toy game, every term printed",
                        add_help=False)  # fmt: skip
    commands.add_parser("verify", help="check another implementation's outputs", add_help=False)
    commands.add_parser("cases", help="print the paths of the conformance cases (JSON)",
                        description="Print the paths of the conformance cases (JSON): the "
                                    "games', the PPO minibatches', then the game "
                                    "dynamics'.")  # fmt: skip
    commands.add_parser("train", help="train agents on Cleanup, Harvest or Selfish-MMM2",
                        add_help=False)  # fmt: skip
    commands.add_parser("plot", help="curves, outcome tables and a GIF of aga-ref train runs",
                        add_help=False)  # fmt: skip
    commands.add_parser("sweep", help="run a grid of aga-ref train runs", add_help=False)
    commands.add_parser("paired", help="groups' differences from one group, paired by seed",
                        add_help=False)  # fmt: skip
    commands.add_parser("probe", help="what trained actors compute on fixed observations",
                        add_help=False)  # fmt: skip
    commands.add_parser("family", help="AgA among LOLA, SOS and the other game-dynamics "
                        "methods on the IPD, matching pennies and tandem",
                        add_help=False)  # fmt: skip
    return parser


def main(argv=None):
    if argv is None:  # this process's command line: a trainer stopped by a signal ends now
        try:
            return main(sys.argv[1:])
        except SystemExit as stop:
            from figures.train_stops import SignalExit, exit_now

            if isinstance(stop, SignalExit):
                exit_now(stop.code)
            raise
    parser = make_parser()
    if argv[:1] == ["demo"]:  # its own parser: its errors show its own usage
        from figures.demo import main as demo

        return demo(argv[1:])
    if argv[:1] == ["train"]:
        from figures.train import main as train

        return train(argv[1:]) or 0
    if argv[:1] == ["sweep"]:
        from figures.sweep import main as sweep

        return sweep(argv[1:]) or 0
    if argv[:1] == ["paired"]:
        from figures.paired import main as paired

        return paired(argv[1:]) or 0
    if argv[:1] == ["probe"]:
        from figures.feature_probe import main as probe

        return probe(argv[1:]) or 0
    if argv[:1] == ["plot"]:
        from figures.train_plot import main as plot

        return plot(argv[1:]) or 0
    if argv[:1] == ["family"]:
        from figures.game_family import main as family

        return family(argv[1:]) or 0
    if argv[:1] == ["verify"]:
        from aga_ref.conformance.verify import main as verify

        return verify(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "cases":
        from aga_ref.conformance import dynamics, games, ppo

        print(games.DATA_PATH)
        print(ppo.DATA_PATH)
        print(dynamics.DATA_PATH)
    if args.command == "reproduce":
        from figures.reproduce import committed_results, reproduce, update_readme

        out = args.out or "results"
        if args.update_readme:
            try:  # before the run, not after it: the page and where its links point
                out = committed_results(args.update_readme, args.out)
                update_readme(args.update_readme, out, "", dry_run=True)
            except (OSError, ValueError) as error:
                print(f"aga-ref reproduce: --update-readme: {error}", file=sys.stderr)
                return 2
        try:
            refuse_overwrite(args.parser, args, out)
            out_folder(args.parser, out)
        except SystemExit as stop:
            return stop.code
        with blas_threads(args.threads):
            summary = reproduce(out, quick=args.quick, seed=args.seed)
        if args.update_readme:
            update_readme(args.update_readme, out, summary)
        print(f"wrote every figure and table to {out}/ (see {out}/summary.md)")
    return 0


def _version():
    """aga-ref's version from the installed package's metadata (setup.py's ``version``)."""
    try:
        return version("aga-ref")
    except PackageNotFoundError:
        return "(not installed: pip install -e .)"


def refuse_overwrite(parser, args, out):
    """``reproduce`` replaces no results without ``--overwrite``: neither an ``--out`` that
    holds a reproduction nor, with ``--quick``, the page ``--update-readme`` rewrites."""
    from figures.reproduce import OUTPUTS

    if args.overwrite:
        return
    held = [name for name in OUTPUTS if os.path.exists(os.path.join(out, name))]
    if held:
        parser.error(f"--out {out} already holds results ({plural(len(held), 'file')} of a "
                     f"reproduction, e.g. {held[-1]}); give --overwrite to replace them or "
                     f"another --out")  # fmt: skip
    if args.quick and args.update_readme:
        parser.error(f"--quick with --update-readme would put a reduced run's numbers "
                     f"on {args.update_readme}; give --overwrite if that is what you "
                     f"want")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
