"""``aga-ref train``'s checks of what ``--out`` holds: the folder is locked for this
trainer first (``figures/run_lock.py``), then a run there is continued (``--resume``),
replaced (``--overwrite``) or refused. ``--resume-or-start`` continues the run if the folder
holds its checkpoint and starts it otherwise (replacing the files of a run that never reached
its first checkpoint), so that a scheduler can run the same line again and again until the
run is complete. On resume, options left out take the run's values; options given must
equal the run's, except ``--env-steps``, which may grow
(``aga_ref.rl.checkpoint.config_changes``). A finished run is reported as complete; a
missing folder or checkpoint is refused. A config.json that is missing or unreadable is
rebuilt from the checkpoint, which holds the learner's settings and the environment (not the
commands recorded, nor the preset's name), and one line says so. ``aga-ref sweep`` checks
its runs with the same comparison before any starts (``sweep_refusal``); a sweep's trainer
names the sweep's way out, not ``--overwrite``, which the sweep sets itself.
"""

import dataclasses
import json
import os

from aga_ref.rl.checkpoint import (
    config_changes,
    saved_config,
    saved_environment,
    usable_checkpoint,
)
from aga_ref.rl.config import Config
from aga_ref.rl.runfiles import RunFileUnreadable, RunFolderUnwritable, read_json, replaced
from figures import run_lock
from figures.arguments import out_folder, plural

ENV_SETTINGS = ("env", "num_agents", "max_steps")  # in config.json; the checkpoint pickles the env


def run_in(folder):
    """The first file of a run that ``folder`` holds, or None."""
    for name in ("checkpoint.npz", "progress.csv", "config.json"):
        if os.path.isfile(os.path.join(folder, name)):
            return name
    return None


def claim(parser, args, given, out, command, config):
    """Lock ``out`` for this trainer and settle what ``args`` do with the run it holds:
    (config, the run's earlier commands, the open lock). ``--resume-or-start`` becomes
    ``--resume`` or ``--overwrite`` here. Fails through ``parser.error``, the lock released."""
    if args.resume and not os.path.isdir(out):
        parser.error(f"--resume: the folder {out} does not exist (--out names the run to "
                     f"continue)")  # fmt: skip
    out_folder(parser, out)
    try:
        lock = run_lock.hold(out, command)
    except run_lock.FolderInUse as error:
        parser.error(f"--out {out} is in use: {error}")
    except OSError as error:
        parser.error(f"--out {out}: cannot open its lock file {run_lock.LOCK} "
                     f"({error.strerror})")  # fmt: skip
    try:
        if args.resume_or_start:  # decided under the lock: no other trainer changes the folder
            args.resume = os.path.isfile(os.path.join(out, "checkpoint.npz"))
            args.overwrite = not args.resume
        commands = []
        if args.resume:
            config, commands = resume_settings(parser, args, given, out)
        elif run_in(out) and not args.overwrite:
            parser.error(f"--out {out} already holds a run ({run_in(out)}); give --resume to "
                         f"continue it or --overwrite to replace it")  # fmt: skip
    except BaseException:  # a refusal (SystemExit) included
        lock.close()
        raise
    return config, commands, lock


def spelled(name, value):
    """How a setting reads on the command line: ``--lam 100``, ``--no-align``."""
    flag = "--" + name.replace("_", "-")
    if name == "align":
        return "(no --no-align)" if value else "--no-align"
    if isinstance(value, bool):
        return flag if value else f"--no-{flag[2:]}"
    return f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"


def _dest(name):
    return "no_align" if name == "align" else name


def in_sweep():
    """Whether this trainer is a run of ``aga-ref sweep`` (``figures.train.SWEEP_COMMAND``)."""
    return bool(os.environ.get("AGA_REF_SWEEP_COMMAND"))


def way_out(out, sweep):
    """How to start the run in ``out`` again: ``--overwrite``, or for a run of ``aga-ref
    sweep`` (which sets each run's options, ``--overwrite`` among them) the sweep's way."""
    if sweep:
        return f"to start it again, delete {out} and run the sweep again, or give the " \
            f"sweep another --out"  # fmt: skip
    return "give --overwrite to start the run again"


def changed(out, changes, sweep):
    """The refusal of a command that would change the options of the run in ``out``."""
    listed = "; ".join(f"the run has {spelled(k, a)}, this command {spelled(k, b)}"
                       for k, a, b in changes)  # fmt: skip
    anew = f"A sweep keeps its runs' options: {way_out(out, sweep)}" if sweep else \
        "--overwrite starts a new run there instead"  # fmt: skip
    return (
        f"{out} was made with other options: {listed}. A resumed run keeps its options "
        f"(leave them out); only --env-steps may grow. {anew}"
    )


