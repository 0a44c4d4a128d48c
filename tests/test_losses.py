"""nnbasics.core.losses: stable softmax family and (loss, dlogits) pairs checked against torch float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import losses
from nnbasics.testing import F64, assert_close

logit_arrays = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 6)),
                      elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False))


def _torch_loss_and_grad(fn, z, *args):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    loss = fn(zt, *args)
    loss.backward()
    return float(loss.detach()), zt.grad.numpy()


@settings(max_examples=15, deadline=None)
@given(z=logit_arrays)
def test_softmax_rows_sum_to_one(z):
    p = losses.softmax(z, axis=1)
    assert np.all(p >= 0)
    assert_close(p.sum(axis=1), np.ones(z.shape[0]), "row sums")


@settings(max_examples=15, deadline=None)
@given(z=logit_arrays, shift=st.floats(-500, 500))
def test_softmax_is_shift_invariant(z, shift):
    assert_close(losses.softmax(z + shift), losses.softmax(z), "softmax(z + c)", rtol=1e-9, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(z=logit_arrays)
def test_softmax_family_matches_torch(z):
    zt = torch.tensor(z)
    assert_close(losses.softmax(z), torch.softmax(zt, -1), "softmax", **F64)
    assert_close(losses.log_softmax(z), torch.log_softmax(zt, -1), "log_softmax", rtol=1e-9, atol=1e-10)
    assert_close(losses.logsumexp(z), torch.logsumexp(zt, -1), "logsumexp", rtol=1e-9, atol=1e-10)


def test_stable_softmax_survives_logits_of_1000_where_naive_overflows():
    z = np.array([[1000.0, 999.0, 0.0]])
    p = losses.softmax(z)
    assert np.all(np.isfinite(p))
    assert_close(p, torch.softmax(torch.tensor(z), -1), "softmax([1000, 999, 0])")
    with pytest.warns(RuntimeWarning) as record:  # numpy says so, and the notebook shows it
        assert np.isnan(losses.naive_softmax(z)).any()  # inf / inf
    said = " ".join(str(w.message) for w in record)
    assert "overflow" in said and "invalid value" in said, said
    assert_close(losses.logsumexp(z), [1000.0 + np.log1p(np.exp(-1.0))], "logsumexp")
    loss, dz = losses.softmax_cross_entropy(z, [1])
    assert np.isfinite(loss) and np.all(np.isfinite(dz))


def test_naive_softmax_agrees_when_small():
    z = np.array([[0.1, -2.0, 3.0]])
    assert_close(losses.naive_softmax(z), losses.softmax(z), "naive softmax on small logits")


def test_softmax_cross_entropy_matches_torch():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((7, 4)) * 3
    y = rng.integers(0, 4, size=7)
    loss, dz = losses.softmax_cross_entropy(z, y)
    tl, tg = _torch_loss_and_grad(F.cross_entropy, z, torch.tensor(y))
    assert_close(loss, tl, "loss", **F64)
    assert_close(dz, tg, "dlogits", **F64)


def test_softmax_cross_entropy_of_uniform_logits_is_log_c():
    loss, _ = losses.softmax_cross_entropy(np.zeros((3, 10)), [0, 5, 9])
    assert_close(loss, np.log(10), "loss at zero logits")


@pytest.mark.parametrize("name,torch_fn", [
    ("mse", lambda z, t: F.mse_loss(z, t)),
    ("mae", lambda z, t: F.l1_loss(z, t)),
    ("huber", lambda z, t: F.huber_loss(z, t, delta=1.0)),
    ("bce_with_logits", lambda z, t: F.binary_cross_entropy_with_logits(z, t)),
    ("multilabel_bce", lambda z, t: F.binary_cross_entropy_with_logits(z, t)),
])
def test_regression_and_binary_losses_match_torch(name, torch_fn):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((6, 3)) * 2
    t = rng.integers(0, 2, size=(6, 3)).astype(float) if "bce" in name else rng.standard_normal((6, 3))
    loss, dz = getattr(losses, name)(z, t)
    tl, tg = _torch_loss_and_grad(torch_fn, z, torch.tensor(t))
    assert_close(loss, tl, f"{name} loss", **F64)
    assert_close(dz, tg, f"{name} dlogits", **F64)


@pytest.mark.parametrize("sigma", [0.1, 1.0, 3.0])
def test_gaussian_nll_matches_torch_and_is_a_scaled_mse(sigma):
    rng = np.random.default_rng(2)
    z, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    loss, dz = losses.gaussian_nll(z, t, sigma)
    var = torch.full((5, 3), sigma**2, dtype=torch.float64)
    tl, tg = _torch_loss_and_grad(lambda a, b: F.gaussian_nll_loss(a, b, var, full=True, eps=1e-300),
                                  z, torch.tensor(t))
    assert_close(loss, tl, "gaussian_nll loss", **F64)
    assert_close(dz, tg, "gaussian_nll dpred", **F64)
    mse, dmse = losses.mse(z, t)
    assert_close(loss, mse / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2), "NLL = MSE/(2 s^2) + c")
    assert_close(dz, dmse / (2 * sigma**2), "same gradient direction as MSE")


def test_bce_with_logits_is_stable_for_huge_logits():
    loss, dz = losses.bce_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))
    assert_close(loss, 1000.0, "loss")
    assert_close(dz, [0.5, -0.5], "dlogits")


def test_sigmoid_is_stable():
    with np.errstate(over="raise"):
        s = losses.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert_close(s, [0.0, 0.5, 1.0], "sigmoid")


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="y must be < C=3"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="y has 1 labels but there are N=2"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), [0])
    with pytest.raises(ValueError, match="logits must be 2-D"):
        losses.softmax_cross_entropy(np.zeros(3), [0])
    with pytest.raises(ValueError, match="shape"):
        losses.mse(np.zeros((2, 1)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="y must hold targets in"):
        losses.bce_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="delta must be >"):
        losses.huber(np.zeros(2), np.zeros(2), delta=0.0)
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        losses.softmax(np.zeros((2, 2)), axis=2)
    with pytest.raises(ValueError, match="NaN"):
        losses.softmax(np.array([np.nan, 1.0]))
    with pytest.raises(TypeError, match="logits must be a numeric array"):
        losses.log_softmax("abc")
    with pytest.raises(TypeError, match="x must be a numeric array"):
        losses.logsumexp(None)
    with pytest.raises(ValueError, match="Y must be 2-D"):
        losses.multilabel_bce(np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        losses.mae(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match="logits must be a numeric"):
        losses.naive_softmax(None)
