"""Find the numbers in a page's prose and look each up among the values of committed data
files, at the precision the prose states it (issue 27: every number quoted in the prose of
docs/learning.md, docs/results.md and docs/mmm2.md is in a committed file).

The rules, in order (tests/test_prose_numbers.py and docs/testing.md state them too):

- What counts as prose: every line of the page except fenced code blocks, HTML comments,
  inline code spans, link targets ``](...)`` and images ``![...](...)``; tables are prose.
- What counts as a number: digits not glued to a letter, digit, ``_`` or ``.`` on either
  side (so ``MMM2``, ``h_2``, ``float32``, ``T5`` and commit hashes are not numbers), with an
  optional sign (``+``, ``-``, U+2212), thousands separators (``2,120``), decimals, an
  exponent (``9.0e-4``), a suffix ``k`` (1e3) or ``M`` (1e6), and an optional ``%``.
- Its precision is half a unit of its last stated digit, scaled by its exponent and suffix:
  ``0.88`` is [0.875, 0.885], ``-3,014`` is [-3,014.5, -3,013.5], ``2.6k`` is [2,550, 2,650].
- It is found when some value of a data file lies in that range. A stated sign must match;
  an unsigned number matches a value of either sign (prose writes "differ by 1,870" for a
  table's -1,870). ``N%`` matches N or N/100 at the stated precision. A pair ``A +- B``
  (or ``A ± B``) is found only when one line of one data file holds both.
- The pool is every number in the text of the git-tracked ``.csv``, ``.md`` and ``.json``
  files under docs/results (read the same way, without the prose rules; in ``.md`` files
  ``2,120`` also counts as 2120).

The matching is approximate by nature: a small integer is found almost anywhere, and so is
a lone three-decimal number between 0 and 1, so a miss is evidence and a hit is not proof
(docs/testing.md gives the share of altered numbers it catches). The rules that exempt a
number (headings' section numbers, list markers, "section 2.4", dates) are ``NOT_RESULTS``;
each page's own exemptions are phrases in the test, each with its reason."""

import os
import re
import subprocess
from bisect import bisect_left

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_EXTENSIONS = (".csv", ".md", ".json")

NUMBER = re.compile(
    r"(?<![\w.,])"                                  # not glued to a word, decimal or list
    r"(?P<sign>[+\-\u2212])?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+)"        # 2,120 or 2120
    r"(?:\.(?P<frac>\d+))?"
    r"(?:e(?P<exp>[+\-]?\d+))?"
    r"(?P<suffix>[kM])?"
    r"(?P<pct>%)?"
    r"(?![\w]|\.\d)"
)  # fmt: skip
# the pool reads data, where "5,100" in a CSV row is two values
PLAIN = re.compile(r"(?<![\w.])[+\-]?\d+(?:\.\d+)?(?:[eE][+\-]?\d+)?(?![\w.])")
THOUSANDS = re.compile(r"(?<![\w.,])[+\-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,]|\.\d)")

PLUS_MINUS = re.compile(r"\s*(?:\+-|\u00b1)\s*")

FENCE = re.compile(r"^ *```.*?^ *```[^\n]*$", flags=re.S | re.M)
COMMENT = re.compile(r"<!--.*?-->", flags=re.S)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
CODE_SPAN = re.compile(r"`[^`]+`")  # may wrap a line; fences are gone by then

# Numbers that name something rather than measure it, on every page.
NOT_RESULTS = {
    "a heading's section number": re.compile(r"^#+ +(?P<n>\d+(?:\.\d+)*)\.? ", flags=re.M),
    "a numbered list's marker": re.compile(r"^ *(?P<n>\d+)\. ", flags=re.M),
    "a reference to a section, issue, item, equation or figure": re.compile(
        r"\b(?:[Ss]ections?|[Ii]ssues?|items?|Eq\.|Fig\.|Sec\.) +"
        r"(?P<n>\d+(?:\.\d+)?(?:(?:,| and| to|-) *\d+(?:\.\d+)?)*)"
    ),
    "a budget's share of the paper's": re.compile(r"(?P<n>\d+(?:\.\d+)?)% of the paper's"),
    "a date": re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])"),
    "a year in a citation": re.compile(r"\((?P<n>(?:19|20)\d{2})\)"),
}


def prose(text):
    """``text`` with everything that is not prose blanked out, offsets and lines kept."""

    def blank(match):
        return re.sub(r"[^\n]", " ", match.group(0))

    for pattern in (FENCE, COMMENT, IMAGE, LINK_TARGET, CODE_SPAN):
        text = pattern.sub(blank, text)
    return text


def value_and_tolerance(match):
    """The number a ``NUMBER`` match states and half a unit of its last digit."""
    digits = match["int"].replace(",", "") + ("." + match["frac"] if match["frac"] else "")
    scale = 10.0 ** int(match["exp"] or 0) * {"k": 1e3, "M": 1e6, None: 1.0}[match["suffix"]]
    tolerance = 0.5 * 10.0 ** -len(match["frac"] or "") * scale
    return float(digits) * scale, tolerance


def numbers(text):
    """Every number of the prose of ``text``: (line, offset, token, value, tolerance, sign),
    sign +1, -1, or 0 when the prose states none."""
    clean = prose(text)
    found = []
    for match in NUMBER.finditer(clean):
        value, tolerance = value_and_tolerance(match)
        sign = {None: 0, "+": 1}.get(match["sign"], -1)
        line = clean.count("\n", 0, match.start()) + 1
        found.append((line, match.start(), match.group(0), value, tolerance, sign))
    return found


