"""Named sets of ``Config`` values: ``aga-ref train --preset mappo`` (and ``sweep``).

``mappo``: the defaults of marlbenchmark/on-policy (Yu et al. 2022), the stack the AgA paper
combines AgA with, wherever they differ from ours; docs/rl.md ("MAPPO's configuration") has
the table, field by field, with the file each value comes from and why a few are left out
(the GRU, the CNN, parameter sharing). Explicit options override a preset's values.

    config = preset_config("mappo", method="aga", lam=100.0)
"""

from aga_ref.rl.config import Config

PRESETS = {
    "mappo": {
        "activation": "relu",  # use_ReLU (mlp.py)
        "layer_norm": True,  # use_feature_normalization and MLPLayer's LayerNorms
        "value_norm": True,  # use_valuenorm
        "huber_delta": 10.0,  # use_huber_loss, huber_delta
        "clip_value_loss": True,  # use_clipped_value_loss
        "adv_norm_scope": "buffer",  # R_MAPPO.train
        "clip_per_network": True,  # clip_grad_norm_ of the actor, then of the critic
        "max_grad_norm": 10.0,
        "num_minibatches": 1,  # num_mini_batch
        "update_epochs": 15,  # ppo_epoch
        "anneal_lr": False,  # use_linear_lr_decay False
    },
}
# MAPPO's defaults that are ours already (onpolicy/config.py; Adam's eps 1e-5, opti_eps, is
# fixed in aga_ref.rl.optim): a test keeps Config's defaults equal to them, so that the
# preset stays complete if ours change.
MAPPO_SAME = {"lr": 5e-4, "ent_coef": 0.01, "clip": 0.2, "gamma": 0.99, "gae_lambda": 0.95,
              "hidden": 64, "num_envs": 32, "critic": "mappo", "norm_adv": True,
              "layer_norm_affine": True}  # nn.LayerNorm's elementwise_affine  # fmt: skip


def preset_config(name, **given):
    """``Config`` with preset ``name``'s values, and ``given`` fields over them."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
    return Config(**{**PRESETS[name], **given})
