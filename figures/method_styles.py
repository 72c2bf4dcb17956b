"""How a method of the RL runs looks in every figure (``aga-ref plot`` and its
``--diagnostics``): a fixed map, not a palette dealt out to whichever methods a figure holds,
so that a method keeps its colour from one figure to the next (issue 27, item 6).

- colour: the method's (``COLOURS``). AgA and CGA carry a ``lam``; their colour comes from a
  fixed ``lam`` scale (``LAM_RAMPS``, over log10 lam), so ``aga lam=100`` has one colour in
  every figure. AgA's scale is viridis (dark purple at 0.1, teal at 10, green at 1000): the
  seven ``lam`` of the threshold study (0.1 ... 1000) stay apart, and apart from the
  baselines' reds, oranges, browns and greys;
- dash: the optimiser and the configuration (``DASHES``: Adam or SGD, with or without
  ``--preset``);
- marker: the ablation or variant (``MARKERS``: no product, no alignment, another sign rule,
  the split estimator, ReLU without the preset), on a few points of the curve;
- groups this map draws alike (the same method, optimiser and variant with another
  ``--sgd-lr`` or ``--max-steps``, say) keep their colour and get a spare marker each
  (``distinct``), so that no two groups of one figure look the same.
"""

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_hex

COLOURS = {"simul-ind": "#d62728", "simul-co": "#ff7f0e", "sl": "#8c564b", "svo": "#7f7f7f",
           "sga": "#17becf", "fcgrad": "#bcbd22"}  # fmt: skip
OTHER = "#000000"  # a method this map does not know (a new one): black, never a neighbour's
# (log10 lam, colour) anchors; lam outside [0.1, 1000] takes the nearest end's colour
VIRIDIS = ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151")  # viridis at 0, .2, ... .8
LAM_RAMPS = {"aga": tuple(zip((-1, 0, 1, 2, 3), VIRIDIS)),
             "cga": ((-1, "#f7b6d2"), (0, "#e377c2"), (1, "#a6217a"))}  # fmt: skip
DASHES = {("adam", None): "-", ("sgd", None): (0, (5, 2)),
          ("adam", "mappo"): (0, (6, 1.5, 1.5, 1.5)),
          ("sgd", "mappo"): (0, (1.5, 1.5))}  # fmt: skip
# (config key, value that marks the variant, marker): the first that applies
MARKERS = (("hamiltonian", False, "x"), ("align", False, "^"),
           ("hamiltonian_estimator", "split", "D"), ("sign_rule", "per_agent", "s"),
           ("sign_rule", "exact", "P"), ("activation", "relu", "v"),
           ("hamiltonian_layers", "output", "X"))  # fmt: skip
# no variant's, nor o (few points); the round-looking ones last: at a curve's marker size a
# hexagon or an octagon reads as the circle of a curve of few points
SPARE = ("<", ">", "*", "d", "1", "+", "p", "h", "8")


def method_colour(method, lam=None):
    """The colour (hex) of ``method`` at ``lam`` (``lam`` counts only for AgA and CGA)."""
    if method in LAM_RAMPS:
        anchors = LAM_RAMPS[method]
        ramp = LinearSegmentedColormap.from_list(method, [c for _, c in anchors])
        low, high = anchors[0][0], anchors[-1][0]
        level = np.log10(lam) if lam else (low + high) / 2  # no lam: the ramp's middle
        return to_hex(ramp((np.clip(level, low, high) - low) / (high - low)))
    return COLOURS.get(method, OTHER)


def dash(config):
    """The line's dash pattern, from the optimiser and the preset."""
    preset = "mappo" if config.get("preset") else None  # any preset: the configured stack
    return DASHES.get((config.get("optimizer", "adam"), preset), "-")


def marker(config):
    """The marker of the run's variant, or None for the method as the paper states it."""
    for key, value, symbol in MARKERS:
        if config.get(key) == value and not (key == "activation" and config.get("preset")):
            return symbol
    return None


def style(config):
    """``dict(color, ls, marker)`` for a run's ``config.json``: the same for every run of
    one method, lam, optimiser and variant, in every figure."""
    return {"color": method_colour(config["method"], config.get("lam")), "ls": dash(config),
            "marker": marker(config)}  # fmt: skip


def distinct(looks):
    """``looks`` {group: style} with each look that an earlier group already has given the
    first spare marker that makes it new (the colour, the method's, stays)."""
    seen, out = set(), {}
    for name, look in looks.items():
        spares = iter(SPARE)
        while (look["color"], look["ls"], look["marker"]) in seen:
            look = {**look, "marker": next(spares, None)}
            if look["marker"] is None:  # more look-alike groups than spare markers: say so
                raise ValueError(f"more than {len(SPARE)} groups look like {name!r}")
        seen.add((look["color"], look["ls"], look["marker"]))
        out[name] = look
    return out
