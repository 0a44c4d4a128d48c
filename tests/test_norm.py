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


# --------------------------------------------------------------------------- conv BN, GroupNorm, RMSNorm
def _grads(fn, *arrays, dout):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (2, 5, 7), (3, 2, 2, 2, 3)])
def test_batchnorm2d_matches_torch_train_and_eval(shape):
    rng = np.random.default_rng(1)
    x, dout = rng.normal(2.0, 3.0, size=shape), rng.normal(size=shape)
    C = shape[1]
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    bn = {3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d, 5: torch.nn.BatchNorm3d}[len(shape)](C).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    xt = torch.tensor(x, requires_grad=True)
    out_t = bn(xt)
    out_t.backward(torch.tensor(dout))
    out, cache = norm.batchnorm2d_forward(x, gamma, beta)
    assert_close(out, out_t, "BN2d out")
    assert_close(cache[0].state.running_mean, bn.running_mean, "running_mean")
    assert_close(cache[0].state.running_var, bn.running_var, "running_var (unbiased over N*H*W)")
    dx, dgamma, dbeta = norm.batchnorm2d_backward(dout, cache)
    assert_close(dx, xt.grad, "BN2d dx")
    assert_close(dgamma, bn.weight.grad, "BN2d dgamma")
    assert_close(dbeta, bn.bias.grad, "BN2d dbeta")
    bn.eval()
    out_eval = norm.batchnorm2d_forward(x[:1], gamma, beta, cache[0].state, train=False)[0]
    assert_close(out_eval, bn(torch.tensor(x[:1])), "BN2d eval output")


def test_batchnorm2d_normalizes_each_channel_over_batch_and_positions():
    x = np.random.default_rng(2).normal(5.0, 2.0, size=(3, 4, 5, 5))
    out, _ = norm.batchnorm2d_forward(x, np.ones(4), np.zeros(4), eps=1e-12)
    assert_close(out.mean(axis=(0, 2, 3)), np.zeros(4), "per-channel mean", atol=1e-12)
    assert_close(out.var(axis=(0, 2, 3)), np.ones(4), "per-channel variance", rtol=1e-9)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
@pytest.mark.parametrize("shape", [(2, 6), (3, 6, 4), (2, 6, 3, 5)])
def test_groupnorm_matches_torch_autograd(groups, shape):
    rng = np.random.default_rng(groups)
    x, dout = rng.normal(1.0, 2.0, size=shape), rng.normal(size=shape)
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    out_t, (gx, gg, gb) = _grads(lambda a, g, b: torch.nn.functional.group_norm(a, groups, g, b, eps=1e-5),
                                 x, gamma, beta, dout=dout)
    out, cache = norm.groupnorm_forward(x, gamma, beta, groups)
    assert_close(out, out_t, f"GroupNorm(G={groups}) out")
    dx, dgamma, dbeta = norm.groupnorm_backward(dout, cache)
    assert_close(dx, gx, "GN dx")
    assert_close(dgamma, gg, "GN dgamma")
    assert_close(dbeta, gb, "GN dbeta")


def test_groupnorm_extremes_are_layernorm_and_instancenorm():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 3, 3))
    ones, zeros = np.ones(4), np.zeros(4)
    ln = norm.layernorm_forward(x.reshape(2, 1, -1), np.ones(36), np.zeros(36))[0].reshape(x.shape)
    assert_close(norm.groupnorm_forward(x, ones, zeros, 1)[0], ln, "G=1 is LayerNorm over (C, H, W)")
    inst = torch.nn.functional.instance_norm(torch.tensor(x), eps=1e-5).numpy()
    assert_close(norm.groupnorm_forward(x, ones, zeros, 4)[0], inst, "G=C is InstanceNorm")


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 7), (1, 1)])
def test_rmsnorm_matches_torch_autograd(shape):
    rng = np.random.default_rng(4)
    x, dout, gamma = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape[-1])
    out_t, (gx, gg) = _grads(lambda a, g: torch.nn.functional.rms_norm(a, (shape[-1],), g, eps=1e-6),
                             x, gamma, dout=dout)
    out, cache = norm.rmsnorm_forward(x, gamma)
    assert_close(out, out_t, "RMSNorm out")
    dx, dgamma = norm.rmsnorm_backward(dout, cache)
    assert_close(dx, gx, "RMSNorm dx")
    assert_close(dgamma, gg, "RMSNorm dgamma")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(0.1, 1e3), c=st.floats(0.5, 5.0))  # eps/(a² ms) < 1e-9
