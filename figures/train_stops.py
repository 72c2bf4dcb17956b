"""How ``aga-ref train`` stops early: on a signal, or on a run file it cannot write or use.

On SIGINT (Ctrl-C) and SIGTERM (what SLURM and most schedulers send before they kill a job)
the update under way is finished, a checkpoint is written, one line says ``interrupted at
update k of n; resume with: ...``, and the command exits with 128 + the signal's number, the
shell's convention: 130 for SIGINT, 143 for SIGTERM. A second signal while the run is
stopping stops it at once (one line says so): the update under way is lost, the files are
whole (``aga_ref.rl.runfiles``) and the last checkpoint is kept, so the same resume command
continues; before the first checkpoint the line gives the command that starts the run over.
One exception: a SIGTERM within ``REPEAT_S`` seconds of a first SIGTERM is taken as the same
request, not a second one. A scheduler that signals every process of a job (SLURM's
``scancel``, a preemption) reaches a run of ``aga-ref sweep`` directly and through the
sweep, which forwards the signal to its runs; both arrive within milliseconds. A second
Ctrl-C is never such a copy. Ctrl-C outside the training loop (while checking, or plotting)
stops at once with one line and exit 130: no update is under way there.

A file that cannot be written (a full disk, a read-only folder:
``aga_ref.rl.runfiles.RunFolderUnwritable``) ends the command with one line naming the
folder and the system's reason, exit 1; nothing is half-written, so the run resumes once
there is room. A file that cannot be used on resume (``RunFileUnreadable``: a progress.csv
shorter than the checkpoint counts) ends it with one line, exit 2.

A process stopped by a signal ends without Python's shutdown (``SignalExit``, ``exit_now``).
"""

import contextlib
import os
import shlex
import signal
import sys
import time

from aga_ref.rl.checkpoint import CHECKPOINT
from aga_ref.rl.runfiles import RunFileUnreadable, RunFolderUnwritable
from figures.train_resume import in_sweep, way_out

SIGNALS = (signal.SIGINT, signal.SIGTERM)
REPEAT_S = 2.0  # a SIGTERM this soon after the first is the same request, delivered twice


class SignalExit(SystemExit):
    """The exit of a trainer stopped by a signal (its code: 128 + the signal's number). As
    the process's own command line (``figures.cli.main``), it ends the process without
    Python's shutdown (``exit_now``)."""


class Stop:
    """``train``'s ``should_stop``: true once a signal came (``signal``, its number);
    ``resume``: the command that continues the run; ``start``: the one that starts it over
    (while ``out`` holds no checkpoint)."""

    def __init__(self, resume, start):
        self.signal, self.resume, self.start, self.since = None, resume, start, None

    def __call__(self):
        return self.signal is not None


@contextlib.contextmanager
def stopping(args, out, argv):
    """``with stopping(args, out, argv) as stop:`` train with ``should_stop=stop``: SIGINT and
    SIGTERM set ``stop`` (the second one exits), a run-file error exits with one line; the
    signal handlers there before are restored after the block. ``argv``: the command line
    of ``aga-ref train`` (after ``train``) that started this trainer."""
    stop = Stop(resume_command(args, out), start_command(args, argv))

    def handle(number, frame):
        if stop.signal is not None:
            if number == stop.signal == signal.SIGTERM and \
                    time.monotonic() - stop.since < REPEAT_S:  # fmt: skip
                return  # the scheduler's and the sweep's copies of one request
            _line(f"aga-ref train: stopped at once by a second signal; the update under way "
                  f"is lost; {_then(stop, out, 'the last checkpoint kept; resume')}")  # fmt: skip
            raise SignalExit(128 + number)
        stop.signal, stop.since = number, time.monotonic()

    before = {number: signal.signal(number, handle) for number in SIGNALS}
    try:
        yield stop
    except (RunFolderUnwritable, RunFileUnreadable) as error:
        raise SystemExit(_run_file_error(error, out, stop)) from None
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def resume_command(args, out):
    """The ``aga-ref train`` line that continues the run in ``out`` as ``args`` ran it (the
    learner's options come from the checkpoint; the command's own are repeated)."""
    line = ["aga-ref", "train", "--out", out, "--resume"] + ["--no-plot"] * args.no_plot
    if args.tensorboard is not None:
        line.append("--tensorboard" if args.tensorboard else "--no-tensorboard")
    if args.checkpoint_every != 10:
        line += ["--checkpoint-every", str(args.checkpoint_every)]
    return shlex.join(line)


def start_command(args, argv):
    """The ``aga-ref train`` line that starts the run over, for a trainer stopped before its
    first checkpoint: the command that started it, with ``--overwrite`` (the files of the
    stopped start are in ``--out``) unless it has it or ``--resume-or-start``."""
    again = args.overwrite or "--resume-or-start" in argv
    return shlex.join(["aga-ref", "train", *argv, *([] if again else ["--overwrite"])])


def _then(stop, out, kept):
    """What to run next: ``kept`` + the resume line if ``out`` holds a checkpoint, else the
    line that starts the run over (a resume line would be refused: nothing to continue)."""
    if os.path.exists(os.path.join(out, CHECKPOINT)):
        return f"{kept} with: {stop.resume}"
    return f"no checkpoint was written yet: start over with: {stop.start}"


def interrupted(stop, update, updates):
    """After training: if a signal stopped it, say where, and exit with the signal's code."""
    if stop.signal is None:
        return
    if update < updates:
        _line(f"interrupted at update {update} of {updates}; resume with: {stop.resume}")
    else:  # the signal came during the last update
        _line(f"interrupted after the last update ({update} of {updates}): the run is "
              f"complete")  # fmt: skip
    raise SignalExit(128 + stop.signal)


def exit_now(code):
    """End this process with ``code`` now, skipping Python's shutdown: with tensorboardX
    installed the trainer has imported torch (tensorboardX imports it), whose finalisers
    took 2 s at every exit, 2-4 s after a second Ctrl-C (under a load of 6 on 2 cores). By
    then every ``with`` and ``finally`` has run: the files are closed, the lock released."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def interrupt_outside_training():
    """Ctrl-C anywhere else: one line and exit 130, not a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        _line("aga-ref train: interrupted (outside the training loop: no update was under way)")
        raise SystemExit(130) from None


def _run_file_error(error, out, stop):
    """Say in one line what went wrong with a run file and what to do; return the exit
    code (1: a write failed, 2: a file cannot be used)."""
    if isinstance(error, RunFolderUnwritable):
        _line(f"aga-ref train: {error}; nothing was half-written: make room or make the "
              f"folder writable, then {_then(stop, out, 'resume')}")  # fmt: skip
        return 1
    _line(f"aga-ref train: {error}; {way_out(out, in_sweep())}")
    return 2


def _line(text):
    if sys.stdout.isatty():  # end the progress line that a terminal rewrites in place
        print(flush=True)
    print(text, file=sys.stderr, flush=True)
