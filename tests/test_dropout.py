"""nnbasics.core.dropout: inverted dropout semantics (as torch.nn.Dropout), gradients, notebook 08's facts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import dropout
from nnbasics.experiments import nb08_dropout
from nnbasics.testing import F64, assert_close


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_semantics_match_torch_dropout(p):
    """Masks can't match torch's RNG; the semantics can: same values, same scaling, same rate."""
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(200, 100))
    out, cache = dropout.dropout_forward(x, p, train=True, rng=1)
    with torch.random.fork_rng():  # seeded, without touching the global generator
        torch.manual_seed(1)
        t_out = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
    for name, o in (("ours", out), ("torch", t_out)):
        kept = o != 0
        assert_close(o[kept], x[kept] / (1 - p), f"{name}: kept entries = x / (1 - p)", **F64)
        assert abs(kept.mean() - (1 - p)) < 0.02, f"{name}: keep rate {kept.mean()} != {1 - p}"  # 5 sigma
    assert np.array_equal(out != 0, cache.mask)
    # inference: the identity, for both
    assert_close(dropout.dropout_forward(x, p, train=False)[0], x, "eval out", **F64)
    assert_close(torch.nn.functional.dropout(torch.tensor(x), p=p, training=False), x, "torch eval", **F64)


def test_backward_matches_torch_autograd_with_the_same_mask():
    rng = np.random.default_rng(2)
    x, dout, p = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), 0.3
    out, cache = dropout.dropout_forward(x, p, train=True, rng=rng)
    xt = torch.tensor(x, requires_grad=True)
    out_t = xt * torch.tensor(cache.mask) / (1 - p)  # torch's formula with our mask
    out_t.backward(torch.tensor(dout))
    assert_close(out, out_t, "out")
    assert_close(dropout.dropout_backward(dout, cache), xt.grad, "dx")
    _, ev = dropout.dropout_forward(x, p, train=False)
    assert_close(dropout.dropout_backward(dout, ev), dout, "eval dx")


def test_p_zero_is_identity_and_same_seed_same_mask():
    x = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(dropout.dropout_forward(x, 0.0, train=True, rng=0)[0], x)
    a = dropout.dropout_forward(x, 0.5, train=True, rng=7)[0]
    b = dropout.dropout_forward(x, 0.5, train=True, rng=7)[0]
    assert np.array_equal(a, b)
    assert np.array_equal(dropout.dropout_mask((3, 4), 0.5, 7), np.random.default_rng(7).random((3, 4)) >= 0.5)


def test_forward_does_not_modify_x():
    x = np.ones((4, 4))
    dropout.dropout_forward(x, 0.5, train=True, rng=0)
    out, _ = dropout.dropout_forward(x, 0.5, train=False)
    out[0, 0] = 5.0
    assert np.all(x == 1.0)


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0.0, 0.9), seed=st.integers(0, 10_000), value=st.floats(-10, 10).filter(lambda v: abs(v) > 0.1))
def test_expectation_is_preserved(p, seed, value):
    x = np.full((400, 250), value)  # 100k entries: the mean's standard error is tiny
    out, _ = dropout.dropout_forward(x, p, train=True, rng=seed)
    se = abs(value) * np.sqrt(p / (1 - p) / x.size)
    assert abs(out.mean() - value) < 6 * se + 1e-12, f"mean {out.mean()} vs {value} (p={p})"


def test_scaling_mismatch_without_inverted_scaling():
    x = np.abs(np.random.default_rng(0).normal(size=(50, 20)))
    r = nb08_dropout.scaling_mismatch(x, 0.5, rng=0, draws=100)
    assert abs(r["inverted_ratio"] - 1) < 0.02
    assert abs(r["unscaled_ratio"] - 0.5) < 0.02


@pytest.mark.slow
def test_experiment_dropout_narrows_the_gap_and_unscaled_inference_hurts():
    runs = nb08_dropout.dropout_experiment((0.0, 0.5), epochs=80)
    r0, r5 = runs[0.0], runs[0.5]
    assert r0.train_loss[-1] < r5.train_loss[-1]  # dropout makes memorizing harder
    assert r5.gap < 0.6 * r0.gap  # ... and narrows the train/val gap
    assert max(r0.val_loss) > 1.5 * min(r0.val_loss)  # without dropout validation loss climbs back up
    assert nb08_dropout.dropout_run(0.5, epochs=80) is r5  # cached
    _, _, Xv, yv = r5.data
    pen = nb08_dropout.unscaled_eval_penalty(r5, Xv, yv)
    assert pen["unscaled_loss"] > 1.5 * pen["loss"]
    mc = nb08_dropout.mc_dropout_predict(r5.model, Xv[:20], samples=10)
    assert mc["mean_prob"].shape == (20, 2) and np.all(mc["std_prob"] >= 0)
    assert_close(mc["mean_prob"].sum(axis=1), np.ones(20), "MC probabilities sum to 1", rtol=1e-6, atol=1e-6)
    state = torch.random.get_rng_state()
    nb08_dropout.mc_dropout_predict(r5.model, Xv[:3], samples=3)
    assert torch.equal(state, torch.random.get_rng_state()), "MC dropout must not change torch's global RNG"
    assert not r5.model.training


# --------------------------------------------------------------------------- spatial dropout
@pytest.mark.parametrize("p", [0.2, 0.6])
def test_spatial_dropout_semantics_match_torch_dropout2d(p):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(40, 30, 4, 5))
    ours, cache = dropout.spatial_dropout_forward(x, p, train=True, rng=1)
    with torch.random.fork_rng():  # torch's draw seeded without touching the global generator
        torch.manual_seed(1)
        theirs = torch.nn.functional.dropout2d(torch.tensor(x), p=p, training=True).numpy()
    for name, out in (("ours", ours), ("torch", theirs)):
        kept_map = np.all(out != 0, axis=(2, 3))  # (N, C)
        dropped_map = np.all(out == 0, axis=(2, 3))
        assert np.all(kept_map | dropped_map), f"{name}: every map is kept or dropped whole"
        assert_close(out[kept_map], x[kept_map] / (1 - p), f"{name}: kept maps are x / (1 - p)")
        assert abs(kept_map.mean() - (1 - p)) < 0.07, (name, kept_map.mean())  # 1200 maps: 5 sigma
    assert cache.mask.shape == (40, 30, 1, 1)
    assert_close(dropout.spatial_dropout_forward(x, p, train=False)[0], x, "eval: identity")


def test_spatial_dropout_backward_matches_autograd():
    rng = np.random.default_rng(2)
    x, dout = rng.normal(size=(3, 4, 2, 5)), rng.normal(size=(3, 4, 2, 5))
    _, cache = dropout.spatial_dropout_forward(x, 0.5, train=True, rng=3)
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.tensor(cache.mask) / 0.5).backward(torch.tensor(dout))
    assert_close(dropout.spatial_dropout_backward(dout, cache), xt.grad, "spatial dropout dx", **F64)
    assert_close(dropout.spatial_dropout_backward(dout, dropout.spatial_dropout_forward(x, 0.5, train=False)[1]),
                 dout, "eval backward is the identity")


# --------------------------------------------------------------------------- dropout as adaptive L2
def _all_masks_expected_mse(X, y, w, p):
    """Exact E over every mask of the N x D entries (2^(N D) of them)."""
    N, D = X.shape
    total = 0.0
    for bits in range(2 ** (N * D)):
        m = np.array([(bits >> k) & 1 for k in range(N * D)], dtype=float).reshape(N, D)
        prob = np.prod(np.where(m == 1, 1 - p, p))
        total += prob * np.mean((y - (X * m / (1 - p)) @ w) ** 2)
    return total


@pytest.mark.parametrize("p", [0.0, 0.3, 0.7])
def test_dropout_penalty_is_the_exact_expected_extra_loss(p):
    rng = np.random.default_rng(4)
    X, y, w = rng.normal(size=(2, 4)), rng.normal(size=2), rng.normal(size=4)
    exact = _all_masks_expected_mse(X, y, w, p)
    closed = np.mean((y - X @ w) ** 2) + dropout.dropout_linear_penalty(X, w, p)
    assert_close(closed, exact, "E_mask[mse] = mse + dropout_linear_penalty", **F64)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.floats(0.0, 0.9), N=st.integers(3, 20), D=st.integers(1, 5))
def test_dropout_ridge_solution_zeroes_the_expected_gradient(seed, p, N, D):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(N, D)) * rng.uniform(0.1, 5, size=D), rng.normal(size=N)
    w = dropout.dropout_ridge_solution(X, y, p)
    c = (X * X).mean(axis=0)
    grad = -2 / N * X.T @ (y - X @ w) + 2 * p / (1 - p) * c * w  # gradient of mse + penalty
    assert np.abs(grad).max() < 1e-9 * (1 + np.abs(X.T @ y).max() / N)


def test_dropout_on_orthogonal_features_shrinks_every_weight_by_one_minus_p():
    """Adaptive: whatever a feature's scale, dropout shrinks its least-squares weight by the same factor."""
    Q, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(50, 3)))
    X = Q * np.array([0.1, 1.0, 30.0])  # orthogonal columns of very different scales
    y = np.random.default_rng(6).normal(size=50)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    assert_close(dropout.dropout_ridge_solution(X, y, 0.4), 0.6 * w_ls, "dropout ridge = (1 - p) * least squares")
    assert_close(dropout.dropout_ridge_solution(X, y, 0.0), w_ls, "p = 0 is least squares")


