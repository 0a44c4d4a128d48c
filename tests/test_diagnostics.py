"""nnbasics.lab.diagnostics (notebook 05's library): gradient flow, activation health, clipping."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import gradflow
from nnbasics.lab import diagnostics as dg
from nnbasics.lab.models import MLPConfig, build_mlp, linear_layers
from nnbasics.testing import F64, assert_close


def _batch(n=32, d=8, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


def _mlp(depth=4, activation="tanh", dtype=torch.float64, **kw):
    cfg = MLPConfig(d_in=8, hidden=(16,) * depth, d_out=3, activation=activation, **kw)
    return build_mlp(cfg, dtype=dtype)


# ---------------------------------------------------------------- gradient norms and stats

def test_layer_grad_norms_match_torch_backward_in_float64():
    X, y = _batch()
    model = _mlp(depth=4)
    norms = dg.layer_grad_norms(model, X, y)
    ref_model = _mlp(depth=4)
    torch.nn.functional.cross_entropy(ref_model(torch.tensor(X)), torch.tensor(y)).backward()
    ref = [torch.linalg.norm(m.weight.grad).item() for m in linear_layers(ref_model)]
    assert norms.shape == (5,)
    assert_close(norms, ref, "layer_grad_norms", **F64)


def test_unit_grad_norms_are_row_norms_of_torch_weight_gradients():
    X, y = _batch()
    model = _mlp(depth=3, activation="relu", init="he")
    per_unit = dg.unit_grad_norms(model, X, y)
    ref_model = _mlp(depth=3, activation="relu", init="he")
    torch.nn.functional.cross_entropy(ref_model(torch.tensor(X)), torch.tensor(y)).backward()
    ref = [torch.linalg.norm(m.weight.grad, dim=1).numpy() for m in linear_layers(ref_model)]
    assert [u.shape for u in per_unit] == [(16,), (16,), (16,), (3,)]
    for i, (u, r) in enumerate(zip(per_unit, ref)):
        assert_close(u, r, f"unit_grad_norms layer {i}", **F64)
    assert_close(np.sqrt([np.sum(u**2) for u in per_unit]), dg.layer_grad_norms(model, X, y),
                 "per-unit norms add up to the layer norm", **F64)


def test_layer_grad_norms_mse_and_leaves_model_untouched():
    X, _ = _batch()
    t = np.random.default_rng(1).standard_normal((32, 3))
    model = _mlp(depth=2)
    before = [p.detach().clone() for p in model.parameters()]
    norms = dg.layer_grad_norms(model, X, t, loss="mse")
    torch.nn.functional.mse_loss(model(torch.tensor(X)), torch.tensor(t)).backward()
    assert_close(norms, [torch.linalg.norm(m.weight.grad).item() for m in linear_layers(model)], "mse norms")
    for p, b in zip(model.parameters(), before):
        assert torch.equal(p.detach(), b)


def test_layer_stats_activation_moments_and_shapes():
    X, y = _batch()
    model = _mlp(depth=3, activation="tanh")
    s = dg.layer_stats(model, X, y)
    h = torch.tensor(X)
    means, stds = [], []
    for block in list(model)[:-1]:
        h = block(h)
        means.append(h.mean().item())
        stds.append(h.std(unbiased=False).item())
    assert s.activation == ("tanh",) * 3
    assert_close(s.act_mean, means, "act_mean")
    assert_close(s.act_std, stds, "act_std")
    assert s.grad_norms.shape == s.weight_norms.shape == (4,)
    assert s.act_grad_norms.shape == s.saturated.shape == s.dead.shape == (3,)
    assert np.all(np.isnan(s.dead)) and np.all((s.saturated >= 0) & (s.saturated <= 1))
    assert set(s.as_dict()) >= {"grad_norms", "act_std", "saturated", "dead", "loss"}


def test_dead_relu_and_saturated_tanh_are_detected():
    X, y = _batch()
    model = _mlp(depth=2, activation="relu")
    with torch.no_grad():
        list(model)[1][0].bias.fill_(-1e3)  # second hidden layer: every unit off for every input
    s = dg.layer_stats(model, X, y)
    assert s.dead[1] == 1.0 and s.dead[0] < 1.0
    assert np.all(np.isnan(s.saturated))
    big = _mlp(depth=3, activation="tanh", init="xavier", init_scale=8.0)
    small = _mlp(depth=3, activation="tanh", init="xavier", init_scale=0.5)
    assert dg.layer_stats(big, X, y).saturated.min() > 0.5 > dg.layer_stats(small, X, y).saturated.max()


def test_histograms_count_every_value():
    X, y = _batch()
    h = dg.layer_histograms(_mlp(depth=3), X, y, bins=10)
    assert h.act_counts.shape == h.grad_counts.shape == (3, 10)
    assert h.act_edges.shape == (11,)
    assert np.all(h.act_counts.sum(axis=1) == 32 * 16)
    assert np.all(h.grad_counts.sum(axis=1) == 32 * 16)


# ---------------------------------------------------------------- the facts notebook 05 cites

def test_sigmoid_bound_ten_layers_below_one_in_a_million():
    assert gradflow.sigmoid_bound(10) == 0.25**10 <= 1e-6
    assert gradflow.sigmoid_bound(0) == 1.0


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), depth=st.integers(2, 12),
       activation=st.sampled_from(["sigmoid", "tanh", "relu"]))
def test_product_of_jacobians_bound_holds_on_real_networks(seed, depth, activation):
    X, y = _batch(seed=seed)
    cb = dg.jacobian_chain(_mlp(depth=depth, activation=activation, seed=seed), X, y)
    assert cb.n_factors == depth and cb.spectral_norms.shape == (depth,)
    assert cb.measured <= cb.bound * (1 + 1e-9)


def test_ten_sigmoid_layers_shrink_the_gradient_a_millionfold():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 16)), rng.integers(0, 4, 64)
    model = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 10, d_out=4, activation="sigmoid"))
    cb = dg.jacobian_chain(model, X, y)
    assert cb.slope_bound == gradflow.sigmoid_bound(10)
    assert cb.measured <= cb.bound and cb.measured < 1e-6
    g = dg.layer_grad_norms(model, X, y)
    assert g[0] / g[-1] < gradflow.sigmoid_bound(10)


def _ratio(depth=20, **kw):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 16)), rng.integers(0, 4, 64)
    g = dg.layer_grad_norms(build_mlp(MLPConfig(d_in=16, hidden=(32,) * depth, d_out=4, **kw)), X, y)
    return g[0] / g[-1], g


def test_remedies_each_restore_gradient_flow():
    sigmoid, _ = _ratio(activation="sigmoid")
    assert sigmoid < 1e-12
    assert _ratio(activation="relu", init="he")[0] > 1e-2          # ReLU + He init
    assert _ratio(activation="tanh", init="xavier")[0] > 1e-1      # proper init for tanh
    assert _ratio(activation="sigmoid", norm="batch")[0] > 1e-2    # normalization
    assert _ratio(activation="sigmoid", residual=True)[0] > 1e6 * sigmoid  # residual connections


def test_too_large_weights_explode():
    _, g = _ratio(activation="relu", init="he", init_scale=3.0)
    assert g.min() > 1e8
    _, g_ok = _ratio(activation="relu", init="he")
    assert g_ok.max() < 10


def test_first_nonfinite_names_the_overflowing_layer():
    X, y = _batch(d=16)
    healthy = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 5, d_out=3))
    assert dg.first_nonfinite(healthy, X, y) is None
    huge = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 50, d_out=3, activation="identity",
                               init="normal", init_scale=10.0))
    found = dg.first_nonfinite(huge, X, y)
    assert found.stage == "forward" and found.kind == "Linear" and found.value == "inf"
    assert 10 < found.linear_index < 40 and "linear layer" in found.message
    # the layer before it is still finite, the reported one is not
    h = torch.tensor(X, dtype=torch.float32)
    for block in list(huge)[:found.linear_index]:
        h = block(h)
    assert torch.isfinite(h).all() and not torch.isfinite(list(huge)[found.linear_index][0](h)).all()


def test_first_nonfinite_loss_and_backward_stages():
    X, _ = _batch()
    model = _mlp(depth=1, dtype=torch.float32)
    found = dg.first_nonfinite(model, X, np.full((32, 3), 1e30), loss="mse")
    assert found.stage == "loss"

    class SqrtAbs(torch.nn.Module):  # finite forward at 0, infinite derivative there
        def forward(self, x):
            return x.abs().sqrt()

    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3), SqrtAbs())
    with torch.no_grad():
        net[2].weight.zero_()
        net[2].bias.zero_()
    found = dg.first_nonfinite(net, X, np.zeros((32, 3)), loss="mse")
    assert found.stage == "backward" and found.module == "2.bias" and found.linear_index == 1


def test_diagnostics_leave_no_hook_behind_even_when_the_forward_pass_raises():
    X, y = _batch(d=16)
    model = build_mlp(MLPConfig(d_in=16, hidden=(8, 8), d_out=3))

    def hooks():
        return sum(len(m._forward_hooks) for m in model.modules())

    dg.layer_outputs(model, X)
    dg.layer_stats(model, X, y)
    dg.first_nonfinite(model, X, y)
    assert hooks() == 0

    class Boom(torch.nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    model.append(Boom())
    for call in (lambda: dg.layer_outputs(model, X), lambda: dg.layer_stats(model, X, y),
                 lambda: dg.first_nonfinite(model, X, y)):
        with pytest.raises(RuntimeError, match="boom"):
            call()
        assert hooks() == 0


def test_update_ratio_is_lr_times_grad_over_weight_and_model_unchanged():
    X, y = _batch()
    model = _mlp(depth=2)
    before = [p.detach().clone() for p in model.parameters()]
    r = dg.update_ratios(model, X, y, lr=0.1)
    torch.nn.functional.cross_entropy(model(torch.tensor(X)), torch.tensor(y)).backward()
    ref = [(0.1 * m.weight.grad).std().item() / m.weight.std().item() for m in linear_layers(model)]
    assert_close(r, ref, "update ratios", rtol=1e-7, atol=1e-12)
    for p, b in zip(model.parameters(), before):
        assert torch.equal(p.detach(), b)
    adam = dg.update_ratios(model, X, y, lr=1e-3, optimizer="adam")
    assert adam.shape == (3,) and np.all(adam > 0)


# ---------------------------------------------------------------- clipping and the scalar chain

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), max_norm=st.floats(0.01, 50.0), scale=st.floats(0.01, 100.0))
def test_clip_grad_norm_matches_torch_in_float64(seed, max_norm, scale):
    rng = np.random.default_rng(seed)
    grads = [scale * rng.standard_normal(s) for s in [(4, 3), (3,), (2, 4)]]
    originals = [g.copy() for g in grads]
    clipped, total = gradflow.clip_grad_norm(grads, max_norm)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    ref_total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    assert_close(total, ref_total.item(), "total norm", **F64)
    for i, (c, p) in enumerate(zip(clipped, params)):
        assert_close(c, p.grad, f"clipped grads[{i}]", **F64)
    for g, o in zip(grads, originals):
        assert np.array_equal(g, o)
    assert np.sqrt(sum(np.sum(c**2) for c in clipped)) <= max_norm * (1 + 1e-9) or total <= max_norm


def test_clip_grad_norm_keeps_small_gradients_and_direction():
    g = [np.array([3.0, 4.0])]
    same, total = gradflow.clip_grad_norm(g, 10.0)
    assert total == 5.0 and np.array_equal(same[0], g[0]) and same[0] is not g[0]
    clipped, _ = gradflow.clip_grad_norm([np.array([30.0, 40.0])], 5.0)
    assert_close(clipped[0], [3.0, 4.0], "clipped", rtol=1e-6, atol=0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 12),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]))
def test_chain_grad_matches_autograd_and_obeys_bound(seed, depth, activation):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(5), rng.uniform(-3, 3, depth)
    grad = gradflow.chain_grad(x, w, activation)
    xt = torch.tensor(x, requires_grad=True)
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda z: z}[activation]
    h = xt
    for wl in w:
        h = f(float(wl) * h)
    h.sum().backward()
    assert_close(grad, xt.grad, "chain_grad", **F64)
    slope = gradflow.MAX_SLOPE[activation]
    assert np.all(np.abs(grad) <= slope**depth * np.prod(np.abs(w)) * (1 + 1e-12))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, exc, match", [
    (lambda: dg.layer_grad_norms("model", np.ones((2, 8)), [0, 1]), TypeError, "torch.nn.Module"),
    (lambda: dg.layer_grad_norms(_mlp(1), np.ones(8), [0]), ValueError, "X must be 2-D"),
    (lambda: dg.layer_grad_norms(_mlp(1), np.ones((2, 8)), [0, 1, 2]), ValueError, "N=2"),
    (lambda: dg.layer_grad_norms(_mlp(1), np.ones((2, 8)), [0, 5]), ValueError, "C=3"),
    (lambda: dg.layer_grad_norms(_mlp(1), np.ones((2, 8)), [0, 1], loss="hinge"), ValueError, "loss must be"),
    (lambda: dg.layer_stats(_mlp(1), np.ones((2, 8)), [0, 1], saturation=1.5), ValueError, "saturation"),
    (lambda: dg.layer_histograms(_mlp(1), np.ones((2, 8)), [0, 1], bins=1), ValueError, "bins"),
    (lambda: dg.first_nonfinite(_mlp(1), np.full((2, 8), np.nan), [0, 1]), ValueError, "NaN"),
    (lambda: dg.update_ratios(_mlp(1), np.ones((2, 8)), [0, 1], lr=0.0), ValueError, "lr must be > 0"),
    (lambda: dg.update_ratios(_mlp(1), np.ones((2, 8)), [0, 1], lr=0.1, optimizer="lbfgs"), ValueError, "optimizer"),
    (lambda: gradflow.clip_grad_norm(np.ones(3), 1.0), TypeError, "list of arrays"),
    (lambda: gradflow.clip_grad_norm([], 1.0), ValueError, "empty"),
    (lambda: gradflow.clip_grad_norm([np.ones(2)], -1.0), ValueError, "max_norm must be > 0"),
    (lambda: gradflow.clip_grad_norm([np.array([np.inf])], 1.0), ValueError, r"grads\[0\]"),
    (lambda: gradflow.sigmoid_bound(-1), ValueError, "n_layers"),
    (lambda: gradflow.chain_grad(np.ones(2), np.ones((2, 2))), ValueError, "weights must be 1-D"),
    (lambda: gradflow.chain_grad(np.ones(2), np.ones(2), "softmax"), ValueError, "activation"),
    (lambda: dg.jacobian_chain(_mlp(2, norm="batch"), np.ones((2, 8)), [0, 1]), ValueError, "plain MLP"),
])
def test_bad_input_is_refused_with_a_clear_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_sgd_steps_clipping_rescues_an_exploding_network():
    from nnbasics import data

    X, y = data.spirals(300, rng=0, n_classes=3)
    runs = {}
    for clip in (None, 1.0):
        model = build_mlp(MLPConfig(d_in=2, hidden=(32,) * 10, d_out=3, activation="relu", init="he",
                                    init_scale=1.5))
        runs[clip] = dg.sgd_steps(model, X, y, lr=0.1, steps=60, max_norm=clip)
    assert runs[None]["diverged"] and len(runs[None]["losses"]) < 10
    assert not runs[1.0]["diverged"] and len(runs[1.0]["losses"]) == 60
    assert runs[1.0]["losses"][-1] < 0.2 * runs[1.0]["losses"][0]
    assert runs[None]["grad_norms"][0] == pytest.approx(runs[1.0]["grad_norms"][0])


def test_sgd_steps_is_plain_gradient_descent():
    X, y = _batch()
    model, ref = _mlp(depth=2), _mlp(depth=2)
    dg.sgd_steps(model, X, y, lr=0.5, steps=1)
    torch.nn.functional.cross_entropy(ref(torch.tensor(X)), torch.tensor(y)).backward()
    for p, r in zip(model.parameters(), ref.parameters()):
        assert_close(p.detach(), (r - 0.5 * r.grad).detach(), "parameter after one SGD step")
    with pytest.raises(ValueError, match="steps must be >= 1"):
        dg.sgd_steps(model, X, y, lr=0.1, steps=0)


def test_widget_compute_is_pure_cached_and_reports_overflow():
    from nnbasics.viz.nb05_gradients import gradient_profile

    sig = gradient_profile(10, "sigmoid")
    assert sig is gradient_profile(10, "sigmoid")  # lru_cache: revisiting a setting is free
    assert sig["grad_norms"].shape == (11,) and sig["act_std"].shape == (10,)
    assert sig["ratio"] < gradflow.sigmoid_bound(10) and sig["nonfinite"] is None
    assert gradient_profile(10, "relu", "he")["ratio"] > 1e-2
    assert gradient_profile(10, "sigmoid", "default", 1.0, "batch")["ratio"] > 1e-2
    bad = gradient_profile(50, "identity", "he", 4.0)
    assert "linear layer" in bad["nonfinite"]


# ---------------------------------------------------------------- clipping by value, recurrences

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), c=st.floats(1e-3, 10.0))
def test_clip_grad_value_matches_torch(seed, c):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * 3 for s in [(4, 3), (3,), (1,)]]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(params, c)
    out = gradflow.clip_grad_value(grads, c)
    for i, (o, p) in enumerate(zip(out, params)):
        assert_close(o, p.grad, f"clip_grad_value grads[{i}]", **F64)
    assert all(np.max(np.abs(o)) <= c for o in out)
    assert not np.shares_memory(out[0], grads[0])


@pytest.mark.parametrize("activation", ["identity", "tanh", "sigmoid", "relu"])
def test_recurrent_jacobian_norms_match_torch_autograd(activation):
    rng = np.random.default_rng(3)
    H, T = 5, 6
    W, b, h0 = rng.standard_normal((H, H)) * 0.6, rng.standard_normal(H) * 0.3, rng.standard_normal(H)
    f = {"identity": lambda z: z, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation]
    Wt, bt = torch.tensor(W), torch.tensor(b)

    def unroll(h, steps):
        for _ in range(steps):
            h = f(h @ Wt + bt)
        return h

    got = gradflow.recurrent_jacobian_norms(W, T, activation=activation, h0=h0, b=b)
    ref = [np.linalg.norm(torch.autograd.functional.jacobian(lambda h, t=t: unroll(h, t), torch.tensor(h0)).numpy(), 2)
           for t in range(1, T + 1)]
    assert_close(got, ref, f"||dh_t/dh_0|| ({activation})", rtol=1e-10, atol=1e-13)


def test_recurrent_linear_norms_follow_the_spectral_radius():
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((8, 8)))
    for rho in (0.5, 1.0, 1.3):
        assert_close(gradflow.recurrent_jacobian_norms(rho * Q, 7), rho ** np.arange(1, 8), f"orthogonal x {rho}")
    J = np.array([[0.9, 3.0], [0.0, 0.9]])  # non-normal: ||J|| > 1 although rho = 0.9
    n = gradflow.recurrent_jacobian_norms(J, 200)
    assert n[0] > 3 and n[-1] < 1e-5


def test_layer_stats_on_an_overflowed_network_does_not_warn():
    X, y = _batch(d=8)
    huge = build_mlp(MLPConfig(d_in=8, hidden=(16,) * 50, d_out=3, activation="identity", init="normal",
                               init_scale=10.0))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st = dg.layer_stats(huge, X, y)
    assert np.isnan(st.act_std[-1]) and np.isfinite(st.act_std[0])


def test_recurrent_and_value_clipping_refuse_bad_input():
    with pytest.raises(ValueError, match="W must be square"):
        gradflow.recurrent_jacobian_norms(np.ones((2, 3)), 3)
    with pytest.raises(ValueError, match="h0 has shape"):
        gradflow.recurrent_jacobian_norms(np.eye(2), 3, h0=np.ones(3))
    with pytest.raises(ValueError, match="clip_value must be >"):
        gradflow.clip_grad_value([np.ones(2)], 0.0)
