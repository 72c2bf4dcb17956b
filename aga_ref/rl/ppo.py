"""One PPO update of every agent's actor and critic, with any method's actor direction.

For each minibatch: the surrogate game's terms (``surrogate.surrogate_terms``), the method's
direction (``methods.direction``), plus ``ent_coef`` times the entropy gradient, clipped to
``max_grad_norm`` and applied by the actors' optimiser (Adam, or SGD with momentum as an
ablation: ``Config.optimizer``). The critics (an individual and a collective value
for every agent) descend ``1/2 E[(V - R)^2]`` on GAE's returns with their own Adam; they are
not part of the game, so every method trains them the same way, always with Adam.
MAPPO's own choices (value normalisation, Huber and clipped value loss, advantages
normalised over the whole batch, a clip per network) are options: ``aga_ref.rl.mappo_update``.
Every update also reports the instruments of ``aga_ref.rl.instruments``.

Critics. MAPPO (the default): one centralised network on the global state with ``2 N``
outputs, ``V_i`` and ``V_c`` as seen for each agent (MAPPO shares its critic; a network per
agent on the same state would cost N times as much for the same input). IPPO: one network
per agent on its own observation, two outputs each. Either way ``critic_values`` returns
(N, S, 2).
"""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

from aga_ref.rl import mappo_update, methods
from aga_ref.rl.instruments import direction_instruments, hvp_bias, step_cosines, step_sizes
from aga_ref.rl.layers import DEFAULT_ARCH, arch_of, norm_columns, standardised
from aga_ref.rl.optim import adam_step, sgd_step
from aga_ref.rl.policy import flatten, mlp, unflatten
from aga_ref.rl.surrogate import Batch, surrogate_terms
from aga_ref.rl.value_loss import value_loss


def critic_values(phi, shapes, inputs):
    """Values (N, S, 2) of inputs (S, F) (the global state) or (N, S, F) (own views)."""
    return _values(unflatten(phi, shapes), inputs, arch_of(shapes))


def _values(layers, inputs, arch=DEFAULT_ARCH):
    if inputs.ndim == 3:  # IPPO: (N, S, F) -> (N, S, 2)
        return mlp(layers, inputs, arch)
    out = mlp(layers, inputs[None], arch)[0]  # MAPPO: (S, F) -> (S, 2 N)
    return anp.transpose(anp.reshape(out, (out.shape[0], -1, 2)), (1, 0, 2))  # (N, S, 2)


def _value_loss(layers, inputs, targets, weight, arch=DEFAULT_ARCH, old=None, clip=None,
                huber_delta=None):  # fmt: skip
    """``1/2 sum_s weight (V - R)^2`` summed over agents and both heads (scalar); with a
    ``clip`` or a ``huber_delta``, ``aga_ref.rl.value_loss`` (``old``: V_old (N, S, 2))."""
    values = _values(layers, inputs, arch)  # (N, S, 2)
    if clip is not None or huber_delta is not None:
        return value_loss(values, old, targets, weight, clip, huber_delta)
    return 0.5 * anp.sum(weight[..., None] * (values - targets) ** 2)


def _normalise(adv, weight):
    """Each agent's advantages (N, S) to mean 0 and std 1 under the sample weights (N, S)
    (each row sums to 1, or is all 0 for an agent with no active sample: then zeros)."""
    mean = np.sum(weight * adv, axis=1, keepdims=True)
    std = np.sqrt(np.sum(weight * (adv - mean) ** 2, axis=1, keepdims=True))
    out = (adv - mean) / (std + 1e-8)
    return np.where(np.sum(weight, axis=1, keepdims=True) > 0, out, 0.0).astype(np.float32)


def _mean_weights(mask):
    """Weights (N, s) of a weighted mean over each row's True samples (zero rows stay 0)."""
    mask = mask.astype(np.float32)
    return mask / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)


def minibatch(data, idx, norm_adv):
    """The actors' ``Batch`` of samples ``idx`` (s,) or a slice, and the value loss's weights
    (N, s).

    Active masks (MAPPO's ``use_policy_active_masks``): agent i's samples in which it did not
    act (``data["active"]`` False: dead, or a reset step) get weight 0 in its surrogates, so
    in ``xi``, ``xi_c`` and every product, in its entropy, and in its advantage
    normalisation; its active samples share weight 1 equally. The value loss keeps every
    transition (``data["live"]``), active or not: the GAE of an agent's last active step
    bootstraps from its heads' values in the state where it has just died, and the team's
    return, ``V_c``, goes on after it."""
    weight = _mean_weights(data["active"][:, idx])  # (N, s)
    adv_ind, adv_col = data["adv_ind"][:, idx], data["adv_col"][:, idx]
    if norm_adv:
        adv_ind, adv_col = _normalise(adv_ind, weight), _normalise(adv_col, weight)
    avail = None if data["avail"] is None else data["avail"][:, idx]
    batch = Batch(data["x"][:, idx], data["actions"][:, idx], avail, data["logp"][:, idx],
                  adv_ind, adv_col, weight)  # fmt: skip
    return batch, _mean_weights(data["live"][:, idx])


