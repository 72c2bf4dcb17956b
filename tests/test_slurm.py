"""A real scheduler end to end (issue 25): a small grid printed by ``aga-ref sweep
--print-commands``, submitted with ``scripts/slurm_array.sh`` as a job array to a one-node
SLURM cluster started here (``tests/slurm_cluster.py``), one task requeued while it trains
(``scontrol requeue``, SLURM's SIGTERM), every run then compared with the same line run
locally and never interrupted: the same ``progress.csv``, the ``wall_s`` column aside.

The cluster test is marked ``slurm``: the default suite deselects it and ``pytest -m slurm
tests/test_slurm.py`` runs it; without SLURM's and MUNGE's programs on PATH it skips
(docs/testing.md, "The SLURM test", has the apt-get line). It runs the daemons as root. A test
of the script's own logic (which line, exec, one thread) needs no SLURM and runs by default.
"""

import csv
import json
import os
import shlex
import subprocess
import sys

import pytest

from tests.slurm_cluster import log_tails, missing_programs, one_node_cluster, slurm, wait_for

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "scripts", "slurm_array.sh")
# three short runs: two run at once on 2 cores, the third waits for a free one
SWEEP = ["sweep", "--envs", "harvest", "--methods", "simul-ind", "simul-co", "aga", "--lams",
         "100", "--seeds", "0", "--env-steps", "2048"]  # fmt: skip
CHECKPOINT_EVERY = 10  # the requeue waits for the first checkpoint
SMALL = ["--", "--num-envs", "2", "--num-steps", "16", "--max-steps", "50",  # 64 updates
         "--checkpoint-every", str(CHECKPOINT_EVERY)]  # fmt: skip
TIMEOUT = 600  # seconds for the whole array, requeue included (about 1-2 min here)


