"""The ``aga-ref`` command line. It lives in ``figures`` because it drives the experiments;
``aga_ref`` itself never imports ``games`` or ``figures``.

    aga-ref demo       one AgA step on the toy game, every term printed
"""

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(prog="aga-ref", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="one AgA step on the toy game, every term printed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from figures import demo

        demo.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
