"""The PPO-minibatch conformance cases, and the script that writes their data file.

    python -m games.conformance_ppo_specs   # rewrites aga_ref/data/conformance_ppo_v1.json

A case is 2 or 3 agents' tanh-MLP actors (3 inputs, 4 hidden units, 4 actions: P = 56
parameters each) and one minibatch of 32 samples, drawn from a seed: the acting policy's
weights, the current weights a step away from them (so ratios leave PPO's clip range),
inputs, availability masks (about a third of the actions removed, the taken one always
allowed), actions sampled from the masked acting policy and their log-probabilities,
activity (sample 0 a reset step, every agent inactive on about 15% of the rest), and raw
advantages whose individual and collective parts are correlated by a drawn ``corr``. The
minibatch goes through the learner's own ``aga_ref.rl.ppo.minibatch`` (weights from the
active masks, per-agent normalisation of both advantages), whose float32 output is stored.
Every number stored is a float32 value, so a float32 implementation reads it exactly.

Draws are kept only where every sign (global and per agent, ``games.conformance_specs``'s
margin) and FCGrad's choices are a relative ``1e-3`` away from a tie, and every active
sample's log-ratio is ``0.003`` away from the clip's edges ``log(1 +- eps)``, so that
finite differences and float32 see the same branches. The cases fill the slots of ``SLOTS``
for 2 and for 3 agents: the three sign rules all agreeing, the paper's against the exact
sign, the per-agent signs against the paper's, and all three apart.
"""

import json
import re

import numpy as np

from aga_ref import conformance
from aga_ref.rl import ppo
from aga_ref.rl.policy import layer_shapes, log_softmax, masked_logits
from aga_ref.rl.reference import LAYER_NAMES, reference_terms, surrogate_game
from games.conformance_specs import _robust

SAMPLES, INPUTS, HIDDEN, ACTIONS, CLIP = 32, 3, 4, 4, 0.2
CLIP_MARGIN, TIE_MARGIN = 0.003, 1e-3
TWO_AGENT_CASES = 20  # of the kit's cases, for code written for two agents only
SLOTS = {  # (paper sign != exact sign, some agent's sign != the paper's)
    "agree": (False, False),
    "sign_disagreement": (True, False),
    "per_agent_disagreement": (False, True),
    "all_rules_apart": (True, True),
}


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def draw(rng, N):
    """One candidate: (network, weights, minibatch, values) as float32-valued arrays."""
    shapes, spread = layer_shapes(INPUTS, HIDDEN, ACTIONS), rng.choice([0.5, 1.0, 2.0])
    scale = [1 / np.sqrt(s[0]) if len(s) == 2 else 0.3 for s in shapes]
    acting = [rng.normal(0, c, (N, *s)) for c, s in zip(scale, shapes)]
    weights = {k: f32(a + spread * rng.normal(0, c, a.shape))
               for k, a, c in zip(LAYER_NAMES, acting, scale)}  # fmt: skip
    x = f32(rng.normal(0, 1, (N, SAMPLES, INPUTS)))
    avail = rng.random((N, SAMPLES, ACTIONS)) < 0.65
    avail[..., 0] |= ~avail.any(axis=-1)  # at least one action left
    logp_all = log_softmax(masked_logits(tuple(f32(a) for a in acting), x, avail))  # (N, S, A)
    cdf = np.cumsum(np.exp(logp_all), axis=-1)
    actions = np.minimum((rng.random((N, SAMPLES, 1)) > cdf).sum(-1), ACTIONS - 1)
    old_logp = f32(np.take_along_axis(logp_all, actions[..., None], axis=-1)[..., 0])
    active = rng.random((N, SAMPLES)) > 0.15
    active[:, 0] = False  # a reset step: no agent acted
    corr = rng.uniform(-1, 1)
    z = rng.normal(size=(2, N, SAMPLES))
    adv_ind = z[0] * rng.uniform(0.5, 2, (N, 1)) + rng.normal(0, 1, (N, 1))
    adv_col = 3 * (corr * z[0] + np.sqrt(1 - corr**2) * z[1]) + rng.normal(0, 1, (N, 1))
    data = {"x": x, "actions": actions, "avail": avail, "logp": old_logp, "adv_ind": adv_ind,
            "adv_col": adv_col, "active": active, "live": np.ones((N, SAMPLES), bool)}  # fmt: skip
    batch, _ = ppo.minibatch(data, np.arange(SAMPLES), norm_adv=True)  # the learner's own
    minibatch = {"inputs": x, "actions": actions, "avail": avail, "old_logp": old_logp,
                 "adv_ind": f32(batch.adv_ind), "adv_col": f32(batch.adv_col),
                 "sample_weight": f32(batch.weight)}  # fmt: skip
    v_ind = f32(rng.normal(0, 1, N))
    v_col = f32(N * (v_ind + rng.choice([-1, 1], N) * rng.uniform(0.1, 0.5, N)))
    network = {"num_agents": N, "num_inputs": INPUTS, "hidden": HIDDEN, "num_actions": ACTIONS}
    return network, weights, minibatch, (v_ind, v_col)


