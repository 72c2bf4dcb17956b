"""Nothing lost (issue 25, items 1-4): a run killed at any instant, inside each kind of write
(``AGA_REF_TEST_FAULT``, ``aga_ref.rl.runfiles``), then started again with the same command,
ends with the uninterrupted run's ``progress.csv`` (``wall_s`` aside) and TensorBoard shows
each step once; corrupt or short files on resume, a full disk and a read-only folder give
one line. Signals: ``test_train_signals.py``; the shared set-up: ``run_files_setup.py``."""

import os
import signal
from multiprocessing import forkserver

import pytest

from aga_ref.rl import runfiles
from aga_ref.rl.progress import read_rows, read_table
from aga_ref.rl.runfiles import RunFileUnreadable, RunFolderUnwritable
from figures.cli import main
from tests.run_files_setup import (
    again,
    assert_complete,
    child,
    command,
    reference_runs,
)
from tests.test_tensorboard import assert_mirrors_progress, needs_tensorboardx


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return reference_runs(tmp_path_factory.mktemp("reference"))


# Every kind of instant: inside each write (temporary file synced, not yet renamed; half a
# progress row on disk) and just after it. A fresh run of 6 updates writes config.json once,
# progress.csv 7 times (the header, then the first row's rewrite, then 5 appends),
# checkpoint.npz 3 times and checkpoint.prev.npz twice.
WRITES = {"config.json": 1, "progress.csv": 7, "checkpoint.npz": 3, "checkpoint.prev.npz": 2}
INSTANTS = [f"{name}:{k}:{phase}" for name, count in WRITES.items()
            for k in range(1, count + 1) for phase in ("during", "after")]  # fmt: skip
REPRESENTATIVE = ["progress.csv:4:during", "checkpoint.npz:2:during", "checkpoint.npz:1:after",
                  "config.json:1:during"]  # fmt: skip


def _kill_and_rerun(tmp_path, reference, instant):
    out = tmp_path / "run"
    code, _ = child(command(out), f"{instant}:KILL", tmp_path / "log")
    assert code == -signal.SIGKILL  # the hook found its write
    assert again(out) == 0
    assert_complete(out, reference)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_a_run_with_the_fault_hook_is_no_fork_of_pytest(tmp_path):
    """pytest may run JAX's threads: a run is forked from the single-threaded fork server
    (``run_files_setup.fork_server``), never from pytest, which JAX would warn about."""
    forks = []
    os.register_at_fork(before=lambda: forks.append(1))  # os.fork runs it; no unregister
    code, _ = child(command(tmp_path / "run"), "config.json:1:after:KILL", tmp_path / "log")
    assert code == -signal.SIGKILL and forks == []
    server = forkserver._forkserver._forkserver_pid  # multiprocessing names no public one
    assert os.listdir(f"/proc/{server}/task") == [str(server)]  # one thread: the main one


@pytest.mark.parametrize("instant", REPRESENTATIVE)
def test_a_kill_inside_a_write_then_the_same_command_loses_nothing(tmp_path, reference, instant):
    _kill_and_rerun(tmp_path, reference, instant)


@pytest.mark.slow
@pytest.mark.parametrize("instant", sorted(set(INSTANTS) - set(REPRESENTATIVE)))
def test_a_kill_at_every_instant_loses_nothing(tmp_path, reference, instant):
    _kill_and_rerun(tmp_path, reference, instant)


def test_a_kill_of_the_resumed_run_while_it_cuts_progress_loses_nothing(tmp_path, reference):
    out = tmp_path / "run"
    assert child(command(out), "progress.csv:5:during:KILL", tmp_path / "log")[0] == -9
    rows = len(read_table(out / "progress.csv"))  # 3 whole rows; the checkpoint counts 2
    code, _ = child(command(out) + ["--resume"], "progress.csv:1:during:KILL", tmp_path / "log")
    assert code == -9 and rows == 3 and len(read_table(out / "progress.csv")) == 3
    assert again(out) == 0
    assert_complete(out, reference)


@needs_tensorboardx
@pytest.mark.parametrize("instant", ["progress.csv:6:during", "checkpoint.npz:2:after"])
def test_tensorboard_shows_every_step_once_after_a_kill(tmp_path, reference, instant):
    out = tmp_path / "run"
    argv = [a for a in command(out) if a != "--no-tensorboard"]
    assert child(argv, f"{instant}:KILL", tmp_path / "log")[0] == -signal.SIGKILL
    assert main(argv + ["--resume"]) == 0
    assert_complete(out, reference)
    assert_mirrors_progress(out)  # each of the 6 steps once, with progress.csv's values


def test_a_half_written_last_row_is_left_out_by_readers(tmp_path, reference):
    out = tmp_path / "run"
    child(command(out), "progress.csv:4:during:KILL", tmp_path / "log")
    text = (out / "progress.csv").read_text()
    assert not text.endswith("\n")  # the kill came with half a row on disk
    rows = read_table(out / "progress.csv")
    assert [r["update"] for r in rows] == ["1", "2"]
    from figures.train_runs import read_run

    assert list(read_run(str(out), finished_only=False)[1]["update"]) == [1, 2]


