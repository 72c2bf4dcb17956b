"""Selfish-MMM2 against SMAClite: the same scripted policies on both, episode statistics side
by side with 95% confidence intervals.

    python -m figures.mmm2_fidelity smaclite --out docs/results/mmm2   # in an env with SMAClite
    python -m figures.mmm2_fidelity compare --out docs/results/mmm2 --gif \\
        --update-readme docs/mmm2.md

The first command plays SMAClite (``gym.make("smaclite/MMM2-v0", use_cpp_rvo2=False)``; it is
not a dependency of aga-ref: docs/mmm2.md says how to install it) and writes
``smaclite.json``. It counts the HP each unit's shots remove and its heals restore by wrapping
SMAClite's ``Unit.deal_damage`` and ``Unit.heal``. The second plays our engine with
``rules="smaclite"`` (SMAClite's unit order, reward and end rules) and ``rules="smac"`` on the
same policies and seeds, reads ``smaclite.json``, and writes ``fidelity.md`` and ``.csv``.
Episodes are cut at 180 steps. Policies (``games.smac.policies``) read only the observation and
the action mask, so they run unchanged on both.
"""

import argparse
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np

from figures.reproduce import PREFIX, update_readme
from games.smac import policies

README_MARKERS = ("<!-- mmm2:start -->", "<!-- mmm2:end -->")

POLICIES = ("random", "attack_nearest", "stop")
METRICS = [("length", "episode length (steps)"), ("return", "team return"),
           ("won", "win rate"), ("allies_dead", "allies dead"), ("enemies_dead", "enemies dead"),
           ("marine_damage", "HP dealt by ally Marines"),
           ("marauder_damage", "HP dealt by ally Marauders"),
           ("healing", "HP healed by the ally Medivac"),
           ("enemy_marine_damage", "HP dealt by enemy Marines"),
           ("enemy_marauder_damage", "HP dealt by enemy Marauders")]  # fmt: skip
LIMIT = 180


def act(policy, obs, avail, rng):
    if policy == "random":
        return policies.random_actions(avail, rng)
    return getattr(policies, policy)(obs, avail)


def play_smaclite(policy, seed):
    """One SMAClite episode: its statistics and its number of steps."""
    import gymnasium as gym
    import smaclite  # noqa: F401  (registers the environments)
    from smaclite.env.units.unit import Unit

    log = defaultdict(float)
    if not getattr(Unit, "_aga_ref_wrapped", False):
        deal, heal = Unit.deal_damage, Unit.heal

        def counted_deal(self, target):
            before = target.hp
            out = deal(self, target)
            Unit._aga_ref_log[(self.faction.name, self.type.stats.name)] += before - target.hp
            return out

        def counted_heal(self, target):
            before = target.hp
            heal(self, target)
            Unit._aga_ref_log[(self.faction.name, "heal")] += target.hp - before

        Unit.deal_damage, Unit.heal, Unit._aga_ref_wrapped = counted_deal, counted_heal, True
    Unit._aga_ref_log = log
    env = gym.make("smaclite/MMM2-v0", use_cpp_rvo2=False)
    obs, _ = env.reset(seed=seed)
    rng, total, won, steps = np.random.default_rng(seed), 0.0, False, 0
    while steps < LIMIT:
        steps += 1
        avail = np.array(env.unwrapped.get_avail_actions(), dtype=bool)
        actions = act(policy, np.array(obs), avail, rng)
        obs, reward, done, _, info = env.step([int(a) for a in actions])
        total += reward
        if done:
            won = info["battle_won"]
            break
    u = env.unwrapped
    return {
        "length": steps,
        "return": total,
        "won": float(won),
        "allies_dead": 10 - len(u.agents),
        "enemies_dead": 12 - len(u.enemies),
        "marine_damage": log[("ALLY", "marine")],
        "marauder_damage": log[("ALLY", "marauder")],
        "healing": log[("ALLY", "heal")],
        "enemy_marine_damage": log[("ENEMY", "marine")],
        "enemy_marauder_damage": log[("ENEMY", "marauder")],
    }


