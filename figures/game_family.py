"""``aga-ref family``: AgA among the game-dynamics methods of Letcher et al. (ICLR 2019) on
their three games, with their notebook's protocol; a figure, a table and a summary. The full
run takes about 20 minutes on 2 cores; --quick takes seconds.

    aga-ref family [--out DIR] [--quick] [--seed S] [--jobs J] [--threads N]
                   [--update-readme PAGE]

Protocol (``stable_opponent_shaping.ipynb``: its IPD cell, 9 methods and 50 runs; its tandem
cell, SOS and LOLA and 100 runs; its single-run demo cell's settings for matching pennies;
running every method on every game is ours): every method runs from the same seeded starts
``w ~ N(0, std^2)``, with ``w <- w - alpha v(w)`` and the same ``alpha`` inside LA, LOLA, SOS,
EG and CGD. The table reports the parameters after the last step (the notebook's curves
record each loss before its step):

    game               runs  steps  alpha  std   measured
    IPD (gamma 0.96)    50    100    1.0   1.0   average loss per step (1 - gamma) l_1
    matching pennies    50    100    1.0   1.0   distance ||w|| to the Nash equilibrium w = 0
    tandem             100     30    0.1   0.1   l_1, and x + y (fixed points: x + y = 1)

Methods: naive learning (Simul-Ind), LA, LOLA, SOS (a = 0.5, b = 0.1), consensus
optimisation (CO, the AgA paper's CGA, lam = 1; not Simul-Co, the collective gradient), SGA
(lam = 1, alignment eps = 0.1), EG, CGD and LSS (lam = 0.1; the dense versions, which follow
the notebook to the letter), and AgA with the paper's sign rule at |lam| = 1 and 0.1, and
Simul-Co. A run whose parameters become non-finite, or whose linear
solve fails, counts as diverged and its later steps are left out. The runs of one
(game, method) pair are one task; ``--jobs`` tasks run at once, each with one BLAS thread
unless ``--threads`` says otherwise.

The workers are started by ``spawn`` (a fresh interpreter, launched by fork and exec), never
by a fork of this process: under pytest the parent may run JAX's threads, and a fork of a
process with threads may deadlock (JAX warns at every ``os.fork``). A fresh worker loads its
BLAS when it imports this module, so its initializer limits the threads after that import.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

import aga_ref
from figures.arguments import count, description, out_folder, refuse_unused
from figures.reproduce import update_readme
from figures.threads import add_threads_option, set_blas_threads
from games.opponent_shaping import GAMMA, ipd, matching_pennies, tandem

METHODS = {  # label -> (aga_ref.METHODS name, kwargs given alpha)
    "NL": ("simul_ind", lambda a: {}),
    "LA": ("la", lambda a: {"alpha": a}),
    "LOLA": ("lola", lambda a: {"alpha": a}),
    "SOS": ("sos", lambda a: {"alpha": a, "a": 0.5, "b": 0.1}),
    "consensus (CO)": ("cga", lambda a: {"lam": 1.0}),  # not Simul-Co: xi + lam H^T xi
    "SGA": ("sga", lambda a: {"lam": 1.0, "eps": 0.1}),
    "EG": ("eg", lambda a: {"alpha": a}),
    "CGD": ("cgd_dense", lambda a: {"alpha": a}),
    "LSS": ("lss_dense", lambda a: {"lam": 0.1}),
    "AgA lam=1": ("aga", lambda a: {"lam": 1.0, "sign_rule": "paper"}),
    "AgA lam=0.1": ("aga", lambda a: {"lam": 0.1, "sign_rule": "paper"}),
    "Simul-Co": ("simul_co", lambda a: {}),
}
GAMES = {  # name -> (make, runs, steps, alpha, std)
    "ipd": (ipd, 50, 100, 1.0, 1.0),
    "matching_pennies": (matching_pennies, 50, 100, 1.0, 1.0),
    "tandem": (tandem, 100, 30, 0.1, 0.1),
}
QUICK = {"ipd": (2, 5), "matching_pennies": (2, 5), "tandem": (2, 5)}  # (runs, steps)


def measure(game_name, game, trajectory):
    """Per step (T+1,): the game's measured quantities, a dict of arrays (NaN where a loss
    overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a run on its way to overflow
        losses = np.array([[float(loss(w)) for loss in game.losses] for w in trajectory])
    losses[~np.isfinite(losses)] = np.nan  # (T+1, n)
    if game_name == "ipd":
        return {"avg_loss_1": (1 - GAMMA) * losses[:, 0], "avg_loss_2": (1 - GAMMA) * losses[:, 1]}
    if game_name == "matching_pennies":
        return {"distance": np.linalg.norm(trajectory, axis=1)}
    return {"loss_1": losses[:, 0], "x_plus_y": trajectory.sum(axis=1)}


def starts(game_name, runs, seed):
    """The shared starts (runs, D): ``N(0, std^2)`` from a seed of its own per game."""
    make, _, _, _, std = GAMES[game_name]
    rng = np.random.default_rng([seed, list(GAMES).index(game_name)])
    return rng.normal(0.0, std, size=(runs, make().dim))


