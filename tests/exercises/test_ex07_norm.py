"""Graded tests for notebook 07's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch.nn.functional.batch_norm / layer_norm and torch.nn.BatchNorm1d in float64
(autograd for gradients) and the tested ``nnbasics.core.norm``.

Tolerances: the default ``assert_close`` (rtol 1e-9, atol 1e-12) for float64 against torch.
Standardizing N <= 16 rows of O(1) numbers costs a few ulps (~1e-15 relative); the backward
sums of N terms lose at most N ulps of the O(1) terms, far below atol. The large-offset test
(values 1e4 +- 1e-2, N = 8): any summation order leaves the mean off by up to N u |1e4| ~ 1e-11,
i.e. 1e-9 of the spread, so two correct idioms may differ by ~1e-9 relative there; it uses
rtol 1e-7, while E[x^2] - E[x]^2 loses ~1e8 * 1e-16 / 1e-4 = 1e-4 of the variance and fails.
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
                    "biased variance (divide by N, np.var's default) computed from x - mean (not "
                    "E[x²] - E[x]²), add eps inside the sqrt, then gamma * x_hat + beta"},
    "7.2": {"title": "BatchNorm backward",
            "hint": "x_hat depends on every row through the mean and the variance: besides "
                    "dout*gamma/std you need the gradient through the variance and through the mean "
                    "(d = x - mean feeds both x_hat and the variance); dgamma = sum(dout * x_hat, axis=0)"},
    "7.3": {"title": "LayerNorm forward",
            "hint": "LayerNorm averages over the features of each sample: axis=-1 with keepdims=True, "
                    "biased variance, eps inside the sqrt"},
    "7.4": {"title": "running statistics update",
            "hint": "new = (1 - momentum) * old + momentum * batch; the running variance uses the "
                    "UNBIASED batch variance (ddof=1, divide by N - 1); return new arrays"},
    "7.5": {"title": "LayerNorm backward",
            "hint": "BatchNorm's graph with the sums over the LAST axis (keepdims=True) instead of "
                    "the batch; dgamma and dbeta sum over every axis except the last"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("07")


def _data(seed=0, N=6, D=4, loc=2.0, scale=3.0):
    rng = np.random.default_rng(seed)
    return rng.normal(loc, scale, size=(N, D)), rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))


def _matches(a, b) -> bool:
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))


def _bn_torch(x, gamma, beta, eps):
    return torch.nn.functional.batch_norm(torch.tensor(x), None, None, torch.tensor(gamma),
                                          torch.tensor(beta), training=True, eps=eps).numpy()


def _standardize(x, axis, eps, ddof=0, eps_outside=False, one_pass=False):
    mu = x.mean(axis, keepdims=True)
    var = (x * x).mean(axis, keepdims=True) - mu**2 if one_pass else x.var(axis, ddof=ddof, keepdims=True)
    return (x - mu) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))


def _forward_diagnosis(out, x, g, b, eps, axis) -> str:
    """Name the usual forward mistake that ``out`` reproduces ('' if none)."""
    other = -1 if axis == 0 else 0
    n = x.shape[axis]
    variants = {
        f"you normalized with the UNBIASED variance (divide by {n - 1}); the normalization divides "
        f"by {n} (np.var's default ddof=0)": g * _standardize(x, axis, eps, ddof=1) + b,
        "eps belongs INSIDE the square root: (x - mean) / sqrt(var + eps)":
            g * _standardize(x, axis, eps, eps_outside=True) + b,
        "you forgot gamma and beta: out = gamma * x_hat + beta": _standardize(x, axis, eps),
        "the variance E[x²] - E[x]² loses all precision when the mean is large and the spread small "
        "(catastrophic cancellation): compute the mean of (x - mean)**2":
            g * _standardize(x, axis, eps, one_pass=True) + b,
    }
    if axis == 0:
        variants["you normalized each ROW (sample): that is LayerNorm. BatchNorm averages over the "
                 "batch, axis=0"] = g * _standardize(x, other, eps) + b
    else:
        variants["you normalized each COLUMN over the batch: that is BatchNorm. LayerNorm averages "
                 "over each sample's features, axis=-1 (keepdims=True)"] = g * _standardize(x, other, eps) + b
    for msg, wrong in variants.items():
        if _matches(out, wrong):
            return msg
    return ""


# ---------------------------------------------------------------- 7.1
def _check_bn_forward(ex, x, g, b, eps, what, rtol=1e-9):
    out = call_unmodified(ex.batchnorm_forward, x, g, b, eps)
    expected = _bn_torch(x, g, b, eps)
    if out is not None and not _matches(out, expected):
        why = _forward_diagnosis(out, x, g, b, eps, axis=0)
        if why:
            raise AssertionError(f"{what}: {why}")
    assert_close(out, expected, what, rtol=rtol)


@pytest.mark.exercise("7.1", points=2)
def test_batchnorm_forward_matches_torch(ex):
    x, g, b, _ = _data(N=6, D=4)
    _check_bn_forward(ex, x, g, b, 1e-5, "batchnorm_forward(x (6, 4), gamma, beta, 1e-5)")
    x, g, b, _ = _data(1, N=5, D=3, loc=0.0, scale=1e-3)  # variance 1e-6, comparable to eps
    _check_bn_forward(ex, x, g, b, 1e-5, "batchnorm_forward on features of spread 1e-3 (eps matters)")


@pytest.mark.exercise("7.1")
def test_batchnorm_forward_every_shape(ex):
    for N, D in ((2, 1), (2, 5), (9, 1), (3, 7)):
        x, g, b, _ = _data(N + D, N=N, D=D)
        _check_bn_forward(ex, x, g, b, 1e-5, f"batchnorm_forward on x of shape ({N}, {D})")


@pytest.mark.exercise("7.1")
def test_batchnorm_forward_large_offset_tiny_spread(ex):
    x, g, b, _ = _data(2, N=8, D=3, loc=1e4, scale=1e-2)
    _check_bn_forward(ex, x, g, b, 1e-8, "batchnorm_forward on values 10000 ± 0.01", rtol=1e-7)


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


# ---------------------------------------------------------------- 7.2 / 7.5 shared
def _backward_variants(dout, x, g, eps, axis):
    """The usual wrong backward passes, as (message, dx) pairs; ``axis`` is the normalized axis."""
    M = x.shape[axis]
    mu = x.mean(axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    gx = dout * g

    def full(gg, xh, istd):
        return istd / M * (M * gg - gg.sum(axis, keepdims=True) - xh * (gg * xh).sum(axis, keepdims=True))

    inv_std_u = 1.0 / np.sqrt(x.var(axis, ddof=1, keepdims=True) + eps)
    other = 0 if axis != 0 else -1
    return [
        ("dx = dout * gamma / std ignores that the mean and the variance depend on x: add the "
         "gradients that flow through them", gx * inv_std),
        ("the gradient through the MEAN is missing: dx must sum to zero along the normalized axis "
         "(adding a constant to every input does not change the output)",
         inv_std / M * (M * gx - x_hat * (gx * x_hat).sum(axis, keepdims=True))),
        ("the gradient through the VARIANCE is missing: dx must be orthogonal to x_hat (scaling the "
         "inputs does not change the output, up to eps)", inv_std / M * (M * gx - gx.sum(axis, keepdims=True))),
        ("dL/dx_hat is dout * gamma: gamma is missing from dx", full(dout, x_hat, inv_std)),
        (f"the normalization uses the biased variance (divide by {M}); your backward uses the "
         f"unbiased one ({M - 1})",
         full(gx, (x - mu) * inv_std_u, inv_std_u)),
        ("your sums run over the wrong axis (that is the other normalization's backward)",
         _other_axis(dout, x, g, eps, other)),
    ]


def _other_axis(dout, x, g, eps, axis):
    M = x.shape[axis]
    mu = x.mean(axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    gx = dout * g
    return inv_std / M * (M * gx - gx.sum(axis, keepdims=True) - x_hat * (gx * x_hat).sum(axis, keepdims=True))


def _check_backward(got, expected_grads, dout, x, g, eps, axis, what):
    """Compare (dx, dgamma, dbeta) with autograd's, naming a recognised mistake first."""
    assert isinstance(got, tuple) and len(got) == 3, f"{what} must return (dx, dgamma, dbeta)"
    dx, dgamma, dbeta = got
    edx, edg, edb = expected_grads
    if not _matches(dx, edx):
        for msg, wrong in _backward_variants(dout, x, g, eps, axis):
            if _matches(dx, wrong):
                raise AssertionError(f"{what}: {msg}")
    assert_close(dbeta, edb, f"{what}: dbeta (sum of dout over every axis but the features)")
    if not _matches(dgamma, edg) and _matches(dgamma, (dout * x).reshape(-1, x.shape[-1]).sum(0)):
        raise AssertionError(f"{what}: dgamma multiplies dout by x_hat (the normalized input), not by x")
    assert_close(dgamma, edg, f"{what}: dgamma")
    assert_close(dx, edx, f"{what}: dx")


