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
            "hint": "y_hat = sigmoid(x @ w + b); dL/dz = (y_hat - y) / N (the sigmoid's derivative "
                    "cancels); dw = x.T @ dz, db = dz.sum()"},
    "3.3": {"title": "two-layer backward pass",
            "hint": "dZ2 = (Y_hat - Y) / N; dW2 = A1.T @ dZ2; dA1 = dZ2 @ W2.T; dZ1 = dA1 * (Z1 > 0); "
                    "dW1 = X.T @ dZ1; biases: sum over rows. Divide by N exactly once"},
    "3.4": {"title": "numerical gradient",
            "hint": "loop over every index (np.ndindex(x.shape)), set x[i] = old + h, call f(), "
                    "set x[i] = old - h, call f(), restore x[i] = old; (f+ - f-) / (2h)"},
    "3.5": {"title": "softmax cross-entropy gradient, derived",
            "hint": "dL_i/dz_ik = sum_j T_ij (p_ik - [j = k]) = p_ik * sum_j T_ij - T_ik; then the mean "
                    "over rows divides by N. Compute p with the max-shifted softmax"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("03")


def _torch_dense(x, w, b, g):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ((xt @ wt + bt) * torch.tensor(g)).sum().backward()
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def _dense_backward(ex, g, x, w):
    try:
        return call_unmodified(ex.dense_backward, g, (x, w))
    except ValueError as err:
        raise AssertionError(f"dense_backward failed: dout is (N, H) = {g.shape}, x (N, D) = {x.shape}, "
                             f"w (D, H) = {w.shape} — match the shapes: dx must be (N, D), so it needs "
                             f"w's transpose (ValueError: {str(err)[:60]})") from None


@pytest.mark.exercise("3.1", points=2)
def test_dense_backward_matches_autograd(ex):
    rng = np.random.default_rng(0)
    x, w, b, g = (rng.standard_normal(s) for s in [(5, 3), (3, 4), (4,), (5, 4)])
    result = _dense_backward(ex, g, x, w)
    assert isinstance(result, tuple) and len(result) == 3, "dense_backward must return (dx, dw, db)"
    dx, dw, db = result
    tdx, tdw, tdb = _torch_dense(x, w, b, g)
    assert_close(dx, tdx, "dx", **F64)
    assert_close(dw, tdw, "dw", **F64)
    if np.shape(db) == (5,):
        raise AssertionError("db has shape (N,): sum over the batch axis (axis=0), giving shape (H,)")
    if np.allclose(db, tdb / len(g)):
        raise AssertionError("db is the MEAN of dout over the rows: the bias is added to every row, so its "
                             "gradient is the SUM (any 1/N is already inside dout)")
    assert_close(db, tdb, "db", **F64)


@pytest.mark.exercise("3.1")
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4), seed=st.integers(0, 999))
def test_dense_backward_property(ex, n, d, h, seed):
    rng = np.random.default_rng(seed)
    x, w, g = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal((n, h))
    dx, dw, db = _dense_backward(ex, g, x, w)
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
        raise AssertionError("your dw has the wrong sign: the gradient points where the loss grows")
    assert_close(dw, wt.grad, "dw", **F64)
    assert_close(db, float(bt.grad), "db (the bias's gradient of the MEAN loss)", **F64)


