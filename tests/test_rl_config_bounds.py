"""The learner's ``Config`` refuses each bad value naming its field, at the edges of each
range (found missing by mutation testing, docs/testing.md): the message starts with the
field's name, and the last valid value is accepted."""

import pytest

from aga_ref.rl.config import Config


@pytest.mark.parametrize(
    "kwargs, error, start",
    [
        ({"method": "aga", "lam": "big"}, TypeError, "lam must be a real number"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
        ({"critic": "central"}, ValueError, "critic must be one of"),
        *[({name: 0.0}, ValueError, f"{name} must be a finite number > 0")
          for name in ("lr", "clip", "max_grad_norm")],
        ({"optimizer": "sgd", "sgd_lr": 0.0}, ValueError, "sgd_lr must be a finite number > 0"),
        ({"optimizer": "sgd", "sgd_momentum": 1.0}, ValueError, "sgd_momentum must lie in [0, 1)"),
        ({"optimizer": "sgd", "sgd_momentum": "a"}, TypeError, "sgd_momentum must be a real"),
        *[({name: value}, ValueError, f"{name} must lie in [0, 1]")
          for name in ("gamma", "gae_lambda") for value in (-0.01, 1.01)],
        ({"gamma": "x"}, TypeError, "gamma must be a real number"),
        ({"ent_coef": "x"}, TypeError, "ent_coef must be a real number"),
        *[({name: 1}, TypeError, f"{name} must be True or False, got 1")
          for name in ("align", "hamiltonian", "all_gradients", "anneal_lr", "norm_adv")],
        ({"method": "simul-ind", "fcgrad_beta": 0.5}, ValueError,
         "fcgrad_beta=0.5 applies only to method 'fcgrad', got method='simul-ind'"),
    ],
)  # fmt: skip
def test_a_bad_value_is_refused_naming_its_field(kwargs, error, start):
    with pytest.raises(error) as info:
        Config(**kwargs)
    assert str(info.value).startswith(start), str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"gamma": 1.0}, {"gamma": 0.0}, {"gae_lambda": 1.0}, {"optimizer": "sgd", "sgd_momentum": 0.0},
     {"optimizer": "sgd", "sgd_momentum": 0.999}, {"ent_coef": 0.0}],
)  # fmt: skip
def test_the_edges_of_each_range_are_accepted(kwargs):
    Config(**kwargs)
