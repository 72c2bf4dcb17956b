"""Validation at the public boundary (STYLE rule 9).

Every public function funnels its array and option arguments through these helpers, so
that bad input fails early with a ``ValueError`` or ``TypeError`` that names the argument,
what was expected and what was received -- never a silent NaN or a broadcast.
"""

import numbers

import numpy as np


class NonFiniteError(ValueError):
    """A computed quantity (a derivative, a loss) is non-finite."""


def as_vector(x, name, dim=None):
    """Return ``x`` as a finite float64 array of shape ``(dim,)``, or raise."""
    arr = np.asarray(x)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 1 or (dim is not None and arr.shape[0] != dim):
        expected = f"({dim},)" if dim is not None else "a 1-D shape"
        raise ValueError(f"{name} must have shape {expected}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        more = f" and {bad.size - 5} more ({bad.size} of {arr.size})" if bad.size > 5 else ""
        raise NonFiniteError(
            f"{name} must be finite, got non-finite entries at indices {bad[:5].tolist()}{more}"
        )
    return arr.astype(np.float64)


def as_real(x, name, positive=False):
    """Return ``x`` as a finite Python float, or raise."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    value = float(x)
    if not np.isfinite(value) or (positive and value <= 0):
        kind = "a finite number > 0" if positive else "a finite number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return value


def as_count(x, name, minimum=0):
    """Return ``x`` as a Python int >= ``minimum``, or raise."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x}")
    return int(x)


def one_of(x, name, options):
    """Return ``x`` if it is one of ``options``, or raise."""
    if x not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, got {x!r}")
    return x
