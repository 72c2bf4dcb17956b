"""The progress file (``progress.csv``, one row per update), the status line, and the same
rows as TensorBoard scalars (``TensorBoard``, through the optional ``tensorboardX``). The
instrument columns are defined in ``aga_ref.rl.instruments``. The file grows by one synced
line per update and is reconciled with the checkpoint on resume (``aga_ref.rl.runfiles``
says why, and what a kill can leave)."""

import csv
import io
import os
import sys
import time

from aga_ref.rl.instruments import layer_columns
from aga_ref.rl.runfiles import RunFileUnreadable, append_line, replaced, unwritable

EPISODE_COLUMNS = ("social_welfare", "equality", "efficiency", "sustainability", "peace")
STAT_COLUMNS = ("sign_negative", "xi_norm", "xic_norm", "Hcxic_norm", "agree", "approx_kl",
                "clip_fraction", "entropy", "value_loss", "actor_grad_norm",
                "critic_grad_norm", "hvp_dominated_share", "cos_xi_xic",
                "cos_adj_xic", "hvp_bias")  # fmt: skip


def columns(state):
    """The progress file's header: fixed columns, each agent's return, the environment's
    counts (known once the first rollout has run), the update's statistics."""
    num_agents = state["theta"].shape[0]
    tracker = state["carry"]["tracker"]
    extras = sorted(tracker.extras) + sorted(tracker.last)
    extras += [f"{key}_{i}" for key in sorted(tracker.per_agent) for i in range(num_agents)]
    return (["update", "env_steps", "episodes", "episodes_finished"] + list(EPISODE_COLUMNS)
            + [f"return_agent_{i}" for i in range(num_agents)] + extras
            + list(STAT_COLUMNS) + layer_columns(state["actor_shapes"])
            + ["lr", "wall_s"])  # fmt: skip


def write_rows(path, rows, columns):
    """Write the progress file whole, atomically (``runfiles.replaced``)."""
    with replaced(path) as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(_cells(row, columns) for row in rows)


def append_row(path, rows, columns):
    """Append the last of ``rows``; write them all anew (atomically) when the file's header
    is not ``columns``: at the first row, or when an environment's info gains a key."""
    if _header(path) != list(columns):
        return write_rows(path, rows, columns)
    line = io.StringIO()
    csv.writer(line).writerow(_cells(rows[-1], columns))
    append_line(path, line.getvalue())


def _cells(row, columns):
    return ["" if row.get(k) is None else row[k] for k in columns]


def _header(path):
    try:
        with open(path, newline="") as f:
            return next(csv.reader(f), None)
    except FileNotFoundError:
        return None


def read_table(path):
    """The complete rows of a progress file as dicts of text: a last line without its
    newline (cut by a kill during an append, ``aga_ref.rl.runfiles``) is left out."""
    with open(path, newline="") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()
    return list(csv.DictReader(lines))


def read_rows(path, count):
    """The first ``count`` rows of a progress file (later ones came after the checkpoint);
    ``RunFileUnreadable`` if it holds fewer."""
    table = [] if path is None or not os.path.exists(path) else read_table(path)
    if len(table) < count:
        raise RunFileUnreadable(
            f"{path} holds {len(table)} complete rows, but the checkpoint beside it counts "
            f"{count}: the file was cut or edited, and its rows cannot be recomputed"
        )
    return [{k: (None if v == "" else _number(v)) for k, v in r.items()} for r in table[:count]]


def _number(text):
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value


# where this process's updates began in the rows it logs: (rows, env_steps, wall_s)
_SINCE = {"rows": None, "env_steps": 0, "wall_s": 0.0}


def _process_start(row, rows):
    """(env_steps, wall_s) before this process's first update: at the row before the first
    one it logged into ``rows`` (the checkpoint's, on resume), or zeros for a new run."""
    if _SINCE["rows"] is not rows:  # a new list of rows: a run started or resumed here
        before = rows[-2] if len(rows) > 1 and rows[-1] is row else None
        _SINCE.update(rows=rows, env_steps=before["env_steps"] if before else 0,
                      wall_s=before["wall_s"] if before else 0.0)  # fmt: skip
    return _SINCE["env_steps"], _SINCE["wall_s"]


