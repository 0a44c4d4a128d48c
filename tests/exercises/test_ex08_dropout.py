"""Graded tests for notebook 08's exercises (run against --impl solutions|exercises|PATH).

Oracles: the tested ``nnbasics.core.dropout`` (same mask convention), torch.nn.functional.dropout's
semantics, and torch autograd in float64 for the backward pass.
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
    out, mask = ex.dropout_forward(x, 0.5, np.random.default_rng(3), False)
    assert mask is None, "at inference the mask must be None"
    assert_close(out, x, "inference output (must be x itself: no mask, no scaling)")


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
