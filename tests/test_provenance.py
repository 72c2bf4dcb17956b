"""A run's config.json names the commit of the code that made it (figures/provenance.py)."""

import json
import subprocess

import pytest

from figures import provenance
from figures.cli import main


def _git(folder, *args):
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git checkout with one commit, standing in for aga-ref's."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    _git(tmp_path, "add", "a.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    monkeypatch.setattr(provenance, "ROOT", str(tmp_path))
    return tmp_path


def test_a_clean_checkout_is_named_by_its_commit(repo):
    assert provenance.code_version() == f"commit {_git(repo, 'rev-parse', 'HEAD')[:12]}"


def test_changed_tracked_files_are_said_and_untracked_ones_are_not(repo):
    (repo / "notes.txt").write_text("untracked\n")
    assert "uncommitted" not in provenance.code_version()
    (repo / "a.py").write_text("x = 2\n")
    assert provenance.code_version().endswith(" with uncommitted changes")


def test_outside_a_checkout_the_package_version_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "ROOT", str(tmp_path))
    assert provenance.code_version().endswith("(not a git checkout)")


def test_a_run_records_its_command_with_the_commit_as_a_shell_comment(repo, tmp_path):
    out = tmp_path / "run"
    argv = ["train", "--env", "harvest", "--num-envs", "2", "--num-steps", "8",
            "--max-steps", "20", "--env-steps", "16", "--no-plot", "--out", str(out)]  # fmt: skip
    main(argv)
    (command,) = json.loads((out / "config.json").read_text())["commands"]
    sha = _git(repo, "rev-parse", "HEAD")[:12]
    assert command == f"aga-ref {' '.join(argv)}  # commit {sha}"
    # the note is a comment: the shell sees the command alone
    assert subprocess.run(["bash", "-c", f"set -- {command}\necho $#"], capture_output=True,
                          text=True).stdout.strip() == str(len(argv) + 1)  # fmt: skip