def test_monte_carlo_dropout_mse_agrees_with_the_closed_form():
    rng = np.random.default_rng(7)
    X, y, w = rng.normal(size=(30, 3)), rng.normal(size=30), rng.normal(size=3)
    mc = nb08_dropout.dropout_mse_monte_carlo(X, y, w, 0.3, draws=500, rng=0)
    closed = mc["plain_mse"] + dropout.dropout_linear_penalty(X, w, 0.3)
    assert abs(mc["mean"] - closed) < 4 * mc["stderr"]


def test_spatial_information_and_variance_shift_helpers():
    x = nb08_dropout.smooth_feature_maps(2, 3, 8, 8, rng=0)
    assert x.shape == (2, 3, 8, 8)
    assert_close(x.mean(axis=(2, 3)), np.zeros((2, 3)), "maps are centred", atol=1e-12)
    r = nb08_dropout.spatial_dropout_information(x, 0.5, rng=1)
    assert np.all(np.isclose(r["r2_spatial"], 0) | np.isclose(r["r2_spatial"], 1))  # a map is kept or gone
    shift = nb08_dropout.dropout_bn_variance_shift(np.abs(np.random.default_rng(2).normal(size=(300, 2))), 0.0,
                                                   rng=0, steps=50)
    assert np.all(np.abs(shift["eval_output_var"] - 1) < 0.15), "p = 0: no shift"
    far = nb08_dropout.far_points(np.zeros((4, 2)), radius=3.0, n=5, rng=0)
    assert_close(np.linalg.norm(far, axis=1), np.full(5, 3.0), "far points lie on the circle")


