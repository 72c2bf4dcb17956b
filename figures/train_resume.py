"""``aga-ref train``'s checks of what ``--out`` holds: the folder is locked for this
trainer first (``figures/run_lock.py``), then a run there is continued (``--resume``),
replaced (``--overwrite``) or refused. ``--resume-or-start`` continues the run if the folder
holds its checkpoint and starts it otherwise (replacing the files of a run that never reached
its first checkpoint), so that a scheduler can run the same line again and again until the
run is complete. On resume, options left out take the run's values; options given must
equal the run's, except ``--env-steps``, which may grow
(``aga_ref.rl.checkpoint.config_changes``). A finished run is reported as complete; a
missing folder or checkpoint is refused.
"""

import dataclasses
import os

from aga_ref.rl.checkpoint import config_changes, saved_config, usable_checkpoint
from aga_ref.rl.config import Config
from aga_ref.rl.runfiles import RunFileUnreadable, RunFolderUnwritable, read_json
from figures import run_lock
from figures.arguments import out_folder, plural

ENV_SETTINGS = ("env", "num_agents", "max_steps")  # in config.json, not in the checkpoint


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


def resume_settings(parser, args, given, out):
    """(config, commands so far) of the run in ``out`` as this command line continues it;
    config is None when the run is already complete. Fails through ``parser.error``."""
    from figures.train import config_from

    checkpoint = os.path.join(out, "checkpoint.npz")
    if not os.path.isfile(checkpoint):
        parser.error(f"--resume: {out} holds no checkpoint.npz, so there is nothing to "
                     f"continue; give --overwrite to start a new run there")  # fmt: skip
    try:  # an unreadable checkpoint: the previous one, or one line (aga_ref.rl.runfiles)
        note = usable_checkpoint(out)
        saved, updates = saved_config(checkpoint)
        meta = read_json(os.path.join(out, "config.json"))
    except (RunFileUnreadable, RunFolderUnwritable) as error:
        parser.error(f"--resume: {error}; give --overwrite to start the run again")
    if note:
        print(note, flush=True)
    fields = [f.name for f in dataclasses.fields(Config)]
    saved = {k: v for k, v in saved.items() if k in fields}
    typed = config_from(args)  # already checked by the caller
    settings = {**saved, **{k: getattr(typed, k) for k in fields if _dest(k) in given}}
    changes = [(k, a, b) for k, (a, b) in config_changes(saved, Config(**settings)).items()]
    for name in ENV_SETTINGS:
        if name in meta and ((name == "env" and args.env is not None) or name in given):
            if getattr(args, name) != meta[name]:
                changes.append((name, meta[name], getattr(args, name)))
            setattr(args, name, meta[name])
        elif name in meta:
            setattr(args, name, meta[name])
    if changes:
        listed = "; ".join(f"the run has {spelled(k, a)}, this command {spelled(k, b)}"
                           for k, a, b in changes)  # fmt: skip
        parser.error(f"--resume: {out} was made with other options: {listed}. A resumed run "
                     f"keeps its options (leave them out); only --env-steps may grow. "
                     f"--overwrite starts a new run there instead")  # fmt: skip
    config = Config(**settings)
    if updates >= config.num_updates:
        print(f"{out} is complete: {plural(updates, 'update')}, "
              f"{updates * config.batch_steps:,} env-steps; give a larger --env-steps to "
              f"extend it")  # fmt: skip
        return None, []
    args.method, args.seed = config.method, config.seed
    return config, list(meta.get("commands", []))
