"""``aga-ref train --preset NAME`` (and ``aga-ref sweep --preset NAME``, which passes it to
every run): start from a named set of learner options (``aga_ref.rl.presets``; ``mappo``:
MAPPO's defaults, docs/rl.md "MAPPO's configuration"). Options written on the command line
override the preset's values. ``config.json`` records the resolved values, as always, and
the preset's name under ``preset`` (null without one). On ``--resume`` the preset counts as
given: its values must equal the run's (``figures/train_resume.py``); a resume without
``--preset`` keeps the run's values and the name it recorded.
"""

from aga_ref.rl.presets import PRESETS


def add_preset_option(parser):
    parser.add_argument("--preset", choices=sorted(PRESETS), default=None,
                        help="start from a named set of the options above: mappo, MAPPO's "
                        "defaults (docs/rl.md); options given override it")  # fmt: skip


def apply_preset(args, given):
    """Give the preset's fields that the command line leaves out (not in ``given``, the
    destinations it sets) the preset's values; return ``given`` with the preset's fields."""
    if args.preset is None:
        return given
    for name, value in PRESETS[args.preset].items():
        if name not in given:
            setattr(args, name, value)
    return given | set(PRESETS[args.preset])


def preset_meta(args):
    """What ``config.json`` records of the preset: its name, or nothing on a resume
    without ``--preset`` (the run's record stays)."""
    return {"preset": args.preset} if args.preset is not None or not args.resume else {}