@pytest.mark.exercise("3.2")
@pytest.mark.parametrize("n, d", [(1, 1), (1, 4), (6, 1), (3, 5)])
def test_sigmoid_neuron_shapes_and_saturated_outputs(ex, n, d):
    # logits of +-40 saturate the sigmoid: the gradient is then (0 or 1) - y, still exact
    rng = np.random.default_rng(n + 10 * d)
    x = rng.standard_normal((n, d)) * 20
    w, b = rng.standard_normal(d), float(rng.standard_normal())
    y = rng.integers(0, 2, size=n).astype(float)
    dw, db = call_unmodified(ex.sigmoid_neuron_grads, x, w, b, y)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(torch.tensor(x) @ wt + bt, torch.tensor(y)).backward()
    assert_close(dw, wt.grad, f"dw for x of shape ({n}, {d})", **F64)
    assert_close(db, float(bt.grad), f"db for x of shape ({n}, {d})", **F64)


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
    N = X.shape[0]
    for k in ("W2", "b2", "W1", "b1"):
        g = np.asarray(grads.get(k))
        if g.shape == ref[k].shape and np.allclose(g, ref[k] * N):
            raise AssertionError(f"your d{k} is N times too large: did you forget to divide by the batch size N?")
        if g.shape == ref[k].shape and np.allclose(g, ref[k] / N) and not np.allclose(ref[k], 0):
            raise AssertionError(f"your d{k} is N times too small: divide by N only once (in dZ2)")
        layer_1 = " (through the ReLU: dZ1 = dA1 * g'(Z1), and g' is 1 where Z1 > 0, else 0)" if k in ("W1", "b1") else ""
        assert_close(g, ref[k], f"d{k}{layer_1}", **F64)


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
    expected = 3 * x**2
    g_arr = np.asarray(g, dtype=float)
    if g_arr.shape == x.shape:
        if np.all(g_arr == 0):
            raise AssertionError("your gradient is all zeros: f reads the array x itself, so perturb x "
                                 "in place (x[i] = old + h), not a copy of it")
        if np.allclose(g_arr, 2 * expected, rtol=1e-4):
            raise AssertionError("your gradient is twice too large: f(x + h) and f(x - h) are 2h apart")
        if np.allclose(g_arr, -expected, rtol=1e-4):
            raise AssertionError("your gradient has the wrong sign: (f(x + h) - f(x - h)) / (2h)")
        if np.allclose(g_arr, expected, rtol=1e-3) and not np.allclose(g_arr, expected, rtol=1e-6):
            raise AssertionError("close, but only to about h: a one-sided difference (f(x + h) - f(x)) / h "
                                 "has an error O(h); the central difference's is O(h^2)")
    assert_close(g, expected, "numerical gradient of sum(x^3)", **FINITE_DIFF)


@pytest.mark.exercise("3.4")
def test_numerical_gradient_agrees_with_library_on_a_network(ex):
    params, X, y, Y, cache = _two_layer_case(3)
    out = _numerical_gradient(ex, {"kind": "two_layer_loss", "X": X, "y": y, "params": params, "wrt": "W2"})
    _, analytic = mlp.loss_and_grads(X, y, params, "relu")
    assert out["grad"] is not None, "numerical_gradient returned None — did you forget to `return grad`?"
    assert gradcheck.relative_error(out["grad"], analytic["W2"]) < 1e-6, \
        "central differences: (f(x+h) - f(x-h)) / (2h) — check the 2 and the sign"


# --------------------------------------------------------------------------- 3.5 softmax-CE gradient
def _torch_ce_grad(z, T):
    """The oracle: torch's cross-entropy with class-probability targets, mean over N, float64."""
    zt = torch.tensor(z, requires_grad=True)
    F.cross_entropy(zt, torch.tensor(T)).backward()
    return zt.grad.numpy()


def _stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _check_ce_grad(ex, z, T, what):
    g = call_unmodified(ex.softmax_cross_entropy_grad, z, T)
    assert g is not None, "softmax_cross_entropy_grad returned None — did you forget to `return`?"
    g = np.asarray(g, dtype=float)
    ref = _torch_ce_grad(z, T)
    n = z.shape[0]
    if g.shape == ref.shape and np.all(np.isfinite(g)):
        p = _stable_softmax(z)
        weights = T.sum(axis=1, keepdims=True)
        if not np.allclose(weights, 1.0) and np.allclose(g, (p - T) / n, rtol=1e-9, atol=1e-15):
            raise AssertionError(f"{what}: you returned (softmax - T) / N, which holds only when every "
                                 "row of T sums to 1; here the rows sum to "
                                 f"{np.round(weights.ravel(), 3).tolist()} — redo the derivation "
                                 "without that assumption")
        if n > 1 and np.allclose(g, ref * n, rtol=1e-9, atol=1e-15):
            raise AssertionError(f"{what}: your gradient is N = {n} times too large: L is the MEAN over rows")
        if np.allclose(g, -ref, rtol=1e-9, atol=1e-15) and np.any(ref != 0):
            raise AssertionError(f"{what}: your gradient has the wrong sign: raising the logit of a "
                                 "heavily weighted class lowers the loss")
    # float64: each entry is (p s - t) / N with p from a max-shifted softmax, a few eps relative to
    # (p s + t) / N; 1e-12 of the row's scale leaves ample room for any correct ordering of the sums
    atol = 1e-12 * float(np.max(T.sum(axis=1))) / n + 1e-300
    assert_close(g, ref, f"{what}: dL/dlogits", rtol=1e-9, atol=atol)
    return g


