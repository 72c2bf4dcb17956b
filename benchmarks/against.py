"""``benchmarks/train.py --against REF``: the learner at git commit ``REF`` timed against the
working tree's, side by side. Each runs in its own worker process (``train.py --worker``,
with ``REF``'s files first on ``PYTHONPATH``), one update of each per round, the order
flipped every round, so that the load of the machine falls on both alike."""

import os
import subprocess
import sys
import tempfile

import numpy as np


def against(ref, cases, rounds, quick, preset=None):
    """Per (game, critic, method): median env-steps/s and update seconds of the learner at
    git commit ``ref`` and of the working tree's, alternating, in two worker processes (with
    ``--quick``'s sizes, under ``preset``: both learners must have it)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", root, "archive", ref], capture_output=True,
                                 check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        command = [
            sys.executable,
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "train.py"),
            "--worker",
        ]
        command += (["--quick"] if quick else []) + (["--preset", preset] if preset else [])
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
        workers = {name: subprocess.Popen(command, cwd=tree, **pipes,
                                          env=dict(os.environ, PYTHONPATH=tree))
                   for name, tree in (("ref", tmp), ("now", root))}  # fmt: skip
        try:
            return {case: _alternate(workers, case, rounds) for case in cases}
        finally:
            for w in workers.values():
                try:
                    w.stdin.close()
                except BrokenPipeError:
                    pass
                w.wait()


def _alternate(workers, case, rounds):
    def run(name):
        try:
            workers[name].stdin.write(" ".join(case) + "\n")
            workers[name].stdin.flush()
            line = workers[name].stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:  # the worker died: its traceback is on stderr above
            raise SystemExit(
                f"benchmarks/train.py: the {name!r} learner's worker ended on "
                f"case {'/'.join(case)} (its error is above)"
            )
        return [float(x) for x in line.split()]

    run("ref"), run("now")  # warm-up
    out = {"ref": [], "now": []}
    for r in range(rounds):
        for name in ("ref", "now") if r % 2 == 0 else ("now", "ref"):
            out[name].append(run(name))
    rate, cpu, update = ({k: np.array([x[i] for x in v]) for k, v in out.items()} for i in range(3))
    print(
        f"  {'/'.join(case)}: now / ref env-steps/s per round "
        f"{np.round(rate['now'] / rate['ref'], 2).tolist()}",
        flush=True,
    )
    return rate, cpu, update


def against_table(ref, results):
    """Wall-clock rates (median, per-round ratios) and CPU seconds (the best round's: load
    on the other core only ever adds to them) of the whole step and of the update."""
    lines = [f"\n| game | critic | method | {ref} env-steps/s | now env-steps/s "
             "| ratio: median (range) | step CPU s, ref / now (best) | step CPU ratio "
             "| update CPU ms, ref / now (best) | update CPU ratio |\n|" + "---|" * 10]  # fmt: skip
    for case, (rate, cpu, update) in results.items():
        r = rate["now"] / rate["ref"]
        lines.append(f"| {' | '.join(case)} | {np.median(rate['ref']):,.0f} "
                     f"| {np.median(rate['now']):,.0f} | {np.median(r):.2f} "
                     f"({r.min():.2f}-{r.max():.2f}) | {cpu['ref'].min():.2f} / "
                     f"{cpu['now'].min():.2f} | {cpu['ref'].min() / cpu['now'].min():.2f} "
                     f"| {1e3 * update['ref'].min():.0f} / {1e3 * update['now'].min():.0f} "
                     f"| {update['ref'].min() / update['now'].min():.2f} |")  # fmt: skip
    return "\n".join(lines)