def clip_report(game, w, minibatch):
    """(clipped somewhere for both advantages, every active log-ratio clear of the edges)."""
    from aga_ref.rl.policy import actor_terms, unflatten

    N = len(game.sizes)
    layers = unflatten(w.reshape(N, -1), layer_shapes(INPUTS, HIDDEN, ACTIONS))
    mb = minibatch
    delta = actor_terms(layers, mb["inputs"], mb["actions"], mb["avail"])[0] - mb["old_logp"]
    active = mb["sample_weight"] > 0
    edges = np.log1p([CLIP, -CLIP])
    clear = np.min(np.abs(delta[active][:, None] - edges)) > CLIP_MARGIN
    clipped = [np.any(active & (((A >= 0) & (delta > edges[0])) | ((A < 0) & (delta < edges[1]))))
               for A in (mb["adv_ind"], mb["adv_col"])]  # fmt: skip
    return all(clipped), clear


def fcgrad_report(out, values, N, share=None):
    """(FCGrad's branch per agent: agree, behind or ahead; True when no choice is a tie),
    with ``v_col_i * share >= v_ind_i`` deciding behind (``share`` 1/N, FCGrad's; 1: the
    branch an FCGrad without the 1/N takes)."""
    xi, xi_c = out["xi"].reshape(N, -1), out["xi_c"].reshape(N, -1)
    dots = np.sum(xi * xi_c, axis=1)
    norms = np.linalg.norm(xi, axis=1) * np.linalg.norm(xi_c, axis=1)
    gap = values[1] * (1 / N if share is None else share) - values[0]
    branches = ["agree" if d >= 0 else "behind" if g >= 0 else "ahead" for d, g in zip(dots, gap)]
    clear = np.all(np.abs(dots) > TIE_MARGIN * norms) and np.all(np.abs(gap) > TIE_MARGIN)
    return branches, clear


def one_over_n_values(rng, N):
    """Critic values where FCGrad's 1/N decides its branch: ``v_col_i`` between ``v_ind_i``
    and ``N v_ind_i``, so ``v_col_i / N`` and ``v_col_i`` lie on either side of ``v_ind_i``."""
    v_ind = rng.choice([-1, 1], N) * rng.uniform(0.3, 1.5, N)
    return f32(v_ind), f32(v_ind * (1 + (N - 1) * rng.uniform(0.2, 0.8, N)))


def make_case(rng, N, one_over_n=False):
    """A case dict for one draw, or None when the draw is too close to a tie or a clip edge
    (``one_over_n``: or when FCGrad's 1/N decides no agent's branch)."""
    network, weights, minibatch, values = draw(rng, N)
    values = one_over_n_values(rng, N) if one_over_n else values
    out = reference_terms(weights, minibatch, CLIP, values=values)
    branches, fc_clear = fcgrad_report(out, values, N)
    without, without_clear = fcgrad_report(out, values, N, share=1.0)
    if one_over_n and (branches == without or not without_clear):
        return None
    game, w = surrogate_game(weights, minibatch, CLIP)
    clipped, clip_clear = clip_report(game, w, minibatch)
    if not (fc_clear and clipped and clip_clear and _robust(game, {**out, "H_xi": out["Ht_xi"]})):
        return None
    scales = conformance.reference_scales(game, w)
    scale = {k: scales[k] for k in out if k in scales}
    scale[f"fcgrad[beta={conformance.ppo.FCGRAD_BETA}]"] = scales["xi"] + scales["xi_c"]
    disagree = (out["sign_paper"] != out["sign_exact"],
                bool(np.any(out["sign_per_agent"] != out["sign_paper"])))  # fmt: skip
    slot = next(name for name, key in SLOTS.items() if key == disagree)
    tags = [slot, "clipped", "masked", "inactive", "reset_step"]
    tags += [f"fcgrad_{b}" for b in sorted(set(branches))]
    tags += ["fcgrad_one_over_n"] if branches != without else []
    tags += ["xic_g_negative"] if out["xic_g"] < 0 else []
    tags += ["xi_g_plus_g_g_negative"] if out["xi_g"] + out["g_g"] < 0 else []
    as_list = lambda a: np.asarray(a).tolist()  # noqa: E731
    return {"tags": tags, "clip": CLIP, "sizes": list(game.sizes), "network": network,
            "weights": {k: as_list(v) for k, v in weights.items()},
            "minibatch": {k: as_list(v) for k, v in minibatch.items()},
            "values": {"v_ind": as_list(values[0]), "v_col": as_list(values[1])},
            "expected": {k: (as_list(v) if np.ndim(v) else v) for k, v in out.items()},
            "scale": scale}  # fmt: skip


