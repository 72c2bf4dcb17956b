"""``aga-ref sweep``'s child processes: at most ``limit`` ``aga-ref train`` runs at a time,
ended when the sweep is ended.

- **SIGTERM or SIGINT** (a scheduler's stop, Ctrl-C) to the sweep is forwarded to its
  running children, which finish their update, checkpoint and exit (143 / 130); no new run
  starts, and the sweep waits for them, then exits with the code of the signal it got.
- **SIGKILL** of the sweep cannot be caught, so on Linux each child asks the kernel, before
  it runs ``aga-ref train``, for a SIGTERM when its parent dies (prctl(2),
  ``PR_SET_PDEATHSIG``), and ends as above. Elsewhere the children of a killed sweep run
  on; ``aga-ref train``'s folder lock (``figures/run_lock.py``) then refuses a second
  trainer on their folders.

The children are started from this (the main) thread, because ``PR_SET_PDEATHSIG`` fires
when the thread that started a child ends, not the process; and each in a session of its
own, so that a Ctrl-C at the terminal reaches them once, forwarded by the sweep, rather than
twice.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

from figures.arguments import plural

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
STOPS = (signal.SIGTERM, signal.SIGINT)


def _end_with(parent):
    """In the child, before exec: SIGTERM when ``parent`` dies (Linux)."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request, so it never fires
        os._exit(128 + signal.SIGTERM)


def start(argv, log, env):
    """Start ``argv`` with stdout and stderr appended to the file ``log``."""
    parent = os.getpid()
    with open(log, "a") as f:  # the child keeps its own copy of the file
        return subprocess.Popen(
            argv, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            preexec_fn=None if LIBC is None else lambda: _end_with(parent),
        )  # fmt: skip


def run_all(jobs, limit, done):
    """Run ``jobs``, (name, argv, log, env) each, ``limit`` at a time, calling ``done(name,
    exit code, seconds it ran)`` as each ends; return the signal that stopped them
    (``signal.Signals``), or None when all ran. Call it from the main thread (signal
    handlers live there)."""
    received = []  # the handler only records; the loop below forwards, so no child is missed
    previous = {s: signal.signal(s, lambda signum, frame: received.append(signum)) for s in STOPS}
    pending, running, forwarded, began = list(jobs), {}, 0, {}
    try:
        while pending or running:
            while pending and len(running) < limit and not received:
                name, argv, log, env = pending.pop(0)
                running[name], began[name] = start(argv, log, env), time.monotonic()
            for signum in received[forwarded:]:
                for child in running.values():
                    child.send_signal(signum)
            forwarded = len(received)
            for name, child in list(running.items()):
                if child.poll() is not None:
                    del running[name]
                    done(name, child.returncode, time.monotonic() - began[name])
            if received and not running:
                break
            time.sleep(0.05)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return signal.Signals(received[0]) if received else None


def stopped(code):
    """Whether a run's exit code is a stop by SIGINT or SIGTERM (negative: before its
    handler was installed, while Python started)."""
    return code in (130, 143, -signal.SIGINT, -signal.SIGTERM)


def under_way(out, ended):
    """What the runs stopped under way left, by their folders: a checkpoint (continued
    from there), or none yet (started over): a run stopped while it started writes none."""
    names = [name for name, code in ended.items() if stopped(code)]
    kept = [n for n in names if os.path.isfile(os.path.join(out, n, "checkpoint.npz"))]
    if not names:
        return "no run was under way"
    if len(kept) == len(names):
        return f"{plural(len(names), 'run')} under way, each with its checkpoint"
    return (
        f"{plural(len(names), 'run')} under way: {len(kept)} with a checkpoint, "
        f"{len(names) - len(kept)} without one (they start over)"
    )
