"""Graded tests for notebook 08's exercises (run against --impl solutions|exercises|PATH).

Oracles: the tested ``nnbasics.core.dropout`` (same mask convention), torch.nn.functional.dropout's
semantics, torch autograd in float64 for the backward pass, and for 8.3 an exact enumeration of a
two-point feature distribution times the Bernoulli mask (plus a seeded torch Dropout -> BatchNorm1d
simulation).

Tolerances: dropout's outputs are one multiplication per entry (exact to 1 ulp: rtol 1e-9). The
8.3 ratio is a few operations on O(1) numbers; for |mean| up to 1e6 and p >= 0.05 its denominator
is dominated by p * mean**2, so any algebraically equivalent form agrees to ~1e-12 (rtol 1e-9).
"""


import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import dropout
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import assert_close

EXERCISES = {
    "8.1": {"title": "inverted dropout forward",
            "hint": "p is the DROP probability: keep where rng.random(x.shape) >= p, then multiply the "
                    "kept entries by 1/(1 - p); at inference return x untouched"},
    "8.2": {"title": "inverted dropout backward",
            "hint": "the forward multiplied by mask/(1 - p), so the gradient is multiplied by the same "
                    "mask/(1 - p); mask=None means the identity"},
    "8.3": {"title": "variance shift of dropout before BatchNorm",
            "hint": "in training BatchNorm's running variance is Var[x m / (1 - p)] = E[(x m/(1-p))^2] - "
                    "(E[x m/(1-p)])^2 with m ~ Bernoulli(1 - p) independent of x, E[m^2] = 1 - p; at "
                    "evaluation it divides the undropped x (variance var) by that"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("08")


def _diagnose_forward(out, mask, x, p):
    out = np.asarray(out, dtype=float)
    kept = out != 0
    frac = kept.mean()
    if abs(frac - p) < 0.05 and abs(p - 0.5) > 0.1:
        raise AssertionError(f"you kept {frac:.0%} of the entries with p={p}: p is the DROP probability, "
                             f"keep with probability 1 - p = {1 - p:.0%}")
    if kept.any() and np.allclose(out[kept], x[kept]):
        raise AssertionError("kept entries are unscaled: inverted dropout multiplies them by 1/(1 - p) "
                             "so that the expected output equals x")
    if kept.any() and np.allclose(out[kept], x[kept] * (1 - p)):
        raise AssertionError("kept entries were multiplied by (1 - p); inverted dropout DIVIDES by (1 - p)")


@pytest.mark.exercise("8.1", points=2)
def test_forward_matches_library_with_the_same_rng(ex):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(40, 50))
    p = 0.3
    out, mask = call_unmodified(ex.dropout_forward, x, p, np.random.default_rng(5), True)
    _diagnose_forward(out, mask, x, p)
    ref, cache = dropout.dropout_forward(x, p, train=True, rng=np.random.default_rng(5))
    assert mask is not None and np.array_equal(np.asarray(mask, dtype=bool), cache.mask), (
        "mask differs from rng.random(x.shape) >= p (draw it exactly that way, once)")
    assert_close(out, ref, "dropout_forward(x, 0.3, rng)")


@pytest.mark.exercise("8.1")
def test_forward_semantics_as_torch_and_eval_identity(ex):
    x = np.random.default_rng(1).uniform(1.0, 2.0, size=(100, 100))
    for p in (0.2, 0.8):
        out, _ = ex.dropout_forward(x, p, np.random.default_rng(2), True)
        _diagnose_forward(out, _, x, p)
        out = np.asarray(out)
        t_out = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
        for o in (out, t_out):  # same semantics as torch (masks differ: different RNGs)
            kept = o != 0
            assert_close(o[kept], x[kept] / (1 - p), f"kept entries at p={p}")
            assert abs(kept.mean() - (1 - p)) < 0.02, f"keep rate {kept.mean():.3f} at p={p}, expected {1 - p}"
    out, mask = call_unmodified(ex.dropout_forward, x, 0.5, np.random.default_rng(3), False)
    assert mask is None, "at inference the mask must be None"
    assert_close(out, x, "inference output (must be x itself: no mask, no scaling)")


@pytest.mark.exercise("8.1")
def test_forward_any_shape_and_p_zero(ex):
    for shape in ((7,), (3, 4, 5), (1, 1)):
        x = np.random.default_rng(len(shape)).uniform(1.0, 2.0, size=shape)
        out, mask = call_unmodified(ex.dropout_forward, x, 0.4, np.random.default_rng(8), True)
        ref, cache = dropout.dropout_forward(x, 0.4, train=True, rng=np.random.default_rng(8))
        assert np.shape(mask) == shape, f"mask shape {np.shape(mask)} for x of shape {shape}"
        assert_close(out, ref, f"dropout_forward on x of shape {shape}")
    x = np.arange(1.0, 7.0).reshape(2, 3)
    out, mask = ex.dropout_forward(x, 0.0, np.random.default_rng(0), True)
    assert_close(out, x, "p = 0 keeps everything unchanged")


@pytest.mark.exercise("8.1")
@settings(max_examples=15, deadline=None)
@given(p=st.floats(0.0, 0.9), seed=st.integers(0, 10_000))
def test_forward_preserves_the_expectation(ex, p, seed):
    x = np.full((300, 300), 2.0)
    out, _ = ex.dropout_forward(x, p, np.random.default_rng(seed), True)
    se = 2.0 * np.sqrt(p / (1 - p) / x.size)
    m = float(np.mean(out))
    if abs(m - 2.0 * (1 - p)) < 6 * se and p > 0.05:
        raise AssertionError(f"mean {m:.3f} = (1 - p) * 2: you forgot the 1/(1 - p) scaling")
    assert abs(m - 2.0) < 6 * se + 1e-12, f"E[out] must equal x = 2.0, got mean {m:.4f} (p={p:.3f})"


@pytest.mark.exercise("8.2", points=2)
def test_backward_matches_autograd(ex):
    rng = np.random.default_rng(4)
    x, dout, p = rng.normal(size=(8, 6)), rng.normal(size=(8, 6)), 0.4
    mask = rng.random(x.shape) >= p
    dx = call_unmodified(ex.dropout_backward, dout, mask, p)
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.tensor(mask) / (1 - p)).backward(torch.tensor(dout))
    if dx is not None and np.allclose(np.asarray(dx, dtype=float), dout * mask):
        raise AssertionError("dx = dout * mask misses the 1/(1 - p) factor the forward pass applied")
    if dx is not None and np.any(np.asarray(dx, dtype=float)[~mask] != 0):
        raise AssertionError("dropped entries (mask False) did not reach the output, so their gradient "
                             "must be exactly 0")
    assert_close(dx, xt.grad, "dx")


