"""Every hyperparameter of the reproduction, with why. The paper gives none of these for the
differentiable games (docs/paper.md, sections 5-6); they are our documented choices, fixed before
looking at the outcome and not tuned toward the paper's numbers."""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ToyProtocol:
    """The toy game of Sec. 4 (``games.toy``)."""

    w0: tuple = (1.5, 0.0)
    """Start (a_1, a_2): a point from which the paper's sign rule differs from +lam at once."""
    eta: float = 0.05
    """Step size; the paper warns that AgA diverges for large lam * eta on this game."""
    lam: float = 0.1
    """AgA's |lam|, and lam for CGA and SGA."""
    num_steps: int = 200
    """Steps for the trajectory figure and the steps-to-tolerance count."""
    ablation_steps: int = 40
    """Steps shown in the AgA vs AgA-Sign figure (poster: 40, marker every 10th)."""
    reward_tol: float = 0.01
    """'At the optimum' means collective reward within this fraction of the optimum."""
    num_starts: int = 50
    """Random starts for the AgA vs AgA-Sign statistics."""
    start_box: tuple = ((0.0, 3.0), (-0.5, 1.5))
    """Box around the social optimum from which those starts are drawn uniformly."""
    sign_points: int = 2000
    """Random points per region when counting paper-vs-exact sign disagreements."""


@dataclass(frozen=True)
class PublicGoodsProtocol:
    """The two-player public goods game of Sec. 5 (``games.public_goods``)."""

    num_runs: int = 50
    """Seeded random runs per method (the paper: 50)."""
    max_steps: int = 100
    """Steps per run at most (the paper: 100)."""
    tol: float = 1e-6
    """A run stops early once a step moves the parameters by less than this."""
    eta: float = 1.0
    """Step size on the sigmoid parameters (sigmoid' <= 1/4 keeps this stable)."""
    lam: float = 1.0
    """AgA's |lam| and CGA/SGA's lam: the neutral default; see the lambda sweep."""
    sweep: tuple = tuple(np.logspace(-2, 2, 9))
    """|lam| values of the AgA lambda sweep (log scale)."""
    start_actions: tuple = (0.01, 0.99)
    """Initial actions a_i ~ Uniform(start_actions) * b, mapped to w by the logit."""


@dataclass(frozen=True)
class Protocol:
    """All experiments; ``quick()`` is the reduced version for the smoke test."""

    seed: int = 0
    toy: ToyProtocol = field(default_factory=ToyProtocol)
    public_goods: PublicGoodsProtocol = field(default_factory=PublicGoodsProtocol)

    def quick(self):
        """Few runs and steps: every file is produced, the numbers mean little."""
        return Protocol(
            seed=self.seed,
            toy=ToyProtocol(num_steps=60, num_starts=4, sign_points=100),
            public_goods=PublicGoodsProtocol(num_runs=4, max_steps=20, sweep=(0.1, 10.0)),
        )
