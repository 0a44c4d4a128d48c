"""nnbasics.experiments.nb05_gradients: notebook 05's demos, each checked against a first-principles
computation (the notebook's claims over seeds are in tests/claims/test_nb05_gradients.py)."""

import numpy as np
import pytest
import torch

from nnbasics.core import gradflow
from nnbasics.experiments import nb05_gradients as exp
from nnbasics.lab import diagnostics as dg
from nnbasics.testing import assert_close


def test_batch_is_reproducible_and_shaped():
    X, y = exp.batch(3)
    X2, y2 = exp.batch(3)
    assert X.shape == (64, 16) and y.shape == (64,) and set(np.unique(y)) <= {0, 1, 2, 3}
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, exp.batch(4)[0])


def test_sigmoid_shrink_parts_agree_with_the_network():
    r = exp.sigmoid_shrink(depth=4, width=16, seed=1)
    assert r.rms_slope.shape == r.rms_gain.shape == r.spectral_norms.shape == (4,)
    assert r.measured <= r.bound
    assert r.predicted == pytest.approx(np.prod(r.rms_slope * r.rms_gain))
    assert np.all(r.rms_slope <= 0.25)  # sigma' <= 1/4 everywhere
    assert np.all(np.abs(r.rms_gain - 3**-0.5) < 0.1)  # torch's default init: Var = 1/(3 fan_in)


def test_exploding_growth_is_about_the_scale_for_relu_he():
    for scale in (0.5, 2.0):
        g = exp.exploding_growth(depth=12, scale=scale, seed=0)
        assert abs(g["act_growth"] / scale - 1) < 0.15 and abs(g["grad_growth"] / scale - 1) < 0.15


def test_remedy_profiles_shapes_and_residual_flow():
    p = exp.remedy_profiles(depth=6, seed=2)
    assert set(p) == set(exp.REMEDIES)
    for v in p.values():
        assert v["weight_grads"].shape == (7,) and v["act_grads"].shape == (6,)
    res = p["sigmoid + residual"]["act_grads"]
    assert 0.8 < res[0] / res[-1] < 1.3  # the identity path
    from nnbasics.lab import diagnostics
    model = exp._mlp(6, 32, 2, activation="sigmoid", residual=True)
    a = diagnostics.layer_outputs(model, exp.batch(2)[0])
    h = a[0] + a[1] + a[2]  # the stream after block 3: the first block (16 -> 32) has no skip
    assert p["sigmoid + residual"]["stream_rms"][2] == pytest.approx(np.sqrt(np.mean(h.astype(np.float64) ** 2)))
    plain = p["sigmoid (baseline)"]
    assert plain["stream_rms"][0] == pytest.approx(np.sqrt(np.mean(a[0].astype(np.float64) ** 2)))  # same first layer


def test_bn_growth_prediction_closed_forms():
    assert exp.bn_growth_prediction("relu") == pytest.approx(np.sqrt(np.pi / (np.pi - 1)), rel=1e-6)
    assert exp.bn_growth_prediction("identity") == 1.0
    z = np.random.default_rng(0).standard_normal(2_000_000)
    t = np.tanh(z)
    assert exp.bn_growth_prediction("tanh") == pytest.approx(np.sqrt(np.mean((1 - t**2) ** 2) / t.var()), rel=2e-3)


def test_batchnorm_gradient_growth_matches_layer_stats():
    r = exp.batchnorm_gradient_growth("relu", depth=8, n=64, seed=0)
    assert r.act_grads.shape == r.act_std.shape == (8,)
    assert r.first_over_last == pytest.approx(r.act_grads[0] / r.act_grads[-1])
    assert r.predicted == exp.bn_growth_prediction("relu")


def test_exploding_gradients_are_the_models_autograd_gradients():
    grads = exp.exploding_gradients(seed=1, depth=3, scale=1.0)
    assert len(grads) == 8 and all(g.dtype == np.float64 for g in grads)  # 4 linear layers: W and b
    X, y = exp.batch(1)
    from nnbasics.lab.models import MLPConfig, build_mlp

    model = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 3, d_out=4, activation="relu", init="he", seed=1))
    assert_close(np.array([np.linalg.norm(g) for g in grads[0::2]]), dg.layer_grad_norms(model, X, y),
                 "weight-gradient norms", rtol=1e-5, atol=1e-9)


def test_clipping_directions_norm_keeps_value_turns():
    d = exp.clipping_directions(seed=0, max_norm=2.0, clip_value=0.5)
    assert d["cos_norm"] == pytest.approx(1.0, abs=1e-12) and d["norm_after_norm"] == pytest.approx(2.0, rel=1e-6)
    assert d["cos_value"] < 0.9 and 0 < d["frac_value_clipped"] < 1
    flat = np.concatenate([g.ravel() for g in exp.exploding_gradients(seed=0)])
    assert d["total"] == pytest.approx(np.linalg.norm(flat))
    v = np.concatenate([g.ravel() for g in gradflow.clip_grad_value(exp.exploding_gradients(seed=0), 0.5)])
    assert d["norm_after_value"] == pytest.approx(np.linalg.norm(v))


def test_clipping_run_and_tanh_health_and_update_study_shapes():
    r = exp.clipping_run(1.0, seed=0, steps=3)
    assert len(r["losses"]) == 3 and not r["diverged"]
    h = exp.tanh_health(scale=4.0, depth=3, seed=0)
    assert h["act_std"].shape == h["saturated"].shape == (3,) and h["saturated"].min() > 0.3
    u = exp.update_ratio_study(seed=0, steps=2)
    assert set(u["ratios"]) == {1e-3, 1e-2, 1.0} and u["grad_rms"].shape == (7,)
    assert list(u["weights_per_layer"]) == [512] + [1024] * 5 + [128] and len(u["lr1_losses"]) == 2


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="depth must be >= 1"):
        exp.sigmoid_shrink(depth=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        exp.bn_growth_prediction("swish")
    with pytest.raises(ValueError, match="scale must be >"):
        exp.exploding_growth(scale=0.0)
    with pytest.raises(ValueError, match="max_norm must be >"):
        exp.clipping_run(0.0)
    torch.set_num_threads(torch.get_num_threads())  # nothing above changed torch's threads