def update(state, data, config, lr, rng):
    """Run ``update_epochs`` passes of minibatches over ``data``; return (state, stats).

    ``lr``: this update's learning-rate factor times ``config.lr`` (Adam's rate; the actors'
    SGD rate is ``config.sgd_lr`` times the same factor). ``state``: dict with ``theta``
    (N, P), ``phi`` (N, Pc), ``actor_opt`` and ``critic_adam`` (optimiser states), and the
    layer shapes; ``data``: flattened batch, arrays (N, S, ...) with ``adv_ind``, ``adv_col``,
    ``ret`` (N, S, 2), ``values`` (N, S, 2), ``old_values`` (N, S, 2) (the critics' outputs:
    ``values`` normalised, with ``value_norm``), ``live`` and ``active`` (N, S) bool. Every
    sample index ``s`` is the same transition for every agent."""
    hvp, need = methods.needs(config.method, config.hamiltonian, config.all_gradients)
    theta_before = state["theta"].copy()
    S = data["actions"].shape[1]
    size = S // config.num_minibatches
    data, per_minibatch = prepared(data, state, config)
    # One minibatch of the whole batch is the same sums in any order (only the rounding
    # differs), so it is not gathered anew in every epoch (MAPPO's 15); the split estimate
    # halves a minibatch by position, so where it is used (or measured) the order is kept.
    gather = config.num_minibatches > 1 or config.hamiltonian_estimator == "split"
    logs = []
    for _ in range(config.update_epochs):
        order = rng.permutation(S)  # drawn either way: the same random stream
        for start in range(0, S, size):
            idx = order[start : start + size] if gather else slice(None)
            batch, value_weight = minibatch(data, idx, per_minibatch)
            weight = batch.weight  # (N, s)
            terms = surrogate_terms(state["theta"], state["actor_shapes"], batch, config.clip,
                                    hvp=hvp, need=need,
                                    estimator=config.hamiltonian_estimator)  # fmt: skip
            bias = {}
            if config.hvp_bias:  # the split halves of a random order, as the step's would be
                shuffled = batch if gather else minibatch(data, order, per_minibatch)[0]
                bias = hvp_bias(terms, state["theta"], state["actor_shapes"], shuffled,
                                config.clip, config.hamiltonian_estimator)  # fmt: skip
            values = data["values"][:, idx]  # (N, s, 2)
            mean_values = (np.sum(weight * values[..., 0], 1), np.sum(weight * values[..., 1], 1))
            used = terms._replace(Hv=methods.product_in(terms.Hv, state["actor_shapes"],
                                                        config.hamiltonian_layers))  # fmt: skip
            d, chosen = methods.direction(config.method, used, config, mean_values)
            d = d + config.ent_coef * terms.ent_grad  # (N, P)
            if not config.layer_norm_affine:  # an ablation: the LayerNorms keep g = 1, c = 0
                d[:, norm_columns(state["actor_shapes"])] = 0.0  # so Adam's step there is 0
            d, actor_norm = mappo_update.clip(d, config)
            critic_in = data["critic"][idx] if data["critic"].ndim == 2 else data["critic"][:, idx]
            targets = mappo_update.critic_targets(state, data["ret"][:, idx],
                                                  data["live"][:, idx], config)  # fmt: skip
            loss, g = value_and_grad(_value_loss)(
                unflatten(state["phi"], state["critic_shapes"]), critic_in, targets,
                value_weight, arch_of(state["critic_shapes"]), data["old_values"][:, idx],
                config.clip if config.clip_value_loss else None, config.huber_delta or None,
            )  # fmt: skip
            g, critic_norm = mappo_update.clip(flatten(g), config)
            for name, v in (("direction", d), ("critic gradient", g)):
                if not np.all(np.isfinite(v)):
                    raise FloatingPointError(f"the {name} became non-finite")
            theta_mb = state["theta"]
            state["theta"], state["actor_opt"] = _actor_step(state, d, config, lr)
            state["phi"], state["critic_adam"] = adam_step(
                state["phi"], g, state["critic_adam"], lr
            )
            logs.append({**terms.stats, **chosen, "actor_grad_norm": actor_norm,
                         "critic_grad_norm": critic_norm,
                         "value_loss": float(loss) / len(value_weight),
                         **direction_instruments(terms, state["actor_shapes"]), **bias,
                         **step_cosines(state["theta"] - theta_mb, terms,
                                        state["actor_shapes"])})  # fmt: skip
    stats = {k: float(np.mean([row[k] for row in logs])) for k in logs[0]}
    return state, {**stats, **step_sizes(theta_before, state["theta"], state["actor_shapes"])}


def prepared(data, state, config):
    """The update's data before its minibatches are drawn: advantages normalised once over
    the whole batch where ``config`` says so (MAPPO's ``adv_norm_scope="buffer"``), inputs of
    networks that begin with a LayerNorm standardised once; returns (a new dict, whether
    ``minibatch`` normalises advantages per minibatch instead)."""
    per_minibatch = config.norm_adv and config.adv_norm_scope == "minibatch"
    if config.norm_adv and not per_minibatch:  # once, over the whole batch (MAPPO)
        data = mappo_update.normalise_buffer(data)
    return _standardised_inputs(data, state), per_minibatch


def _standardised_inputs(data, state):
    """``data`` with the inputs of networks that begin with a LayerNorm standardised once
    (``layers.standardised``), so that every epoch reuses them: a new dict."""
    out = dict(data)
    if arch_of(state["actor_shapes"]).layer_norm:
        out["x"] = standardised(data["x"])  # (N, S, F)
    if arch_of(state["critic_shapes"]).layer_norm:  # IPPO's are the actors' inputs
        done = data["critic"] is data["x"] and out["x"] is not data["x"]
        out["critic"] = out["x"] if done else standardised(data["critic"])  # (S, F) or (N, S, F)
    return out


def _actor_step(state, d, config, lr):
    """The actors' optimiser step along ``d``: (theta, optimiser state)."""
    if config.optimizer == "sgd":
        rate = lr * config.sgd_lr / config.lr  # the same annealing factor
        return sgd_step(state["theta"], d, state["actor_opt"], rate, config.sgd_momentum)
    return adam_step(state["theta"], d, state["actor_opt"], lr)