def _autograd(fn, x, g, b, dout):
    xt = torch.tensor(x, requires_grad=True)
    gt, bt = torch.tensor(g, requires_grad=True), torch.tensor(b, requires_grad=True)
    fn(xt, gt, bt).backward(torch.tensor(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def _bn_grads(x, g, b, dout, eps):
    return _autograd(lambda xt, gt, bt: torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True,
                                                                       eps=eps), x, g, b, dout)


def _ln_grads(x, g, b, dout, eps):
    D = x.shape[-1]
    return _autograd(lambda xt, gt, bt: torch.nn.functional.layer_norm(xt, (D,), gt, bt, eps=eps), x, g, b, dout)


# ---------------------------------------------------------------- 7.2
@pytest.mark.exercise("7.2", points=3)
def test_batchnorm_backward_matches_autograd(ex):
    for seed, (N, D) in enumerate(((6, 4), (2, 3), (7, 1))):
        x, g, b, dout = _data(seed + 1, N, D)
        got = call_unmodified(ex.batchnorm_backward, dout, x, g, 1e-5)
        _check_backward(got, _bn_grads(x, g, b, dout, 1e-5), dout, x, g, 1e-5, 0,
                        f"batchnorm_backward on x of shape ({N}, {D})")


@pytest.mark.exercise("7.2")
def test_batchnorm_backward_removes_shift_and_scale_directions(ex):
    """Shifting or scaling a whole column leaves BN's output unchanged, so dx has no component
    along those directions: sum_n dx = 0 exactly, sum_n dx * x_hat = 0 up to eps."""
    x, g, _, dout = _data(7, N=9, D=3)
    dx = np.asarray(ex.batchnorm_backward(dout, x, g, 1e-12)[0], dtype=float)
    x_hat = _standardize(x, 0, 1e-12)
    scale = np.abs(dout * g).sum(0) / np.sqrt(x.var(0))  # size of the terms being summed
    assert np.all(np.abs(dx.sum(0)) <= 1e-10 * scale), (
        f"dx summed over the batch should be 0 in every column, got {dx.sum(0)}: the gradient "
        "through the batch MEAN is missing or wrong")
    assert np.all(np.abs((dx * x_hat).sum(0)) <= 1e-8 * scale), (
        f"sum over the batch of dx * x_hat should be 0 in every column, got {(dx * x_hat).sum(0)}: "
        "the gradient through the batch VARIANCE is missing or wrong")


@pytest.mark.exercise("7.2")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(2, 10), D=st.integers(1, 4))
def test_batchnorm_backward_matches_library(ex, seed, N, D):
    x, g, b, dout = _data(seed, N, D)
    got = ex.batchnorm_backward(dout, x, g, 1e-5)
    rdx, rdg, rdb = norm.batchnorm_backward(dout, norm.batchnorm_forward(x, g, b)[1])
    _check_backward(got, (rdx, rdg, rdb), dout, x, g, 1e-5, 0, f"batchnorm_backward on ({N}, {D})")


