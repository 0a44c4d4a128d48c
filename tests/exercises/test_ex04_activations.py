"""Graded tests for notebook 04's exercises (run against --impl solutions|exercises|PATH).

torch float64 autograd and the tested ``nnbasics.core.activations`` are the oracles.

Tolerances (float64 error analysis): every value is O(1) or smaller. A correct float64
implementation of sigma (two exp branches, 1/(1 + e^{-x}) for x >= 0, or (1 + tanh(x/2))/2)
has absolute error <= ~eps = 2.2e-16 in sigma and 1 - sigma; the derivatives multiply that
by at most |x| (<= 1000 here), so the error is <= ~2.2e-13 < atol = 1e-12, and rtol = 1e-9
covers the O(1) values. Equivalent idioms (s * (1 - s), s * sigma(-x), s + x s (1 - s),
s (1 + x (1 - s))) all pass.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import activations
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import assert_close

EXERCISES = {
    "4.1": {"title": "sigmoid derivative",
            "hint": "sigma'(x) = s * (1 - s) with s = sigma(x) — not sigma(x) itself, and not "
                    "x * (1 - x); compute s without overflow (np.exp(-np.abs(x)) or np.tanh)"},
    "4.2": {"title": "Leaky ReLU derivative",
            "hint": "1 where x > 0, alpha elsewhere (including x == 0); the derivative of alpha*x "
                    "is alpha, not alpha*x; use the alpha argument; return a new array shaped like x"},
    "4.3": {"title": "SiLU derivative (derived)",
            "hint": "product rule: d/dx [x * sigma(x)] = 1 * sigma(x) + x * sigma'(x), with "
                    "sigma'(x) from exercise 4.1; compute sigma without exp overflow"},
}

X = np.concatenate([np.linspace(-6, 6, 49), [0.0]])


def _torch_grad(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


@pytest.fixture(scope="module")
def ex(impl):
    return impl("04")


@pytest.mark.exercise("4.1")
def test_sigmoid_derivative_matches_autograd(ex):
    got = call_unmodified(ex.sigmoid_derivative, X.copy())
    ref = _torch_grad(torch.sigmoid, X)
    got = np.asarray(got, dtype=float)
    if got.shape == ref.shape and np.allclose(got, torch.sigmoid(torch.tensor(X)).numpy()):
        raise AssertionError("you returned sigma(x) itself; the derivative is sigma(x) * (1 - sigma(x))")
    if got.shape == ref.shape and np.allclose(got, X * (1 - X)):
        raise AssertionError("you computed x * (1 - x); apply the formula to s = sigma(x), not to x")
    assert_close(got, ref, "sigmoid_derivative(x)")


def _call_without_warnings(fn, x, name):
    """Call fn(x) with numpy's RuntimeWarnings turned into a failure that names the overflow."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return np.asarray(fn(x), dtype=float)
        except RuntimeWarning as w:
            raise AssertionError(f"{name} warned for |x| = 1000 ({w}): np.exp(-x) overflows for "
                                 "x = -1000; compute sigma with np.exp(-np.abs(x)) in two branches "
                                 "or with np.tanh") from None


@pytest.mark.exercise("4.1")
def test_sigmoid_derivative_peak_and_stability(ex):
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    got = _call_without_warnings(ex.sigmoid_derivative, x, "sigmoid_derivative")
    assert_close(got, _torch_grad(torch.sigmoid, x), "sigmoid_derivative([-1000, -40, 0, 40, 1000])")


@pytest.mark.exercise("4.1")
@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (5,), elements=st.floats(-30, 30)))
def test_sigmoid_derivative_property(ex, x):
    assert_close(ex.sigmoid_derivative(x), activations.sigmoid_derivative(x), "sigmoid_derivative(x)")


@pytest.mark.exercise("4.1")
@pytest.mark.parametrize("shape", [(1,), (3, 1), (2, 3, 4)])
def test_sigmoid_derivative_keeps_any_shape_and_is_symmetric(ex, shape):
    x = np.random.default_rng(0).normal(0, 3, shape)
    got = call_unmodified(ex.sigmoid_derivative, x.copy())
    assert_close(got, activations.sigmoid_derivative(x), f"sigmoid_derivative(x), x of shape {shape}")
    assert_close(ex.sigmoid_derivative(-x), got, "sigma'(-x) must equal sigma'(x)")


