"""Every file the README or a page in docs/ links or embeds is in the git tree, so a fresh
clone shows it, and every anchor (`page.md#section`, `#section`) names a heading of its page
as GitHub spells it."""

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^ *```.*?^ *```", flags=re.S | re.M)


def tracked_files():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return set(out.splitlines())


def pages():
    tracked = tracked_files()
    return ["README.md"] + sorted(p for p in tracked if p.startswith("docs/") and p.endswith(".md"))


def read(page):
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        return f.read()


def _links(page):
    """The page's local links as (path from the repository root, anchor or "")."""
    folder = os.path.dirname(page)
    found = []
    for link in LINK.findall(FENCE.sub("", read(page))):
        if "://" in link or link.startswith("mailto:"):
            continue
        path, _, anchor = link.partition("#")
        found.append((os.path.normpath(os.path.join(folder, path)) if path else page, anchor))
    return found


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page):
    """Every anchor of ``page``'s headings (code blocks left out), repeats numbered as
    GitHub numbers them (``name``, ``name-1``, ...)."""
    seen, found = {}, set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", FENCE.sub("", read(page)), flags=re.M):
        name = slug(heading)
        found.add(f"{name}-{seen[name]}" if name in seen else name)
        seen[name] = seen.get(name, 0) + 1
    return found


def test_the_slug_is_githubs():
    assert slug("2. Why AgA with lam = 100 stalls") == "2-why-aga-with-lam--100-stalls"
    assert slug("Read `aga_ref/aga.py`") == "read-aga_refagapy"


def test_every_local_link_of_the_readme_and_the_docs_is_tracked():
    tracked = tracked_files()
    assert _links("README.md"), "the README links no files: the pattern is wrong"
    for page in pages():
        missing = sorted({path for path, _ in _links(page)} - tracked)
        assert not missing, f"{page} links files that a clone would not have: {missing}"


def test_every_anchor_names_a_heading_of_its_page():
    for page in pages():
        for path, anchor in _links(page):
            if anchor and path.endswith(".md"):
                assert anchor in anchors(path), f"{page} links {path}#{anchor}: no such heading"
