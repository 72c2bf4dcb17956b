"""Every file the README or a page in docs/ links or embeds is in the git tree, so a fresh
clone shows it."""

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tracked_files():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return set(out.splitlines())


def _local_links(page):
    """The page's local links, as paths from the repository root."""
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        links = re.findall(r"\]\(([^)#\s]+)\)", f.read())
    folder = os.path.dirname(page)
    return [os.path.normpath(os.path.join(folder, link)) for link in links if "://" not in link]


def test_every_local_link_of_the_readme_and_the_docs_is_tracked():
    tracked = tracked_files()
    pages = ["README.md"] + sorted(
        p for p in tracked if p.startswith("docs/") and p.endswith(".md")
    )
    assert _local_links("README.md"), "the README links no files: the pattern is wrong"
    for page in pages:
        missing = sorted(set(_local_links(page)) - tracked)
        assert not missing, f"{page} links files that a clone would not have: {missing}"
