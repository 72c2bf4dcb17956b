"""SIGINT and SIGTERM during ``aga-ref train`` (issue 25, item 5): the update under way
is finished, a checkpoint written, one line says how to resume, the exit code is 128 + the
signal's number, and the resumed run ends with the uninterrupted run's ``progress.csv``;
signals sent through the fault hook at fixed instants and, as a scheduler sends them, from
outside to a real process; a SIGKILL from outside at a random time."""

import signal
import time

import numpy as np
import pytest

from aga_ref.rl.checkpoint import saved_config
from figures.cli import main
from tests.run_files_setup import (
    LONG,
    again,
    assert_complete,
    child,
    command,
    reference_runs,
    started,
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return reference_runs(tmp_path_factory.mktemp("reference"))


@pytest.mark.parametrize("fault, code", [("progress.csv:3:after:TERM", 143),
                                         ("progress.csv:5:during:INT", 130)])  # fmt: skip
def test_a_signal_checkpoints_says_how_to_resume_and_loses_nothing(tmp_path, reference, fault,
                                                                   code):  # fmt: skip
    out = tmp_path / "run"
    got, printed = child(command(out), fault, tmp_path / "log")
    update = {"progress.csv:3": 2, "progress.csv:5": 4}[fault[:14]]  # the update under way
    resume = f"aga-ref train --out {out} --resume --no-plot --no-tensorboard --checkpoint-every 2"
    assert got == code
    assert printed.splitlines()[-1] == f"interrupted at update {update} of 6; resume with: {resume}"
    assert "Traceback" not in printed
    assert main(resume.split()[1:]) == 0
    assert_complete(out, reference)


def test_a_signal_during_the_last_update_says_the_run_is_complete(tmp_path, reference):
    out = tmp_path / "run"
    got, printed = child(command(out), "checkpoint.npz:3:during:TERM", tmp_path / "log")
    assert got == 143
    assert printed.splitlines()[-1] == "interrupted after the last update (6 of 6): the run " \
        "is complete"  # fmt: skip
    assert_complete(out, reference)


def test_a_second_signal_stops_at_once_and_keeps_the_last_checkpoint(tmp_path, reference):
    out = tmp_path / "run"
    faults = "progress.csv:5:during:INT,checkpoint.npz:2:during:INT"  # the second: in its save
    got, printed = child(command(out), faults, tmp_path / "log")
    assert got == 130 and "stopped at once by a second signal" in printed.splitlines()[-1]
    assert "Traceback" not in printed
    assert saved_config(str(out / "checkpoint.npz"))[1] == 2  # update 2's checkpoint stands
    assert again(out) == 0
    assert_complete(out, reference)


def test_a_sigterm_delivered_twice_at_once_is_one_request(tmp_path, reference):
    # a scheduler's SIGTERM to every process of a job, and the sweep's forwarded copy: the
    # run still finishes its update and checkpoints, as for one signal (not "at once")
    out = tmp_path / "run"
    faults = "progress.csv:3:during:TERM,progress.csv:3:after:TERM"
    got, printed = child(command(out), faults, tmp_path / "log")
    assert got == 143 and printed.splitlines()[-1].startswith("interrupted at update 2 of 6;")
    assert saved_config(str(out / "checkpoint.npz"))[1] == 2  # the update under way kept
    assert again(out) == 0
    assert_complete(out, reference)


SLOW_SIGINT = pytest.param(signal.SIGINT, marks=pytest.mark.slow)  # the hook tests it fast


@pytest.mark.parametrize("number", [signal.SIGTERM, SLOW_SIGINT])
def test_a_signal_from_outside_stops_the_process_cleanly(tmp_path, reference, number):
    out = tmp_path / "run"
    process = started(out, LONG)
    process.send_signal(number)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + number
    assert len(err.splitlines()) == 1 and err.startswith("interrupted at update ")
    assert main(err.split("resume with: ")[1].split()[1:]) == 0
    assert_complete(out, reference, LONG)


def test_a_sigkill_at_a_random_time_then_the_same_command_loses_nothing(tmp_path, reference):
    out = tmp_path / "run"
    seed = int(time.time())
    process = started(out, LONG)
    time.sleep(np.random.default_rng(seed).uniform(0, 0.5))  # 24 updates last longer
    process.kill()
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"the run ended before the kill (seed {seed})"
    assert again(out, LONG) == 0, f"seed {seed}"
    assert_complete(out, reference, LONG)


# Corrupt and missing files on resume


def test_ctrl_c_outside_the_training_loop_is_one_line(tmp_path, capsys, monkeypatch):
    import figures.train

    def interrupted_while_checking(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures.train, "check", interrupted_while_checking)
    with pytest.raises(SystemExit) as stop:
        main(command(tmp_path / "run"))
    err = capsys.readouterr().err
    assert stop.value.code == 130
    assert err.splitlines() == ["aga-ref train: interrupted (outside the training loop: no "
                                "update was under way)"]  # fmt: skip
