"""Which code made a run: the git commit of the aga-ref checkout that runs, recorded beside
each command in a run's ``config.json`` (``aga-ref train``), so that every committed result
names the commit that made it.

    aga-ref train --env harvest --seed 0  # commit 1a2b3c4d5e6f
    aga-ref train --env harvest --seed 0  # commit 1a2b3c4d5e6f with uncommitted changes

The note follows ``#``, so the recorded line still runs as it is when pasted into a shell.
Outside a git checkout (an installed wheel) it names the package's version instead.
"""

import os
import subprocess
from importlib import metadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the checkout's root


def _git(*args):
    """git's output in ``ROOT``, or None (no git, not a checkout, or an error)."""
    try:
        done = subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                              timeout=30, check=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def code_version():
    """``commit <12 hex digits>`` (``with uncommitted changes`` when tracked files differ
    from it), or ``aga-ref <version> (not a git checkout)``."""
    commit = _git("rev-parse", "--short=12", "HEAD")
    if not commit:
        try:
            version = metadata.version("aga-ref")
        except metadata.PackageNotFoundError:
            version = "unknown version"
        return f"aga-ref {version} (not a git checkout)"
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return f"commit {commit}" + (" with uncommitted changes" if changed else "")


def noted(command):
    """``command`` with the code version as a shell comment after it."""
    return f"{command}  # {code_version()}"
