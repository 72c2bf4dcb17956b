"""BLAS threads for the commands that compute: ``aga-ref train``, ``family`` and ``reproduce``
run their numerical work with one BLAS thread unless ``--threads`` says otherwise.

Why one: their matrices are small (a layer of 64 units, a batch of a few thousand rows), so
a multi-threaded BLAS spends more time waking and synchronising its threads than it saves,
and on a machine shared with other jobs its threads contend for the cores. Measured on a
loaded 2-core machine, ``aga-ref train --env harvest --env-steps 8192`` took 4.7 times as
long with OpenBLAS's default (2 threads) and 5.6 times with ``--threads 2`` as with one
(medians of alternated runs; docs/speed.md, "BLAS threads"). ``threadpoolctl`` sets the
limit after NumPy has loaded its BLAS, which an environment variable such as
``OPENBLAS_NUM_THREADS`` cannot do.
"""

from threadpoolctl import threadpool_info, threadpool_limits

from figures.arguments import count

HELP = ("BLAS threads for the numerical work, an integer >= 0; 0 leaves the BLAS library's "
        "own default (usually one per core). Default: 1, because on these small matrices "
        "BLAS threads cost more than they give and contend with other jobs for the cores "
        "(measured in docs/speed.md, 'BLAS threads')")  # fmt: skip


def add_threads_option(parser):
    """The ``--threads N`` option (default 1) of a command that computes."""
    parser.add_argument("--threads", type=count(0), default=1, metavar="N", help=HELP)


def blas_threads(threads):
    """A context manager: BLAS limited to ``threads`` threads inside it (0: no limit)."""
    return threadpool_limits(limits=None if threads == 0 else threads, user_api="blas")


def set_blas_threads(threads):
    """Limit BLAS in this process for good: the initializer of a worker process. It limits only
    the libraries loaded so far: a spawned worker must import its work's modules first."""
    blas_threads(threads)  # threadpool_limits acts when made; its exit would undo it


def blas_thread_counts():
    """The thread count of every BLAS library loaded in this process (a list)."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
