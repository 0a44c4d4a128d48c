"""Graded tests for notebook 05's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch.nn.utils.clip_grad_norm_ and torch autograd in float64, and the tested
``nnbasics.lab.diagnostics``.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import gradflow
from nnbasics.lab import diagnostics
from nnbasics.course.specs import model_spec
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.testing import F64, assert_close

EXERCISES = {
    "5.1": {"title": "global gradient-norm clipping",
            "hint": "the norm is over ALL parameters together (sqrt of the sum of every squared entry "
                    "of every array), not each array separately; scale = max_norm / (total + eps) "
                    "only when total > max_norm; return the total from BEFORE clipping"},
    "5.2": {"title": "per-layer gradient-norm probe",
            "hint": "model.zero_grad(); loss = F.cross_entropy(model(X), y); loss.backward(); then "
                    "torch.linalg.norm(m.weight.grad) for every nn.Linear m in model.modules() "
                    "(weights only, not biases)"},
    "5.3": {"title": "sigmoid chain: product of local derivatives",
            "hint": "loop over the weights: z = w*h, s = sigmoid(z), multiply the running gradient "
                    "by w * s * (1 - s), then set h = s"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("05")


def _torch_clip(grads, max_norm):
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


def _grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in [(5, 3), (5,), (2, 5), (2,)]]


# ---------------------------------------------------------------- 5.1

@pytest.mark.exercise("5.1", points=2)
def test_clip_large_gradients_like_torch(ex):
    grads = _grads(0, scale=10.0)  # total norm ~ 60
    clipped, total = call_unmodified(ex.clip_grad_norm, grads, 1.0)
    ref, ref_total = _torch_clip(grads, 1.0)
    assert len(clipped) == len(grads), f"return one array per gradient: got {len(clipped)}, expected {len(grads)}"
    if np.isclose(float(total), 1.0):
        raise AssertionError("total must be the norm BEFORE clipping; you returned the clipped norm")
    assert_close(float(total), ref_total, "total norm", **F64)
    separately = [g * min(1.0, 1.0 / (np.linalg.norm(g) + 1e-6)) for g in grads]
    if all(np.allclose(c, s) for c, s in zip(clipped, separately)):
        raise AssertionError("you clipped each array separately: the norm must be over ALL "
                             "parameters together, and every array scaled by the same factor")
    for i, (c, r) in enumerate(zip(clipped, ref)):
        assert_close(c, r, f"clipped grads[{i}]", **F64)


@pytest.mark.exercise("5.1")
def test_small_gradients_are_left_alone(ex):
    grads = _grads(1, scale=0.01)  # total norm ~ 0.06
    clipped, total = call_unmodified(ex.clip_grad_norm, grads, 5.0)
    for i, (c, g) in enumerate(zip(clipped, grads)):
        c = np.asarray(c)
        if c.shape == g.shape and np.allclose(c, g * 5.0 / (total + 1e-6)):
            raise AssertionError("you scaled gradients UP: only clip when total > max_norm")
        assert_close(c, g, f"grads[{i}] (total {total:.3g} < max_norm 5: must not change)", **F64)


@pytest.mark.exercise("5.1")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0), max_norm=st.floats(0.05, 20.0))
def test_clip_property_matches_torch(ex, seed, scale, max_norm):
    grads = _grads(seed, scale)
    clipped, total = ex.clip_grad_norm(grads, max_norm)
    ref, ref_total = _torch_clip(grads, max_norm)
    if abs(ref_total - max_norm) < 1e-5:  # torch's eps blurs the exact threshold
        return
    assert_close(float(total), ref_total, "total norm", **F64)
    for i, (c, r) in enumerate(zip(clipped, ref)):
        assert_close(c, r, f"clipped grads[{i}]", **F64)
    new_total = np.sqrt(sum(np.sum(np.asarray(c) ** 2) for c in clipped))
    assert new_total <= max_norm * (1 + 1e-9) or ref_total <= max_norm, "after clipping the total must be <= max_norm"


# ---------------------------------------------------------------- 5.2

def _probe_setup(depth=6, activation="sigmoid", seed=0):
    cfg = MLPConfig(d_in=8, hidden=(16,) * depth, d_out=3, activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((24, 8)), rng.integers(0, 3, 24)
    return build_mlp(cfg, dtype=torch.float64), X, y


def _probe(ex, model, X, y, calls=1):
    """The learner's layer_grad_norms(model, X, y), run ``calls`` times on one model in the sandbox."""
    out = ex.scenario("layer_grad_norms", model=model_spec(model), X=X, y=y, calls=calls)
    return [np.asarray(r, dtype=np.float64) for r in out["results"]]