def play_ours(policy, seed, rules):
    """One episode of our engine, under ``rules``, with SMAClite's 180-step cut."""
    from games.smac import units as U
    from games.smac.env import Core

    core = Core(1, seed, rules)
    types, enemy_types = core.battles.static.type[:10], core.battles.static.type[10:]
    rng, out, steps = np.random.default_rng(seed), defaultdict(float), 0
    while steps < LIMIT:
        steps += 1
        obs, avail = core.observe()
        team, _, terminated, won, info = core.advance(act(policy, obs[0], avail[0], rng)[None],
                                                      np.ones(1, dtype=bool))  # fmt: skip
        out["return"] += float(team[0])
        for name, kind in (("marine_damage", U.MARINE), ("marauder_damage", U.MARAUDER)):
            out[name] += float(info["agent_damage"][0, types == kind].sum())
        out["healing"] += float(info["agent_healing"][0].sum())
        for name, kind in (
            ("enemy_marine_damage", U.MARINE),
            ("enemy_marauder_damage", U.MARAUDER),
        ):
            out[name] += float(info["enemy_damage"][0, enemy_types == kind].sum())
        if terminated[0]:
            out["won"] = float(won[0])
            break
    alive = core.battles.alive[0]
    return dict(out, length=steps, won=out["won"], allies_dead=int((~alive[:10]).sum()),
                enemies_dead=int((~alive[10:]).sum()))  # fmt: skip


def episodes(play, policy, count, **kwargs):
    return [play(policy, seed, **kwargs) for seed in range(count)]


def cell(values):
    from aga_ref.metrics import mean_ci

    mean, half = mean_ci(np.asarray(values, dtype=float))
    return f"{mean:.2f} ± {half:.2f}"


def write_fidelity(out, smaclite, ours):
    """``fidelity.md`` and ``.csv``: per policy and metric, mean ± 95% t half-width."""
    from figures.output import save_table

    rows = []
    for policy in POLICIES:
        runs = [smaclite[policy], ours[policy]["smaclite"], ours[policy]["smac"]]
        for key, name in METRICS:
            rows.append([policy, name] + [cell([e[key] for e in run]) for run in runs])
    header = ["policy", "statistic", "SMAClite", "ours, rules=smaclite", "ours, rules=smac"]
    title = (f"Selfish-MMM2 against SMAClite (commit 0d6abbe): {len(smaclite['random'])} "
             f"episodes per policy ({len(smaclite['stop'])} for stop), seeds 0.., cut at "
             f"{LIMIT} steps; mean ± 95% t half-width. Generated by `python -m "
             "figures.mmm2_fidelity smaclite` then `compare`. SMAClite ran at "
             f"{smaclite['env_steps_per_second']:.0f} env-steps/s here.")  # fmt: skip
    return save_table(out, "fidelity", header, rows, title)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["smaclite", "compare"])
    parser.add_argument("--out", default="results/mmm2")
    parser.add_argument("--episodes", type=int, default=40, help="per policy (stop: 10)")
    parser.add_argument("--update-readme", metavar="PAGE",
                        help="compare: write the table between the mmm2 markers of this "
                        "Markdown page (docs/mmm2.md)")  # fmt: skip
    parser.add_argument("--gif", action="store_true",
                        help="compare: also write battle.gif (attack-nearest)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.update_readme:  # fail before the work, not after it
        update_readme(args.update_readme, args.out, "", *README_MARKERS, dry_run=True)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "smaclite.json")
    if args.mode == "smaclite":
        data, start, steps = {}, time.perf_counter(), 0
        for policy in POLICIES:
            count = 10 if policy == "stop" else args.episodes
            print(f"SMAClite, {policy}: {count} episodes ...", file=sys.stderr, flush=True)
            data[policy] = episodes(play_smaclite, policy, count)
            steps += sum(e["length"] for e in data[policy])
        data["env_steps_per_second"] = steps / (time.perf_counter() - start)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        print(f"wrote {path}")
        return 0
    with open(path, encoding="utf-8") as f:
        smaclite = json.load(f)
    ours = {}
    for policy in POLICIES:
        count = len(smaclite[policy])
        print(f"ours, {policy}: {count} episodes x 2 rule sets ...", file=sys.stderr, flush=True)
        ours[policy] = {rules: episodes(play_ours, policy, count, rules=rules)
                        for rules in ("smaclite", "smac")}  # fmt: skip
    table = write_fidelity(args.out, smaclite, ours)
    print(table)
    if args.gif:
        from games.smac import make_env
        from games.smac.render import save_battle

        path = save_battle(make_env("mmm2", seed=0), os.path.join(args.out, "battle.gif"),
                           policies.attack_nearest, num_steps=LIMIT)  # fmt: skip
        print(f"wrote {path}")
    if args.update_readme:
        picture = f"![battle.gif]({PREFIX}battle.gif)\n\n" if args.gif else ""
        update_readme(args.update_readme, args.out, picture + table, *README_MARKERS)
        print(f"rewrote the Selfish-MMM2 table in {args.update_readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
