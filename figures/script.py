"""The command line shared by every figure script: ``python -m figures.NAME [--out DIR]
[--seed S] [--quick]`` runs that one experiment on the protocol of ``figures/protocol.py``."""

import argparse

from figures.arguments import count, description, out_folder
from figures.protocol import Protocol


def run_script(doc, make, needs_results=False):
    """Parse the arguments, run ``make`` (with the public goods runs if it needs them), and
    print what it returns."""
    parser = argparse.ArgumentParser(description=description(doc))
    parser.add_argument("--out", default="results", help="output folder (default: results)")
    parser.add_argument("--seed", type=count(0), default=0,
                        help="seed of every random start (default: 0)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="reduced runs for a smoke test")
    args = parser.parse_args()
    out_folder(parser, args.out)
    protocol = Protocol(seed=args.seed).quick() if args.quick else Protocol(seed=args.seed)
    if needs_results:
        from figures.public_goods_runs import run_all

        text = make(args.out, protocol, run_all(protocol))
    else:
        text = make(args.out, protocol)
    print(text or f"wrote {args.out}/")