@pytest.mark.parametrize("call, match", [
    (lambda: dropout.dropout_forward(np.ones(3), 1.0, train=True, rng=0), "p must be < 1"),
    (lambda: dropout.dropout_forward(np.ones(3), -0.1, train=True, rng=0), "p must be >= 0"),
    (lambda: dropout.dropout_forward(np.ones(3), 0.5, train=True), "rng must be"),
    (lambda: dropout.dropout_forward(np.ones(3), 0.5, train=1, rng=0), "train must be"),
    (lambda: dropout.dropout_forward([np.nan], 0.5, train=True, rng=0), "NaN"),
    (lambda: dropout.dropout_backward(np.ones(3), None), "cache must be"),
    (lambda: dropout.dropout_backward(np.ones(4), dropout.dropout_forward(np.ones(3), 0.5, train=True,
                                                                          rng=0)[1]), "dout has shape"),
    (lambda: dropout.dropout_mask((2, 2), 0.5, None), "rng must be"),
    (lambda: nb08_dropout.scaling_mismatch(np.ones((2, 2)), 0.5, rng=0, draws=0), "draws must be >= 1"),
    (lambda: nb08_dropout.dropout_run(1.2), "p must be < 1"),
    (lambda: nb08_dropout.unscaled_eval_penalty("run", np.ones((2, 2)), [0, 1]), "run must be a DropoutRun"),
    (lambda: nb08_dropout.mc_dropout_predict(torch.nn.Linear(2, 2), np.ones((3, 2))), "no nn.Dropout"),
    (lambda: nb08_dropout.small_noisy_data(n_train=2), "n_train must be >= 4"),
    (lambda: dropout.spatial_dropout_forward(np.ones((2, 3)), 0.5, train=True, rng=0), "x must be 3-D"),
    (lambda: dropout.spatial_dropout_forward(np.ones((2, 3, 4)), 0.5, train=True), "rng must be"),
    (lambda: dropout.spatial_dropout_backward(np.ones((2, 3, 4)), None), "cache must be"),
    (lambda: dropout.dropout_linear_penalty(np.ones((3, 2)), np.ones(3), 0.5), "w has 3 entries"),
    (lambda: dropout.dropout_ridge_solution(np.ones((3, 2)), np.ones(4), 0.5), "y has 4"),
    (lambda: nb08_dropout.dropout_bn_variance_shift(np.ones((3, 2)), 0.5, rng=0), "batch_size=64"),
    (lambda: nb08_dropout.noisy_digits(noise=1.5), "noise must be <= 1"),
    (lambda: nb08_dropout.far_points(np.ones((3, 3)), rng=0), "2-D points"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