# Corrupt and missing files on resume


def _cut(path, size=None):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if size is None else os.urandom(size))


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_checkpoint_falls_back_to_the_previous_one(tmp_path, reference, capsys,
                                                                 damage):  # fmt: skip
    out = tmp_path / "run"
    assert main(command(out)) == 0  # checkpoint.npz: update 6, checkpoint.prev.npz: 4
    _cut(out / "checkpoint.npz", None if damage == "truncated" else 200)
    capsys.readouterr()
    assert main(command(out) + ["--resume"]) == 0
    note = capsys.readouterr().out.splitlines()[0]
    assert "checkpoint.npz is unreadable" in note and "checkpoint.prev.npz (update 4)" in note
    assert_complete(out, reference)


def test_two_unreadable_checkpoints_are_refused_in_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(command(out)) == 0
    for name in ("checkpoint.npz", "checkpoint.prev.npz"):
        _cut(out / name)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(command(out, 128) + ["--resume"])
    _, err = capsys.readouterr()
    assert stop.value.code == 2 and "Traceback" not in err
    assert "checkpoint.npz is unreadable" in err and "checkpoint.prev.npz is unreadable" in err
    assert err.rstrip().endswith("give --overwrite to start the run again")


def test_a_progress_file_shorter_than_the_checkpoint_is_refused_in_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(command(out)) == 0
    lines = (out / "progress.csv").read_text().splitlines(keepends=True)
    (out / "progress.csv").write_text("".join(lines[:3]))  # the header and 2 rows of 6
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(command(out, 128) + ["--resume"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.splitlines()) == 1
    assert "progress.csv holds 2 complete rows, but the checkpoint beside it counts 6" in err


def test_a_new_run_never_falls_back_on_an_old_runs_checkpoint(tmp_path):
    out = tmp_path / "run"
    assert main(command(out)) == 0
    assert (out / "checkpoint.prev.npz").exists()
    code, _ = child(command(out, 128) + ["--overwrite"], "checkpoint.npz:1:after:KILL",
                     tmp_path / "log")  # fmt: skip
    assert code == -9 and not (out / "checkpoint.prev.npz").exists()


def test_stray_temporary_files_are_removed_on_resume(tmp_path, reference):
    out = tmp_path / "run"
    child(command(out), "checkpoint.npz:2:during:KILL", tmp_path / "log")
    assert (out / "checkpoint.npz.tmp").exists()  # what the killed writer left
    (out / "checkpoint.npz.tmp.npz").write_bytes(b"x")  # the name np.savez used to leave
    assert again(out) == 0
    assert_complete(out, reference)


# A full disk, a read-only folder


@pytest.mark.parametrize("fault, reason", [
    ("progress.csv:4:during:ENOSPC", "No space left on device (ENOSPC)"),
    ("checkpoint.npz:2:during:EROFS", "Read-only file system (EROFS)"),
    ("config.json:1:during:EACCES", "Permission denied (EACCES)"),
])  # fmt: skip
def test_a_failed_write_gives_one_line_and_leaves_whole_files(tmp_path, reference, fault,
                                                              reason):  # fmt: skip
    out = tmp_path / "run"
    code, printed = child(command(out), fault, tmp_path / "log")
    last = printed.splitlines()[-1]
    name = fault.split(":")[0]
    assert code == 1 and "Traceback" not in printed
    assert last.startswith(f"aga-ref train: cannot write {name} in {out}: {reason}")
    if (out / "progress.csv").exists():
        assert (out / "progress.csv").read_text().endswith("\n")  # no half row
    assert again(out) == 0
    assert_complete(out, reference)


def test_the_atomic_writer_leaves_the_old_file_when_the_block_fails(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("old")
    with pytest.raises(ZeroDivisionError), runfiles.replaced(str(path)) as f:
        f.write("new, half")
        raise ZeroDivisionError
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["config.json"]


ROOT = os.name == "posix" and os.geteuid() == 0


@pytest.mark.skipif(ROOT, reason="root writes into a read-only folder (chmod does not bind it)")
def test_a_read_only_folder_for_real(tmp_path):
    out = tmp_path / "run"
    assert main(command(out)) == 0
    os.chmod(out, 0o500)
    try:
        with pytest.raises(RunFolderUnwritable, match="Permission denied"):
            runfiles.append_line(str(out / "x.csv"), "1\n")
    finally:
        os.chmod(out, 0o700)


def test_read_rows_names_the_file_and_both_counts(tmp_path):
    path = tmp_path / "progress.csv"
    path.write_text("update,wall_s\r\n1,0.5\r\n2,0.")  # the last row cut short
    assert read_rows(str(path), 1) == [{"update": 1, "wall_s": 0.5}]
    with pytest.raises(RunFileUnreadable, match="holds 1 complete rows, but .* counts 2"):
        read_rows(str(path), 2)
