"""Writing figures and tables: PNG via matplotlib (Agg), tables as Markdown and CSV."""

import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def colours(n):
    """``n`` distinct colours: tab10 up to 10, tab20 up to 20 (then they repeat)."""
    cmap, size = (plt.cm.tab10, 10) if n <= 10 else (plt.cm.tab20, 20)
    return [cmap(k % size) for k in range(n)]


def save_figure(fig, out_dir, name):
    """Save ``fig`` as ``out_dir/name.png`` and close it; return the path."""
    path = os.path.join(out_dir, f"{name}.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def markdown_table(header, rows):
    """A Markdown table from a header and rows of already formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def save_table(out_dir, name, header, rows, title=""):
    """Write ``name.md`` (with an optional title line) and ``name.csv``; return the Markdown."""
    text = (f"{title}\n\n" if title else "") + markdown_table(header, rows)
    with open(os.path.join(out_dir, f"{name}.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(out_dir, f"{name}.csv"), "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return text