def test_rmsnorm_is_scale_invariant_but_not_shift_invariant(seed, a, c):
    x = np.random.default_rng(seed).normal(size=(3, 8))
    g = np.ones(8)
    base = norm.rmsnorm_forward(x, g, eps=1e-12)[0]
    assert_close(norm.rmsnorm_forward(a * x, g, eps=1e-12)[0], base, "RMSNorm(a x) = RMSNorm(x)", rtol=1e-8, atol=1e-10)
    assert np.abs(norm.rmsnorm_forward(x + c, g, eps=1e-12)[0] - base).max() > 0.1


def test_normalization_sets_reproduce_each_norm():
    """Normalizing x (N, C, H, W) over each labelled set (with all positions) gives the library's output."""
    rng = np.random.default_rng(5)
    N, C, G = 3, 6, 2
    x = rng.normal(size=(N, C, 2, 3))

    def by_sets(labels):
        out = np.empty_like(x)
        for lab in np.unique(labels):
            n_idx, c_idx = np.nonzero(labels == lab)
            vals = x[n_idx, c_idx]  # (k, H, W)
            out[n_idx, c_idx] = (vals - vals.mean()) / np.sqrt(vals.var() + 1e-5)
        return out

    ones, zeros = np.ones(C), np.zeros(C)
    assert_close(by_sets(norm.normalization_sets("batch", N, C)), norm.batchnorm2d_forward(x, ones, zeros)[0], "batch")
    assert_close(by_sets(norm.normalization_sets("group", N, C, G)), norm.groupnorm_forward(x, ones, zeros, G)[0],
                 "group")
    assert_close(by_sets(norm.normalization_sets("instance", N, C)), norm.groupnorm_forward(x, ones, zeros, C)[0],
                 "instance")
    assert_close(by_sets(norm.normalization_sets("layer", N, C)), norm.groupnorm_forward(x, ones, zeros, 1)[0],
                 "layer")


def test_ema_half_life_torch_and_keras_conventions_agree():
    assert_close(norm.ema_half_life(0.1), norm.ema_half_life(0.9, "keras"), "torch m = Keras 1 - m")
    # simulate: weight of the first batch after k steps, torch convention, via BatchNormState updates
    k = int(np.ceil(norm.ema_half_life(0.1)))
    state = norm.BatchNormState.initial(1)
    x0 = np.array([[1.0], [-1.0]]) + 1.0  # batch mean 1
    state = norm.batchnorm_forward(x0, [1.0], [0.0], state, momentum=0.1)[1].state
    w0 = state.running_mean[0]  # = m: the first batch's weight
    for _ in range(k):
        state = norm.batchnorm_forward(np.array([[1.0], [-1.0]]), [1.0], [0.0], state, momentum=0.1)[1].state
    assert state.running_mean[0] <= w0 / 2 < state.running_mean[0] / 0.9


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
    (lambda: norm.batchnorm2d_forward(np.ones((2, 3, 4, 4)), np.ones(2), np.zeros(3)), "gamma has 2 entries"),
    (lambda: norm.batchnorm2d_forward(np.ones((2, 3)), np.ones(3), np.zeros(3)), "x must be 3-D"),
    (lambda: norm.batchnorm2d_backward(np.ones((2, 3, 4, 4)), None), "cache must be"),
    (lambda: norm.groupnorm_forward(np.ones((2, 6, 3)), np.ones(6), np.zeros(6), 4), "groups=4 must divide"),
    (lambda: norm.groupnorm_forward(np.ones((2, 6, 3)), np.ones(5), np.zeros(6), 2), "gamma has 5 entries"),
    (lambda: norm.groupnorm_backward(np.ones((2, 6)), None), "cache must be"),
    (lambda: norm.rmsnorm_forward(np.ones((2, 3)), np.ones(4)), "gamma has 4 entries"),
    (lambda: norm.rmsnorm_backward(np.ones((2, 3)), None), "cache must be"),
    (lambda: norm.normalization_sets("batchy", 2, 3), "kind"),
    (lambda: norm.normalization_sets("group", 2, 6, 4), "groups=4 must divide"),
    (lambda: norm.ema_half_life(1.0), "momentum must be < 1"),
    (lambda: norm.ema_half_life(0.1, "jax"), "convention"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
