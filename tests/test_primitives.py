"""The learner's primitives with VJPs written out (``aga_ref.primitives``): ``affine``,
``log_softmax``, ``select`` and ``tanh``. Their values and first and second derivatives
against autograd's derivatives of the same operations composed from autograd's own primitives
(an independent implementation), and against central differences along random directions
(``autograd.test_util.check_grads``, to second order: the learner's Hessian-vector products
differentiate these VJPs); and a test that the same check fails on a wrong VJP."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, make_vjp
from autograd.extend import defvjp, primitive
from autograd.test_util import check_grads
from numpy.testing import assert_allclose

from aga_ref.primitives import affine, log_softmax, select, tanh

N, S, F, H = 2, 5, 4, 3


def _affine_args(rng, dtype=np.float64, H=H):
    shapes = ((N, S, F), (N, F, H), (N, H))  # x, W, b
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


def _composed_affine(x, W, b):
    return anp.matmul(x, W) + b[:, None, :]


def _composed_log_softmax(z):
    return z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_affine_vjps_equal_autograds_of_the_composed_layer(argnum):
    rng = np.random.default_rng(argnum)
    args = _affine_args(rng)
    g = rng.standard_normal((N, S, H))
    ours = make_vjp(affine, argnum)(*args)
    theirs = make_vjp(_composed_affine, argnum)(*args)
    assert_allclose(ours[1], theirs[1], rtol=1e-12)
    assert_allclose(ours[0](g), theirs[0](g), rtol=1e-12)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_affine_derivatives_to_second_order_by_finite_differences(argnum):
    check_grads(affine, argnum, modes=["rev"], order=2)(*_affine_args(np.random.default_rng(7)))


def test_affine_hessian_vector_product_equals_autograds_of_the_composed_layer():
    # the learner's use: grad of 1/2 ||grad_W L||^2 with L a tanh layer's loss
    rng = np.random.default_rng(3)
    x, W, b = _affine_args(rng)
    c = rng.standard_normal((N, S, H))

    def ham(W, layer):
        gW = grad(lambda t: anp.sum(c * tanh(layer(x, t, b)) ** 2))(W)
        return 0.5 * anp.sum(gW**2)

    assert_allclose(grad(ham)(W, affine), grad(ham)(W, _composed_affine), rtol=1e-10)


def test_affine_keeps_float32():
    x, W, b = _affine_args(np.random.default_rng(0), np.float32)
    g = grad(lambda W: anp.sum(affine(x, W, b) ** 2))(W)
    assert affine(x, W, b).dtype == np.float32 and g.dtype == np.float32


def test_log_softmax_value_vjp_and_hvp_equal_autograds_of_the_composed_form():
    rng = np.random.default_rng(1)
    z, g, v = rng.standard_normal((3, N, S, 4))
    assert_allclose(log_softmax(z), _composed_log_softmax(z), rtol=1e-12, atol=1e-14)
    for f in (log_softmax, _composed_log_softmax):
        assert_allclose(np.exp(f(z)).sum(-1), 1.0, rtol=1e-12)
    assert_allclose(make_vjp(log_softmax)(z)[0](g), make_vjp(_composed_log_softmax)(z)[0](g),
                    rtol=1e-10, atol=1e-12)  # fmt: skip

    def hvp(f):  # d/dz <v, grad_z <g, f(z)>>
        return grad(lambda t: anp.sum(v * grad(lambda s: anp.sum(g * f(s)))(t)))(z)

    assert_allclose(hvp(log_softmax), hvp(_composed_log_softmax), rtol=1e-9, atol=1e-12)


def test_log_softmax_derivatives_to_second_order_by_finite_differences():
    check_grads(log_softmax, modes=["rev"], order=2)(
        np.random.default_rng(2).standard_normal((N, S, 4))
    )


def test_log_softmax_of_masked_logits_is_finite_and_passes_them_no_gradient():
    z = np.array([[2.0, -1e9, 0.5], [-1e9, 3.0, 1.0]], np.float32)
    out = log_softmax(z)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    p = np.exp(out)
    assert_allclose(p.sum(-1), 1.0, rtol=1e-6)
    assert np.all(p[z == -1e9] == 0.0)
    c = np.where(z == -1e9, 0.0, 1.5).astype(np.float32)  # a loss on the available actions
    g = grad(lambda t: anp.sum(c * log_softmax(t)))(z)
    assert g.dtype == np.float32 and np.all(g[z == -1e9] == 0.0)
    assert_allclose(g, c - p * c.sum(-1, keepdims=True), rtol=1e-6)  # c - p sum(c)


def test_tanh_derivatives_to_second_order_by_finite_differences():
    check_grads(tanh, modes=["rev"], order=2)(np.random.default_rng(4).standard_normal((N, S)))


def test_the_finite_difference_check_fails_on_a_wrong_vjp():
    @primitive
    def wrong_affine(x, W, b):
        return np.matmul(x, W) + b[:, None, :]

    # the weights' gradient the wrong way round, g^T x instead of x^T g (square W: it fits)
    defvjp(wrong_affine, lambda ans, x, W, b: lambda g: anp.matmul(anp.swapaxes(g, 1, 2), x),
           argnums=(1,))  # fmt: skip
    args = _affine_args(np.random.default_rng(5), H=F)
    check_grads(affine, 1, modes=["rev"], order=1)(*args)  # the right one passes
    with pytest.raises(AssertionError):
        check_grads(wrong_affine, 1, modes=["rev"], order=1)(*args)


def test_select_equals_where_and_its_derivatives_keep_float32_to_second_order():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((N, S, 4)).astype(np.float32)
    c = rng.random((N, S, 4)) < 0.6
    assert_allclose(select(c, x, -1e9), np.where(c, x, np.float32(-1e9)), rtol=0)
    assert select(c, x, -1e9).dtype == np.float32
    w = rng.standard_normal(x.shape).astype(np.float32)

    def loss(t):  # a log-softmax over the selected entries, as the masked actor's
        return anp.sum(w * log_softmax(select(c, t, -1e9)) * c)

    g = grad(loss)(x)
    hvp = grad(lambda t: anp.sum(grad(loss)(t) * w))(x)
    assert g.dtype == np.float32 and hvp.dtype == np.float32  # autograd's where: float64
    assert np.all(g[~c] == 0.0) and np.all(hvp[~c] == 0.0)
    composed = grad(lambda t: anp.sum(w * _composed_log_softmax(anp.where(c, t, -1e9)) * c))
    assert_allclose(g, composed(x.astype(np.float64)), rtol=1e-4, atol=1e-6)


def test_select_derivatives_to_second_order_by_finite_differences():
    rng = np.random.default_rng(8)
    c = rng.random((N, S)) < 0.5
    check_grads(lambda t: select(c, t, 3.0) ** 2, modes=["rev"], order=2)(
        rng.standard_normal((N, S))
    )


@pytest.mark.parametrize("masked", [False, True])
def test_every_product_of_a_float32_learner_update_is_float32(masked):
    # before select, autograd's where VJP turned masked backward passes float64 (half speed)
    from aga_ref.rl.surrogate import surrogate_terms
    from tests.rl_setup import CLIP, matmul_dtypes, tiny_problem

    theta, shapes, batch = tiny_problem(masked=masked)
    batch = type(batch)(*[a.astype(np.float32) if getattr(a, "dtype", None) == np.float64
                          else a for a in batch])  # fmt: skip
    theta = theta.astype(np.float32)
    dtypes = matmul_dtypes(lambda: surrogate_terms(theta, shapes, batch, CLIP, hvp="collective"))
    assert dtypes == {np.dtype(np.float32)}, dtypes