# ---------------------------------------------------------------- 7.3
def _check_ln_forward(ex, x, g, b, eps, what):
    out = call_unmodified(ex.layernorm_forward, x, g, b, eps)
    expected = torch.nn.functional.layer_norm(torch.tensor(x), (x.shape[-1],), torch.tensor(g),
                                              torch.tensor(b), eps=eps).numpy()
    if out is not None and not _matches(out, expected):
        why = _forward_diagnosis(out, x, g, b, eps, axis=-1)
        if why:
            raise AssertionError(f"{what}: {why}")
    assert_close(out, expected, what)


@pytest.mark.exercise("7.3", points=2)
def test_layernorm_forward_matches_torch(ex):
    x, g, b, _ = _data(2, N=5, D=6)
    _check_ln_forward(ex, x, g, b, 1e-5, "layernorm_forward(x (5, 6), gamma, beta)")


@pytest.mark.exercise("7.3")
def test_layernorm_forward_every_shape(ex):
    for N, D in ((4, 4), (1, 5), (3, 2), (6, 1)):  # square: a missing keepdims broadcasts silently
        x, g, b, _ = _data(10 + N, N=N, D=D, scale=1.0 if D > 1 else 3.0)
        _check_ln_forward(ex, x, g, b, 1e-5, f"layernorm_forward on x of shape ({N}, {D})"
                          + (" — mean/variance need keepdims=True (one per row)" if N == D else ""))


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
    new_m, new_v = call_unmodified(ex.update_running_stats, np.zeros(2), np.ones(2), x, 1.0)
    assert_close(new_m, x.mean(0), "momentum=1: running_mean = batch mean of each feature")
    assert_close(new_v, x.var(0, ddof=1), "momentum=1: running_var = unbiased batch variance of each feature")


