"""The ``aga-ref`` command line. It lives in ``figures`` because it drives the experiments;
``aga_ref`` itself never imports ``games`` or ``figures``.

    aga-ref reproduce [--out DIR] [--quick] [--seed S] [--update-readme README.md]
    aga-ref demo       one AgA step on the toy game, every term printed
"""

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(prog="aga-ref", description="AgA reference implementation")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("reproduce", help="every figure and table of the paper's games")
    run.add_argument("--out", default="results", help="output folder (default: results)")
    run.add_argument("--quick", action="store_true", help="reduced runs for a smoke test")
    run.add_argument("--seed", type=int, default=0, help="seed of every random start")
    run.add_argument("--update-readme", metavar="README", help="rewrite its results section")
    commands.add_parser("demo", help="one AgA step on the toy game, every term printed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from figures import demo

        demo.main()
    elif args.command == "reproduce":
        from figures.reproduce import reproduce, update_readme

        summary = reproduce(args.out, quick=args.quick, seed=args.seed)
        if args.update_readme:
            update_readme(args.update_readme, args.out, summary)
        print(f"wrote every figure and table to {args.out}/ (see {args.out}/summary.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
