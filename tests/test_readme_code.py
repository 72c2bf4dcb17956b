"""Every code block of the README and of the pages in docs/ runs: Python blocks are executed
(in a scratch folder), and every `aga-ref ...` line of a shell block is parsed by the real
command line, so a renamed flag or command turns this red. Scripts a block names must
exist."""

import argparse
import glob
import os
import re
import shlex

import hypothesis
import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")
PAGES = [os.path.join(ROOT, "README.md"), *sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))]
SETTINGS, FEW = hypothesis.settings, 5
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", flags=re.S | re.M)
BLOCKS = [b for page in PAGES for b in FENCE.findall(open(page, encoding="utf-8").read())]


def blocks(language):
    return [(i, re.sub(rf"^{indent}", "", body, flags=re.M))
            for i, (indent, lang, body) in enumerate(BLOCKS) if lang == language]  # fmt: skip


def test_the_readme_has_the_blocks_this_test_reads():
    assert len(blocks("python")) >= 4 and len(blocks("bash")) >= 6


def few_examples(*args, max_examples=FEW, **kwargs):
    """``hypothesis.settings`` with at most ``FEW`` examples: this test checks that a page's
    property tests run and pass; tests/test_testing.py tests their strategies and checks.
    docs/verify.md's 20 examples of two properties took 23 s at a load of 6 on 2 cores."""
    return SETTINGS(*args, max_examples=min(max_examples, FEW), **kwargs)


@pytest.mark.parametrize("index, code", blocks("python"), ids=lambda x: str(x)[:12])
def test_python_block_runs(index, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks may write files (runs/demo)
    monkeypatch.setattr(hypothesis, "settings", few_examples)  # the block imports it after
    exec(compile(code, f"README.md block {index}", "exec"), {"__name__": "readme"})


class Parsed(Exception):
    """Raised in place of running a command once its arguments parsed."""


def commands():
    """(block index, argv) for every `aga-ref` line and (index, path) for every script."""
    found = []
    for index, code in blocks("bash"):
        for line in code.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].strip()
            for part in re.split(r"&&|\|", line):
                part = re.split(r"[<>]", part)[0]  # drop redirections
                words = shlex.split(part.strip().replace("$(", "").replace(")", ""))
                if words[:1] == ["aga-ref"]:
                    found.append((index, words[1:]))
                elif words[:1] == ["python"] and words[1:2] and words[1].endswith(".py"):
                    found.append((index, words[1]))
    return found


@pytest.mark.parametrize("index, argv", commands(), ids=lambda x: " ".join(x)[:40]
                         if isinstance(x, list) else str(x))  # fmt: skip
def test_shell_commands_parse(index, argv, monkeypatch):
    if isinstance(argv, str):  # a script
        assert os.path.isfile(os.path.join(ROOT, argv)), argv
        return
    from figures.cli import main

    real = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        parsed = real(self, args, namespace)
        if self.prog != "aga-ref":  # the subcommand's own parser: done
            raise Parsed(parsed)
        if parsed.command in ("reproduce", "cases", "demo"):  # parsed by the top level
            raise Parsed(parsed)
        return parsed

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    with pytest.raises(Parsed):
        main(argv)
