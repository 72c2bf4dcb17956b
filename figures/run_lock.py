"""One trainer per run folder: ``aga-ref train`` holds an exclusive lock on ``OUT/.lock``
from before it reads or writes any file of the run until it ends, so a second trainer on the
same folder (a requeued job whose first copy still runs, a sweep started twice) is refused
in one line that names the process holding the folder.

The lock is ``flock(LOCK_EX | LOCK_NB)`` (flock(2)) on the open lock file, so the kernel
releases it when the holder ends, however it ends (SIGKILL included); nothing is left to
clean up, and a lock file left behind is harmless (it is kept, and it is not one of a run's
files: ``--overwrite`` leaves it). The file holds the holder's pid and command, for the
message only. Where ``fcntl`` does not exist (Windows) no lock is taken; where the file
system does not support ``flock`` (a Lustre mounted without ``flock``, say) none is taken
either, and one line on stderr says so.
"""

import errno
import os
import sys

try:
    import fcntl
except ImportError:  # not POSIX: no lock
    fcntl = None

LOCK = ".lock"


class FolderInUse(RuntimeError):
    """Another process holds the folder's lock."""


def hold(folder, command):
    """Lock the existing ``folder`` for this process and return the open lock file (close it,
    or leave the ``with`` block, to release the lock); record this process's pid and
    ``command`` in it. Raises ``FolderInUse`` naming the holder, ``OSError`` when the lock
    file cannot be opened."""
    path = os.path.join(folder, LOCK)
    lock = open(path, "a+", encoding="utf-8")  # "a+": the holder's record is kept until locked
    if fcntl is None:
        return lock
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            print(f"aga-ref: no lock on {path} ({error.strerror}: the file system does not "
                  f"support flock); make sure no other trainer uses {folder}",
                  file=sys.stderr)  # fmt: skip
            return lock
        # held by another open file of the lock file, this process's or another's
        lock.seek(0)
        record = lock.read().split("\n", 1)
        lock.close()
        pid = record[0].strip() if record[0].strip().isdigit() else None
        ran = " ".join(record[1].split()) if len(record) > 1 else ""  # the command, one line
        ran = f" ({ran})" if ran else ""
        raise FolderInUse(f"{'process ' + pid if pid else 'another process'}{ran} holds "
                          f"{path}: one trainer per folder; wait for it to end, or end it"
                          f"{f' (kill {pid})' if pid else ''}") from None  # fmt: skip
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n{command}\n")
    lock.flush()
    return lock
