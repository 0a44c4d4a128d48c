"""Graded tests for notebook 07's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch.nn.functional.batch_norm / layer_norm and torch.nn.BatchNorm1d in float64
(autograd for gradients) and the tested ``nnbasics.core.norm``.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import norm
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import assert_close

EXERCISES = {
    "7.1": {"title": "BatchNorm forward (train mode)",
            "hint": "average over the batch axis (axis=0), one mean/variance per feature; use the "
                    "biased variance (divide by N, np.var's default), add eps inside the sqrt"},
    "7.2": {"title": "BatchNorm backward",
            "hint": "x_hat depends on every row through the mean and variance: besides dout*gamma/std "
                    "you need the two sums over the batch; dgamma = sum(dout * x_hat, axis=0)"},
    "7.3": {"title": "LayerNorm forward",
            "hint": "LayerNorm averages over the features of each sample: axis=-1 with keepdims=True, "
                    "biased variance"},
    "7.4": {"title": "running statistics update",
            "hint": "new = (1 - momentum) * old + momentum * batch; the running variance uses the "
                    "UNBIASED batch variance (ddof=1, divide by N - 1)"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("07")


def _data(seed=0, N=6, D=4):
    rng = np.random.default_rng(seed)
    return rng.normal(2.0, 3.0, size=(N, D)), rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))


def _matches(a, b) -> bool:
    a = np.asarray(a, dtype=float)
    return a.shape == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-9)


def _bn_torch(x, gamma, beta, eps):
    return torch.nn.functional.batch_norm(torch.tensor(x), None, None, torch.tensor(gamma),
                                          torch.tensor(beta), training=True, eps=eps).numpy()


# ---------------------------------------------------------------- 7.1
@pytest.mark.exercise("7.1", points=2)
def test_batchnorm_forward_matches_torch(ex):
    x, g, b, _ = _data()
    out = call_unmodified(ex.batchnorm_forward, x, g, b, 1e-5)
    expected = _bn_torch(x, g, b, 1e-5)
    if out is not None and not _matches(out, expected):
        N = x.shape[0]
        mu, var_u = x.mean(0), x.var(0, ddof=1)
        if _matches(out, g * (x - mu) / np.sqrt(var_u + 1e-5) + b):
            raise AssertionError("you normalized with the UNBIASED variance (N - 1); BatchNorm's "
                                 f"normalization divides by N={N} (the running variance is the unbiased one)")
        if _matches(out, norm.layernorm_forward(x, g, b, eps=1e-5)[0]):
            raise AssertionError("you normalized each ROW (sample): that is LayerNorm. BatchNorm "
                                 "averages over the batch, axis=0")
        if _matches(out, (x - mu) / np.sqrt(x.var(0) + 1e-5)):
            raise AssertionError("you forgot gamma and beta: out = gamma * x_hat + beta")
    assert_close(out, expected, "batchnorm_forward(x, gamma, beta)")


@pytest.mark.exercise("7.1")
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(2, 16), D=st.integers(1, 5), loc=st.floats(-20, 20),
       scale=st.floats(0.5, 10))
def test_batchnorm_forward_zero_mean_unit_variance(ex, seed, N, D, loc, scale):
    x = np.random.default_rng(seed).normal(loc, scale, size=(N, D))
    out = np.asarray(ex.batchnorm_forward(x, np.ones(D), np.zeros(D), 1e-12))
    assert out.shape == (N, D), f"output shape {out.shape}, expected (N, D) = {(N, D)}"
    assert np.allclose(out.mean(axis=0), 0, atol=1e-7), "each feature (column) must have mean 0"
    assert np.allclose(out.var(axis=0), 1, atol=1e-5), (
        f"each feature must have (biased) variance 1, got {np.round(out.var(axis=0), 4)}")


# ---------------------------------------------------------------- 7.2
@pytest.mark.exercise("7.2", points=3)
def test_batchnorm_backward_matches_autograd(ex):
    x, g, b, dout = _data(1)
    dx, dgamma, dbeta = call_unmodified(ex.batchnorm_backward, dout, x, g, 1e-5)
    xt = torch.tensor(x, requires_grad=True)
    gt, bt = torch.tensor(g, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5).backward(torch.tensor(dout))
    naive = dout * g / np.sqrt(x.var(0) + 1e-5)
    if _matches(dx, naive):
        raise AssertionError("dx = dout * gamma / std ignores that the mean and variance depend on x: "
                             "subtract the two batch sums (see the formula in the notebook)")
    assert_close(dbeta, bt.grad, "dbeta")
    assert_close(dgamma, gt.grad, "dgamma")
    assert_close(dx, xt.grad, "dx")


@pytest.mark.exercise("7.2")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(2, 10), D=st.integers(1, 4))
def test_batchnorm_backward_matches_library(ex, seed, N, D):
    x, g, b, dout = _data(seed, N, D)
    dx, dgamma, dbeta = ex.batchnorm_backward(dout, x, g, 1e-5)
    rdx, rdg, rdb = norm.batchnorm_backward(dout, norm.batchnorm_forward(x, g, b)[1])
    assert_close(dx, rdx, "dx", rtol=1e-7, atol=1e-9)
    assert_close(dgamma, rdg, "dgamma", rtol=1e-7, atol=1e-9)
    assert_close(dbeta, rdb, "dbeta", rtol=1e-7, atol=1e-9)
    assert np.allclose(np.sum(dx, axis=0), 0, atol=1e-8), "BN's dx sums to zero over the batch"


# ---------------------------------------------------------------- 7.3
@pytest.mark.exercise("7.3", points=2)
def test_layernorm_forward_matches_torch(ex):
    x, g, b, _ = _data(2, N=5, D=6)
    out = call_unmodified(ex.layernorm_forward, x, g, b, 1e-5)
    expected = torch.nn.functional.layer_norm(torch.tensor(x), (6,), torch.tensor(g), torch.tensor(b),
                                              eps=1e-5).numpy()
    if out is not None and _matches(out, _bn_torch(x, g, b, 1e-5)):
        raise AssertionError("you normalized each COLUMN over the batch: that is BatchNorm. LayerNorm "
                             "averages over each sample's features, axis=-1 (keepdims=True)")
    if out is not None and _matches(out, g * (x - x.mean(-1, keepdims=True))
                                    / np.sqrt(x.var(-1, ddof=1, keepdims=True) + 1e-5) + b):
        raise AssertionError("you used the unbiased variance (D - 1); LayerNorm divides by D")
    assert_close(out, expected, "layernorm_forward(x, gamma, beta)")


@pytest.mark.exercise("7.3")
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(0.1, 50), c=st.floats(-50, 50))
def test_layernorm_invariant_to_per_sample_scale_and_shift(ex, seed, a, c):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 7))
    g, b = rng.normal(size=7), rng.normal(size=7)
    scale = a * np.array([[1.0], [0.3], [2.5]])  # a different scale and shift for each sample
    shift = c + np.array([[0.0], [1.0], [-2.0]])
    out1 = np.asarray(ex.layernorm_forward(x, g, b, 1e-12))
    out2 = np.asarray(ex.layernorm_forward(scale * x + shift, g, b, 1e-12))
    assert_close(out2, out1, "LN(a_n * x_n + c_n) must equal LN(x) for every sample n", rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- 7.4
@pytest.mark.exercise("7.4", points=2)
def test_running_stats_match_torch_over_three_steps(ex):
    rng = np.random.default_rng(3)
    D = 3
    bn = torch.nn.BatchNorm1d(D, momentum=0.2).double()
    rm, rv = np.zeros(D), np.ones(D)
    for step in range(3):
        x = rng.normal(1.0, 2.0, size=(5, D))
        bn(torch.tensor(x))
        new_m, new_v = call_unmodified(ex.update_running_stats, rm, rv, x, 0.2)
        if _matches(new_v, 0.8 * rv + 0.2 * x.var(0)):
            raise AssertionError("running_var must use the UNBIASED batch variance (ddof=1, divide "
                                 "by N - 1), as torch does")
        if _matches(new_m, 0.2 * rm + 0.8 * x.mean(0)):
            raise AssertionError("momentum weights the NEW batch: (1 - momentum) * old + momentum * batch")
        assert_close(new_m, bn.running_mean, f"running_mean after step {step + 1}")
        assert_close(new_v, bn.running_var, f"running_var after step {step + 1}")
        rm, rv = new_m, new_v


@pytest.mark.exercise("7.4")
def test_running_stats_momentum_one_gives_the_batch_statistics(ex):
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]])
    new_m, new_v = ex.update_running_stats(np.zeros(2), np.ones(2), x, 1.0)
    assert_close(new_m, x.mean(0), "momentum=1: running_mean = batch mean")
    assert_close(new_v, x.var(0, ddof=1), "momentum=1: running_var = unbiased batch variance")
