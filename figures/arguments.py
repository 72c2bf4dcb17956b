"""What the ``aga-ref`` commands share on their command lines: integer options that accept
``1e6``, output folders checked before any work, options the chosen settings would ignore
refused, the learner's field names turned into the flags the user typed, and a command's
description from its docstring.

Every check here runs before a command prints or writes anything, and fails through
``parser.error``: one line naming the flag, what was expected and what was given.
"""

import argparse
import os
import re
import textwrap


def integer(text):
    """argparse type: an integer, also written as a whole number in scientific notation
    (``1e6``) or with underscores (``1_000_000``)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    return int(value)


def count(minimum):
    """argparse type: an integer (as ``integer``) >= ``minimum``."""

    def parse(text):
        value = integer(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def aga_lam(text):
    """argparse type: AgA's lam with the sign rule on, a finite number > 0 (the rule chooses
    its sign, so only ``|lam|`` is given; ``aga_ref.aga.check_aligned_lam``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a number > 0: the sign rule chooses lam's sign, so give |lam| "
            f"(0 would be Simul-Co); got {text!r}"
        )
    return value


def description(doc):
    """A command's description for ``--help``: its docstring's first paragraph, wrapped,
    without reStructuredText's double backticks."""
    first = doc.strip().split("\n\n")[0]
    return textwrap.fill(" ".join(first.replace("``", "").split()), 79)


def plain(doc):
    """A whole docstring for a raw ``--help`` description, double backticks removed."""
    return doc.replace("``", "")


def out_folder(parser, path, flag="--out"):
    """Create the output folder ``path`` (and its parents) or fail naming ``flag``; call it
    last among the checks, just before the work."""
    if os.path.exists(path) and not os.path.isdir(path):
        parser.error(f"{flag} must name a folder, got {path!r}, which is a file")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        parser.error(f"{flag} {path!r}: cannot create the folder ({error.strerror})")
    if not os.access(path, os.W_OK):
        parser.error(f"{flag} {path!r}: the folder is not writable")


def given(parser, args, dest):
    """Whether the option ``dest`` differs from its default (was given on the command line)."""
    return getattr(args, dest) != parser.get_default(dest)


def refuse_unused(parser, args, rules):
    """Refuse options that the rest of the command line would ignore. ``rules``: (dest,
    applies, why) triples; ``dest`` given while ``applies`` is False is an error."""
    for dest, applies, why in rules:
        if given(parser, args, dest) and not applies:
            flag = "--" + dest.replace("_", "-")
            parser.error(f"{flag} does not apply {why}; leave it out")


def flag_names(message, names):
    """An error ``message`` about the option ``names`` (``Config``'s fields, say) with those
    names as command-line flags: a name at the start, ``name=value``, or any name with an
    underscore (``env_steps``) becomes ``--env-steps``; ``name=False`` of a switch becomes
    ``--no-name``."""
    for name in sorted(names, key=len, reverse=True):
        flag = "--" + name.replace("_", "-")
        message = re.sub(rf"\b{name}=False\b", "--no-" + flag[2:], message)
        message = re.sub(rf"\b{name}=True\b", flag, message)
        message = re.sub(rf"\b{name}=", flag + " ", message)
        message = re.sub(rf"^{name}\b", flag, message)
        if "_" in name:
            message = re.sub(rf"(?<![-\w]){name}\b", flag, message)
    return message


def plural(number, word):
    """``1 update``, ``2 updates``, ``1,024 updates``."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"
