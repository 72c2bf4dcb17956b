"""The licence and the citation (issue 29, item 1): LICENSE is the MIT text, the package's
metadata built from setup.py names it, CITATION.cff is valid Citation File Format 1.2.0
YAML for the software that cites the paper, and the README's BibTeX agrees with it."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAPER = {"title": "Aligning Individual and Collective Objectives in Multi-Agent Cooperation",
         "year": 2024, "volume": 37, "start": 44735, "end": 44760}  # fmt: skip


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def test_license_is_the_mit_text():
    text = read("LICENSE")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_the_built_metadata_names_the_licence_and_its_file(tmp_path):
    # the real build step (setuptools' egg_info), not a look at setup.py's text
    done = subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "-e", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    info = (tmp_path / "aga_ref.egg-info" / "PKG-INFO").read_text()
    assert re.search(r"^License(-Expression)?: MIT$", info, flags=re.M), info[:600]
    assert re.search(r"^License-File: LICENSE$", info, flags=re.M)
    requires = (tmp_path / "aga_ref.egg-info" / "requires.txt").read_text()
    assert "threadpoolctl>=3" in requires  # train, family, reproduce limit BLAS with it


def test_citation_cff_is_valid_and_cites_the_paper():
    yaml = pytest.importorskip("yaml")  # in the test extra
    cff = yaml.safe_load(read("CITATION.cff"))
    # the keys CFF 1.2.0 requires, and the ones GitHub's "Cite this repository" reads
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software" and cff["message"] and cff["title"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert cff["license"] == "MIT"
    assert str(cff["version"]) in read("setup.py")
    paper = cff["preferred-citation"]
    assert paper["type"] == "conference-paper"
    assert {k: paper[k] for k in PAPER} == PAPER
    assert [a["family-names"] for a in paper["authors"]][:1] == ["Li"]
    assert len(paper["authors"]) == 7
    assert "2402.12416" in paper["url"]


def test_readme_cite_section_gives_bibtex_matching_the_cff():
    readme = read("README.md")
    section = readme.split("\n## Cite\n", 1)[1]
    entries = re.findall(r"^@(\w+)\{", section, flags=re.M)
    assert entries == ["inproceedings", "software"]
    assert f"title     = {{{PAPER['title']}}}" in section
    assert f"pages     = {{{PAPER['start']}--{PAPER['end']}}}" in section
    assert f"volume    = {{{PAPER['volume']}}}" in section and "2402.12416" in section
    assert section.count("{") == section.count("}")  # BibTeX's braces balance
    assert "[LICENSE](LICENSE)" in section and "[CITATION.cff](CITATION.cff)" in section
