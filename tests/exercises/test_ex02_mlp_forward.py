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
            "hint": "loss = mean over rows of -log softmax(z)[i, y_i] computed from stable log-probs "
                    "(z - max - log(sum(exp(z - max)))); dlogits = (softmax(z) - onehot(y)) / N — "
                    "don't forget the / N, and work on a copy of the logits"},
    "2.4": {"title": "Gaussian NLL with a predicted variance",
            "hint": "-log N(y; mu, e^s) = (log(2 pi) + s + (y - mu)^2 e^-s) / 2 per element, then the mean; "
                    "differentiate that with respect to mu and to s (not to e^s), and divide by the "
                    "number of elements N K"},
}

finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def ex(impl):
    return impl("02")


def _dense(ex, x, w, b):
    try:
        return _unpack(call_unmodified(ex.dense_forward, x, w, b), "dense_forward")
    except ValueError as err:
        raise AssertionError(f"dense_forward failed: x has shape (N, D) = {x.shape} and w (D, H) = "
                             f"{w.shape}, so out = x @ w has shape {(x.shape[0], w.shape[1])} — no "
                             f"transpose needed (ValueError: {str(err)[:60]})") from None


def _unpack(result, what):
    assert isinstance(result, tuple) and len(result) == 2, \
        f"{what} must return a pair (out, cache), got {type(result).__name__}"
    return result


@pytest.mark.exercise("2.1")
def test_dense_forward_worked_example(ex):
    x = np.array([[0.5, 1.2, -0.7]])
    W1 = np.array([[0.8, -0.4], [0.1, 0.9], [-0.3, 0.2]])
    b1 = np.array([0.2, -0.1])
    out, cache = _dense(ex, x, W1, b1)
    assert_close(out, [[0.93, 0.64]], "z1 of the worked example", rtol=1e-12, atol=1e-12)
    assert isinstance(cache, tuple) and len(cache) == 2, "the cache must be the pair (x, w)"
    assert np.array_equal(cache[0], x) and np.array_equal(cache[1], W1), \
        "the cache must be (x, w) in that order: the input first, then the weights"


@pytest.mark.exercise("2.1")
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 4), seed=st.integers(0, 999))
def test_dense_forward_matches_library(ex, n, d, h, seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    out, _ = _dense(ex, x, w, b)
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
    p = np.asarray(ex.softmax(z))  # a naive softmax also warns (overflow): the assert below explains it
    assert np.all(np.isfinite(p)), ("softmax gave nan/inf for logits of ±1000: exp(1000) overflows "
                                    "(and a shift by one number for the whole batch still leaves rows that "
                                    "underflow to 0/0) — shift each ROW so its exponents stay <= 0")
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
    if np.isclose(loss, float(lt.detach()) * len(y)):
        raise AssertionError("your loss is N times too large: it is the MEAN over the N rows, not the sum")
    assert_close(loss, float(lt.detach()), "loss (mean over the batch)", **F64)
    g = np.asarray(dz)
    tg = zt.grad.numpy()
    if g.shape == z.shape and np.allclose(g, tg * len(y)):
        raise AssertionError("your dlogits is N times too large: did you forget to divide by the batch size N?")
    if g.shape == z.shape and np.allclose(g, -tg):
        raise AssertionError("your dlogits has the wrong sign: the loss falls when the true class's logit rises")
    if g.shape == z.shape and np.allclose(g, np.exp(z - z.max(1, keepdims=True))
                                          / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True) / len(y)):
        raise AssertionError("your dlogits is softmax / N: the true class's entry also needs the -1 "
                             "(the one-hot target)")
    assert_close(dz, zt.grad, "dlogits", **F64)


@pytest.mark.exercise("2.3")
def test_softmax_cross_entropy_is_stable(ex):
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    loss, dz = call_unmodified(ex.softmax_cross_entropy, z, np.array([1, 2]))
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


# --------------------------------------------------------------------------- 2.4 Gaussian NLL
def _torch_gaussian_nll(mu, s, y):
    """The oracle: the NLL written out in torch float64, differentiated by autograd."""
    mt, st = torch.tensor(mu, requires_grad=True), torch.tensor(s, requires_grad=True)
    yt = torch.tensor(y)
    loss = 0.5 * (np.log(2 * np.pi) + st + (yt - mt) ** 2 * torch.exp(-st)).mean()
    loss.backward()
    return float(loss.detach()), mt.grad.numpy(), st.grad.numpy()


def _nll_tolerances(mu, s, y):
    """Absolute tolerances from float64 error analysis (a few eps per term, times a safety 1e4).

    loss: the mean of terms of size |log 2 pi| + |s| + r^2 e^-s; dmu: (mu - y) e^-s / n carries the
    rounding of mu - y, relative to |mu| + |y|; dlog_var: (1 - r^2 e^-s) / (2 n) can cancel, so
    its error is relative to 1 + r^2 e^-s.
    """
    n, q = mu.size, (y - mu) ** 2 * np.exp(-s)
    eps = 1e4 * np.finfo(np.float64).eps
    return (eps * float(np.mean(np.log(2 * np.pi) + np.abs(s) + q)),
            eps * float(np.max((np.abs(mu) + np.abs(y)) * np.exp(-s))) / n,
            eps * float(np.max(1 + q)) / n)