@pytest.mark.exercise("3.5", points=2)
def test_ce_grad_matches_autograd_for_weighted_targets(ex):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 4)) * 2
    T = rng.uniform(0, 2, size=(5, 4))  # rows do not sum to 1
    _check_ce_grad(ex, z, T, "targets with row sums between 0 and 8")


@pytest.mark.exercise("3.5")
def test_ce_grad_one_hot_and_soft_labels(ex):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((6, 3))
    one_hot = np.eye(3)[rng.integers(0, 3, size=6)]
    _check_ce_grad(ex, z, one_hot, "one-hot targets")
    smoothed = 0.9 * one_hot + 0.1 / 3  # label smoothing: rows sum to 1
    _check_ce_grad(ex, z, smoothed, "label-smoothed targets")


@pytest.mark.exercise("3.5")
@pytest.mark.parametrize("n, c", [(1, 2), (1, 5), (7, 2), (3, 6)])
def test_ce_grad_every_shape(ex, n, c):
    rng = np.random.default_rng(10 * n + c)
    _check_ce_grad(ex, rng.standard_normal((n, c)) * 3, rng.uniform(0, 1, size=(n, c)), f"shape ({n}, {c})")


@pytest.mark.exercise("3.5")
def test_ce_grad_extreme_logits(ex):
    z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1000.0], [0.0, 0.0, 0.0]])
    T = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 1.0], [0.2, 0.0, 0.3]])
    g = np.asarray(ex.softmax_cross_entropy_grad(z, T), dtype=float)
    assert np.all(np.isfinite(g)), ("gradient not finite for logits of +-1000: exp(1000) overflows — "
                                    "compute the softmax from logits shifted by each row's maximum")
    _check_ce_grad(ex, z, T, "logits of +-1000")


@pytest.mark.exercise("3.5")
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-500, 500), scale=st.floats(0.0, 3.0))
def test_ce_grad_invariances(ex, seed, shift, scale):
    # rows of dL/dz always sum to 0 (softmax ignores a common shift of a row's logits, so does L);
    # L is linear in T: scaling T scales the gradient; a row of zero weights contributes nothing
    rng = np.random.default_rng(seed)
    z, T = rng.standard_normal((4, 3)) * 3, rng.uniform(0, 1, size=(4, 3))
    T[3] = 0.0
    g = np.asarray(ex.softmax_cross_entropy_grad(z, T), dtype=float)
    scale_tol = 1e-12 * (1 + float(T.sum(axis=1).max()))
    assert_close(g.sum(axis=1), np.zeros(4), "each row of dL/dlogits sums to 0", rtol=0.0, atol=scale_tol)
    assert_close(g[3], np.zeros(3), "the row whose target weights are all 0", rtol=0.0, atol=1e-15)
    assert_close(ex.softmax_cross_entropy_grad(z + shift, T), g,
                 f"gradient after adding {shift:g} to every logit", rtol=1e-7, atol=1e-12)
    assert_close(ex.softmax_cross_entropy_grad(z, scale * T), scale * g,
                 f"gradient with the targets scaled by {scale:g}", rtol=1e-9, atol=1e-14)
