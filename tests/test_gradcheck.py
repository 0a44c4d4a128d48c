"""nnbasics.core.gradcheck: central differences, relative error, and failure messages that name the culprit."""

import numpy as np
import pytest

from nnbasics.core import gradcheck, layers
from nnbasics.testing import assert_close


def test_numerical_gradient_of_a_quadratic_and_x_is_restored():
    x = np.array([1.0, -2.0, 3.0])
    g = gradcheck.numerical_gradient(lambda: float(np.sum(x**2)), x)
    assert_close(g, 2 * x, "d/dx sum x^2", rtol=1e-8, atol=1e-8)
    assert x.tolist() == [1.0, -2.0, 3.0]


def test_numerical_gradient_refuses_float32():
    x = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float32: finite differences need float64"):
        gradcheck.numerical_gradient(lambda: float(x.sum()), x)


def test_numerical_gradient_in_float32_only_on_request_and_then_poor():
    rng = np.random.default_rng(0)
    w64 = rng.standard_normal(6)
    w32 = w64.astype(np.float32)
    g32 = gradcheck.numerical_gradient(lambda: float(np.log1p(np.exp(w32)).sum() * 1e-3), w32,
                                       allow_float32=True)
    exact = 1e-3 / (1 + np.exp(-w64))  # d/dw of softplus, scaled so the loss changes little
    assert w32.dtype == np.float32 and gradcheck.relative_error(g32, exact) > gradcheck.BAD
    with pytest.raises(TypeError, match="float16"):
        gradcheck.numerical_gradient(lambda: 0.0, np.ones(2, np.float16), allow_float32=True)
    with pytest.raises(TypeError, match="allow_float32 must be True or False"):
        gradcheck.numerical_gradient(lambda: 0.0, w64, allow_float32="yes")


def test_relative_error_scale():
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gradcheck.relative_error([1.0], [1.0 + 2e-7]) < gradcheck.GOOD
    assert gradcheck.relative_error([1.0], [1.05]) > gradcheck.BAD


def test_correct_dense_backward_scores_about_1e_minus_7_or_better():
    rng = np.random.default_rng(0)
    inputs = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 5)), "b": rng.standard_normal(5)}
    res = gradcheck.check_layer(layers.dense_forward, layers.dense_backward, inputs)
    assert res.passed and max(res.errors.values()) < gradcheck.GOOD


def test_a_buggy_backward_is_caught_and_named():
    def buggy_backward(dout, cache):
        dx, dw, db = layers.dense_backward(dout, cache)
        return dx, dw, 2 * db  # the bug: db twice too large

    rng = np.random.default_rng(1)
    inputs = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    res = gradcheck.check_layer(layers.dense_forward, buggy_backward, inputs, raise_on_fail=False)
    assert res.failing == ["b"] and res.errors["b"] > gradcheck.BAD
    with pytest.raises(AssertionError, match=r"b: relative error .* \[FAIL\].*worst element b\[\d\]"):
        gradcheck.check_layer(layers.dense_forward, buggy_backward, inputs)


def test_relu_kink_breaks_the_check():
    # x within h of 0: the central difference straddles the kink and averages both slopes
    x = np.array([[1e-6, 1.0, -1.0]])
    res = gradcheck.check_layer(layers.relu_forward, layers.relu_backward, {"x": x}, raise_on_fail=False)
    assert not res.passed and res.worst["x"][0] == (0, 0)
    x_safe = np.array([[0.5, 1.0, -1.0]])
    assert gradcheck.check_layer(layers.relu_forward, layers.relu_backward, {"x": x_safe}).passed


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="f must be a callable"):
        gradcheck.numerical_gradient(3.0, np.zeros(2))
    with pytest.raises(TypeError, match="x must be a float64 numpy array"):
        gradcheck.numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="h must be >"):
        gradcheck.numerical_gradient(lambda: 0.0, np.zeros(2), h=0.0)
    with pytest.raises(ValueError, match="a has shape"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="grads lacks"):
        gradcheck.check_gradients(lambda: 0.0, {"w": np.zeros(2)}, {})
    with pytest.raises(ValueError, match="grads\\['w'\\] has shape"):
        gradcheck.check_gradients(lambda: 0.0, {"w": np.zeros(2)}, {"w": np.zeros(3)})
    with pytest.raises(TypeError, match="inputs must be a non-empty dict"):
        gradcheck.check_layer(layers.relu_forward, layers.relu_backward, {})
    with pytest.raises(TypeError, match="float32"):
        gradcheck.check_layer(layers.relu_forward, layers.relu_backward, {"x": np.ones((1, 2), np.float32)})
