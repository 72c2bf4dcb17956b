"""The conformance kit in PyTorch: every case of the three kits as tensors, and a runner that
checks your function on all of them with ``aga-ref verify``'s report (docs/verify.md opens
with the ten lines this takes).

    from aga_ref.conformance import torch as kit
    kit.check_direction(aga)              # aga(losses, l_c, params, lam, sign_rule) -> xi_tilde
    kit.check(quantities, kits="ppo")     # quantities(case) -> {quantity: value}
    kit.cases("dynamics")                 # the cases themselves (``runner``'s docstring)
    kit.write_direction_outputs(aga, "outputs.json")  # for ``aga-ref verify outputs.json``
    kit.write_outputs(quantities, "outputs.json", kits="ppo")

A case reads by attribute or by key (``case.params``, ``case["params"]``).
Each case's ``params`` are leaf tensors with ``requires_grad=True`` (a fresh set per call of
``cases``), one ``(d_i,)`` block per player (per agent on the PPO minibatches: its actor's
flat parameters, ``W1, b1, W2, b2, W3, b3`` row-major); its losses take the list ``params``.
PPO cases also hold ``actors``: one ``torch.nn.Sequential`` per agent with the case's
weights (``nn.Linear`` stores ``W.T``), the network your learner would hold.
Needs PyTorch (``pip install torch --index-url https://download.pytorch.org/whl/cpu``);
aga-ref itself does not.
"""

from types import SimpleNamespace

import numpy as np
import torch

from aga_ref.conformance import runner
from aga_ref.conformance.games import ALIGNED_LAMS, SIGN_RULES


def ops(dtype=torch.float64):
    """The array operations of ``aga_ref.conformance.formulas`` in PyTorch, in ``dtype``."""
    tensor = lambda x: torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=dtype)  # noqa: E731
    return SimpleNamespace(
        tensor=tensor, as_array=lambda x: torch.as_tensor(np.asarray(x)),
        sigmoid=torch.sigmoid, sin=torch.sin, cos=torch.cos, tanh=torch.tanh, exp=torch.exp,
        log_softmax=lambda x: torch.log_softmax(x, -1), cat=torch.cat, stack=torch.stack,
        eye=lambda n: torch.eye(n, dtype=dtype), solve=torch.linalg.solve, clip=torch.clamp,
        minimum=torch.minimum,
        where=lambda m, a, b: torch.where(torch.as_tensor(m), a, torch.tensor(b, dtype=dtype)),
    )  # fmt: skip


def cases(kit="games", dtype=torch.float64):
    """The cases of ``kit`` (``"games"``, ``"ppo"`` or ``"dynamics"``) as tensors."""
    leaf = lambda x: torch.tensor(x, dtype=dtype, requires_grad=True)  # noqa: E731
    out = runner.kit_cases(kit, ops(dtype), leaf)
    for case in out if kit == "ppo" else []:
        case.actors = [_actor(w, dtype) for w in case.weights]
    return out


def _actor(weights, dtype):
    """One agent's actor as the ``torch.nn`` module a learner holds: tanh MLP, logits out."""
    layers = [torch.nn.Linear(*weights[f"W{k}"].shape, dtype=dtype) for k in (1, 2, 3)]
    with torch.no_grad():
        for k, layer in enumerate(layers, 1):
            layer.weight.copy_(weights[f"W{k}"].T)
            layer.bias.copy_(weights[f"b{k}"])
    return torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2])


def to_numpy(value):
    """A tensor (detached) or a number as a NumPy array of its own precision."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def check(quantities, kits="games", dtype=torch.float64, require_all=False, out=None):
    """Run ``quantities(case) -> {quantity: value}`` on every case of ``kits`` (names among
    ``"games"``, ``"ppo"``, ``"dynamics"``), print the verifier's report, return True when
    all passed. ``dtype=torch.float32`` checks with the float32 tolerance."""
    make = lambda kit: cases(kit, dtype)  # noqa: E731
    return runner.run(make, quantities, kits, to_numpy, dtype == torch.float32, require_all, out)


def check_direction(direction, kits=("games", "ppo"), sign_rules=SIGN_RULES,
                    dtype=torch.float64, require_all=False, out=None):  # fmt: skip
    """``check`` for ``direction(losses, l_c, params, lam, sign_rule) -> xi_tilde`` (one
    ``(D,)`` tensor or a list of per-player blocks), for every rule of ``sign_rules`` and
    ``lam`` in 0.1 and 1.0: the quantities ``xi_tilde[sign_rule=R,lam=L]``."""
    quantities = runner.direction_quantities(direction, sign_rules, ALIGNED_LAMS, to_numpy)
    return check(quantities, kits, dtype, require_all, out)


def write_outputs(quantities, path, kits="games", dtype=torch.float64):
    """``check``'s outputs written to ``path`` as the JSON ``aga-ref verify PATH`` reads
    (``--float32`` for ``dtype=torch.float32``); returns ``path``."""
    make = lambda kit: cases(kit, dtype)  # noqa: E731
    return runner.write(make, quantities, kits, to_numpy, dtype == torch.float32, path)


def write_direction_outputs(direction, path, kits=("games", "ppo"), sign_rules=SIGN_RULES,
                            dtype=torch.float64):  # fmt: skip
    """``check_direction``'s outputs written to ``path`` for ``aga-ref verify PATH``."""
    quantities = runner.direction_quantities(direction, sign_rules, ALIGNED_LAMS, to_numpy)
    return write_outputs(quantities, path, kits, dtype)
