"""The commands beside ``aga-ref plot``'s results: ``summary.md`` (and the README section
that ``--update-readme`` writes) names the commands that made the runs, as each run's
``config.json`` recorded them (``aga-ref train``, or the ``aga-ref sweep`` that launched
it), and the plot command itself, never one that did not run.
"""

import glob
import os
import shlex

from figures.arguments import plural
from figures.reproduce import PREFIX


def summary(configs, paths, command=None, waiting=()):
    """Markdown of every figure and table written, after the commands that made them: those
    recorded in the runs' ``config.json`` (``aga-ref train`` or the ``aga-ref sweep`` that
    launched it, each once) and ``command``, the plot's own if it was a separate one. Image
    links start with ``{prefix}``, filled in by ``reproduce.update_readme``."""
    commands, unrecorded = [], 0
    for config in configs:
        made = config.get("commands") or []
        unrecorded += not made
        commands += [c for c in made if c not in commands]
    commands += [command] if command else []
    runs = plural(len(configs), "run")
    text = [f"Generated from {runs} by\n\n```bash\n" + "\n".join(commands) + "\n```\n"
            if commands else f"Generated from {runs}.\n"]  # fmt: skip
    if unrecorded:
        text.append(f"({plural(unrecorded, 'run')} of these recorded no command in its "
                    "config.json: made before aga-ref recorded them.)\n")  # fmt: skip
    if waiting:
        text.append(f"No episode had finished in {', '.join(waiting)}: no curve for "
                    f"{'it' if len(waiting) == 1 else 'them'}.\n")  # fmt: skip
    for path in paths:
        name = os.path.basename(path)
        if name.endswith(".png") or name.endswith(".gif"):
            text.append(f"![{name}]({PREFIX}{name})\n")
        elif name.endswith(".md") and name != "summary.md":
            with open(path, encoding="utf-8") as f:
                text.append(f.read())
    return "\n".join(text)


def plot_command(argv):
    """The ``aga-ref plot`` command line of ``argv``, each folder's whole set of runs written
    back as the shell pattern ``PARENT/*/`` that expands to it."""
    words, k = [], 0
    while k < len(argv):
        parent = os.path.dirname(os.path.normpath(argv[k]))
        every = sorted(os.path.normpath(p) for p in glob.glob(os.path.join(parent or ".", "*", "")))
        span = [os.path.normpath(a) for a in argv[k : k + len(every)]]
        if os.path.isdir(argv[k]) and len(every) > 1 and sorted(span) == every:
            words.append((shlex.quote(os.path.join(parent, "")) if parent else "") + "*/")
            k += len(every)
        else:
            words.append(shlex.quote(argv[k]))
            k += 1
    return "aga-ref plot " + " ".join(words)
