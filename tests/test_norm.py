"""nnbasics.core.norm: BatchNorm and LayerNorm against torch float64, properties, notebook 07's facts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import norm
from nnbasics.experiments import nb07_norm
from nnbasics.testing import F64, assert_close


def _bn_torch(D, momentum=0.1, eps=1e-5):
    return torch.nn.BatchNorm1d(D, momentum=momentum, eps=eps).double()


def test_batchnorm_train_matches_torch_outputs_gradients_and_running_stats_over_steps():
    rng = np.random.default_rng(0)
    N, D = 7, 5
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    bn = _bn_torch(D, momentum=0.2, eps=1e-3)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    state = norm.BatchNormState.initial(D)
    for step in range(4):
        x = rng.normal(2.0, 3.0, size=(N, D))
        dout = rng.normal(size=(N, D))
        xt = torch.tensor(x, requires_grad=True)
        bn.train()
        out_t = bn(xt)
        out_t.backward(torch.tensor(dout))
        out, cache = norm.batchnorm_forward(x, gamma, beta, state, train=True, momentum=0.2, eps=1e-3)
        assert_close(out, out_t, f"out (step {step})")
        dx, dgamma, dbeta = norm.batchnorm_backward(dout, cache)
        assert_close(dx, xt.grad, f"dx (step {step})")
        assert_close(dgamma, bn.weight.grad, f"dgamma (step {step})")
        assert_close(dbeta, bn.bias.grad, f"dbeta (step {step})")
        bn.weight.grad = bn.bias.grad = None
        assert_close(cache.state.running_mean, bn.running_mean, f"running_mean (step {step})")
        assert_close(cache.state.running_var, bn.running_var, f"running_var (step {step})")
        assert cache.state.num_batches_tracked == int(bn.num_batches_tracked) == step + 1
        state = cache.state
    # eval mode: running statistics, matching torch, forward and backward
    x = rng.normal(size=(3, D))
    xt = torch.tensor(x, requires_grad=True)
    bn.eval()
    out_t = bn(xt)
    dout = rng.normal(size=(3, D))
    out_t.backward(torch.tensor(dout))
    out, cache = norm.batchnorm_forward(x, gamma, beta, state, train=False, eps=1e-3)
    assert_close(out, out_t, "eval out")
    dx, dgamma, dbeta = norm.batchnorm_backward(dout, cache)
    assert_close(dx, xt.grad, "eval dx")
    assert_close(dgamma, bn.weight.grad, "eval dgamma")
    assert cache.state is state  # eval mode leaves the running statistics alone


def test_running_variance_is_unbiased_but_normalization_biased():
    x = np.array([[0.0], [2.0]])  # biased var 1, unbiased var 2
    out, cache = norm.batchnorm_forward(x, [1.0], [0.0], momentum=1.0, eps=1e-12)
    assert_close(out, [[-1.0], [1.0]], "normalized with the biased variance", rtol=1e-9, atol=1e-9)
    assert_close(cache.state.running_var, [2.0], "running_var uses N/(N-1)")
    assert_close(cache.batch_var, [1.0], "batch_var is biased")


def test_state_is_not_mutated():
    state = norm.BatchNormState.initial(3)
    mean_before, var_before = state.running_mean.copy(), state.running_var.copy()
    norm.batchnorm_forward(np.arange(12.0).reshape(4, 3), np.ones(3), np.zeros(3), state)
    assert np.array_equal(state.running_mean, mean_before) and np.array_equal(state.running_var, var_before)


def test_batchnorm_backward_finite_differences():
    from nnbasics.testing import FINITE_DIFF

    rng = np.random.default_rng(1)
    x, g, b = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3)
    w = rng.normal(size=(4, 3))  # loss = sum(w * out)
    _, cache = norm.batchnorm_forward(x, g, b)
    dx, _, _ = norm.batchnorm_backward(w, cache)
    h, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        num[idx] = (np.sum(w * norm.batchnorm_forward(xp, g, b)[0])
                    - np.sum(w * norm.batchnorm_forward(xm, g, b)[0])) / (2 * h)
    assert_close(dx, num, "dx vs finite differences", **FINITE_DIFF)


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4)])
def test_layernorm_matches_torch(shape):
    rng = np.random.default_rng(2)
    D = shape[-1]
    x, gamma, beta = rng.normal(1.0, 2.0, size=shape), rng.normal(size=D), rng.normal(size=D)
    ln = torch.nn.LayerNorm(D, eps=1e-5).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(gamma))
        ln.bias.copy_(torch.tensor(beta))
    xt = torch.tensor(x, requires_grad=True)
    out_t = ln(xt)
    dout = rng.normal(size=shape)
    out_t.backward(torch.tensor(dout))
    out, cache = norm.layernorm_forward(x, gamma, beta, eps=1e-5)
    assert_close(out, out_t, "out")
    dx, dgamma, dbeta = norm.layernorm_backward(dout, cache)
    assert_close(dx, xt.grad, "dx")
    assert_close(dgamma, ln.weight.grad, "dgamma")
    assert_close(dbeta, ln.bias.grad, "dbeta")


finite = st.floats(-50, 50, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(2, 20), D=st.integers(1, 6),
       loc=finite, scale=st.floats(0.1, 20))
def test_batchnorm_output_has_zero_mean_unit_variance(seed, N, D, loc, scale):
    x = np.random.default_rng(seed).normal(loc, scale, size=(N, D))
    eps = 1e-12
    out, _ = norm.batchnorm_forward(x, np.ones(D), np.zeros(D), eps=eps)
    assert_close(out.mean(axis=0), np.zeros(D), "per-feature mean", atol=1e-9)
    # exactly v / (v + eps), not 1: a tiny batch variance v (N = 2, close points) is shrunk by eps
    v = x.var(axis=0)
    assert_close(out.var(axis=0), v / (v + eps), "per-feature variance", rtol=1e-8, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(0.01, 100), shift=finite)
def test_layernorm_is_invariant_to_per_sample_scale_and_shift(seed, a, shift):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 8))
    scales = a * rng.uniform(0.5, 2.0, size=(5, 1))  # one positive scale per sample
    shifts = shift + rng.normal(size=(5, 1))
    g, b = rng.normal(size=8), rng.normal(size=8)
    out1, _ = norm.layernorm_forward(x, g, b, eps=1e-12)
    out2, _ = norm.layernorm_forward(scales * x + shifts, g, b, eps=1e-12)
    assert_close(out2, out1, "LN(a x + c)", rtol=1e-6, atol=1e-6)


def test_layernorm_ignores_batch_companions_batchnorm_does_not():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    y = np.vstack([x[:1], rng.normal(size=(3, 6))])  # same first sample, new companions
    ones, zeros = np.ones(6), np.zeros(6)
    assert_close(norm.layernorm_forward(y, ones, zeros)[0][0], norm.layernorm_forward(x, ones, zeros)[0][0],
                 "LN output of sample 0", **F64)
    bn_x = norm.batchnorm_forward(x, ones, zeros)[0][0]
    bn_y = norm.batchnorm_forward(y, ones, zeros)[0][0]
    assert np.max(np.abs(bn_x - bn_y)) > 0.1


def test_batch_size_noise_shrinks_with_batch_size_and_is_zero_for_layernorm():
    rng = np.random.default_rng(0)
    pop = rng.normal(1.0, 2.0, size=(300, 8))
    r = nb07_norm.batch_size_noise(pop[0], pop[1:], batch_sizes=(2, 4, 8, 64), draws=100, rng=0)
    assert np.all(np.diff(r["bn_std"]) < 0), r["bn_std"]
    assert r["bn_std"][0] > 0.5 and r["bn_std"][-1] < 0.2
    assert np.all(r["ln_std"] < 1e-12)


@pytest.mark.slow
def test_forgotten_eval_hurts_and_overwrites_running_stats():
    r = nb07_norm.forgotten_eval(epochs=3, n_train=256)
    assert r["eval_acc"] > 0.8
    assert r["train_mode_acc"] < r["eval_acc"] - 0.1
    assert r["train_mode_sorted_acc"] < 0.4
    assert r["running_mean_changed"]


@pytest.mark.slow
def test_compare_norms_batchnorm_tolerates_larger_learning_rates():
    r = nb07_norm.compare_norms(lrs=(0.3, 3.0), epochs=3, n_train=256)
    assert 3.0 in r["tolerated"]["batch"]
    assert 3.0 not in r["tolerated"]["none"] and 3.0 not in r["tolerated"]["layer"]
    assert r["final"][("batch", 0.3)] < r["final"][("none", 0.3)]


@pytest.mark.parametrize("call, match", [
    (lambda: norm.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3)), "N=1"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3)), "gamma has 2 entries"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(4)), "beta has 4 entries"),
    (lambda: norm.batchnorm_forward(np.ones(3), np.ones(3), np.zeros(3)), "x must be 2-D"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), momentum=1.5), "momentum must be <= 1"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), eps=0), "eps must be > 0"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), train="yes"), "train must be"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), {"m": 0}), "state must be"),
    (lambda: norm.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), norm.BatchNormState.initial(2)),
     "statistics for 2 features"),
    (lambda: norm.batchnorm_backward(np.ones((4, 3)), None), "cache must be"),
    (lambda: norm.batchnorm_backward(np.ones((2, 3)), norm.batchnorm_forward(np.eye(4, 3), np.ones(3),
                                                                             np.zeros(3))[1]), "dout has shape"),
    (lambda: norm.layernorm_forward(np.ones(3), np.ones(3), np.zeros(3)), "x must be 2-D or 3-D"),
    (lambda: norm.layernorm_forward(np.full((2, 3), np.nan), np.ones(3), np.zeros(3)), "NaN"),
    (lambda: norm.layernorm_backward(np.ones((2, 3)), (1, 2)), "cache must be"),
    (lambda: norm.layernorm_backward(np.ones((2, 4)), norm.layernorm_forward(np.eye(2, 3), np.ones(3),
                                                                             np.zeros(3))[1]), "dout has shape"),
    (lambda: nb07_norm.batch_size_noise(np.ones(3), np.ones((5, 3)), batch_sizes=(8,), rng=0), "only M=5"),
    (lambda: nb07_norm.batch_size_noise(np.ones(3), np.ones((5, 3)), batch_sizes=(1,), rng=0), "must be >= 2"),
    (lambda: nb07_norm.batch_size_noise(np.ones(3), np.ones((5, 2)), rng=0), "D=2 features"),
    (lambda: nb07_norm.compare_norms(norms=("group",)), "norms must hold"),
    (lambda: nb07_norm.forgotten_eval(batch_size=1), "batch_size must be >= 2"),
    (lambda: norm.BatchNormState.initial(0), "D must be >= 1"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