def progress_rows(folder):
    """progress.csv's rows without the wall-clock column; [] if there is none yet."""
    path = os.path.join(folder, "progress.csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if k != "wall_s"} for row in csv.DictReader(f)]


def task_field(env, job, field):
    """A field of ``scontrol show job`` for one task, e.g. JobState or Restarts."""
    words = slurm(env, "scontrol", "-o", "show", "job", job).split()
    return dict(w.split("=", 1) for w in words if "=" in w)[field]


def print_grid(tmp_path, env):
    """``aga-ref sweep --print-commands``'s lines, written to grid.txt; the runs' names."""
    printed = subprocess.run([sys.executable, "-m", "figures.cli", *SWEEP, "--out",
                              str(tmp_path / "runs"), "--print-commands", *SMALL],
                             env=env, capture_output=True, text=True, check=True)  # fmt: skip
    lines = printed.stdout.splitlines()
    assert len(lines) == 3 and all(line.endswith("--resume-or-start") for line in lines), lines
    (tmp_path / "grid.txt").write_text(printed.stdout)
    return lines, [os.path.basename(shlex.split(line)[-2]) for line in lines]


def start_locally(tmp_path, env, lines, names):
    """The same lines run on this machine, into local/NAME, their output in local/NAME.log."""
    os.makedirs(tmp_path / "local")
    runs = []
    for line, name in zip(lines, names):
        command = [*shlex.split(line), "--out", tmp_path / "local" / name]
        with open(tmp_path / "local" / f"{name}.log", "w") as log:
            runs.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    return runs


def test_the_array_script_replaces_itself_by_its_tasks_line(tmp_path):
    """Runs without SLURM: task i runs line i+1 as the script's own process (exec, so that
    SLURM's SIGTERM reaches the trainer), single-threaded; a task past the end is refused."""
    grid = tmp_path / "grid.txt"
    show = "import os; print(os.getpid(), os.environ['OPENBLAS_NUM_THREADS'])"
    grid.write_text(f"{sys.executable} -c 'print(0)'\n{sys.executable} -c \"{show}\"\n")
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="1", OPENBLAS_NUM_THREADS="4")
    task = subprocess.Popen(["bash", SCRIPT, str(grid)], env=env, stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    out = task.communicate(timeout=60)[0].splitlines()
    assert task.returncode == 0 and out[0].startswith("aga-ref array task 1, restart 0, "), out
    assert out[1:] == [f"{task.pid} 1"]
    env["SLURM_ARRAY_TASK_ID"] = "2"
    past = subprocess.run(["bash", SCRIPT, str(grid)], env=env, capture_output=True, text=True)
    assert past.returncode == 2 and "has no line 3 for task 2" in past.stderr, past.stderr


@pytest.mark.slurm
def test_a_requeued_array_task_ends_as_an_uninterrupted_local_run(tmp_path):
    missing = missing_programs()
    if missing:
        pytest.skip(f"SLURM or MUNGE not installed ({', '.join(missing)} not on PATH); "
                    f"apt-get install slurm-wlm munge (docs/testing.md)")  # fmt: skip
    if os.geteuid() != 0:
        pytest.skip("the one-node cluster runs its daemons as root; run the test as root")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]  # aga-ref
    lines, names = print_grid(tmp_path, env)
    first = tmp_path / "runs" / names[0]
    local = []
    try:
        with one_node_cluster(tmp_path / "cluster") as cluster:
            cluster.update(PATH=env["PATH"])  # sbatch hands the environment on to the tasks
            job = slurm(cluster, "sbatch", "--parsable", f"--array=0-{len(lines) - 1}",
                        f"--chdir={tmp_path}", SCRIPT, str(tmp_path / "grid.txt"))  # fmt: skip
            # requeue task 0 after its first checkpoint and before its end
            wait_for("task 0's first checkpoint",
                     lambda: len(progress_rows(first)) > CHECKPOINT_EVERY, 120, 0.1)  # fmt: skip
            stopped_at = len(progress_rows(first))
            slurm(cluster, "scontrol", "requeue", f"{job}_0")
            local = start_locally(tmp_path, env, lines, names)
            try:
                wait_for("the array to finish", lambda: not slurm(cluster, "squeue", "-h"),
                         TIMEOUT)  # fmt: skip
            except TimeoutError as error:
                raise AssertionError(f"{error}\n{slurm(cluster, 'squeue')}\n"
                                     f"{log_tails(tmp_path / 'cluster')}") from None  # fmt: skip
            tasks = [f"{job}_{i}" for i in range(len(lines))]
            states = [task_field(cluster, t, "JobState") + " " + task_field(cluster, t, "ExitCode")
                      for t in tasks]  # fmt: skip
            restarts = [task_field(cluster, t, "Restarts") for t in tasks]
        codes = [run.wait(TIMEOUT) for run in local]
    finally:
        for run in local:  # a failure above leaves no trainer behind
            if run.poll() is None:
                run.kill()
                run.wait()

    assert codes == [0] * len(lines), [(tmp_path / "local" / f"{n}.log").read_text() for n in names]
    assert stopped_at < 64, "task 0 ended before the requeue: make its run longer"
    assert states == ["COMPLETED 0:0"] * len(lines)
    assert restarts == ["1", "0", "0"]
    logs = [(tmp_path / f"slurm-{job}_{i}.out").read_text() for i in range(len(lines))]
    # two starts of task 0; SLURM's SIGTERM reached the trainer, which checkpointed
    assert logs[0].count("aga-ref array task 0, restart") == 2, logs[0]
    assert "restart 1" in logs[0] and "interrupted at update" in logs[0], logs[0]
    for name, log in zip(names, logs):
        local_rows = progress_rows(tmp_path / "local" / name)
        assert len(local_rows) == 64, log
        assert progress_rows(tmp_path / "runs" / name) == local_rows, log
    # task 0 was resumed from its checkpoint, not started again: two commands recorded
    commands = [json.loads((tmp_path / "runs" / n / "config.json").read_text())["commands"]
                for n in names]  # fmt: skip
    assert [len(c) for c in commands] == [2, 1, 1], commands
