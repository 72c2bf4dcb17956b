"""The ``aga-ref`` command line. It lives in ``figures`` because it drives the experiments;
``aga_ref`` itself never imports ``games`` or ``figures``.

    aga-ref reproduce [--out DIR] [--quick] [--seed S] [--update-readme README.md]
    aga-ref verify PATH.json [--rtol R]   check another implementation (aga_ref.verify)
    aga-ref cases                        print where the conformance cases are
    aga-ref demo       one AgA step on the toy game, every term printed
    aga-ref train --env harvest|cleanup [--method M] [...]   learning agents (figures/train.py)
    aga-ref plot DIR...                  curves, outcome table, episode GIF of train runs
    aga-ref sweep --env-steps N [...]    the protocol grid of train runs (figures/sweep.py)
    aga-ref probe DIR...                 hidden activations and logit spread of trained actors
"""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="aga-ref", description="AgA reference implementation")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("reproduce", help="every figure and table of the paper's games")
    run.add_argument(
        "--out",
        help="output folder (default: results, or docs/results beside "
        "the README with --update-readme)",
    )
    run.add_argument("--quick", action="store_true", help="reduced runs for a smoke test")
    run.add_argument("--seed", type=int, default=0, help="seed of every random start")
    run.add_argument("--update-readme", metavar="README", help="rewrite its results section")
    commands.add_parser("demo", help="one AgA step on the toy game, every term printed")
    commands.add_parser("verify", help="check another implementation's outputs", add_help=False)
    commands.add_parser("cases", help="print the path of the conformance cases (JSON)")
    commands.add_parser("train", help="train agents on Cleanup or Harvest", add_help=False)
    commands.add_parser("plot", help="plot aga-ref train runs", add_help=False)
    commands.add_parser("sweep", help="run a grid of aga-ref train runs", add_help=False)
    commands.add_parser("probe", help="what trained actors compute on fixed observations",
                        add_help=False)  # fmt: skip
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["train"]:
        from figures.train import main as train

        return train(argv[1:]) or 0
    if argv[:1] == ["sweep"]:
        from figures.sweep import main as sweep

        return sweep(argv[1:]) or 0
    if argv[:1] == ["probe"]:
        from figures.feature_probe import main as probe

        return probe(argv[1:]) or 0
    if argv[:1] == ["plot"]:
        from figures.train_plot import main as plot

        return plot(argv[1:]) or 0
    if argv[:1] == ["verify"]:
        from aga_ref.verify import main as verify

        return verify(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "cases":
        from aga_ref.conformance import DATA_PATH

        print(DATA_PATH)
    if args.command == "demo":
        from figures import demo

        demo.main()
    elif args.command == "reproduce":
        from figures.reproduce import committed_results, reproduce, update_readme

        out = args.out or "results"
        if args.update_readme:
            try:  # before the run, not after it: the README and where its links point
                out = committed_results(args.update_readme, args.out)
                update_readme(args.update_readme, out, "", dry_run=True)
            except (OSError, ValueError) as error:
                print(f"aga-ref reproduce: --update-readme: {error}", file=sys.stderr)
                return 2
        summary = reproduce(out, quick=args.quick, seed=args.seed)
        if args.update_readme:
            update_readme(args.update_readme, out, summary)
        print(f"wrote every figure and table to {out}/ (see {out}/summary.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
