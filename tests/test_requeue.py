"""Runs that a scheduler can kill and start again (issue 25, items 5 and 6), through the real
commands: ``aga-ref train --resume-or-start`` in every state a folder can be in, and the lock
that allows one trainer per folder. The lines of ``aga-ref sweep --print-commands`` killed
and run again, and a killed sweep: ``test_requeue_sweep.py``. The oracle throughout is an
uninterrupted run of the same command: its ``progress.csv`` (``wall_s`` aside)."""

import errno
import os

import pytest

from figures import run_lock
from tests.requeue_setup import LINUX, TINY, refused, rows, start, train, updates, wait_for


def files(folder):
    """{name: bytes} of the run's files in ``folder`` (the lock's record of who last held
    the folder aside)."""
    return {name: open(os.path.join(folder, name), "rb").read() for name in os.listdir(folder)
            if os.path.isfile(os.path.join(folder, name)) and name != run_lock.LOCK}  # fmt: skip


# --resume-or-start in each state of the folder


def test_resume_or_start_starts_a_missing_or_empty_folder(tmp_path, capsys):
    train(tmp_path / "reference", "--env-steps", "48")
    assert train(tmp_path / "missing", "--env-steps", "48", "--resume-or-start") == 0
    (tmp_path / "empty").mkdir()
    assert train(tmp_path / "empty", "--env-steps", "48", "--resume-or-start") == 0
    assert capsys.readouterr().out.count("training aga on harvest: 48 env-steps") == 3
    for folder in ("missing", "empty"):
        assert rows(tmp_path / folder) == rows(tmp_path / "reference")
        assert len(rows(tmp_path / folder)) == 3


def test_resume_or_start_replaces_a_run_that_never_reached_a_checkpoint(tmp_path, capsys):
    train(tmp_path / "reference", "--env-steps", "48")
    folder = tmp_path / "run"
    train(folder, "--env-steps", "32", "--seed", "1")  # other options, other numbers
    (folder / "checkpoint.npz").unlink()  # as if killed before its first checkpoint
    (folder / "notes.txt").write_text("mine")  # not a run file: kept
    capsys.readouterr()
    assert train(folder, "--env-steps", "48", "--resume-or-start") == 0
    assert "training aga on harvest: 48 env-steps" in capsys.readouterr().out
    assert rows(folder) == rows(tmp_path / "reference")
    assert (folder / "notes.txt").read_text() == "mine" and (folder / run_lock.LOCK).exists()


def test_resume_or_start_continues_a_checkpointed_run(tmp_path, capsys):
    folder = tmp_path / "run"
    train(folder, "--env-steps", "160")  # 10 updates: checkpointed at its last
    before = rows(folder)
    capsys.readouterr()
    assert train(folder, "--env-steps", "192", "--resume-or-start") == 0
    assert "resuming aga on harvest from update 10: 192 env-steps" in capsys.readouterr().out
    after = rows(folder)
    assert len(after) == 12 and after[:10] == before  # continued, not started again


def test_resume_or_start_of_a_complete_run_says_so_in_one_line_and_changes_nothing(
    tmp_path, capsys
):
    train(tmp_path, "--env-steps", "32", "--resume-or-start")
    before = files(tmp_path)
    capsys.readouterr()
    assert train(tmp_path, "--env-steps", "32", "--resume-or-start") == 0
    assert capsys.readouterr().out == f"{tmp_path} is complete: 2 updates, 32 env-steps; give " \
        "a larger --env-steps to extend it\n"  # fmt: skip
    assert files(tmp_path) == before


@pytest.mark.parametrize("extra, named", [
    (["--gamma", "0.9"], "the run has --gamma 0.99, this command --gamma 0.9"),
    (["--seed", "3"], "the run has --seed 0, this command --seed 3"),
    (["--env-steps", "16"], "the run has --env-steps 32, this command --env-steps 16"),
])  # fmt: skip
def test_resume_or_start_refuses_changed_options_in_one_line(tmp_path, capsys, extra, named):
    train(tmp_path, "--env-steps", "32")
    before = files(tmp_path)
    capsys.readouterr()
    line = refused(["train", *TINY, "--out", str(tmp_path), "--resume-or-start", *extra], capsys)
    assert named in line
    assert files(tmp_path) == before


@pytest.mark.parametrize("other", ["--resume", "--overwrite"])
def test_resume_or_start_excludes_resume_and_overwrite(tmp_path, capsys, other):
    line = refused(["train", *TINY, "--out", str(tmp_path), "--resume-or-start", other], capsys)
    assert f"argument {other}: not allowed with argument --resume-or-start" in line


# One trainer per folder


def test_a_held_folder_is_refused_in_one_line_before_any_file_is_written(tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    with run_lock.hold(str(folder), "aga-ref train --out elsewhere"):  # another open file
        line = refused(["train", *TINY, "--env-steps", "16", "--out", str(folder)], capsys)
    assert f"--out {folder} is in use: process {os.getpid()} (aga-ref train --out " \
        "elsewhere) holds" in line and f"(kill {os.getpid()})" in line  # fmt: skip
    assert os.listdir(folder) == [run_lock.LOCK]
    assert train(folder, "--env-steps", "16") == 0  # released: a plain start, the lock
    assert len(rows(folder)) == 1  # file is no run


def test_a_file_system_without_flock_trains_unlocked_and_says_so(tmp_path, capsys, monkeypatch):
    def unsupported(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(run_lock.fcntl, "flock", unsupported)
    assert train(tmp_path, "--env-steps", "16") == 0
    err = capsys.readouterr().err
    assert f"no lock on {tmp_path / run_lock.LOCK} (No locks available: the file system does " \
        "not support flock)" in err and len(rows(tmp_path)) == 1  # fmt: skip


@LINUX
def test_a_second_trainer_is_refused_and_a_killed_ones_lock_is_freed(tmp_path, capsys):
    folder = tmp_path / "run"
    line = ["aga-ref", "train", *TINY, "--env-steps", "1e6", "--out", str(folder)]
    with open(tmp_path / "first.log", "w") as log:
        first = start(line, log)
    try:
        wait_for(lambda: updates(folder) >= 1, 60, "the first trainer's first update")
        error = refused(["train", *TINY, "--env-steps", "1e6", "--out", str(folder),
                         "--resume-or-start"], capsys)  # fmt: skip
        assert f"is in use: process {first.pid} (aga-ref train " in error
        assert f"(kill {first.pid})" in error
    finally:
        first.kill()  # SIGKILL: no handler runs; the kernel releases the lock
        first.wait()
    run_lock.hold(str(folder), "test").close()  # free now
