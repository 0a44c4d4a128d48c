"""nnbasics.core.regularization: L2 vs decoupled decay, label smoothing vs torch, mixup, augmentation,
the capacity experiment, and the facts notebook 09 cites."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import regularization as R
from nnbasics.experiments import nb09_regularization
from nnbasics.testing import F64, assert_close


def test_l2_penalty_and_grad_match_autograd():
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(3, 4)), rng.normal(size=(4,))]
    ts = [torch.tensor(p, requires_grad=True) for p in params]
    value = 0.5 * 0.3 * sum((t**2).sum() for t in ts)
    value.backward()
    assert R.l2_penalty(params, 0.3) == pytest.approx(value.detach().item(), rel=1e-12)
    for g, t in zip(R.l2_penalty_grad(params, 0.3), ts):
        assert_close(g, t.grad, "L2 gradient", **F64)


def test_l2_grad_is_what_torch_weight_decay_adds():
    """torch SGD(weight_decay=λ) == plain SGD on loss + l2_penalty(λ)."""
    p0 = np.array([1.0, -2.0, 0.5])
    g = np.array([0.3, 0.1, -0.2])
    t = torch.tensor(p0, requires_grad=True)
    t.grad = torch.tensor(g)
    torch.optim.SGD([t], lr=0.1, weight_decay=0.2).step()
    ours = p0 - 0.1 * (g + R.l2_penalty_grad(p0, 0.2)[0])
    assert_close(ours, t.detach(), "SGD step with L2", **F64)


def test_sgd_l2_equals_decoupled_decay():
    r = nb09_regularization.compare_l2_and_decoupled("sgd", lam=0.1, lr=0.001, steps=300)
    assert r["max_abs_diff"] < 1e-12


def test_adam_l2_differs_from_adamw():
    r = nb09_regularization.compare_l2_and_decoupled("adam", lam=0.1, lr=0.01, steps=300)
    assert r["max_abs_diff"] > 0.05
    # and without any decay the two are the same optimizer
    r0 = nb09_regularization.compare_l2_and_decoupled("adam", lam=0.0, lr=0.01, steps=50)
    assert r0["max_abs_diff"] == 0.0


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.35, 1.0])
def test_smoothed_cross_entropy_matches_torch(eps):
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(7, 5)) * 3
    y = rng.integers(0, 5, size=7)
    t = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(t, torch.tensor(y), label_smoothing=eps)
    loss.backward()
    assert R.smoothed_cross_entropy(logits, y, eps) == pytest.approx(loss.detach().item(), rel=1e-12)
    assert_close(R.smoothed_cross_entropy_grad(logits, y, eps), t.grad, "d loss / d logits", **F64)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(2, 6), eps=st.floats(0.0, 1.0), seed=st.integers(0, 99))
def test_smooth_targets_rows_sum_to_one(n, c, eps, seed):
    y = np.random.default_rng(seed).integers(0, c, size=n)
    T = R.smooth_targets(y, c, eps)
    assert T.shape == (n, c)
    assert_close(T.sum(axis=1), np.ones(n), "row sums")
    assert np.all(T >= eps / c - 1e-15)
    assert np.all(T.argmax(axis=1) == y) or eps == 1.0


def test_label_smoothing_bounds_the_optimal_logit_gap():
    """With smoothing the loss is minimized at a finite logit gap log((1-ε+ε/C)/(ε/C))."""
    eps, C = 0.1, 4
    gaps = np.linspace(0, 12, 1201)
    losses = [R.smoothed_cross_entropy(np.array([[g, 0, 0, 0]]), [0], eps) for g in gaps]
    best = gaps[int(np.argmin(losses))]
    assert best == pytest.approx(np.log((1 - eps + eps / C) / (eps / C)), abs=0.01)


def test_mixup_is_a_convex_combination_of_pairs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3))
    Y = np.eye(2)[rng.integers(0, 2, size=10)]
    Xm, Ym, lam = R.mixup(X, Y, alpha=0.4, rng=3)
    assert 0 <= lam <= 1 and Xm.shape == X.shape and Ym.shape == Y.shape
    assert_close(Ym.sum(axis=1), np.ones(10), "mixed target rows")
    perm = np.random.default_rng(3)
    perm.beta(0.4, 0.4)
    p = perm.permutation(10)
    assert_close(Xm, lam * X + (1 - lam) * X[p], "mixed inputs")
    assert_close(Xm.mean(axis=0), X.mean(axis=0), "batch mean is preserved")


def test_rotation_preserves_norms_and_composes():
    X = np.random.default_rng(0).normal(size=(8, 2))
    Xr = R.rotate(X, 30.0)
    assert_close(np.linalg.norm(Xr, axis=1), np.linalg.norm(X, axis=1), "norms")
    assert_close(R.rotate(Xr, -30.0), X, "rotate back")
    assert_close(R.rotate(X, 90.0), np.column_stack([-X[:, 1], X[:, 0]]), "quarter turn")


def test_augment_keeps_labels_and_size():
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.array([0, 1, 0, 1, 1])
    Xa, ya = R.augment_2d(X, y, copies=3, rng=0)
    assert Xa.shape == (20, 2) and np.array_equal(ya, np.tile(y, 4))
    assert_close(Xa[:5], X, "originals come first")
    Xn = R.add_noise(X, 0.0, rng=1)
    assert_close(Xn, X, "zero noise")


def test_poly_features_and_ridge():
    x = np.linspace(-1, 1, 30)
    Phi = R.poly_features(x, 3)
    assert Phi.shape == (30, 4)
    w_true = np.array([0.5, -1.0, 2.0, 0.3])
    assert_close(R.ridge_fit(Phi, Phi @ w_true, 0.0), w_true, "noise-free ridge with lam=0", rtol=1e-8, atol=1e-10)
    # ridge solves the normal equations of (1/N)||Φw - y||² + λ||w||²
    y = np.sin(3 * x)
    w = R.ridge_fit(Phi, y, 0.1)
    assert_close(Phi.T @ (Phi @ w - y) / 30 + 0.1 * w, np.zeros(4), "ridge gradient at the solution",
                 rtol=0, atol=1e-12)


def test_capacity_facts():
    """Underfit at degree 1, overfit at degree 15 without decay, and weight decay repairs the overfit."""
    data = nb09_regularization.make_regression_1d(rng=0)
    lo = nb09_regularization.capacity_fit(1, 0.0, data)
    mid = nb09_regularization.capacity_fit(9, 1e-2, data)
    hi = nb09_regularization.capacity_fit(15, 0.0, data)
    hi_wd = nb09_regularization.capacity_fit(15, 1e-2, data)
    assert lo["train_mse"] > 0.2 and lo["val_mse"] > 0.2  # underfitting: both errors high
    assert hi["train_mse"] < 0.01 and hi["val_mse"] > 10 * hi["train_mse"]  # overfitting: a big gap
    assert hi_wd["val_mse"] < hi["val_mse"] / 10 and hi_wd["weight_norm"] < hi["weight_norm"]
    assert mid["val_mse"] < min(lo["val_mse"], hi["val_mse"])
    sweep = nb09_regularization.capacity_sweep([1, 5, 15], [0.0, 1e-2], data)
    assert sweep["train_mse"].shape == (3, 2)
    assert np.all(np.diff(sweep["train_mse"][:, 0]) <= 0)  # training error falls with capacity


def test_bad_inputs():
    with pytest.raises(ValueError, match="lam must be >= 0"):
        R.l2_penalty([np.ones(2)], -1.0)
    with pytest.raises(ValueError, match="NaN"):
        R.l2_penalty_grad([np.array([np.nan])], 0.1)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        nb09_regularization.compare_l2_and_decoupled("rmsprop")
    with pytest.raises(ValueError, match="y must be < C=3"):
        R.smooth_targets([0, 3], 3, 0.1)
    with pytest.raises(ValueError, match="eps must be <= 1"):
        R.smoothed_cross_entropy(np.zeros((2, 3)), [0, 1], 1.5)
    with pytest.raises(ValueError, match="2 labels but there are N=3"):
        R.smoothed_cross_entropy_grad(np.zeros((3, 3)), [0, 1], 0.1)
    with pytest.raises(ValueError, match="logits must be 2-D"):
        R.smoothed_cross_entropy(np.zeros(3), [0], 0.1)
    with pytest.raises(ValueError, match="X has N=3 rows but Y has N=2"):
        R.mixup(np.zeros((3, 2)), np.zeros((2, 2)), rng=0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        R.mixup(np.zeros((2, 2)), np.zeros((2, 2)), alpha=0.0, rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        R.add_noise(np.zeros((2, 2)), 0.1, rng=None)
    with pytest.raises(ValueError, match="rotate needs 2-D points"):
        R.rotate(np.zeros((2, 3)), 10.0)
    with pytest.raises(ValueError, match="degrees has 3 angles"):
        R.rotate(np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="y must have shape"):
        R.augment_2d(np.zeros((2, 2)), [0], rng=0)
    with pytest.raises(ValueError, match="n_train must be >= 1"):
        nb09_regularization.make_regression_1d(0, rng=0)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        nb09_regularization.target_function("x")
    with pytest.raises(ValueError, match="degree must be >= 0"):
        R.poly_features(np.zeros(3), -1)
    with pytest.raises(ValueError, match="Phi has N=3 rows but y has N=2"):
        R.ridge_fit(np.zeros((3, 2)), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="data needs key"):
        nb09_regularization.capacity_fit(3, 0.1, {"x_train": np.zeros(2)})
    with pytest.raises(ValueError, match="lams must be 1-D"):
        nb09_regularization.capacity_sweep([1], np.zeros((2, 2)), nb09_regularization.make_regression_1d(rng=0))


def test_early_stopping_experiment_restores_best_weights():
    es = nb09_regularization.early_stopping_experiment(patience=5, epochs=60)
    early, long = es["early"], es["long"]
    assert early.stopped_early and early.epochs_run == early.best_epoch + 1 + 5
    assert es["restored_val_loss"] == pytest.approx(min(early.val_loss), rel=1e-6)
    assert long.epochs_run == 60 and long.val_loss[-1] > min(long.val_loss)


def test_mlp_capacity_reports_sizes_and_errors():
    data = nb09_regularization.make_regression_1d(rng=0)
    res = nb09_regularization.mlp_capacity([(2,), (8, 8)], data, epochs=30, lr=0.02)
    assert [r["n_params"] for r in res] == [1 * 2 + 2 + 2 + 1, 1 * 8 + 8 + 8 * 8 + 8 + 8 + 1]
    for r in res:
        assert r["y_grid"].shape == (200,) and np.isfinite(r["train_mse"]) and np.isfinite(r["val_mse"])
    with pytest.raises(ValueError, match="data needs key"):
        nb09_regularization.mlp_capacity([(2,)], {"x_train": np.zeros(3)})
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        nb09_regularization.mlp_capacity([(2,)], data, epochs=0)
    with pytest.raises(ValueError, match="patience must be >= 1"):
        nb09_regularization.early_stopping_experiment(patience=0)


def test_ridge_is_where_gradient_descent_with_torch_weight_decay_stops():
    """One convention: ridge_fit(λ) minimizes (1/2N)||Φw - y||² + (λ/2)||w||², the fixed point of
    torch SGD with weight_decay=λ on half the mean squared error."""
    rng = np.random.default_rng(1)
    Phi, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.3, weight_decay=0.2)
    P, Y = torch.tensor(Phi), torch.tensor(y)
    for _ in range(3000):
        opt.zero_grad()
        (0.5 * torch.mean((P @ w - Y) ** 2)).backward()
        opt.step()
    assert_close(R.ridge_fit(Phi, y, 0.2), w.detach(), "ridge_fit(λ) vs SGD(weight_decay=λ) fixed point", rtol=1e-9,
                 atol=1e-10)


def test_l1_penalty_and_subgradient():
    params = [np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([-0.5])]
    assert R.l1_penalty(params, 0.1) == pytest.approx(0.65)
    g = R.l1_penalty_grad(params, 0.1)
    assert_close(g[0], 0.1 * np.array([[1.0, -1.0], [0.0, 1.0]]), "L1 subgradient (0 at 0)")


@settings(max_examples=50, deadline=None)
@given(w=st.floats(-10, 10), t=st.floats(0, 5))
def test_soft_threshold_is_the_l1_proximal_step(w, t):
    z = float(R.soft_threshold(np.array([w]), t)[0])
    grid = np.linspace(-12, 12, 24001)  # brute force on a 1e-3 grid
    obj = 0.5 * (grid - w) ** 2 + t * np.abs(grid)
    assert abs(z - grid[np.argmin(obj)]) <= 1e-3 + 1e-12
    if abs(w) <= t:
        assert z == 0.0  # exactly: this is where sparsity comes from


def test_lasso_ista_matches_sklearn_and_is_sparse():
    from sklearn.linear_model import Lasso

    d = nb09_regularization.sparse_regression(rng=0)
    for lam in (0.01, 0.1, 0.5):
        ours = R.lasso_ista(d["X"], d["y"], lam, steps=3000)
        ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(d["X"], d["y"]).coef_
        assert_close(ours, ref, f"ISTA vs sklearn Lasso(alpha={lam})", rtol=1e-8, atol=1e-9)
        assert np.array_equal(ours == 0, ref == 0)


def test_sparsity_path_l1_zeroes_weights_l2_never():
    d = nb09_regularization.sparse_regression(rng=1)
    path = nb09_regularization.sparsity_path(d["X"], d["y"], [0.001, 0.1, 1.0], steps=500)
    assert path["w_l1"].shape == (3, 20) and np.all(path["zeros_l2"] == 0)
    assert path["zeros_l1"][0] < path["zeros_l1"][-1]


def test_quiz_facts():
    """Quiz 09 cites the early stop at index 4 (patience 3); the smoothed true-class target is 0.91 (torch)."""
    from nnbasics.lab.train import EarlyStopping

    stop = EarlyStopping(patience=3)
    stopped_at = next(i for i, v in enumerate([1.0, 0.8, 0.9, 0.85, 0.82, 0.7]) if stop.step(v))
    assert stopped_at == 4 and stop.best_index == 1
    assert R.smooth_targets([3], 10, 0.1)[0, 3] == pytest.approx(0.91)
    assert R.smooth_targets([3], 10, 0.1)[0, 0] == pytest.approx(0.01)