# ---------------------------------------------------------------- 7.5
@pytest.mark.exercise("7.5", points=3)
def test_layernorm_backward_matches_autograd(ex):
    for seed, shape in enumerate(((5, 6), (1, 4), (3, 3), (2, 4, 5))):
        rng = np.random.default_rng(40 + seed)
        x, dout = rng.normal(1.0, 2.0, size=shape), rng.normal(size=shape)
        g, b = rng.normal(size=shape[-1]), rng.normal(size=shape[-1])
        got = call_unmodified(ex.layernorm_backward, dout, x, g, 1e-5)
        _check_backward(got, _ln_grads(x, g, b, dout, 1e-5), dout, x, g, 1e-5, -1,
                        f"layernorm_backward on x of shape {shape}")


@pytest.mark.exercise("7.5")
def test_layernorm_backward_removes_shift_and_scale_directions(ex):
    rng = np.random.default_rng(9)
    x, dout, g = rng.normal(size=(4, 7)), rng.normal(size=(4, 7)), rng.normal(size=7)
    dx = np.asarray(ex.layernorm_backward(dout, x, g, 1e-12)[0], dtype=float)
    x_hat = _standardize(x, -1, 1e-12)
    scale = np.abs(dout * g).sum(-1) / np.sqrt(x.var(-1))
    assert np.all(np.abs(dx.sum(-1)) <= 1e-10 * scale), (
        f"each row of dx should sum to 0, got {dx.sum(-1)}: the gradient through the sample's MEAN "
        "is missing, or your sums run over the batch instead of the features")
    assert np.all(np.abs((dx * x_hat).sum(-1)) <= 1e-8 * scale), (
        "each row of dx should be orthogonal to that row of x_hat: the gradient through the "
        "sample's VARIANCE is missing or wrong")


@pytest.mark.exercise("7.5")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(1, 6), T=st.integers(0, 4), D=st.integers(2, 6))
def test_layernorm_backward_matches_library(ex, seed, N, T, D):
    rng = np.random.default_rng(seed)
    shape = (N, D) if T == 0 else (N, T, D)
    x, dout, g, b = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=D), rng.normal(size=D)
    got = ex.layernorm_backward(dout, x, g, 1e-5)
    want = norm.layernorm_backward(dout, norm.layernorm_forward(x, g, b)[1])
    _check_backward(got, want, dout, x, g, 1e-5, -1, f"layernorm_backward on {shape}")