@pytest.mark.exercise("5.2", points=2)
def test_probe_matches_torch_autograd(ex):
    model, X, y = _probe_setup()
    norms = _probe(ex, model, X, y)[0]
    ref = diagnostics.layer_grad_norms(model, X, y)
    assert norms.shape == ref.shape, (
        f"one norm per nn.Linear layer: expected shape {ref.shape}, got {norms.shape}"
        + (" — weights only, not the biases" if norms.size == 2 * ref.size else ""))
    if np.allclose(norms, ref * X.shape[0], rtol=1e-6):
        raise AssertionError("your norms are N times too large: use the MEAN cross-entropy "
                             "(F.cross_entropy's default), not the sum")
    assert_close(norms, ref, "per-layer weight-gradient norms", **F64)


@pytest.mark.exercise("5.2")
def test_probe_twice_gives_the_same_answer(ex):
    model, X, y = _probe_setup(depth=3, activation="relu", seed=1)
    first, second = _probe(ex, model, X, y, calls=2)
    if np.allclose(second, 2 * first, rtol=1e-6):
        raise AssertionError("the second call gave twice the first: gradients accumulate in .grad, "
                             "call model.zero_grad() before backward()")
    assert_close(second, first, "norms on a second call", **F64)


@pytest.mark.exercise("5.2")
def test_probe_sees_vanishing_gradients(ex):
    model, X, y = _probe_setup(depth=10, activation="sigmoid", seed=2)
    norms = _probe(ex, model, X, y)[0]
    assert norms.shape == (11,), f"expected 11 norms (10 hidden + output layer), got shape {norms.shape}"
    assert norms[0] / norms[-1] < gradflow.sigmoid_bound(10), (
        "a 10-layer sigmoid MLP must show a first/last layer gradient ratio below 0.25**10")


# ---------------------------------------------------------------- 5.3

def _autograd_chain(x, weights):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = xt
    for w in weights:
        h = torch.sigmoid(float(w) * h)
    h.sum().backward()
    return xt.grad.numpy()


@pytest.mark.exercise("5.3", points=2)
def test_chain_grad_matches_autograd(ex):
    x, w = np.array([-2.0, 0.0, 0.5, 3.0]), np.array([1.5, -2.0, 0.7])
    grad = call_unmodified(ex.sigmoid_chain_grad, x, w)
    ref = _autograd_chain(x, w)
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == ref.shape:
        h, prod_s = x.copy(), np.ones_like(x)
        for wl in w:
            s = 1 / (1 + np.exp(-wl * h))
            prod_s, h = prod_s * s * (1 - s), s
        if np.allclose(grad, prod_s):
            raise AssertionError("you forgot the weight: each local derivative is w_l * sigmoid'(w_l h_{l-1})")
    assert_close(grad, ref, "dh_L/dh_0", **F64)


@pytest.mark.exercise("5.3")
def test_chain_grad_one_layer_at_zero_is_quarter_w(ex):
    grad = np.asarray(ex.sigmoid_chain_grad(np.array([0.0]), np.array([2.0])), dtype=np.float64)
    assert_close(grad, [0.5], "one unit, x = 0, w = 2: w * sigmoid'(0) = 2 * 0.25")


@pytest.mark.exercise("5.3")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 15))
def test_chain_grad_property_bound_and_library(ex, seed, depth):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(6), rng.uniform(-4, 4, depth)
    grad = np.asarray(ex.sigmoid_chain_grad(x, w), dtype=np.float64)
    assert_close(grad, gradflow.chain_grad(x, w, "sigmoid"), "dh_L/dh_0", **F64)
    assert np.all(np.abs(grad) <= gradflow.sigmoid_bound(depth) * np.prod(np.abs(w)) * (1 + 1e-12))