def run_task(game_name, label, runs, steps, seed):
    """Every run of one method on one game: ``{quantity: (runs, T+1)}`` with NaN after a
    divergence, plus ``diverged`` (runs,) and ``seconds``."""
    make, _, _, alpha, _ = GAMES[game_name]
    game, (method, kwargs) = make(), METHODS[label]
    out, diverged, begin = {}, [], time.perf_counter()
    for w0 in starts(game_name, runs, seed):
        try:
            trajectory = aga_ref.optimize(game, method, w0, steps, alpha, **kwargs(alpha))
            failed = False
        except aga_ref.DivergenceError as error:
            trajectory, failed = error.trajectory, True
        for key, series in measure(game_name, game, trajectory).items():
            padded = np.full(steps + 1, np.nan)  # NaN after a divergence
            padded[: len(series)] = series
            out.setdefault(key, []).append(padded)
        diverged.append(failed)
    result = {key: np.array(v) for key, v in out.items()}
    result.update(diverged=np.array(diverged), seconds=time.perf_counter() - begin)
    return game_name, label, result


def start_worker(threads):
    """A worker's initializer: ``threads`` BLAS threads. Being this module's function, it is
    unpickled by importing this module, which has loaded NumPy's and SciPy's BLAS (through
    ``aga_ref``) before the limit, which acts only on the libraries already loaded."""
    set_blas_threads(threads)


def run_all(quick=False, seed=0, jobs=2, log=print, threads=1):
    """``{game: {label: result}}`` for every game and method, ``jobs`` tasks at a time,
    each worker with ``threads`` BLAS threads (0: the library's default)."""
    tasks = []
    for game_name, (_, runs, steps, _, _) in GAMES.items():
        runs, steps = QUICK[game_name] if quick else (runs, steps)
        tasks += [(game_name, label, runs, steps, seed) for label in METHODS]
    results = {name: {} for name in GAMES}
    begin = time.perf_counter()
    spawn = multiprocessing.get_context("spawn")  # no fork of a parent that may run threads
    with ProcessPoolExecutor(jobs, spawn, initializer=start_worker, initargs=(threads,)) as pool:
        futures = [pool.submit(run_task, *task) for task in tasks]
        for k, future in enumerate(as_completed(futures), start=1):
            game_name, label, result = future.result()
            results[game_name][label] = result
            elapsed = time.perf_counter() - begin
            log(f"[{k}/{len(tasks)}] {game_name} {label}: {result['diverged'].size} runs in "
                f"{result['seconds']:.1f} s ({elapsed:.0f} s so far)")  # fmt: skip
    return results


def make_parser():
    """The command line of ``aga-ref family``."""
    parser = argparse.ArgumentParser(prog="aga-ref family", description=description(__doc__))
    parser.add_argument("--out", help="output folder (default: results/family; with "
                        "--update-readme: docs/results/family)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="2 runs of 5 steps: a smoke test")
    parser.add_argument("--seed", type=count(0), default=0,
                        help="seed of the random starts, an integer >= 0 (default: 0)")  # fmt: skip
    parser.add_argument("--jobs", type=count(1), default=2,
                        help="tasks run at once, an integer >= 1 (default: 2)")  # fmt: skip
    add_threads_option(parser)
    parser.add_argument("--replot", action="store_true",
                        help="redraw the figure, table and summary from the curves a finished "
                        "run saved in --out (game_family_curves.npz), without running")  # fmt: skip
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the finished run an --out folder already holds",
    )
    parser.add_argument("--update-readme", metavar="PAGE",
                        help="rewrite the section between <!-- family:start/end --> markers "
                        "of this Markdown page (docs/game-family.md)")  # fmt: skip
    return parser


def main(argv=None):
    from figures.game_family_report import write_outputs

    parser = make_parser()
    args = parser.parse_args(argv)
    refuse_unused(parser, args, [(dest, not args.replot, "with --replot (nothing is run)")
                                 for dest in ("quick", "seed", "jobs", "overwrite",
                                              "threads")])  # fmt: skip
    out = args.out or ("docs/results/family" if args.update_readme else "results/family")
    finished = os.path.exists(os.path.join(out, "game_family_curves.npz"))
    if finished and not (args.replot or args.overwrite):
        parser.error(f"--out {out} holds a finished aga-ref family run; give --overwrite to "
                     f"replace it or --replot to redraw it")  # fmt: skip
    if args.update_readme:
        try:  # before the runs: the page must have the markers
            update_readme(args.update_readme, out, "", *MARKERS, dry_run=True)
        except (OSError, ValueError) as error:
            parser.error(f"--update-readme: {error}")
    out_folder(parser, out)
    if args.replot:
        from figures.game_family_report import load_curves

        try:
            results = load_curves(out)
            with open(os.path.join(out, "config.json"), encoding="utf-8") as f:
                command = json.load(f)["command"]
        except (OSError, KeyError, ValueError) as error:
            parser.error(f"--replot: no finished run in {out}: {error}")
        summary = write_outputs(out, results, command, list(METHODS))
        return _finish(args, out, summary)
    results = run_all(quick=args.quick, seed=args.seed, jobs=args.jobs, threads=args.threads)
    command = "aga-ref family" + (" --quick" if args.quick else "") + f" --seed {args.seed}"
    summary = write_outputs(out, results, command, list(METHODS))
    games = {name: dict(zip(("runs", "steps", "alpha", "std"), spec[1:]))
             for name, spec in GAMES.items()}  # fmt: skip
    for name in games if args.quick else ():  # what actually ran
        games[name].update(zip(("runs", "steps"), QUICK[name]))
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"command": command, "games": games, "methods": list(METHODS)}, f, indent=1)
    return _finish(args, out, summary)


def _finish(args, out, summary):
    """Rewrite the page's section (with --update-readme) and say where the files are."""
    if args.update_readme:
        update_readme(args.update_readme, out, summary, *MARKERS)
        print(f"rewrote the section family in {args.update_readme}")
    print(f"wrote the figure, the table and summary.md to {out}/")
    return 0


MARKERS = ("<!-- family:start -->", "<!-- family:end -->")


if __name__ == "__main__":
    sys.exit(main())