@pytest.mark.exercise("4.2")
def test_leaky_relu_derivative_matches_autograd(ex):
    got = np.asarray(call_unmodified(ex.leaky_relu_derivative, X.copy(), 0.1), dtype=float)
    ref = _torch_grad(lambda t: F.leaky_relu(t, 0.1), X)
    if got.shape == ref.shape and np.allclose(got[X < 0], 0.1 * X[X < 0]):
        raise AssertionError("for x < 0 you returned alpha * x; the derivative of alpha * x is alpha")
    if got.shape == ref.shape and np.allclose(got[X < 0], 0.0):
        raise AssertionError("for x < 0 you returned 0 (that is ReLU's derivative); Leaky ReLU's is alpha")
    if got.shape == ref.shape and got[X == 0][0] == 1.0:
        raise AssertionError("at x = 0 use alpha (like torch), not 1: the condition is x > 0")
    if got.shape == ref.shape and np.allclose(got[X < 0], 0.01):
        raise AssertionError("for x < 0 you returned 0.01 although alpha = 0.1 was passed: use the "
                             "alpha argument, not its default")
    assert_close(got, ref, "leaky_relu_derivative(x, alpha=0.1)")


@pytest.mark.exercise("4.2")
@settings(max_examples=30, deadline=None)
@given(x=arrays(np.float64, (2, 3), elements=st.floats(-10, 10)), alpha=st.floats(0.0, 0.5))
def test_leaky_relu_derivative_property(ex, x, alpha):
    got = ex.leaky_relu_derivative(x, alpha)
    assert_close(got, activations.leaky_relu_derivative(x, alpha), f"leaky_relu_derivative(x, {alpha})")


@pytest.mark.exercise("4.2")
def test_leaky_relu_derivative_shapes_and_float32(ex):
    x32 = np.array([[-2.0, 0.0, 3.0]], dtype=np.float32)
    got = np.asarray(call_unmodified(ex.leaky_relu_derivative, x32.copy(), 0.25))
    assert got.shape == (1, 3), f"leaky_relu_derivative: shape {got.shape}, expected (1, 3) like x"
    assert_close(got, [[0.25, 0.25, 1.0]], "leaky_relu_derivative(float32 x, alpha=0.25)")
    one = np.asarray(ex.leaky_relu_derivative(np.array([-5.0]), 0.0))
    assert_close(one, [0.0], "leaky_relu_derivative([-5], alpha=0): alpha = 0 is plain ReLU")


# ---------------------------------------------------------------- 4.3

def _silu_mistakes(got, x):
    """Name the usual slips of the product rule when ``got`` matches one of them."""
    s = torch.sigmoid(torch.tensor(x)).numpy()
    mistakes = [
        (s, "you returned sigma(x) only: the product rule gives TWO terms, (x)' sigma(x) + x sigma'(x)"),
        (x * s * (1 - s), "you returned x * sigma'(x) only: the product rule's first term, "
                          "1 * sigma(x), is missing"),
        (x * s, "you returned SiLU(x) itself, not its derivative"),
        (s - x * s * (1 - s), "the second term of the product rule has the wrong sign"),
        (s * (1 + x * s), "you used sigma(x) where the derivative of sigma needs (1 - sigma(x))"),
    ]
    for wrong, msg in mistakes:
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-9):
            raise AssertionError(msg)


@pytest.mark.exercise("4.3", points=2)
def test_silu_derivative_matches_autograd(ex):
    got = np.asarray(call_unmodified(ex.silu_derivative, X.copy()), dtype=float)
    _silu_mistakes(got, X)
    assert_close(got, _torch_grad(F.silu, X), "silu_derivative(x)")


@pytest.mark.exercise("4.3")
def test_silu_derivative_extremes_without_overflow(ex):
    x = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
    got = _call_without_warnings(ex.silu_derivative, x, "silu_derivative")
    assert_close(got, _torch_grad(F.silu, x), "silu_derivative([-1000, -40, -1, 0, 1, 40, 1000])")


@pytest.mark.exercise("4.3")
@settings(max_examples=30, deadline=None)
@given(x=arrays(np.float64, st.sampled_from([(1,), (4,), (2, 3), (1, 1, 5)]), elements=st.floats(-60, 60)))
def test_silu_derivative_property_shape_and_symmetry(ex, x):
    got = np.asarray(ex.silu_derivative(x), dtype=float)
    assert_close(got, activations.silu_derivative(x), f"silu_derivative(x), x of shape {x.shape}")
    # SiLU(x) - SiLU(-x) = x, so SiLU'(x) + SiLU'(-x) = 1 for every x
    assert_close(got + np.asarray(ex.silu_derivative(-x), dtype=float), np.ones_like(x),
                 "silu_derivative(x) + silu_derivative(-x) (must be 1)", rtol=1e-9, atol=1e-11)
