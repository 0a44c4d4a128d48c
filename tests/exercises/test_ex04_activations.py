"""Graded tests for notebook 04's exercises (run against --impl solutions|exercises|PATH).

torch float64 autograd and the tested ``nnbasics.core.activations`` are the oracles.
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
                    "is alpha, not alpha*x; return an array shaped like x"},
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


@pytest.mark.exercise("4.1")
def test_sigmoid_derivative_peak_and_stability(ex):
    x = np.array([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            got = np.asarray(ex.sigmoid_derivative(x), dtype=float)
        except RuntimeWarning as w:
            raise AssertionError(f"sigmoid_derivative warned for |x| = 1000 ({w}): exp(-x) overflows; "
                                 "use np.exp(-np.abs(x)) in two branches or np.tanh") from None
    assert_close(got, np.array([0.0, 0.25, 0.0]), "sigmoid_derivative([-1000, 0, 1000])")


@pytest.mark.exercise("4.1")
@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (5,), elements=st.floats(-30, 30)))
def test_sigmoid_derivative_property(ex, x):
    assert_close(ex.sigmoid_derivative(x), activations.sigmoid_derivative(x), "sigmoid_derivative(x)")


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
    assert_close(got, ref, "leaky_relu_derivative(x, alpha=0.1)")


@pytest.mark.exercise("4.2")
@settings(max_examples=30, deadline=None)
@given(x=arrays(np.float64, (2, 3), elements=st.floats(-10, 10)), alpha=st.floats(0.0, 0.5))
def test_leaky_relu_derivative_property(ex, x, alpha):
    got = ex.leaky_relu_derivative(x, alpha)
    assert_close(got, activations.leaky_relu_derivative(x, alpha), f"leaky_relu_derivative(x, {alpha})")
