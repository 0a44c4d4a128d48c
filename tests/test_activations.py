"""nnbasics.core.activations: every derivative against torch autograd (float64), the facts notebook 04
cites, the dying-ReLU and ReLU-vs-sigmoid measurements, and bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import activations as A
from nnbasics.experiments import nb04_activations
from nnbasics.lab import diagnostics
from nnbasics.testing import F64, FINITE_DIFF, assert_close

X = np.concatenate([np.linspace(-8, 8, 161), [0.0, -1e-3, 1e-3, -30.0, 30.0]])

TORCH = {
    "sigmoid": (torch.sigmoid, {}), "tanh": (torch.tanh, {}), "relu": (torch.relu, {}),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.1), {"alpha": 0.1}),
    "elu": (lambda t: F.elu(t, 0.7), {"alpha": 0.7}),
    "gelu": (lambda t: F.gelu(t), {}),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), {}),
    "prelu": (lambda t: F.prelu(t, torch.tensor([0.25], dtype=torch.float64)), {"alpha": 0.25}),
    "silu": (F.silu, {}), "selu": (F.selu, {}),
}


def _torch_value_and_grad(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("name", A.NAMES)
def test_value_and_derivative_match_torch_autograd(name):
    fn, params = TORCH[name]
    y_ref, g_ref = _torch_value_and_grad(fn, X)
    assert_close(A.apply(name, X, **params), y_ref, f"{name}(x)", **F64)
    assert_close(A.derivative(name, X, **params), g_ref, f"{name}'(x)", **F64)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "elu", "gelu", "gelu_tanh", "silu", "selu"])
def test_smooth_derivatives_match_finite_differences(name):
    x, h = np.linspace(-4, 4, 41) + 0.013, 1e-6
    fd = (A.apply(name, x + h) - A.apply(name, x - h)) / (2 * h)
    assert_close(A.derivative(name, x), fd, f"{name}' vs central differences", **FINITE_DIFF)


def test_prelu_per_channel_and_alpha_gradient_match_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 4))
    alpha = np.array([0.1, 0.2, 0.3])
    dout = rng.standard_normal(x.shape)
    xt = torch.tensor(x, requires_grad=True)
    at = torch.tensor(alpha, requires_grad=True)
    y = F.prelu(xt, at)
    (y * torch.tensor(dout)).sum().backward()
    assert_close(A.prelu(x, alpha), y.detach(), "prelu(x, alpha)")
    assert_close(A.prelu_derivative(x, alpha) * dout, xt.grad, "dL/dx")
    assert_close(A.prelu_alpha_grad(x, alpha, dout), at.grad, "dL/dalpha")
    assert_close(A.prelu_alpha_grad(x, 0.2, dout), np.asarray((np.minimum(x, 0) * dout).sum()),
                 "dL/dalpha (shared)")


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = A.sigmoid(np.array([-1000.0, 1000.0]))
    assert_close(y, np.array([0.0, 1.0]), "sigmoid(+-1000)")


def test_float32_stays_float32():
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    for name in A.NAMES:
        assert A.apply(name, x).dtype == np.float32, name


# ---- facts cited in notebook 04

def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    x = np.linspace(-10, 10, 20001)
    g = A.sigmoid_derivative(x)
    assert g.max() == pytest.approx(0.25, abs=1e-15) and x[g.argmax()] == 0.0


def test_tanh_derivative_max_is_one_and_tanh_is_a_rescaled_sigmoid():
    x = np.linspace(-10, 10, 20001)
    assert A.tanh_derivative(x).max() == 1.0
    assert_close(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, "tanh(x) vs 2 sigmoid(2x) - 1", rtol=1e-12, atol=1e-14)


def test_gelu_is_close_to_relu_far_from_zero_and_approximation_is_close():
    far = np.concatenate([np.linspace(-10, -4, 50), np.linspace(4, 10, 50)])
    assert np.max(np.abs(A.gelu(far) - A.relu(far))) < 1e-3
    x = np.linspace(-6, 6, 1001)
    assert np.max(np.abs(A.gelu(x) - A.gelu_tanh(x))) < 1e-3
    assert A.gelu(x).min() == pytest.approx(-0.17, abs=0.001)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (6,), elements=st.floats(-50, 50)))
def test_monotone_activations_have_nonnegative_derivatives(x):
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu"):
        assert np.all(A.derivative(name, x) >= 0), name
    assert np.all((A.sigmoid(x) >= 0) & (A.sigmoid(x) <= 1))


def test_properties_table_covers_the_zoo_and_softmax():
    rows = A.properties_table()
    names = [r["name"] for r in rows]
    assert set(A.NAMES) <= set(names) and "softmax" in names
    assert {r["name"] for r in rows if r["zero_centred"]} == {"tanh", "selu"}


@pytest.mark.parametrize("name", A.NAMES)
def test_zero_centred_flag_matches_the_measured_mean(name):
    mean = nb04_activations.gaussian_response(name, 1.0, n=200_000, rng=1)["mean"]
    assert (abs(mean) < 0.01) == A.INFO[name].zero_centred, (name, mean)


def test_silu_and_selu_facts():
    x = np.linspace(-6, 6, 120001)
    assert A.silu(x).min() == pytest.approx(-0.2785, abs=1e-4)
    assert A.silu_derivative(x).max() == pytest.approx(1.0998, abs=1e-4)
    assert_close(A.silu_derivative(x) + A.silu_derivative(-x), np.ones_like(x), "silu'(x) + silu'(-x)")
    z = np.random.default_rng(0).standard_normal(400_000)
    out = A.selu(z)  # SELU's constants make N(0, 1) -> mean 0, variance 1
    assert abs(out.mean()) < 0.01 and abs(out.var() - 1) < 0.01
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert_close(A.silu_derivative(np.array([-1000.0, 1000.0])), np.array([0.0, 1.0]), "silu' at +-1000")
        assert_close(A.selu(np.array([-1000.0])), np.array([-A.SELU_SCALE * A.SELU_ALPHA]), "selu(-1000)")


def test_gaussian_response_relu_is_sparse_and_sigmoid_gradient_is_small():
    r = nb04_activations.gaussian_response("relu", 1.0, n=4000, rng=0)
    assert r["frac_zero_grad"] == pytest.approx(0.5, abs=0.03)
    s = nb04_activations.gaussian_response("sigmoid", 1.0, n=4000, rng=0)
    assert s["mean_abs_grad"] < 0.25 and r["mean_abs_grad"] > 2 * s["mean_abs_grad"]


# ---- measurements (torch, small; the notebook's claims over seeds are in tests/claims)

def test_dying_relu_record_is_consistent():
    r = nb04_activations.dying_relu_experiment("relu", lr=0.3, epochs=4, n=100, seed=1)
    assert r.dead_per_epoch.shape == (5, 3)
    assert r.dead_before == list(r.dead_per_epoch[0]) and r.dead_after == list(r.dead_per_epoch[-1])
    n_units = 24
    assert r.born_dead == round(r.dead_per_epoch[0] @ np.full(3, 8))
    assert 0 <= r.became_dead <= n_units - r.born_dead and 0 <= r.revived <= n_units
    assert r.dead_after_total == pytest.approx(np.mean(r.dead_after))
    assert len(r.train_loss) == 4 and 0.0 <= r.final_accuracy <= 1.0
    if r.dead_after_total > 0:
        assert r.negative_unit_grad == 0.0  # a ReLU unit negative on every input gets no gradient


def test_all_negative_leaky_units_still_get_a_gradient():
    r = nb04_activations.dying_relu_experiment("leaky_relu", lr=0.3, epochs=8, n=100, seed=0)
    assert r.dead_after_total > 0 and r.negative_unit_grad > 0


def test_relu_vs_sigmoid_uses_matched_inits_and_measures_at_init():
    r = nb04_activations.relu_vs_sigmoid(epochs=1)
    assert r["relu"]["init"] == "he" and r["sigmoid"]["init"] == "xavier"
    assert r["sigmoid"]["grad_norms"][0] < 1e-2 * r["sigmoid"]["grad_norms"][-1]
    assert r["relu"]["grad_norms"].shape == (7,) and len(r["relu"]["train_loss"]) == 1


def test_zigzag_positive_inputs_force_same_sign_steps():
    pos = nb04_activations.zigzag_descent("positive", steps=50, seed=3)
    cen = nb04_activations.zigzag_descent("centred", steps=50, seed=3)
    assert pos.same_sign_fraction == 1.0 and np.all(pos.X > 0)
    assert_close(cen.X.mean(axis=0), np.zeros(2), "centred inputs' mean", atol=1e-12)
    assert_close(pos.X - pos.X.mean(axis=0), cen.X, "same inputs up to the mean")
    assert_close(pos.path[0], np.zeros(2), "start")
    assert_close(pos.loss_grid(pos.path[:3, 0], np.array([pos.path[0, 1]]))[0, 0], pos.loss[0], "grid loss at w0")
    assert pos.condition_number > cen.condition_number
    assert pos.lr == pytest.approx(0.5 / np.mean(np.sum(pos.X**2, axis=1)))


def test_zigzag_offset_moves_the_inputs_mean_and_nothing_else():
    cen = nb04_activations.zigzag_descent("centred", steps=50, seed=3)
    assert np.array_equal(nb04_activations.zigzag_descent("centred", steps=50, seed=3, offset=0.0).path, cen.path)
    shifted = nb04_activations.zigzag_descent("centred", steps=50, seed=3, offset=0.7)
    assert shifted.offset == 0.7 and cen.offset == 0.0
    assert_close(shifted.X, cen.X + 0.7, "the same inputs, moved by the offset")
    assert_close(shifted.X.mean(axis=0), np.full(2, 0.7), "mean = offset")
    assert shifted.same_sign_fraction == 1.0 and np.all(shifted.X > 0)  # 0.7 > the largest |centred input|
    with pytest.raises(ValueError, match="offset must be finite"):
        nb04_activations.zigzag_descent(offset=np.inf)
    with pytest.raises(TypeError, match="offset must be a real number"):
        nb04_activations.zigzag_descent(offset="0.5")


# ---- bad input

@pytest.mark.parametrize("name", A.NAMES)
def test_bad_input_is_refused(name):
    with pytest.raises(ValueError, match="NaN"):
        A.apply(name, np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="numeric"):
        A.derivative(name, "abc")


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        A.apply("swish", [1.0])
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        A.leaky_relu([1.0], alpha=-0.1)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        A.elu_derivative([1.0], alpha=-1.0)
    with pytest.raises(ValueError, match="3 slopes but x has C=2"):
        A.prelu(np.ones((2, 2)), np.ones(3))
    with pytest.raises(ValueError, match="dout has shape"):
        A.prelu_alpha_grad(np.ones((2, 2)), 0.1, np.ones(3))
    with pytest.raises(ValueError, match="scale must be >"):
        nb04_activations.gaussian_response("relu", 0.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        nb04_activations.dying_relu_experiment("sigmoid")
    with pytest.raises(ValueError, match="dataset must be one of"):
        nb04_activations.dying_relu_experiment("relu", dataset="xor")
    with pytest.raises(ValueError, match="activations must be one of"):
        nb04_activations.relu_vs_sigmoid(activations=("swish",))
    with pytest.raises(ValueError, match="w_star must have 2 entries"):
        nb04_activations.zigzag_descent(w_star=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="inputs must be one of"):
        nb04_activations.zigzag_descent("negative")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        diagnostics.dead_unit_fraction(None, np.ones((3, 2)))
    with pytest.raises(ValueError, match="depth must be >= 1"):
        nb04_activations.relu_vs_sigmoid(depth=0)
