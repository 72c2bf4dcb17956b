"""A run's files written so that a kill at any instant leaves the last complete state readable.

Two ways of writing, chosen per file:

- **Replaced whole** (``config.json``, ``checkpoint.npz``): ``replaced(path)`` writes a
  temporary file ``NAME.tmp`` in the same folder, flushes and ``fsync``s it, renames it over
  ``NAME`` (``os.replace``, atomic on POSIX) and ``fsync``s the folder, so that the rename
  itself survives a power cut. A reader sees the old file or the new one, never a mix. On
  any exception (a full disk, a second Ctrl-C) the temporary file is removed; a killed
  writer leaves it behind, and ``remove_strays`` deletes it at the next start or resume.
- **Appended** (``progress.csv``): ``append_line`` adds one row and ``fsync``s it. Rewriting
  the whole file after every update, as before, costs O(rows) per update, and a 2e7-step
  run has about 5,000 rows of about 100 columns; an append costs one row. A kill can
  cut the last line short; that line always comes after the last checkpoint (a row is
  synced before the checkpoint that counts it), so a resume drops it with every other row
  the checkpoint does not count, and rewrites the file whole (``replaced``) before going
  on. Readers of a run in progress skip a last line that has no newline
  (``aga_ref.rl.progress.read_table``). An error during the append truncates the file back
  to its previous length: nothing half-written. (TensorBoard's event files are appended
  the same way, an event synced per row: ``aga_ref.rl.progress.TensorBoard``.)

``RunFolderUnwritable`` (an ``OSError``) names the file, the folder and the system's reason
(``ENOSPC`` a full disk, ``EROFS`` a read-only file system, ``EACCES`` no permission);
``RunFileUnreadable`` (a ``ValueError``) names a file that a resume cannot use.

Test hook (tests only): ``AGA_REF_TEST_FAULT="NAME:K:PHASE:FAULT"`` (several separated by
commas) makes the K-th write of file NAME in this process meet FAULT at PHASE. PHASE
``during``: the temporary file is written and synced but not yet renamed (for an append:
half the line is written and synced); ``after``: the write is complete. FAULT ``KILL``,
``TERM`` or ``INT`` sends this process that signal; ``ENOSPC``, ``EROFS`` or ``EACCES``
raises that ``OSError``. ``tests/test_run_files.py`` kills runs this way at every kind of
instant.
"""

import contextlib
import errno
import json
import os
import signal

FAULT_HOOK = "AGA_REF_TEST_FAULT"
TMP = ".tmp"  # a temporary file is NAME + TMP, beside NAME
LEGACY_TMP = ("checkpoint.npz.tmp.npz",)  # what np.savez's writer left before this module
_writes = {}  # NAME -> writes so far in this process, for the test hook


class RunFolderUnwritable(OSError):
    """A run file could not be written; the message names the file, folder and reason."""

    def __str__(self):
        return self.strerror


class RunFileUnreadable(ValueError):
    """A run file is unreadable or disagrees with the checkpoint; the message names it."""


@contextlib.contextmanager
def replaced(path, binary=False):
    """``with replaced(path) as f:`` fill ``f``; ``path`` is replaced when the block ends
    without an exception, and left as it was otherwise."""
    tmp = path + TMP
    try:
        with open(tmp, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _fault(path, "during")
        os.replace(tmp, path)
        _sync_folder(path)
    except BaseException as error:  # KeyboardInterrupt and SystemExit too: no stray file
        with contextlib.suppress(OSError):
            os.remove(tmp)
        if isinstance(error, OSError):
            raise unwritable(path, error) from error
        raise
    _fault(path, "after")


def append_line(path, text):
    """Append ``text`` (one line, with its newline) to ``path`` and sync it."""
    data = text.encode()
    # halves only under the test hook, so that its fault finds half a line on disk
    cut = len(data) // 2 if os.environ.get(FAULT_HOOK) else len(data)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as error:
        raise unwritable(path, error) from error
    size = os.fstat(fd).st_size
    try:
        _write(fd, data[:cut])
        if cut < len(data):
            _fault(path, "during")
            _write(fd, data[cut:])
    except BaseException as error:  # a full disk, a second Ctrl-C: nothing half-written
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        os.close(fd)
        if isinstance(error, OSError):
            raise unwritable(path, error) from error
        raise
    os.close(fd)
    _fault(path, "after")


def _write(fd, data):
    """Write all of ``data`` (os.write may write less) and sync it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def unwritable(path, error):
    """The ``RunFolderUnwritable`` of ``error`` (an ``OSError``) met writing ``path``."""
    code = errno.errorcode.get(error.errno, str(error.errno))
    folder, name = os.path.split(os.path.abspath(path))
    reason = error.strerror or str(error)
    return RunFolderUnwritable(error.errno, f"cannot write {name} in {folder}: {reason} "
                                            f"({code})")  # fmt: skip


def read_json(path):
    """The JSON object in ``path`` ({} if there is no such file); ``RunFileUnreadable``
    naming it when it cannot be parsed."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as error:
        raise RunFileUnreadable(f"{path} is unreadable ({error})") from None


def remove_strays(folder, names):
    """Delete the temporary files that a killed writer of ``names`` left in ``folder``."""
    for stray in [name + TMP for name in names] + list(LEGACY_TMP):
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(folder, stray))


def _sync_folder(path):
    """fsync the folder that holds ``path``, so that a rename in it is on disk."""
    if os.name != "posix":  # Windows opens no folder as a file; its rename is synced itself
        return
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fault(path, phase):
    """The test hook (module docstring); does nothing unless ``AGA_REF_TEST_FAULT`` is set."""
    spec = os.environ.get(FAULT_HOOK)
    if not spec:
        return
    name = os.path.basename(path)
    if phase == "during":
        _writes[name] = _writes.get(name, 0) + 1
    for fault in spec.split(","):
        target, count, when, what = fault.split(":")
        if (target, int(count), when) != (name, _writes.get(name), phase):
            continue
        if what in ("KILL", "TERM", "INT"):
            os.kill(os.getpid(), getattr(signal, "SIG" + what))
        else:
            code = getattr(errno, what)
            raise OSError(code, os.strerror(code))
