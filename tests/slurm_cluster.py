"""A throwaway one-node SLURM cluster on this machine, for ``tests/test_slurm.py``.

``one_node_cluster(folder)`` writes a slurm.conf, a MUNGE key and spool folders under
``folder``, starts munged, slurmctld and slurmd in the foreground as child processes (no
systemd, no cgroups: proctrack/linuxproc, task/none), waits for the node to come up, yields
the environment that points SLURM's commands at it (``SLURM_CONF``), and at the end cancels
every job, waits for them to end and stops the three daemons, also when the test failed.

Made for Debian 12's ``slurm-wlm`` 22.05 with ``munge`` 0.5 (docs/testing.md, "The SLURM
test"), run as root. Two sandbox details: munged refuses a socket whose folder or any parent
is not world-executable (pytest's tmp folders are 0700), so the socket lives in its own
``/tmp`` folder; and a requeued job waits ``cred_expire`` seconds before it may start again
(120 by default), cut to ``CRED_EXPIRE`` so that the test does not idle.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

NODE = "agaref-node"
CRED_EXPIRE = 5  # seconds a requeued task waits before it may start again (SLURM: 120)
CONF = """\
ClusterName=agaref
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={socket},cred_expire={cred_expire}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName={node} NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""
DAEMONS = ("munged", "slurmctld", "slurmd")
COMMANDS = ("munge", "sbatch", "scontrol", "squeue", "sinfo", "scancel")


def missing_programs():
    """The SLURM and MUNGE programs the cluster needs that are not on PATH."""
    return [name for name in DAEMONS + COMMANDS if shutil.which(name) is None]


def _free_ports(count):
    """Ports nothing listens on now (SLURM's own 6817/6818 may belong to a real cluster)."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def slurm(env, *args, check=True):
    """Run one SLURM command against the cluster; its stdout, stripped."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=30)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def wait_for(what, predicate, timeout, poll=0.5):
    """Poll ``predicate`` until it is true; TimeoutError naming ``what`` after ``timeout`` s."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError(f"{what}: not after {timeout} s")
        time.sleep(poll)


def log_tails(folder, lines=15):
    """The last lines of the daemons' logs, to explain a failure."""
    out = []
    for name in ("munged.log", "slurmctld.log", "slurmd.log"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path) as f:
                out.append(f"--- {name}\n" + "".join(f.readlines()[-lines:]))
    return "\n".join(out)


@contextlib.contextmanager
def one_node_cluster(folder):
    """Start the cluster in ``folder``; yield the environment its commands need."""
    folder = os.path.abspath(folder)
    for sub in ("state", "spool", "munge"):
        os.makedirs(os.path.join(folder, sub), mode=0o700)
    key = os.path.join(folder, "munge", "munge.key")
    with open(key, "wb") as f:
        f.write(os.urandom(1024))
    os.chmod(key, 0o600)
    socket_folder = tempfile.mkdtemp(prefix="aga-munge-", dir="/tmp")
    os.chmod(socket_folder, 0o755)  # munged requires it (module docstring)
    munge_socket = os.path.join(socket_folder, "munge.socket")
    ctld_port, slurmd_port = _free_ports(2)
    conf = os.path.join(folder, "slurm.conf")
    with open(conf, "w") as f:
        f.write(CONF.format(host=socket.gethostname().split(".")[0], folder=folder,
                            ctld_port=ctld_port, slurmd_port=slurmd_port, node=NODE,
                            socket=munge_socket, cred_expire=CRED_EXPIRE,
                            cpus=os.cpu_count()))  # fmt: skip
    env = dict(os.environ, SLURM_CONF=conf)
    munge_files = [f"--{name}-file={os.path.join(folder, 'munge', 'munged.' + name)}"
                   for name in ("pid", "seed")]  # fmt: skip
    commands = [
        ["munged", "--foreground", f"--key-file={key}", f"--socket={munge_socket}",
         f"--log-file={os.path.join(folder, 'munged.log')}", *munge_files],
        ["slurmctld", "-D", "-c", "-f", conf],  # -c: no state from an earlier cluster
        ["slurmd", "-D", "-f", conf, "-N", NODE],
    ]  # fmt: skip
    daemons = []
    try:
        for command in commands:
            daemons.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.STDOUT))  # fmt: skip
            if command[0] == "munged":
                wait_for("munged's socket", lambda: os.path.exists(munge_socket), 10, 0.1)
        wait_for("the node to be idle", lambda: _node_idle(env, daemons, folder), 60)
        yield env
    finally:
        try:
            _cancel_all(env)
        finally:
            for daemon in reversed(daemons):
                daemon.terminate()
                try:
                    daemon.wait(15)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
            shutil.rmtree(socket_folder, ignore_errors=True)


def _node_idle(env, daemons, folder):
    """Whether the node takes jobs; RuntimeError with the logs if a daemon has died."""
    dead = [d.args[0] for d in daemons if d.poll() is not None]
    if dead:
        raise RuntimeError(f"{', '.join(dead)} exited at start\n{log_tails(folder)}")
    return slurm(env, "sinfo", "-h", "-o", "%T", check=False) == "idle"


def _cancel_all(env):
    """Cancel every job of this private cluster and wait until none is left (or 60 s)."""
    jobs = slurm(env, "squeue", "-h", "-o", "%A", check=False).split()
    if jobs:
        slurm(env, "scancel", *jobs, check=False)
        # KillWait (30 s) may pass between the SIGTERM and the SIGKILL of a task
        with contextlib.suppress(TimeoutError):
            wait_for("the cancelled jobs to end",
                     lambda: not slurm(env, "squeue", "-h", check=False), 60)  # fmt: skip