def status_line(config, row, rows):
    """One line per update (a rewritten line on a terminal): progress, rate, and the latest
    finished episodes' social welfare SW (the collective return: the sum of the agents'
    returns) and equality E (1 - Gini of those returns). The budget counts whole batches,
    ``num_updates * T * B`` env-steps, so the share done never passes 100%. The rate and the
    ETA count this process's updates only: after a resume, not the earlier process's."""
    total = config.num_updates * config.batch_steps
    steps_0, wall_0 = _process_start(row, rows)
    rate = (row["env_steps"] - steps_0) / max(row["wall_s"] - wall_0, 1e-9)
    recent = [r for r in rows[-20:] if r.get("social_welfare") is not None]
    if recent:
        outcome = f"SW {recent[-1]['social_welfare']:.1f}  E {recent[-1]['equality']:.2f}"
    else:
        outcome = "SW, E: no episode finished yet"
    eta = max(total - row["env_steps"], 0) / max(rate, 1e-9)
    text = (f"[{config.method}] update {row['update']}/{config.num_updates} "
            f"{row['env_steps']:,}/{total:,} env-steps "
            f"({100 * row['update'] / config.num_updates:.0f}%) "
            f"{rate:,.0f}/s  {outcome}  eta {eta / 60:.1f} min")  # fmt: skip
    tty = sys.stdout.isatty()
    if tty or row["update"] % 10 == 0 or row["update"] == config.num_updates:
        end = "\n" if (not tty or row["update"] == config.num_updates) else ""
        say(("\r" if tty else "") + text + ("\033[K" if tty else ""), end=end)


def say(text, end="\n"):
    """Print ``text`` to stdout now; if stdout's reader has gone (``aga-ref train | head``),
    send this and all later output to os.devnull and go on: a closed pager must not end a
    run. The Python docs' recipe for SIGPIPE (``signal`` module, "Note on SIGPIPE")."""
    try:
        print(text, end=end, flush=True)
    except BrokenPipeError:
        quiet_stdout()


def quiet_stdout():
    """Point stdout's file descriptor at os.devnull, after a ``BrokenPipeError``, so that
    what Python still holds for it, and flushes at exit, goes nowhere instead of failing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def tensorboard_installed():
    """Whether ``tensorboardX`` (the extra ``.[tensorboard]``) can be imported."""
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        return False
    return True


class TensorBoard:
    """A ``log`` for ``train`` that also writes every column of each progress row as a
    TensorBoard scalar of the same name into ``logdir``, at step ``env_steps`` (cleanrl's
    ``global_step``); blank values are left out. Scalars are float32, TensorBoard's format.

    A resumed run appends a new event file to the same ``logdir``. It opens with
    TensorBoard's purge marker at the first step it writes, so rows written after the last
    checkpoint by the stopped run, and written again now, are hidden (as ``progress.csv``
    drops them): every step shows once. Each row's event is written and synced before
    ``train`` writes the checkpoint that counts it (tensorboardX's ``EventsWriter``, without
    ``SummaryWriter``'s queue and its flush every few seconds), so a kill loses no step
    that the resumed run does not write again."""

    def __init__(self, logdir, log=status_line):
        self.logdir, self.log, self.writer = logdir, log, None

    def __call__(self, config, row, rows):
        from tensorboardX.proto.event_pb2 import Event, SessionLog
        from tensorboardX.proto.summary_pb2 import Summary

        step = row["env_steps"]
        values = [Summary.Value(tag=name, simple_value=float(value))
                  for name, value in row.items() if value is not None]  # fmt: skip
        try:
            if self.writer is None:  # at the first row, whose step a resume must purge from
                from tensorboardX.event_file_writer import EventsWriter

                os.makedirs(self.logdir, exist_ok=True)
                suffix = f".update{row['update']:07d}"  # a restart in the same second: a new file
                self.writer = EventsWriter(os.path.join(self.logdir, "events"), suffix)
                start = SessionLog(status=SessionLog.START)  # TensorBoard's purge marker
                self.writer.write_event(Event(step=step, session_log=start))
            # one event per row: ~1 ms, where an add_scalar per column costs ~10 ms
            self.writer.write_event(Event(wall_time=time.time(), step=step,
                                          summary=Summary(value=values)))  # fmt: skip
            self.writer.flush()  # and fsync
        except OSError as error:
            raise unwritable(os.path.join(self.logdir, "events"), error) from error
        self.log(config, row, rows)

    def close(self):
        if self.writer is not None:
            self.writer.close()
