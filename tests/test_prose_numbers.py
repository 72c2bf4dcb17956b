"""Every number in the prose of docs/learning.md, docs/results.md and docs/mmm2.md is in a
committed data file (issue 27, item 5), matched at the precision the prose states it.

The rules (``tests/prose_numbers.py`` has them in full; docs/testing.md too):

- prose is the page without fenced code, HTML comments, inline code, link targets and
  images; tables count;
- a number is digits not glued to a letter, ``_`` or ``.``, with its sign, thousands
  separators, decimals, exponent, ``k``/``M`` suffix and ``%``;
- it is found when a value of a git-tracked ``.csv``/``.md``/``.json`` file under
  docs/results rounds to it at its last stated digit (``0.88``: [0.875, 0.885]); a stated
  sign must match, an unsigned number matches either sign, ``N%`` also matches N/100, and
  both halves of ``A +- B`` must stand on one line of one data file;
- section numbers, list markers, "section 2.4", "issue 27", dates and "N% of the paper's"
  are exempt everywhere (``NOT_RESULTS``); what else is not a result is in ``ALLOWED``
  below, as a phrase of the page with its reason. No phrase may hold a result, each must
  occur on its page and hold a number that would otherwise be reported.

Approximate by nature: a small integer is found almost anywhere, so a hit is no proof; a
miss names the page and line of a number that no committed file backs.
"""

import os

import pytest

from tests.prose_numbers import ROOT, caught, data_files, missing, phrase_pattern, pool, prose

# Per page: a phrase of its prose (whitespace-insensitive) -> why its numbers are no result.
ALLOWED = {
    "docs/learning.md": {
        "2e7": "the paper's budget per run (docs/paper.md), or ours planned at it: no outcome",
        "the 675 x 64 input layer": "the actor's shape: Harvest's observation size",
        "The plan was 2M env-steps": "a planned budget that was not run",
        "a return below -1,000": "the definition of 'stalls', written before the runs",
    },
    "docs/results.md": {
        "about 2e7": "the paper's budget per run (docs/paper.md), not a run of ours",
        "about 75 minutes": "the grid's wall-clock time on this machine: compute, no outcome",
    },
    "docs/mmm2.md": {
        "the 176 observation features": "the observation's size: the game's interface",
    },
}


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def data():
    return pool([(path, read(path)) for path in data_files()])


def report(page, found):
    return "\n".join(f"{page}:{line}: {token}" for line, _, token in found)


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_every_number_in_the_prose_is_in_a_committed_file(page, data):
    found = missing(read(page), data, ALLOWED[page])
    assert not found, "numbers that no committed file under docs/results backs:\n" + report(
        page, found
    )


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_each_allowed_phrase_is_on_its_page_and_needed(page, data):
    text, clean = read(page), prose(read(page))
    reported = {start for _, start, _ in missing(text, data)}
    for phrase in ALLOWED[page]:
        spans = [m.span() for m in phrase_pattern(phrase).finditer(clean)]
        assert spans, f"{page}: allowed phrase {phrase!r} is not in its prose"
        assert any(a <= s < b for s in reported for a, b in spans), (
            f"{page}: allowed phrase {phrase!r} holds no number that would be reported"
        )


def test_planted_numbers_are_reported_with_page_and_line(data):
    page = "docs/learning.md"
    lines = read(page).splitlines()
    # a made-up result; a real mean with a made-up half-width; both into ordinary paragraphs
    at = [i for i, line in enumerate(lines) if line.startswith("Every prediction below")][0]
    lines[at] += " AgA reached +12,345.6 here."
    lines[at + 1] += " Simul-Ind ended at +405 +- 7.7."
    found = missing("\n".join(lines), data, ALLOWED[page])
    before = {(line, token) for line, _, token in missing(read(page), data, ALLOWED[page])}
    assert [(line, token) for line, _, token in found if (line, token) not in before] == [
        (at + 1, "+12,345.6"), (at + 2, "+405"), (at + 2, "7.7")
    ]  # fmt: skip
    assert f"{page}:{at + 1}: +12,345.6" in report(page, found)


def test_precision_sign_and_suffix_rules():
    text = "A +423 +- 4, B -3,014, C 0.88, D 2.6k, E 9.0e-4, F 12%, G 1/16."
    data = pool([("a.md", "| 422.502 +- 3.643 |\n-3013.542 0.8849 2649 0.000904 0.12 16")])
    assert missing(text, data) == []
    wrong = "A +424 +- 4, B +3,014, C 0.89, D 2.7k, E 9.1e-4, F 13%"
    assert [token for _, _, token in missing(wrong, data)] == [
        "+424", "4", "+3,014", "0.89", "2.7k", "9.1e-4", "13%"
    ]  # fmt: skip


def test_code_links_images_words_and_named_numbers_are_not_numbers():
    text = (
        "```bash\nrun 77\n```\n`lam = 77` [x](a77.md) ![y](b/77.png) MMM2 h_2 T5 0e88e2e\n"
        "## 6.1 Outcome\n1. first\nsection 2.4, issue 27, Eq. 1, on 2026-12-07, "
        "Kim (2025), 1.5% of the paper's budget\nbut 77 here"
    )
    assert [token for _, _, token in missing(text, pool([]))] == ["77"]
    assert missing(text, pool([]))[0][0] == 8


def test_caught_counts_a_moved_number_only_when_no_value_backs_it():
    data = pool([("a.csv", "422.502,7,10")])
    # 422.502 + 0.003 backs nothing; 7 + 3 = 10 is in the file, so that move goes unseen
    assert caught("A 422.502 and 7.", data) == {1: (0, 1), 4: (1, 1)}
