"""The conformance kit in JAX: every case of the three kits as ``jax.numpy`` arrays, and a
runner that checks your function on all of them with ``aga-ref verify``'s report
(docs/verify.md opens with the ten lines this takes).

    from aga_ref.conformance import jax as kit
    kit.check_direction(aga)              # aga(losses, l_c, params, lam, sign_rule) -> xi_tilde
    kit.check(quantities, kits="ppo")     # quantities(case) -> {quantity: value}
    kit.cases("dynamics")                 # the cases themselves (``runner``'s docstring)
    kit.write_direction_outputs(aga, "outputs.json")  # for ``aga-ref verify outputs.json``
    kit.write_outputs(quantities, "outputs.json", kits="ppo")

A case reads by attribute or by key (``case.params``, ``case["params"]``).
Each case's ``params`` is a list of arrays, one ``(d_i,)`` block per player (per agent on
the PPO minibatches: its actor's flat parameters, ``W1, b1, W2, b2, W3, b3`` row-major), a
pytree ``jax.grad`` differentiates; its losses take that list. PPO cases also hold
``weights``, per agent ``{"W1": (F, H), ...}`` (inputs times ``W``), and ``actor(theta, x)``,
the logits of flat parameters (``runner``'s docstring).
float64 needs ``jax.config.update("jax_enable_x64", True)`` before any array is made: without
it JAX computes in float32, and the report says so (and fails) unless you ask for float32
(``float32=True``). Needs JAX (``pip install jax``); aga-ref itself does not.
"""

from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np

from aga_ref.conformance import runner
from aga_ref.conformance.games import ALIGNED_LAMS, SIGN_RULES


def ops(dtype):
    """The array operations of ``aga_ref.conformance.formulas`` in JAX, in ``dtype``."""
    return SimpleNamespace(
        tensor=lambda x: jnp.asarray(np.asarray(x, dtype=np.float64), dtype=dtype),
        as_array=lambda x: jnp.asarray(np.asarray(x)),
        sigmoid=jax.nn.sigmoid, sin=jnp.sin, cos=jnp.cos, tanh=jnp.tanh, exp=jnp.exp,
        log_softmax=jax.nn.log_softmax, cat=jnp.concatenate, stack=jnp.stack,
        eye=lambda n: jnp.eye(n, dtype=dtype), solve=jnp.linalg.solve, clip=jnp.clip,
        minimum=jnp.minimum, where=jnp.where,
    )  # fmt: skip


def _dtype(float32):
    """float32, or float64 where JAX has it on (else float32: the runner's report says so)."""
    return jnp.float32 if float32 or not jax.config.jax_enable_x64 else jnp.float64


def cases(kit="games", float32=False):
    """The cases of ``kit`` (``"games"``, ``"ppo"`` or ``"dynamics"``) as JAX arrays."""
    o = ops(_dtype(float32))
    return runner.kit_cases(kit, o, o.tensor)


def check(quantities, kits="games", float32=False, require_all=False, out=None):
    """Run ``quantities(case) -> {quantity: value}`` on every case of ``kits`` (names among
    ``"games"``, ``"ppo"``, ``"dynamics"``), print the verifier's report, return True when
    all passed. ``float32=True`` checks float32 on purpose, with the float32 tolerance."""
    make = lambda kit: cases(kit, float32)  # noqa: E731
    return runner.run(make, quantities, kits, np.asarray, float32, require_all, out)


def check_direction(direction, kits=("games", "ppo"), sign_rules=SIGN_RULES, float32=False,
                    require_all=False, out=None):  # fmt: skip
    """``check`` for ``direction(losses, l_c, params, lam, sign_rule) -> xi_tilde`` (one
    ``(D,)`` array or a list of per-player blocks), for every rule of ``sign_rules`` and
    ``lam`` in 0.1 and 1.0: the quantities ``xi_tilde[sign_rule=R,lam=L]``."""
    quantities = runner.direction_quantities(direction, sign_rules, ALIGNED_LAMS, np.asarray)
    return check(quantities, kits, float32, require_all, out)


def write_outputs(quantities, path, kits="games", float32=False):
    """``check``'s outputs written to ``path`` as the JSON ``aga-ref verify PATH`` reads
    (``--float32`` for ``float32=True``); returns ``path``."""
    make = lambda kit: cases(kit, float32)  # noqa: E731
    return runner.write(make, quantities, kits, np.asarray, float32, path)


def write_direction_outputs(direction, path, kits=("games", "ppo"), sign_rules=SIGN_RULES,
                            float32=False):  # fmt: skip
    """``check_direction``'s outputs written to ``path`` for ``aga-ref verify PATH``."""
    quantities = runner.direction_quantities(direction, sign_rules, ALIGNED_LAMS, np.asarray)
    return write_outputs(quantities, path, kits, float32)
