"""nnbasics.core.layers: every backward against torch autograd in float64, plus finite differences."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import gradcheck, kernels, layers
from nnbasics.testing import F64, assert_close


def _rand(rng, *shape):
    return rng.standard_normal(shape)


def test_dense_forward_shapes_and_values():
    x, w, b = np.ones((2, 3)), np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    out, cache = layers.dense_forward(x, w, b)
    assert out.shape == (2, 2)
    assert_close(out, [[7.0, 8.0], [7.0, 8.0]], "x @ w + b")
    assert cache[0] is x or np.array_equal(cache[0], x)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 4), seed=st.integers(0, 1000))
def test_dense_backward_matches_torch(n, d, h, seed):
    rng = np.random.default_rng(seed)
    x, w, b, g = _rand(rng, n, d), _rand(rng, d, h), _rand(rng, h), _rand(rng, n, h)
    out, cache = layers.dense_forward(x, w, b)
    dx, dw, db = layers.dense_backward(g, cache)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ot = xt @ wt + bt
    (ot * torch.tensor(g)).sum().backward()
    assert_close(out, ot, "out", **F64)
    assert_close(dx, xt.grad, "dx", **F64)
    assert_close(dw, wt.grad, "dw", **F64)
    assert_close(db, bt.grad, "db", **F64)


@pytest.mark.parametrize("name,torch_fn", [("relu", torch.relu), ("sigmoid", torch.sigmoid),
                                           ("tanh", torch.tanh), ("identity", lambda t: t)])
def test_activation_backward_matches_torch(name, torch_fn):
    rng = np.random.default_rng(0)
    x, g = _rand(rng, 4, 5) * 3, _rand(rng, 4, 5)
    fwd, bwd = layers.ACTIVATIONS[name]
    out, cache = fwd(x)
    dx = bwd(g, cache)
    xt = torch.tensor(x, requires_grad=True)
    ot = torch_fn(xt)
    (ot * torch.tensor(g)).sum().backward()
    assert_close(out, ot, f"{name} forward", **F64)
    assert_close(dx, xt.grad, f"{name} backward", **F64)


def test_relu_gradient_at_zero_is_zero_like_torch():
    _, cache = layers.relu_forward(np.array([[-1.0, 0.0, 2.0]]))
    assert_close(layers.relu_backward(np.ones((1, 3)), cache), [[0.0, 0.0, 1.0]], "relu'")


def test_sigmoid_is_stable_at_extremes():
    with np.errstate(over="raise"):
        s, _ = layers.sigmoid_forward(np.array([-1000.0, 1000.0]))
    assert_close(s, [0.0, 1.0], "sigmoid(±1000)")


def test_layers_pass_finite_difference_check():
    rng = np.random.default_rng(3)
    x, w, b = _rand(rng, 3, 4), _rand(rng, 4, 2), _rand(rng, 2)
    assert gradcheck.check_layer(layers.dense_forward, layers.dense_backward,
                                 {"x": x, "w": w, "b": b}).passed
    for name in ("sigmoid", "tanh"):
        fwd, bwd = layers.ACTIVATIONS[name]
        assert gradcheck.check_layer(fwd, bwd, {"x": _rand(rng, 3, 4)}).passed


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="x has 3 features but w expects D=2"):
        layers.dense_forward(np.zeros((1, 3)), np.zeros((2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="b has 3 entries but w has H=4"):
        layers.dense_forward(np.zeros((1, 2)), np.zeros((2, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="x must be 2-D"):
        layers.dense_forward(np.zeros(3), np.zeros((3, 4)), np.zeros(4))
    _, cache = layers.dense_forward(np.zeros((1, 2)), np.zeros((2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="dout has shape"):
        layers.dense_backward(np.zeros((1, 3)), cache)
    with pytest.raises(TypeError, match="cache must be the tuple returned by dense_forward"):
        layers.dense_backward(np.zeros((1, 4)), None)
    for name in ("relu", "sigmoid", "tanh"):
        fwd, bwd = layers.ACTIVATIONS[name]
        with pytest.raises(ValueError, match="NaN"):
            fwd(np.array([np.nan]))
        _, c = fwd(np.zeros((2, 2)))
        with pytest.raises(ValueError, match="dout has shape"):
            bwd(np.zeros((2, 3)), c)


def test_unchecked_kernels_agree_with_public_functions():
    rng = np.random.default_rng(5)
    x, w, b, g = _rand(rng, 3, 4), _rand(rng, 4, 2), _rand(rng, 2), _rand(rng, 3, 2)
    out, cache = layers.dense_forward(x, w, b)
    assert_close(kernels.dense_forward(x, w, b)[0], out, "dense core forward", **F64)
    for a, e, name in zip(kernels.dense_backward(g, cache), layers.dense_backward(g, cache), ("dx", "dw", "db")):
        assert_close(a, e, f"dense core {name}", **F64)
    z = _rand(rng, 3, 4)
    for name, (fwd, bwd) in layers.ACTIVATIONS.items():
        cf, cb = kernels.ACTIVATIONS[name]
        o1, c1 = fwd(z)
        o2, c2 = cf(z)
        assert_close(o2, o1, f"{name} core forward", **F64)
        assert_close(cb(z, c2), bwd(z, c1), f"{name} core backward", **F64)
