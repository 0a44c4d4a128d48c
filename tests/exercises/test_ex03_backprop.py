"""Graded tests for notebook 03's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch autograd in float64 and the tested ``nnbasics`` library.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import gradcheck
from nnbasics.core import layers
from nnbasics.core import mlp
from nnbasics.lab import models
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import F64, FINITE_DIFF, assert_close

EXERCISES = {
    "3.1": {"title": "dense layer backward",
            "hint": "match the shapes: dx = dout @ w.T (N, D), dw = x.T @ dout (D, H), "
                    "db = dout.sum(axis=0) (H,) — sum over the batch axis, not the features"},
    "3.2": {"title": "sigmoid neuron with BCE",
            "hint": "y_hat = sigmoid(x @ w + b); dL/dz = (y_hat - y) / N; dw = x.T @ dz, db = dz.sum()"},
    "3.3": {"title": "two-layer backward pass",
            "hint": "dZ2 = (Y_hat - Y) / B; dW2 = A1.T @ dZ2; dA1 = dZ2 @ W2.T; dZ1 = dA1 * (Z1 > 0); "
                    "dW1 = X.T @ dZ1; biases: sum over rows. Divide by B exactly once"},
    "3.4": {"title": "numerical gradient",
            "hint": "loop over every index (np.ndindex(x.shape)), set x[i] = old + h, call f(), "
                    "set x[i] = old - h, call f(), restore x[i] = old; (f+ - f-) / (2h)"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("03")


def _torch_dense(x, w, b, g):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ((xt @ wt + bt) * torch.tensor(g)).sum().backward()
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.exercise("3.1", points=2)
def test_dense_backward_matches_autograd(ex):
    rng = np.random.default_rng(0)
    x, w, b, g = (rng.standard_normal(s) for s in [(5, 3), (3, 4), (4,), (5, 4)])
    result = call_unmodified(ex.dense_backward, g, (x, w))
    assert isinstance(result, tuple) and len(result) == 3, "dense_backward must return (dx, dw, db)"
    dx, dw, db = result
    tdx, tdw, tdb = _torch_dense(x, w, b, g)
    assert_close(dx, tdx, "dx", **F64)
    assert_close(dw, tdw, "dw", **F64)
    if np.shape(db) == (5,):
        raise AssertionError("db has shape (N,): sum over the batch axis (axis=0), giving shape (H,)")
    assert_close(db, tdb, "db", **F64)


@pytest.mark.exercise("3.1")
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4), seed=st.integers(0, 999))
def test_dense_backward_property(ex, n, d, h, seed):
    rng = np.random.default_rng(seed)
    x, w, g = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal((n, h))
    dx, dw, db = ex.dense_backward(g, (x, w))
    rdx, rdw, rdb = layers.dense_backward(g, (x, w))
    assert_close(dx, rdx, "dx", **F64)
    assert_close(dw, rdw, "dw", **F64)
    assert_close(db, rdb, "db", **F64)


@pytest.mark.exercise("3.2", points=2)
def test_sigmoid_neuron_matches_autograd(ex):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((8, 3)), rng.standard_normal(3), 0.3
    y = rng.integers(0, 2, size=8).astype(float)
    result = call_unmodified(ex.sigmoid_neuron_grads, x, w, b, y)
    assert isinstance(result, tuple) and len(result) == 2, "return the pair (dw, db)"
    dw, db = result
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(torch.tensor(x) @ wt + bt, torch.tensor(y)).backward()
    if np.shape(dw) == (3,) and np.allclose(dw, wt.grad.numpy() * 8):
        raise AssertionError("your dw is N times too large: did you forget to divide by the batch size N?")
    if np.shape(dw) == (3,) and np.allclose(dw, -wt.grad.numpy()):
        raise AssertionError("your dw has the wrong sign: dL/dz = y_hat - y, not y - y_hat")
    assert_close(dw, wt.grad, "dw", **F64)
    assert_close(db, float(bt.grad), "db", **F64)


@pytest.mark.exercise("3.2")
def test_sigmoid_neuron_gradient_is_error_times_input(ex):
    # one example: dL/dw = (y_hat - y) x exactly
    x, w, b, y = np.array([[2.0, -1.0]]), np.array([0.5, 0.25]), -0.5, np.array([1.0])
    dw, db = ex.sigmoid_neuron_grads(x, w, b, y)
    y_hat = 1 / (1 + np.exp(-(x @ w + b)))
    assert_close(dw, (y_hat - y) * x[0], "dw = (y_hat - y) x", **F64)
    assert_close(db, (y_hat - y)[0], "db = y_hat - y", **F64)


def _two_layer_case(seed=0, B=6, D=4, H=5, C=3):
    rng = np.random.default_rng(seed)
    params = mlp.init_params((D, H, C), rng=rng)
    params["b1"] = 0.1 * rng.standard_normal(H)
    X = rng.standard_normal((B, D))
    y = rng.integers(0, C, size=B)
    Y = np.eye(C)[y]
    _, cache = mlp.two_layer_forward(X, params, "relu")
    return params, X, y, Y, cache


@pytest.mark.exercise("3.3", points=3)
def test_two_layer_backward_matches_autograd(ex):
    params, X, y, Y, cache = _two_layer_case()
    grads = call_unmodified(ex.two_layer_backward, Y, cache, params["W2"])
    assert isinstance(grads, dict), "return a dict with keys 'W1', 'b1', 'W2', 'b2'"
    model = models.torch_model_from_params(params, "relu")
    F.cross_entropy(model(torch.tensor(X)), torch.tensor(y)).backward()
    lin = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    ref = {"W1": lin[0].weight.grad.numpy().T, "b1": lin[0].bias.grad.numpy(),
           "W2": lin[1].weight.grad.numpy().T, "b2": lin[1].bias.grad.numpy()}
    B = X.shape[0]
    for k in ("W2", "b2", "W1", "b1"):
        g = np.asarray(grads.get(k))
        if g.shape == ref[k].shape and np.allclose(g, ref[k] * B):
            raise AssertionError(f"your d{k} is B times too large: did you forget to divide by the batch size B?")
        if g.shape == ref[k].shape and np.allclose(g, ref[k] / B) and not np.allclose(ref[k], 0):
            raise AssertionError(f"your d{k} is B times too small: divide by B only once (in dZ2)")
        assert_close(g, ref[k], f"d{k}", **F64)


@pytest.mark.exercise("3.3")
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 999), B=st.integers(1, 6))
def test_two_layer_backward_property(ex, seed, B):
    params, X, y, Y, cache = _two_layer_case(seed, B=B)
    grads = ex.two_layer_backward(Y, cache, params["W2"])
    _, ref = mlp.loss_and_grads(X, y, params, "relu")
    for k in ("W1", "b1", "W2", "b2"):
        assert_close(grads[k], ref[k], f"d{k}", **F64)


def _numerical_gradient(ex, function: dict, h: float = 1e-5) -> dict:
    """Run the learner's numerical_gradient in the sandbox on f built there from ``function``."""
    return ex.scenario("numerical_gradient", function=function, h=h)


@pytest.mark.exercise("3.4", points=2)
def test_numerical_gradient_of_known_function(ex):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    out = _numerical_gradient(ex, {"kind": "sum_cubes", "x": x})
    g = out["grad"]
    assert g is not None, "numerical_gradient returned None — did you forget to `return grad`?"
    assert np.array_equal(out["x_after"], x), "x must be restored after each perturbation (x[i] = old)"
    assert_close(g, 3 * x**2, "numerical gradient of sum(x^3)", **FINITE_DIFF)


@pytest.mark.exercise("3.4")
def test_numerical_gradient_agrees_with_library_on_a_network(ex):
    params, X, y, Y, cache = _two_layer_case(3)
    out = _numerical_gradient(ex, {"kind": "two_layer_loss", "X": X, "y": y, "params": params, "wrt": "W2"})
    _, analytic = mlp.loss_and_grads(X, y, params, "relu")
    assert out["grad"] is not None, "numerical_gradient returned None — did you forget to `return grad`?"
    assert gradcheck.relative_error(out["grad"], analytic["W2"]) < 1e-6, \
        "central differences: (f(x+h) - f(x-h)) / (2h) — check the 2 and the sign"
