"""Functions whose first and second derivatives stay finite in float32 and float64.

autograd differentiates ``tanh`` as ``g / cosh(x)**2``; ``cosh`` overflows in float32 for
``|x|`` above about 89.4 (in float64 above about 710), so the derivative of that derivative
is ``inf / inf = NaN`` there, although the exact value is about 0. The sigmoid written as
``1 / (1 + exp(-x))`` overflows the same way for ``x`` below about -88 (float32). AgA's
``H_c^T xi_c`` and CGA's ``H^T xi`` differentiate the gradient once more, so one saturated
unit makes them non-finite. These primitives state their derivatives through their output,
as PyTorch's and JAX's do (``tanh'(x) = (1 - y)(1 + y)``, ``sigmoid'(x) = y (1 - y)``), so
every derivative of every order is a polynomial in ``y`` in [-1, 1]: finite at every finite
input. The values themselves are NumPy's (``tanh``) or computed without overflow
(``sigmoid``). ``tests/test_numerics.py`` compares first derivatives and Hessian-vector
products with float64 closed forms at inputs of +-100 and beyond.
"""

import numpy as np
from autograd.extend import defvjp, primitive


@primitive
def tanh(x):
    """``tanh(x)``, elementwise, any shape; derivative ``(1 - y)(1 + y)`` with ``y = tanh(x)``."""
    return np.tanh(x)


defvjp(tanh, lambda ans, x: lambda g: g * (1.0 - ans) * (1.0 + ans))


@primitive
def sigmoid(x):
    """``1 / (1 + exp(-x))``, elementwise, any shape, without overflow at any finite ``x``;
    derivative ``y (1 - y)``."""
    x = np.asarray(x)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(np.result_type(x, 1.0))


defvjp(sigmoid, lambda ans, x: lambda g: g * ans * (1.0 - ans))