def generate(seed=0, tries=800):
    """The whole data file as a dict: one case per slot and number of agents."""
    rng, found = np.random.default_rng(seed), []
    for N in (2, 3):
        filled = {}
        for _ in range(tries):
            case = make_case(rng, N)
            if case is not None and case["tags"][0] not in filled:
                filled[case["tags"][0]] = case
            if len(filled) == len(SLOTS):
                break
        missing = set(SLOTS) - set(filled)
        if missing:
            raise RuntimeError(f"no draw for {sorted(missing)} with {N} agents in {tries} tries")
        found += [filled[slot] for slot in SLOTS]
    found += one_over_n_cases(np.random.default_rng(seed + 1), tries)  # after: ids stay
    found += more_two_agent_cases(np.random.default_rng(seed + 2), TWO_AGENT_CASES - 6)
    cases = [{"id": f"ppo/{k}", **case} for k, case in enumerate(found)]
    return {
        "version": conformance.ppo.VERSION,
        "generated_by": "python -m games.conformance_ppo_specs",
        "tolerance": {
            "rtol": conformance.RTOL,
            "rtol_float32": conformance.RTOL_FLOAT32,
            "atol": conformance.ATOL,
        },  # fmt: skip
        "quantities": conformance.ppo.QUANTITIES,
        "cases": cases,
    }


def one_over_n_cases(rng, tries, wanted=((2, "behind"), (2, "ahead"), (3, "behind"), (3, "ahead"))):
    """Cases where FCGrad without its 1/N takes another branch (tag ``fcgrad_one_over_n``),
    one per (number of agents, branch FCGrad takes at an agent where the 1/N decides)."""
    found = {}
    for N, _ in dict.fromkeys(wanted):
        for _ in range(tries):
            case = make_case(rng, N, one_over_n=True)
            if case is None:
                continue
            for branch in ("behind", "ahead"):
                if (N, branch) in wanted and (N, branch) not in found and decides(case, branch):
                    found[(N, branch)] = case
            if all(key in found for key in wanted if key[0] == N):
                break
    missing = set(wanted) - set(found)
    if missing:
        raise RuntimeError(f"no draw for {sorted(missing)} (agents, branch) in {tries} tries")
    return [found[key] for key in wanted]


def more_two_agent_cases(rng, count):
    """``count`` more two-agent draws, any slot: code written for two agents only is then
    checked on ``TWO_AGENT_CASES`` cases (issue 28: at least 20)."""
    found = []
    while len(found) < count:
        case = make_case(rng, 2)
        found += [case] if case is not None else []
    return found


def decides(case, branch):
    """True when at some agent FCGrad takes ``branch`` and would take the other without 1/N."""
    N, v = len(case["sizes"]), case["values"]
    xi = np.reshape(case["expected"]["xi"], (N, -1))
    xi_c = np.reshape(case["expected"]["xi_c"], (N, -1))
    for i in range(N):
        if xi[i] @ xi_c[i] < 0:
            with_n = v["v_col"][i] / N >= v["v_ind"][i]
            if with_n != (v["v_col"][i] >= v["v_ind"][i]) and with_n == (branch == "behind"):
                return True
    return False


def dumps(data):
    """JSON with one line per innermost list of numbers or booleans (a row of a matrix)."""
    number = r"(?:-?[0-9.eE+-]+|true|false)"
    row = re.compile(rf"\[(\s*{number}(?:\s*,\s*{number})*)\s*\]")
    text = json.dumps(data, indent=1)
    return row.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


def main():
    data = generate()
    with open(conformance.ppo.DATA_PATH, "w", encoding="utf-8") as f:
        f.write(dumps(data) + "\n")
    tags = [t for c in data["cases"] for t in c["tags"]]
    summary = {t: tags.count(t) for t in sorted(set(tags))}
    print(f"wrote {len(data['cases'])} cases to {conformance.ppo.DATA_PATH}: {summary}")


if __name__ == "__main__":
    main()