def _check_nll(ex, mu, s, y, what):
    result = call_unmodified(ex.gaussian_nll, mu, s, y)
    assert isinstance(result, tuple) and len(result) == 3, "gaussian_nll must return (loss, dmu, dlog_var)"
    loss, dmu, dlv = result
    ref_loss, ref_dmu, ref_dlv = _torch_gaussian_nll(mu, s, y)
    tol_loss, tol_mu, tol_lv = _nll_tolerances(mu, s, y)
    n = mu.size
    dmu, dlv = np.asarray(dmu, dtype=float), np.asarray(dlv, dtype=float)
    if np.isclose(loss, ref_loss - 0.5 * np.log(2 * np.pi), rtol=1e-9, atol=tol_loss):
        raise AssertionError(f"{what}: the loss lacks the constant log(2 pi) / 2: the contract asks for "
                             "the full negative log-density")
    as_log_sigma = float(np.mean(0.5 * np.log(2 * np.pi) + s + (y - mu) ** 2 * np.exp(-2 * s) / 2))
    if not np.isclose(ref_loss, as_log_sigma) and np.isclose(loss, as_log_sigma, rtol=1e-9, atol=tol_loss):
        raise AssertionError(f"{what}: you treated log_var as log(sigma): the variance is sigma^2 = e^s")
    assert_close(loss, ref_loss, f"{what}: loss (mean NLL over all N K elements)", rtol=1e-9, atol=tol_loss)
    if dmu.shape == mu.shape and np.allclose(dmu, ref_dmu * n, rtol=1e-6) and n > 1:
        raise AssertionError(f"{what}: dmu is N K = {n} times too large: the loss is a mean over all elements")
    if dmu.shape == mu.shape and np.allclose(dmu, -ref_dmu, rtol=1e-6) and np.any(ref_dmu != 0):
        raise AssertionError(f"{what}: dmu has the wrong sign: the loss falls when mu moves towards y")
    assert_close(dmu, ref_dmu, f"{what}: dmu", rtol=1e-9, atol=tol_mu)
    dvar = ref_dlv * np.exp(-s)  # dL/d(sigma^2) = dL/ds * ds/d(sigma^2)
    if dlv.shape == s.shape and np.allclose(dlv, dvar, rtol=1e-6) and not np.allclose(dvar, ref_dlv, rtol=1e-6):
        raise AssertionError(f"{what}: dlog_var is dL/d(sigma^2); the contract asks for dL/ds with "
                             "s = log(sigma^2) — one more chain-rule factor")
    assert_close(dlv, ref_dlv, f"{what}: dlog_var", rtol=1e-9, atol=tol_lv)


@pytest.mark.exercise("2.4", points=2)
def test_gaussian_nll_matches_autograd(ex):
    rng = np.random.default_rng(0)
    mu, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    s = rng.uniform(-2, 2, size=(5, 3))
    _check_nll(ex, mu, s, y, "a (5, 3) batch")


@pytest.mark.exercise("2.4")
@pytest.mark.parametrize("shape", [(1, 1), (4, 1), (2, 5)])
def test_gaussian_nll_every_shape(ex, shape):
    rng = np.random.default_rng(sum(shape))
    mu, y = rng.standard_normal(shape) * 3, rng.standard_normal(shape) * 3
    _check_nll(ex, mu, rng.uniform(-3, 3, size=shape), y, f"shape {shape}")


@pytest.mark.exercise("2.4")
def test_gaussian_nll_extreme_variances(ex):
    mu = np.array([[0.0, 1.0, -2.0, 5.0]])
    y = np.array([[1e-3, 1.5, -2.0, -5.0]])
    _check_nll(ex, mu, np.array([[-30.0, 30.0, -30.0, 30.0]]), y, "log_var = +-30")


@pytest.mark.exercise("2.4")
def test_gaussian_nll_stationary_points(ex):
    # the best mean is mu = y, and for a fixed error r the best variance is sigma^2 = r^2
    mu = np.array([[0.0, 1.0, -2.0]])
    y = np.array([[0.5, 1.0, 1.0]])
    s_best = np.log(np.where(y == mu, 1.0, (y - mu) ** 2))
    _, dmu, dlv = ex.gaussian_nll(mu, s_best, y)
    assert abs(np.asarray(dmu)[0, 1]) < 1e-15, "where mu == y the gradient with respect to mu must be 0"
    assert_close(np.asarray(dlv)[0, [0, 2]], np.zeros(2),
                 "dL/ds where sigma^2 equals the squared error (the variance that maximises the likelihood)",
                 rtol=0.0, atol=1e-15)


@pytest.mark.exercise("2.4")
@pytest.mark.parametrize("c", [1e-6, 1e6])
def test_gaussian_nll_change_of_units(ex, c):
    # measuring y (and mu, sigma) in other units multiplies the density by 1/c: the NLL gains log c
    rng = np.random.default_rng(3)
    mu, y, s = rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), rng.uniform(-1, 1, (3, 2))
    loss, dmu, dlv = ex.gaussian_nll(mu, s, y)
    loss_c, dmu_c, dlv_c = ex.gaussian_nll(c * mu, s + 2 * np.log(c), c * y)
    assert_close(loss_c, loss + np.log(c), f"NLL in units scaled by {c:g} (= NLL + log c)", rtol=1e-9, atol=1e-9)
    assert_close(np.asarray(dmu_c) * c, dmu, f"dmu * c in units scaled by {c:g}", rtol=1e-8, atol=1e-12)
    assert_close(dlv_c, dlv, f"dlog_var in units scaled by {c:g}", rtol=1e-8, atol=1e-12)
