"""Graded tests for notebook 02's exercises (run against --impl solutions|exercises|PATH).

Oracles: the tested ``nnbasics.core.layers``/``nnbasics.core.losses`` and torch autograd in float64.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import layers
from nnbasics.core import losses
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import F64, assert_close

EXERCISES = {
    "2.1": {"title": "dense layer forward",
            "hint": "out = x @ w + b with x (N, D), w (D, H), b (H,); numpy broadcasts b over the rows. "
                    "Return the pair (out, (x, w))"},
    "2.2": {"title": "stable softmax",
            "hint": "subtract the row maximum first: np.exp(z - z.max(axis=-1, keepdims=True)); "
                    "then divide by the row sums (keepdims=True keeps the shapes broadcastable)"},
    "2.3": {"title": "softmax cross-entropy with gradient",
            "hint": "loss = mean over rows of -log softmax(z)[i, y_i] computed from stable log-probs; "
                    "dlogits = (softmax(z) - onehot(y)) / N — don't forget the / N"},
}

finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def ex(impl):
    return impl("02")


def _unpack(result, what):
    assert isinstance(result, tuple) and len(result) == 2, \
        f"{what} must return a pair (out, cache), got {type(result).__name__}"
    return result


@pytest.mark.exercise("2.1")
def test_dense_forward_worked_example(ex):
    x = np.array([[0.5, 1.2, -0.7]])
    W1 = np.array([[0.8, -0.4], [0.1, 0.9], [-0.3, 0.2]])
    b1 = np.array([0.2, -0.1])
    out, cache = _unpack(call_unmodified(ex.dense_forward, x, W1, b1), "dense_forward")
    assert_close(out, [[0.93, 0.64]], "z1 of the worked example", rtol=1e-12, atol=1e-12)
    assert len(cache) == 2 and np.array_equal(cache[0], x) and np.array_equal(cache[1], W1), \
        "cache must be (x, w)"


@pytest.mark.exercise("2.1")
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4), seed=st.integers(0, 999))
def test_dense_forward_matches_library(ex, n, d, h, seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    out, _ = _unpack(ex.dense_forward(x, w, b), "dense_forward")
    expected, _ = layers.dense_forward(x, w, b)
    if np.shape(out) == (n, h) and d == h and not np.allclose(out, expected):
        if np.allclose(out, x @ w.T + b):
            raise AssertionError("you computed x @ w.T: w has shape (D, H), so it is x @ w")
    assert_close(out, expected, "dense_forward(x, w, b)", **F64)


@pytest.mark.exercise("2.2")
def test_softmax_small_logits(ex):
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = call_unmodified(ex.softmax, z)
    assert_close(p, losses.softmax(z), "softmax", **F64)


@pytest.mark.exercise("2.2")
def test_softmax_survives_logits_of_1000(ex):
    z = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1000.0, -999.0]])
    with np.errstate(all="ignore"):
        p = ex.softmax(z)
    p = np.asarray(p)
    assert np.all(np.isfinite(p)), ("softmax gave nan/inf for logits of ±1000: exp(1000) overflows. "
                                    "Subtract each row's max before np.exp (softmax is shift-invariant)")
    assert_close(p, torch.softmax(torch.tensor(z), -1), "softmax of large logits", **F64)


@pytest.mark.exercise("2.2")
@settings(max_examples=25, deadline=None)
@given(z=arrays(np.float64, (3, 4), elements=finite), shift=st.floats(-300, 300))
def test_softmax_rows_sum_to_one_and_shift_invariant(ex, z, shift):
    p = np.asarray(ex.softmax(z))
    assert p.shape == z.shape, f"softmax must keep the shape {z.shape}, got {p.shape}"
    assert_close(p.sum(axis=1), np.ones(3), "row sums (normalise each ROW: axis=-1, keepdims=True)")
    assert_close(ex.softmax(z + shift), p, "softmax(z + c) must equal softmax(z)", rtol=1e-8, atol=1e-12)


@pytest.mark.exercise("2.3", points=2)
def test_softmax_cross_entropy_matches_torch(ex):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 4)) * 3
    y = rng.integers(0, 4, size=6)
    loss, dz = call_unmodified(ex.softmax_cross_entropy, z, y)
    zt = torch.tensor(z, requires_grad=True)
    lt = F.cross_entropy(zt, torch.tensor(y))
    lt.backward()
    assert_close(loss, float(lt.detach()), "loss (mean over the batch)", **F64)
    g = np.asarray(dz)
    if g.shape == z.shape and np.allclose(g, zt.grad.numpy() * len(y)):
        raise AssertionError("your dlogits is N times too large: did you forget to divide by the batch size N?")
    assert_close(dz, zt.grad, "dlogits", **F64)


@pytest.mark.exercise("2.3")
def test_softmax_cross_entropy_is_stable(ex):
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    with np.errstate(all="ignore"):
        loss, dz = ex.softmax_cross_entropy(z, np.array([1, 2]))
    assert np.isfinite(loss) and np.all(np.isfinite(dz)), \
        "loss/gradient not finite for logits of ±1000: use the max-subtracted log-softmax"
    ref_loss, ref_dz = losses.softmax_cross_entropy(z, [1, 2])
    assert_close(loss, ref_loss, "loss with large logits", **F64)
    assert_close(dz, ref_dz, "dlogits with large logits", **F64)


@pytest.mark.exercise("2.3")
@settings(max_examples=20, deadline=None)
@given(z=arrays(np.float64, (5, 3), elements=finite), y=arrays(np.int64, (5,), elements=st.integers(0, 2)))
def test_softmax_cross_entropy_property(ex, z, y):
    loss, dz = ex.softmax_cross_entropy(z, y)
    ref_loss, ref_dz = losses.softmax_cross_entropy(z, y)
    assert_close(loss, ref_loss, "loss", rtol=1e-9, atol=1e-10)
    assert_close(dz, ref_dz, "dlogits", **F64)
    assert_close(np.sum(dz, axis=1), np.zeros(5), "each row of dlogits sums to 0", atol=1e-12)