@pytest.mark.exercise("8.2")
@settings(max_examples=15, deadline=None)
@given(p=st.floats(0.0, 0.9), seed=st.integers(0, 10_000))
def test_backward_matches_library_and_eval_is_identity(ex, p, seed):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    _, cache = dropout.dropout_forward(x, p, train=True, rng=rng)
    mask = cache.mask if cache.mask is not None else np.ones_like(x, dtype=bool)
    assert_close(ex.dropout_backward(dout, mask, p), dropout.dropout_backward(dout, cache), "dx")
    assert_close(ex.dropout_backward(dout, None, p), dout, "dx at inference (mask=None)")


# ---------------------------------------------------------------- 8.3
def _exact_ratio(mean, var, p):
    """Exact enumeration: x = mean +- sqrt(var) with probability 1/2 each, times m in {0, 1/(1-p)}."""
    mean, var = np.asarray(mean, float), np.asarray(var, float)
    s = np.sqrt(var)
    vals, probs = [], []
    for xv in (mean - s, mean + s):
        for mv, pm in ((0.0, p), (1.0 / (1.0 - p), 1.0 - p)):
            vals.append(xv * mv)
            probs.append(0.5 * pm)
    e1 = sum(q * v for q, v in zip(probs, vals))
    e2 = sum(q * (v - e1) ** 2 for q, v in zip(probs, vals))  # central: no cancellation
    return var / e2


