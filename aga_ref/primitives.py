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

``select`` is ``np.where(condition, x, fill)`` whose derivatives keep ``x``'s dtype:
autograd's own ``where`` VJP fills with float64 zeros, which made every backward pass of an
environment with action masks (Selfish-MMM2) run in float64, at half of float32's speed
(``benchmarks/profile_update.py --layouts``).

Two more primitives make the learner's networks cheaper to differentiate, not more finite:
``affine`` (a batched layer ``x W + b``) and ``log_softmax``. Composed from autograd's own
operations they give the same derivatives through more graph nodes (the bias's broadcast
alone scatters its gradient back with ``np.add.at``) and with a slower memory layout for the
weights' gradient (see ``affine``). Their VJPs are written out below, derived beside each,
and written in ``autograd.numpy`` so that autograd differentiates them again (the learner's
Hessian-vector products); ``tests/test_primitives.py`` compares them with autograd's
derivatives of the composed operations and with finite differences, to second order.
A VJP maker runs once per node (when the value is traced), so what every VJP of a node
shares (``tanh``'s slope, the softmax's probabilities) is computed there once, not again
in each of the learner's three VJPs of the same forward pass.
"""

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive


@primitive
def tanh(x):
    """``tanh(x)``, elementwise, any shape; derivative ``(1 - y)(1 + y)`` with ``y = tanh(x)``."""
    return np.tanh(x)


def _tanh_vjp(ans, x):
    slope = (1.0 - ans) * (1.0 + ans)  # tanh'(x) = 1 - y^2, factored: exact near |y| = 1
    return lambda g: g * slope


defvjp(tanh, _tanh_vjp)


@primitive
def sigmoid(x):
    """``1 / (1 + exp(-x))``, elementwise, any shape, without overflow at any finite ``x``;
    derivative ``y (1 - y)``."""
    x = np.asarray(x)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(np.result_type(x, 1.0))


defvjp(sigmoid, lambda ans, x: lambda g: g * ans * (1.0 - ans))


@primitive
def select(condition, x, fill):
    """``x`` where ``condition`` (bool, broadcasting), else the number ``fill``, in x's dtype."""
    return np.where(condition, x, np.asarray(fill, dtype=np.result_type(x)))


# d/dx_k: 1 where the condition holds, else 0; linear in g, so its VJP is again a select.
defvjp(select, None, lambda ans, condition, x, fill: lambda g: select(condition, g, 0.0))


@primitive
def affine(x, W, b):
    """``x W + b``: rows x (..., S, F) times weights W (..., F, H) plus biases b (..., H) on
    every row -> (..., S, H); the leading axes (the agents) match. The product is
    ``anp.matmul`` (on plain arrays here) so that a count of autograd's products sees it."""
    return anp.matmul(x, W) + b[..., None, :]


# With y = x W + b and cotangent g (..., S, H):
#   dL/dx = g W^T                       (..., S, F)
#   dL/dW = x^T g = (g^T x)^T           (..., F, H): formed as g^T x, whose operands BLAS
#           reads row by row; x^T g reads x by columns (Harvest's first layer, float32, one
#           core: 76 against 66 GFLOP/s, ``benchmarks/profile_update.py --layouts``)
#   dL/db = sum_s g                     (..., H)
defvjp(
    affine,
    lambda ans, x, W, b: lambda g: anp.matmul(g, anp.swapaxes(W, -1, -2)),
    lambda ans, x, W, b: lambda g: anp.swapaxes(anp.matmul(anp.swapaxes(g, -1, -2), x), -1, -2),
    lambda ans, x, W, b: lambda g: anp.sum(g, axis=-2),
)


@primitive
def log_softmax(z):
    """Log-probabilities ``z - log sum_a exp z_a`` over the last axis (..., A), shifted by
    the row maximum first (the shift cancels exactly; it keeps ``exp`` from overflowing)."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


# d log p_i / d z_j = delta_ij - p_j  =>  (g^T J)_j = g_j - p_j sum_i g_i,  p = exp(ans).
def _log_softmax_vjp(ans, z):
    p = anp.exp(ans)  # (..., A); a masked logit of -1e9 has p = 0 exactly
    return lambda g: g - p * anp.sum(g, axis=-1, keepdims=True)


defvjp(log_softmax, _log_softmax_vjp)
