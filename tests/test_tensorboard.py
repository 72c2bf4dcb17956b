"""TensorBoard (issue 18, item 17): ``aga-ref train`` writes every progress.csv column as a
TensorBoard scalar into OUT/tensorboard/, read back here from the event files' bytes (TFRecord
framing, tensorboardX's Event protobuf) and compared with progress.csv, resumes included.
Without tensorboardX these tests are skipped, except the refusal of --tensorboard."""

import csv
import os
import struct
import sys

import numpy as np
import pytest

from aga_ref.rl.config import Config
from aga_ref.rl.progress import TensorBoard, status_line, tensorboard_installed
from aga_ref.rl.train import train
from figures.cli import main
from games.gridworld import make_env

TINY = ["--env", "harvest", "--num-envs", "2", "--num-steps", "8", "--num-minibatches", "2",
        "--hidden", "8", "--max-steps", "12", "--num-agents", "3", "--no-plot"]  # fmt: skip
needs_tensorboardx = pytest.mark.skipif(not tensorboard_installed(), reason="no tensorboardX")


def events(logdir):
    """Every Event of ``logdir``'s event files, in the order TensorBoard reads them (file
    names sorted). A record: length (uint64), its CRC (uint32), data, the data's CRC."""
    from tensorboardX.proto.event_pb2 import Event

    read = []
    for name in sorted(os.listdir(logdir)):
        assert ".tfevents." in name, name
        data, i = (logdir / name).read_bytes(), 0
        while i < len(data):
            (length,) = struct.unpack("<Q", data[i : i + 8])
            read.append(Event.FromString(data[i + 12 : i + 12 + length]))
            i += 12 + length + 4
        assert i == len(data), name
    return read


def scalars(logdir):
    """``{tag: {step: value}}`` as TensorBoard shows it: a purge marker (a SessionLog START
    at step s) hides the scalars read before it at steps >= s; a step seen twice otherwise
    fails."""
    shown = {}
    for event in events(logdir):
        if event.HasField("session_log") and event.session_log.status == 1:  # START
            shown = {t: {s: v for s, v in by.items() if s < event.step} for t, by in shown.items()}
        for value in event.summary.value:
            assert event.step not in shown.setdefault(value.tag, {}), (value.tag, event.step)
            shown[value.tag][event.step] = value.simple_value
    return shown


def progress(folder):
    """``{column: {env_steps: value}}`` of progress.csv, blanks left out."""
    with open(folder / "progress.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {c: {int(r["env_steps"]): float(r[c]) for r in rows if r[c] != ""} for c in rows[0]}


def assert_mirrors_progress(folder):
    expected, shown = progress(folder), scalars(folder / "tensorboard")
    assert set(shown) == {c for c, by in expected.items() if by}
    for column, by_step in expected.items():
        assert sorted(shown.get(column, {})) == sorted(by_step), column
        for step, value in by_step.items():  # TensorBoard stores float32
            assert shown[column][step] == np.float32(value), (column, step)


@needs_tensorboardx
def test_every_progress_column_is_a_scalar_at_its_env_steps(tmp_path, capsys):
    assert main(["train", *TINY, "--env-steps", "48", "--out", str(tmp_path)]) == 0
    assert f"TensorBoard: {tmp_path / 'tensorboard'}/" in capsys.readouterr().out
    assert_mirrors_progress(tmp_path)
    assert "social_welfare" in scalars(tmp_path / "tensorboard")  # an episode finished
    main(["train", *TINY, "--env-steps", "16", "--out", str(tmp_path), "--overwrite"])
    assert len(os.listdir(tmp_path / "tensorboard")) == 1  # the old event file went too
    assert_mirrors_progress(tmp_path)


@needs_tensorboardx
def test_an_extended_run_appends_without_repeating_a_step(tmp_path, capsys):
    main(["train", *TINY, "--env-steps", "32", "--out", str(tmp_path)])
    main(["train", "--env", "harvest", "--out", str(tmp_path), "--resume", "--env-steps", "64",
          "--no-plot"])  # fmt: skip
    assert len(os.listdir(tmp_path / "tensorboard")) == 2  # one event file per start
    assert_mirrors_progress(tmp_path)
    assert sorted(scalars(tmp_path / "tensorboard")["update"]) == [16, 32, 48, 64]


class Stop(Exception):
    """A run killed after update 3, past its checkpoint at update 2."""


@needs_tensorboardx
def test_rows_written_after_the_last_checkpoint_are_hidden_on_resume(tmp_path, capsys):
    def stop_at_3(config, row, rows):
        status_line(config, row, rows)
        if row["update"] == 3:
            raise Stop

    env = make_env("harvest", num_envs=2, num_agents=3, seed=0, max_steps=12,
                   record_episodes=False)  # fmt: skip
    config = Config(env_steps=64, num_envs=2, num_steps=8, num_minibatches=2, hidden=8)
    log = TensorBoard(str(tmp_path / "tensorboard"), log=stop_at_3)
    with pytest.raises(Stop):
        train(env, config, out=str(tmp_path), checkpoint_every=2, log=log,
              meta={"env": "harvest", "num_agents": 3, "max_steps": 12})  # fmt: skip
    log.close()
    assert sorted(scalars(tmp_path / "tensorboard")["update"]) == [16, 32, 48]
    assert main(["train", "--env", "harvest", "--out", str(tmp_path), "--resume",
                 "--no-plot"]) == 0  # fmt: skip
    raw = [e.step for e in events(tmp_path / "tensorboard") for v in e.summary.value
           if v.tag == "update"]  # fmt: skip
    assert raw == [16, 32, 48, 48, 64]  # update 3 ran twice: TensorBoard shows the second
    assert_mirrors_progress(tmp_path)


def test_tensorboard_asked_for_and_missing_is_refused_before_any_work(tmp_path, monkeypatch,
                                                                      capsys):  # fmt: skip
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import tensorboardX fails
    with pytest.raises(SystemExit) as stop:
        main(["train", *TINY, "--env-steps", "16", "--out", str(tmp_path / "r"),
              "--tensorboard"])  # fmt: skip
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == "" and "Traceback" not in err
    assert "--tensorboard needs tensorboardX" in err and "pip install tensorboardx" in err
    assert not (tmp_path / "r").exists()
    main(["train", *TINY, "--env-steps", "16", "--out", str(tmp_path / "r")])  # not asked
    assert (tmp_path / "r" / "progress.csv").exists()
    assert not (tmp_path / "r" / "tensorboard").exists()


@needs_tensorboardx
def test_no_tensorboard_writes_no_event_file(tmp_path, capsys):
    main(["train", *TINY, "--env-steps", "16", "--out", str(tmp_path), "--no-tensorboard"])
    assert "TensorBoard" not in capsys.readouterr().out
    assert not (tmp_path / "tensorboard").exists()


@needs_tensorboardx
def test_two_starts_in_one_second_keep_both_event_files(tmp_path):
    """Event file names hold the time in whole seconds; each start's file also names its
    first update, so a quick resume cannot overwrite the stopped run's file."""
    for update in (1, 2):
        log = TensorBoard(str(tmp_path), log=lambda *args: None)
        log(None, {"update": update, "env_steps": 16 * update, "lr": 0.1}, [])
        log.close()
    assert sorted(scalars(tmp_path)["update"].items()) == [(16, 1.0), (32, 2.0)]
