"""The public goods experiment of Sec. 5: seven methods, seeded random runs, final payoffs.

Every method starts from the same ``num_runs`` random action pairs (seeded), runs at most
``max_steps`` steps and stops early once a step moves ``w`` by less than ``tol``. SVO and SL
train the shaped game with Simul-Ind; every outcome is measured with the original payoffs.
The wall time of each method is measured in the same process, one method after another.
"""

import time

import numpy as np

import aga_ref
from games.public_goods import actions_of, parameters_of, public_goods_game

METHODS = ["Simul-Ind", "CGA", "SGA", "SVO", "Simul-Co", "SL", "AgA"]  # the paper's order
PAPER = {  # docs/paper.md, section 6: metric -> method -> (mean, 95% CI half-width)
    "r1": [(1.133, 0.063), (1.156, 0.060), (1.175, 0.062), (1.104, 0.054), (1.433, 0.056),
           (1.314, 0.062), (1.443, 0.042)],
    "r2": [(1.184, 0.065), (1.150, 0.057), (1.137, 0.063), (1.060, 0.051), (1.381, 0.065),
           (1.371, 0.057), (1.459, 0.041)],
    "SW": [(2.316, 0.039), (2.306, 0.039), (2.312, 0.044), (2.164, 0.026), (2.814, 0.033),
           (2.684, 0.049), (2.903, 0.023)],
    "Equality": [(0.923, 0.014), (0.929, 0.012), (0.924, 0.013), (0.930, 0.011), (0.941, 0.014),
                 (0.940, 0.011), (0.960, 0.008)],
}  # fmt: skip


def method_spec(label, lam):
    """(game to train, direction name, direction kwargs) for a method label."""
    game = public_goods_game()
    specs = {
        "Simul-Ind": (game, "simul_ind", {}),
        "CGA": (game, "cga", {"lam": lam}),
        "SGA": (game, "sga", {"lam": lam}),
        "SVO": (aga_ref.svo_game(game), "simul_ind", {}),
        "Simul-Co": (game, "simul_co", {}),
        "SL": (aga_ref.sl_game(game), "simul_ind", {}),
        "AgA": (game, "aga", {"lam": lam}),
    }
    return specs[label]


def start_points(p, seed):
    """The shared start parameters (runs, 2): actions uniform in ``start_actions``, logit."""
    rng = np.random.default_rng(seed)
    low, high = p.start_actions
    return parameters_of(rng.uniform(low, high, size=(p.num_runs, 2)))


def run_method(label, p, starts, lam=None):
    """Final actions (runs, 2), payoffs (runs, 2), total steps and seconds for one method."""
    train_game, method, kwargs = method_spec(label, p.lam if lam is None else lam)
    game = public_goods_game()
    begin, final, steps = time.perf_counter(), [], 0
    for w0 in starts:
        trajectory = aga_ref.optimize(
            train_game, method, w0, p.max_steps, p.eta, tol=p.tol, **kwargs
        )
        final.append(trajectory[-1])
        steps += len(trajectory) - 1
    duration = time.perf_counter() - begin
    w = np.array(final)  # (runs, 2)
    rewards = np.array([game.rewards(w_run) for w_run in w])  # (runs, 2)
    return {"actions": actions_of(w), "rewards": rewards, "steps": steps, "seconds": duration}


def run_all(protocol):
    """``{label: run_method(...)}`` for the seven methods, on one set of seeded starts."""
    p = protocol.public_goods
    starts = start_points(p, protocol.seed)
    return {label: run_method(label, p, starts) for label in METHODS}


def summary(result):
    """metric -> (mean, CI half-width) for one method's result."""
    r = result["rewards"]
    return {
        "r1": aga_ref.mean_ci(r[:, 0]),
        "r2": aga_ref.mean_ci(r[:, 1]),
        "SW": aga_ref.mean_ci(aga_ref.social_welfare(r)),
        "Equality": aga_ref.mean_ci(aga_ref.equality(r)),
    }
