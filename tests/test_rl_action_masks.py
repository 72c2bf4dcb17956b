"""Action masks (issue 25 item 7): a masked action has probability exactly 0, and an agent
with no available action is refused, naming the agent and the sample (environment, and the
step in the rollout), instead of being sent a uniformly drawn, unavailable action."""

import numpy as np
import pytest

from aga_ref.rl import Config
from aga_ref.rl.policy import init_params, layer_shapes, sample_actions, unflatten
from aga_ref.rl.train import train
from tests.rl_setup import PRISONERS_DILEMMA, MatrixGameEnv

N, S, F, A = 3, 5, 4, 6


def actors(seed=0):
    shapes = layer_shapes(F, 8, A)
    return unflatten(init_params(shapes, N, np.random.default_rng(seed), 1.0, np.float64), shapes)


def test_masked_actions_are_never_drawn_and_a_single_one_has_log_probability_0():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, 400, F))
    avail = rng.random((N, 400, A)) < 0.5
    avail[:, :, 2] = True  # every row keeps action 2
    avail[0, 7] = np.eye(A, dtype=bool)[4]  # only action 4
    actions, logp = sample_actions(actors(), x, avail, rng)
    assert np.take_along_axis(avail, actions[..., None], -1).all()
    assert actions[0, 7] == 4 and logp[0, 7] == 0.0


def test_sample_actions_refuses_an_agent_with_no_available_action():
    avail = np.ones((N, S, A), dtype=bool)
    avail[2, 3] = False
    x = np.zeros((N, S, F))
    with pytest.raises(ValueError, match=r"none for agent 2 in sample 3 \(avail\[2, 3\] is all"):
        sample_actions(actors(), x, avail, np.random.default_rng(0))


class EmptyMaskEnv(MatrixGameEnv):
    """The prisoner's dilemma with masks; at step ``when`` agent 1 of environment 2 gets
    none."""

    when = 3

    def _info(self):
        avail = np.ones((self.num_envs, 2, 2), dtype=bool)
        if self.t == self.when:
            avail[2, 1] = False
        return {"avail_actions": avail}

    def reset(self, seed=None):
        self.t = 0
        return super().reset(seed)[0], self._info()

    def step(self, actions):
        self.t += 1
        return (*super().step(actions)[:4], self._info())


@pytest.mark.parametrize("when", [0, 3])
def test_the_learner_stops_at_the_environment_step_and_agent_with_no_action(when):
    env = EmptyMaskEnv(PRISONERS_DILEMMA, num_envs=4)
    env.when = when
    config = Config(env_steps=4 * 8, num_envs=4, num_steps=8, hidden=4, num_minibatches=2)
    message = (rf"got none for agent 1 of environment 2 at step {when} of the rollout "
               r"\(avail_actions\[2, 1\] is all False\)")  # fmt: skip
    with pytest.raises(ValueError, match=message):
        train(env, config, log=lambda *a: None)
