"""The paper's games, built on ``aga_ref.Game``: the two-player toy game (``toy``)."""