def sweep_refusal(out, argv):
    """For ``aga-ref sweep``, before any run starts: the refusal when the run in ``out`` has
    other options than the ``aga-ref train`` command line ``argv`` gives it, finished or
    not; None if there are none, or no readable checkpoint (its trainer then says why)."""
    from figures.train import environment_settings, make_parser
    from figures.train_options import config_from, given_options
    from figures.train_preset import apply_preset

    checkpoint = os.path.join(out, "checkpoint.npz")
    if not os.path.isfile(checkpoint):
        return None
    parser = make_parser()
    args = parser.parse_args(argv)  # checked already (figures.sweep.train_options)
    given = apply_preset(args, given_options(parser, argv))
    try:
        environment_settings(args)
        saved = saved_config(checkpoint)[0]
        meta = recorded(out, checkpoint)[0]
        typed = config_from(args)
    except (ValueError, TypeError):  # bad settings, an unreadable file: its trainer says which
        return None
    changes = run_changes(args, given, saved, meta, typed)[0]
    return changed(out, changes, sweep=True) if changes else None


def resume_settings(parser, args, given, out):
    """(config, commands so far) of the run in ``out`` as this command line continues it;
    config is None when the run is already complete. Fails through ``parser.error``."""
    from figures.train import config_from

    flag = "--resume-or-start" if args.resume_or_start else "--resume"  # the one typed
    checkpoint = os.path.join(out, "checkpoint.npz")
    if not os.path.isfile(checkpoint):
        parser.error(f"{flag}: {out} holds no checkpoint.npz, so there is nothing to "
                     f"continue; give --overwrite to start a new run there")  # fmt: skip
    try:  # an unreadable checkpoint: the previous one, or one line (aga_ref.rl.runfiles)
        note = usable_checkpoint(out)
        saved, updates = saved_config(checkpoint)
        meta, lost = recorded(out, checkpoint)
    except (RunFileUnreadable, RunFolderUnwritable) as error:
        parser.error(f"{flag}: {error}; {way_out(out, in_sweep())}")
    if note:
        print(note, flush=True)
    changes, settings = run_changes(args, given, saved, meta, config_from(args))
    if changes:
        parser.error(f"{flag}: {changed(out, changes, in_sweep())}")
    config = Config(**settings)
    if lost:
        _rebuild(parser, out, lost, {**dataclasses.asdict(config), **meta})
    if updates >= config.num_updates:
        print(f"{out} is complete: {plural(updates, 'update')}, "
              f"{updates * config.batch_steps:,} env-steps; give a larger --env-steps to "
              f"extend it")  # fmt: skip
        return None, []
    args.method, args.seed = config.method, config.seed
    args.resumed_from, args.run_preset = updates, meta.get("preset")  # for the banner
    return config, list(meta.get("commands", []))


def run_changes(args, given, saved, meta, typed):
    """([(setting, the run's value, this command's)] for each setting that ``args`` (the
    destinations ``given`` on the command line; ``typed``, their Config) change in the run
    whose checkpoint holds ``saved`` (a config dict) and whose config.json holds ``meta``;
    and the settings that continue the run. Sets ``args``' game settings to the run's."""
    fields = [f.name for f in dataclasses.fields(Config)]
    saved = {k: v for k, v in saved.items() if k in fields}
    settings = {**saved, **{k: getattr(typed, k) for k in fields if _dest(k) in given}}
    changes = [(k, a, b) for k, (a, b) in config_changes(saved, Config(**settings)).items()]
    for name in ENV_SETTINGS:
        if name in meta and ((name == "env" and args.env is not None) or name in given):
            if getattr(args, name) != meta[name]:
                changes.append((name, meta[name], getattr(args, name)))
            setattr(args, name, meta[name])
        elif name in meta:
            setattr(args, name, meta[name])
    return changes, settings


def recorded(out, checkpoint):
    """(the run's config.json, None), or when that file is missing or unreadable, (its
    game settings rebuilt from the checkpoint, which pickles the environment, and the line
    that says so). The checkpoint holds the learner's settings and the environment, not
    the commands that ran the run nor the preset's name."""
    path = os.path.join(out, "config.json")
    try:
        meta = read_json(path)  # {} when there is no such file
        if meta:
            return meta, None
        what = f"{path} is missing"
    except RunFileUnreadable as error:
        what = str(error)
    from figures.train import MMM2_LIMIT

    env = saved_environment(checkpoint)
    if hasattr(env, "game"):  # a gridworld names its game
        meta = {"env": env.game, "num_agents": env.num_agents, "max_steps": env.max_steps}
    else:  # Selfish-MMM2's battles have fixed settings (figures/train.py)
        meta = {"env": "mmm2", "num_agents": env.num_agents, "max_steps": MMM2_LIMIT}
    return meta, what


def _rebuild(parser, out, what, record):
    """Write ``out``'s config.json anew as ``record`` (an unreadable one is kept beside it
    as config.json.unreadable) and say in one line what was rebuilt and what is lost."""
    path = os.path.join(out, "config.json")
    kept = f" (the unreadable file is kept as {path}.unreadable)" * os.path.exists(path)
    try:
        if kept:
            os.replace(path, path + ".unreadable")
        with replaced(path) as f:
            json.dump(record, f, indent=2)
    except OSError as error:
        parser.error(f"--out {out}: cannot rebuild config.json ({error})")
    print(f"{what}: config.json is rebuilt from the checkpoint (the learner's and the "
          f"game's settings); its record of earlier commands and of --preset is lost{kept}",
          flush=True)  # fmt: skip
