"""Differentiable games (paper Sec. 3, "differentiable mixed-motive game"; docs/paper.md,
section 2).

A game is ``n >= 2`` players with losses ``l_i : R^d -> R`` of the *full* flat parameter
vector ``w = [w_1, ..., w_n]`` (shape ``(d,)``), where player ``i`` controls only the block
``w_i`` of size ``d_i``. Rewards are negated losses.

The collective loss is ``l_c = sum_i l_i`` as in the paper's toy game. ``collective="mean"``
uses ``l_c = (1/n) sum_i l_i`` instead; it only rescales ``xi_c`` and ``H_c`` by ``1/n``.
``collective`` may also be a callable ``l_c(w)`` given on its own: for games whose collective
objective is estimated separately from the players' losses, such as the policy-gradient
surrogates of ``aga_ref.rl`` (there ``l_c`` uses the collective advantage, so it is not the
sum of the individual surrogates).

Losses must be written with ``autograd.numpy`` so that they can be differentiated twice.
"""

import numpy as np

from aga_ref._checks import as_vector, one_of


class Game:
    """An ``n``-player differentiable game: ``losses[i](w)`` is player ``i``'s scalar loss.

    Args:
        losses: sequence of ``n >= 2`` callables, each mapping ``w`` of shape ``(d,)`` to a
            scalar. Use ``autograd.numpy`` inside them.
        sizes: sequence of ``n`` positive integers ``d_i``; ``d = sum(sizes)``.
        collective: ``"sum"`` (default, the paper's ``l_c``), ``"mean"``, or a callable
            ``l_c(w)`` returning a scalar (an explicit collective loss).
    """

    def __init__(self, losses, sizes, collective="sum"):
        losses, sizes = tuple(losses), tuple(sizes)
        if len(losses) < 2:
            raise ValueError(f"losses must hold at least 2 callables, got {len(losses)}")
        for i, loss in enumerate(losses):
            if not callable(loss):
                raise TypeError(f"losses[{i}] must be callable, got {type(loss).__name__}")
        if len(sizes) != len(losses):
            raise ValueError(
                f"sizes must have one entry per loss ({len(losses)}), got {len(sizes)}"
            )
        for i, size in enumerate(sizes):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"sizes[{i}] must be a positive integer, got {size!r}")
        self.losses = losses
        self.sizes = tuple(int(s) for s in sizes)
        if callable(collective):
            self.collective, self.explicit_collective = collective, collective
        else:
            self.collective = one_of(collective, "collective", {"sum", "mean"})
            self.explicit_collective = None
        self.num_players = len(losses)
        self.dim = sum(self.sizes)
        self.blocks = block_slices(self.sizes)
        # Weight of sum_i l_i in l_c: 1 for the sum, 1/n for the mean.
        self.collective_weight = 1.0 if self.collective != "mean" else 1.0 / self.num_players

    def __repr__(self):
        return f"Game(n={self.num_players}, sizes={self.sizes}, collective={self.collective!r})"

    def point(self, w, name="w"):
        """Validate a parameter vector: finite float64 of shape ``(d,)``."""
        return as_vector(w, name, self.dim)

    def split(self, w):
        """``w`` (d,) -> list of the ``n`` blocks ``w_i`` (d_i,)."""
        w = self.point(w)
        return [w[block] for block in self.blocks]

    def join(self, blocks):
        """List of the ``n`` blocks ``w_i`` (d_i,) -> ``w`` (d,)."""
        blocks = list(blocks)
        if len(blocks) != self.num_players:
            raise ValueError(f"blocks must hold {self.num_players} arrays, got {len(blocks)}")
        for i, (block, size) in enumerate(zip(blocks, self.sizes)):
            as_vector(block, f"blocks[{i}]", size)
        return np.concatenate([np.asarray(b, dtype=np.float64) for b in blocks])

    def loss_values(self, w):
        """The losses ``[l_1(w), ..., l_n(w)]`` as an array (n,)."""
        w = self.point(w)
        return np.array([_scalar(loss(w), i) for i, loss in enumerate(self.losses)])

    def rewards(self, w):
        """The rewards ``r_i = -l_i(w)`` as an array (n,)."""
        return -self.loss_values(w)

    def collective_loss(self, w):
        """``l_c(w)``: the sum (or mean) of the losses, or the explicit ``l_c``."""
        if self.explicit_collective is not None:
            return self.explicit_collective(w)
        return self.collective_weight * sum(loss(w) for loss in self.losses)


def block_slices(sizes):
    """The players' slices of ``w`` from their block sizes ``d_i``: tuple of n slices."""
    ends = np.cumsum(sizes)
    return tuple(slice(int(e - s), int(e)) for s, e in zip(sizes, ends))


def _scalar(value, i):
    """Check that player ``i``'s loss returned a real scalar."""
    if np.ndim(value) != 0:
        raise TypeError(f"losses[{i}] must return a scalar, got shape {np.shape(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"losses[{i}] returned a non-finite value {value!r}")
    return value