def _ratio_diagnosis(got, mean, var, p) -> str:
    mean, var = np.asarray(mean, float), np.asarray(var, float)
    variants = {
        "you treated the feature as zero-mean: the mean also contributes to the variance of the dropped "
        "feature (a dropped entry jumps from mean-sized values to 0)": (1 - p) * np.ones_like(var),
        "this is the inverse ratio (running variance / eval variance); the eval variance is the "
        "smaller one, so the answer is at most 1": ((var + mean**2) / (1 - p) - mean**2) / var,
        "you used the second moment E[(x m/(1-p))^2] as the variance; subtract the squared mean":
            var * (1 - p) / (var + mean**2),
        "inverted dropout scales the kept entries by 1/(1 - p); your dropped feature was not scaled":
            var / ((1 - p) * (var + mean**2) - ((1 - p) * mean) ** 2),
        "p is the DROP probability: a kept entry has probability 1 - p":
            var / ((var + mean**2) / p - mean**2) if p > 0 else np.ones_like(var),
    }
    g = np.asarray(got, dtype=float)
    for msg, wrong in variants.items():
        if g.shape == np.shape(wrong) and np.allclose(g, wrong, rtol=1e-7, atol=0):
            return msg
    return ""


def _check_ratio(ex, mean, var, p, what):
    got = call_unmodified(ex.eval_variance_ratio, mean, var, p)
    want = _exact_ratio(mean, var, p)
    if got is not None and not np.allclose(np.asarray(got, dtype=float), want, rtol=1e-9, atol=0):
        why = _ratio_diagnosis(got, mean, var, p)
        if why:
            raise AssertionError(f"{what}: {why}")
    assert_close(got, want, what)


@pytest.mark.exercise("8.3", points=3)
def test_variance_ratio_matches_exact_enumeration(ex):
    mean = np.array([0.8, -0.3, 2.0, 0.0])
    var = np.array([0.5, 1.5, 0.1, 1.0])
    for p in (0.1, 0.5, 0.8):
        _check_ratio(ex, mean, var, p, f"eval_variance_ratio(mean, var, p={p})")


@pytest.mark.exercise("8.3")
def test_variance_ratio_shapes_and_limits(ex):
    _check_ratio(ex, 0.4, 0.34, 0.5, "a single feature given as floats")
    _check_ratio(ex, np.array([1.0]), np.array([2.0]), 0.3, "shape (1,)")
    r = np.asarray(ex.eval_variance_ratio(np.array([1.0, -2.0]), np.array([0.5, 3.0]), 0.0), dtype=float)
    assert_close(r, np.ones(2), "p = 0: no dropout, no shift (ratio 1)")
    _check_ratio(ex, np.zeros(3), np.array([0.1, 1.0, 10.0]), 0.25, "zero-mean features")


@pytest.mark.exercise("8.3")
def test_variance_ratio_extreme_magnitudes(ex):
    _check_ratio(ex, np.array([1e6, -1e-6, 3e3]), np.array([1e-6, 1e6, 1.0]), 0.3, "huge and tiny means and variances")


@pytest.mark.exercise("8.3")
@settings(max_examples=30, deadline=None)
@given(mean=st.floats(-50, 50), var=st.floats(1e-3, 100), p=st.floats(0.05, 0.95))
def test_variance_ratio_property_matches_enumeration_and_is_at_most_one(ex, mean, var, p):
    _check_ratio(ex, np.array([mean]), np.array([var]), p, f"eval_variance_ratio({mean}, {var}, p={p})")
    r = float(np.asarray(ex.eval_variance_ratio(np.array([mean]), np.array([var]), p))[0])
    assert 0 < r <= 1 + 1e-12, f"the eval variance can only shrink (ratio in (0, 1]), got {r}"


@pytest.mark.exercise("8.3")
def test_variance_ratio_matches_a_torch_dropout_batchnorm_simulation(ex):
    """torch: Dropout(p) -> BatchNorm1d(momentum=None: a cumulative average) trained on many batches."""
    mean, std, p = np.array([1.0, -0.5, 0.0]), np.array([0.7, 1.2, 1.0]), 0.4
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        drop, bn = torch.nn.Dropout(p), torch.nn.BatchNorm1d(3, momentum=None, affine=False).double()
        for _ in range(400):
            bn(drop(torch.tensor(mean + std * np.random.default_rng(_).normal(size=(512, 3)))))
    measured = std**2 / bn.running_var.numpy()
    got = np.asarray(ex.eval_variance_ratio(mean, std**2, p), dtype=float)
    # 400 batches of 512: the running variance's relative standard error is about 0.3 %
    assert_close(got, measured, "eval variance ratio vs a torch Dropout -> BatchNorm1d simulation", rtol=0.02, atol=0)
