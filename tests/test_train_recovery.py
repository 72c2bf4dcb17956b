"""What ``aga-ref train`` tells a user whose run was cut (a trial of the documented
commands): a config.json lost or cut short is rebuilt from the checkpoint, in one line; a
refusal names the flag that was typed; a zip that is not a checkpoint says so; a run
stopped twice before its first checkpoint prints the line that starts it over; the resume
banner says where it continues; a closed stdout (``| head``) does not end a run. The
oracle of a completed run is the uninterrupted one (``tests/run_files_setup.py``)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from figures.cli import main
from tests.run_files_setup import (
    LONG,
    assert_complete,
    child,
    command,
    reference_runs,
    table,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return reference_runs(tmp_path_factory.mktemp("reference"))


def _stopped_at_4(out, tmp_path):
    """A run of 6 updates stopped by SIGTERM at update 4 (checkpoints at 2 and 4)."""
    code, _ = child(command(out), "progress.csv:5:after:TERM", tmp_path / "log")
    assert code == 143


@pytest.mark.parametrize("damage", ["cut", "deleted"])
def test_a_lost_config_json_is_rebuilt_from_the_checkpoint(tmp_path, capsys, reference,
                                                            damage):  # fmt: skip
    out = tmp_path / "run"
    _stopped_at_4(out, tmp_path)
    path = out / "config.json"
    before = json.loads(path.read_text())
    if damage == "cut":
        path.write_text(path.read_text()[:200])
    else:
        path.unlink()
    capsys.readouterr()
    assert (
        main(
            [
                "train",
                "--out",
                str(out),
                "--resume",
                "--no-plot",
                "--no-tensorboard",
                "--checkpoint-every",
                "2",
            ]
        )
        == 0
    )  # no --env: the game comes from the checkpoint
    printed = capsys.readouterr().out.splitlines()
    what = "is unreadable (" if damage == "cut" else "is missing: "
    assert printed[0].startswith(f"{path} {what}") and "earlier commands" in printed[0]
    assert (out / "config.json.unreadable").exists() == (damage == "cut")
    after = json.loads(path.read_text())
    lost = ("commands", "preset")  # what the checkpoint does not hold
    assert {k: v for k, v in after.items() if k not in lost} == \
        {k: v for k, v in before.items() if k not in lost}  # fmt: skip
    assert len(after["commands"]) == 1  # this resume's
    assert_complete(out, reference)


def test_cut_checkpoints_under_resume_or_start_name_that_flag(tmp_path, capsys):
    out = tmp_path / "run"
    _stopped_at_4(out, tmp_path)
    for name in ("checkpoint.npz", "checkpoint.prev.npz"):
        (out / name).write_bytes((out / name).read_bytes()[:100])
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(command(out) + ["--resume-or-start"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(
        "aga-ref train: error: --resume-or-start: ")  # fmt: skip


def test_a_zip_of_other_arrays_is_not_a_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    os.makedirs(out)
    np.savez(out / "checkpoint.npz", theta=np.zeros(3))
    with pytest.raises(SystemExit) as stop:
        main(command(out) + ["--resume"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "KeyError" not in err
    assert f"{out / 'checkpoint.npz'} is not a checkpoint of aga-ref (missing 'blob')" in err


def test_a_second_signal_before_the_first_checkpoint_prints_how_to_start_over(tmp_path, reference):
    out = tmp_path / "run"
    faults = "progress.csv:2:after:INT,checkpoint.npz:1:during:INT"  # the second: in its save
    got, printed = child(command(out), faults, tmp_path / "log")
    assert got == 130 and not (out / "checkpoint.npz").exists()
    line = printed.splitlines()[-1]
    again = " ".join(["aga-ref", *command(out), "--overwrite"])
    assert line.endswith(f"no checkpoint was written yet: start over with: {again}"), line
    assert main(again.split()[1:]) == 0
    assert_complete(out, reference)


def test_the_resume_banner_says_where_it_continues_and_names_the_preset(tmp_path, capsys):
    out = tmp_path / "run"
    code, _ = child(command(out) + ["--preset", "mappo", "--update-epochs", "1"],
                    "progress.csv:5:after:TERM", tmp_path / "log")  # fmt: skip
    assert code == 143 and "(--preset mappo): " in (tmp_path / "log").read_text()
    capsys.readouterr()
    assert main(["train", "--out", str(out), "--resume", "--no-plot"]) == 0
    banner = capsys.readouterr().out.splitlines()[0]
    assert banner.startswith("resuming aga on harvest from update 4 (--preset mappo): ")


def test_a_closed_stdout_does_not_end_the_run(tmp_path, reference):
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "figures.cli", *command(out, LONG), "--checkpoint-every", "10"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))  # fmt: skip
    assert process.stdout.readline().startswith(b"training ")
    process.stdout.close()  # as | head -1 does: the next progress line meets a closed pipe
    assert process.wait(timeout=120) == 0 and process.stderr.read() == b""
    assert table(out) == reference[LONG]  # all 24 updates


@pytest.mark.parametrize("faults, code", [
    ("progress.csv:3:after:TERM", 143),
    ("progress.csv:2:after:INT,checkpoint.npz:1:during:INT", 130),  # a second Ctrl-C
])  # fmt: skip
def test_a_trainer_stopped_by_a_signal_skips_pythons_shutdown(tmp_path, faults, code):
    # torch, which tensorboardX imports, made every exit 2 s longer: 2-4 s after Ctrl-C twice
    mark, out = tmp_path / "shut down", tmp_path / "run"
    script = (f"import atexit, sys\n"
              f"atexit.register(lambda: open({str(mark)!r}, 'w').close())\n"
              f"from figures.cli import main\n"
              f"sys.argv = ['aga-ref', *{command(out)!r}]\n"
              f"main()\n")  # fmt: skip
    env = dict(os.environ, AGA_REF_TEST_FAULT=faults, OPENBLAS_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, timeout=120,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == code and "Traceback" not in run.stderr
    assert not mark.exists()  # Python's shutdown, which runs atexit's functions, was skipped