def spans(text, patterns):
    """(start, end) in the prose of ``text`` of each match of ``patterns`` (of its group
    ``n`` where it has one)."""
    clean = prose(text)
    found = []
    for pattern in patterns:
        group = "n" if "n" in pattern.groupindex else 0
        found += [match.span(group) for match in pattern.finditer(clean)]
    return found


def phrase_pattern(phrase):
    """A page's allow-list phrase as a pattern in which any whitespace stands for a space."""
    return re.compile(r"\s+".join(re.escape(word) for word in phrase.split()))


def data_files(root=ROOT):
    """The git-tracked data files under docs/results (every file there outside git)."""
    folder = os.path.join(root, "docs", "results")
    try:
        out = subprocess.run(["git", "ls-files", "docs/results"], cwd=root, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        paths = [os.path.join(root, p) for p in out.splitlines()]
    except (OSError, subprocess.CalledProcessError):
        paths = [os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs]
    return sorted(p for p in paths if p.endswith(DATA_EXTENSIONS) and os.path.exists(p))


def pool(texts):
    """(values, line ids): every number of the data ``texts`` (``(name, text)`` pairs),
    sorted, with the line it stands on; ``2,120`` in a .md file also counts as 2120."""
    entries = []
    for name, text in texts:
        for number, line in enumerate(text.splitlines()):
            entries += [(float(v), (name, number)) for v in PLAIN.findall(line)]
            if name.endswith(".md"):
                entries += [(float(v.replace(",", "")), (name, number))
                            for v in THOUSANDS.findall(line)]  # fmt: skip
    entries.sort(key=lambda entry: entry[0])
    return [v for v, _ in entries], [line for _, line in entries]


def backing_lines(data, value, tolerance, sign, percent=False):
    """The data lines holding a value that rounds to the stated number (a set of ids)."""
    values, lines = data
    slack = tolerance * (1 + 1e-9) + 1e-12
    targets = [(v, slack) for v in {1: [value], -1: [-value]}.get(sign, [value, -value])]
    if percent:  # 9% is 9 or 0.09
        targets += [(v / 100, t / 100) for v, t in targets]
    found = set()
    for target, tol in targets:
        i = bisect_left(values, target - tol)
        while i < len(values) and values[i] <= target + tol:
            found.add(lines[i])
            i += 1
    return found


def _backed(found, k, clean, data, value=None):
    """Whether the ``k``-th of ``found`` (``numbers``) is backed; ``value`` replaces its own."""
    line, start, token, own, tolerance, sign = found[k]
    value = own if value is None else value
    lines = backing_lines(data, value, tolerance, sign, percent=token.endswith("%"))
    before = found[k - 1] if k else None
    after = found[k + 1] if k + 1 < len(found) else None
    if after and PLUS_MINUS.fullmatch(clean[start + len(token) : after[1]]):
        lines &= backing_lines(data, *after[3:6])  # A of "A +- B"
    elif before and PLUS_MINUS.fullmatch(clean[before[1] + len(before[2]) : start]):
        lines &= backing_lines(data, *before[3:6])  # B of "A +- B"
    return bool(lines)


def _checked(text, phrases):
    """The prose, its numbers, and the indices of those that no rule or phrase exempts."""
    clean = prose(text)
    exempt = spans(text, NOT_RESULTS.values())
    exempt += spans(text, [phrase_pattern(phrase) for phrase in phrases])
    found = numbers(text)
    kept = [k for k, n in enumerate(found) if not any(a <= n[1] < b for a, b in exempt)]
    return clean, found, kept


def missing(text, data, phrases=()):
    """The numbers of ``text``'s prose that ``data`` (from ``pool``) does not back and that
    neither a rule of ``NOT_RESULTS`` nor an allow-list phrase exempts, as (line, offset,
    token). Both numbers of a pair ``A +- B`` must stand on one data line."""
    clean, found, kept = _checked(text, phrases)
    return [found[k][:3] for k in kept if not _backed(found, k, clean, data)]


def caught(text, data, phrases=(), shift=3):
    """{significant digits (1 to 4, 4 for 4 or more): (caught, tried)}: each backed number of the
    prose moved by ``shift`` units of its last digit, and whether the check reports it."""
    clean, found, kept = _checked(text, phrases)
    counts = {}
    for k in kept:
        if not _backed(found, k, clean, data):
            continue
        token, value, tolerance = found[k][2], found[k][3], found[k][4]
        mantissa = re.sub(r"e.*|[^0-9e]", "", token.replace(",", "")).lstrip("0")
        digits = max(1, min(len(mantissa), 4))
        hit, tried = counts.get(digits, (0, 0))
        moved = value + shift * 2 * tolerance
        counts[digits] = (hit + (not _backed(found, k, clean, data, moved)), tried + 1)
    return dict(sorted(counts.items()))


if __name__ == "__main__":  # python -m tests.prose_numbers PAGE...: what the check catches
    import sys

    from tests.test_prose_numbers import ALLOWED

    texts = [(path, open(path, encoding="utf-8").read()) for path in data_files()]
    data = pool(texts)
    for page in sys.argv[1:] or sorted(ALLOWED):
        with open(os.path.join(ROOT, page), encoding="utf-8") as f:
            counts = caught(f.read(), data, ALLOWED.get(page, ()))
        shares = ", ".join(f"{d}{'+' if d == 4 else ''}: {h}/{n}" for d, (h, n) in counts.items())
        print(f"{page}: numbers moved by 3 in their last digit, caught by significant digits: "
              f"{shares}")  # fmt: skip
