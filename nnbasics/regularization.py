"""Regularization: L2 vs decoupled weight decay, label smoothing, mixup, augmentation, capacity.

- L2 penalty: R(w) = (λ/2) Σ ||w||², gradient λ w (torch's ``weight_decay=λ`` adds exactly this).
- For SGD, L2 in the loss and decoupled decay w <- w (1 - η λ) are the same update; for Adam
  they differ, because Adam divides the L2 gradient by sqrt(v̂) (AdamW does not).
- Label smoothing: targets (1 - ε) onehot(y) + ε / C.
- Mixup: x̃ = λ x_i + (1 - λ) x_j, ỹ likewise, λ ~ Beta(α, α).
- Capacity: polynomial ridge regression in closed form, w = (Φᵀ Φ + λ I)⁻¹ Φᵀ y.

Early stopping lives in :class:`nnbasics.train.EarlyStopping`.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
    check_rng,
    check_same_rows,
)
from nnbasics.losses import log_softmax, softmax
from nnbasics.runtime import one_thread

__all__ = [
    "l2_penalty", "l2_penalty_grad", "compare_l2_and_decoupled",
    "smooth_targets", "smoothed_cross_entropy", "smoothed_cross_entropy_grad",
    "mixup", "add_noise", "rotate", "augment_2d",
    "target_function", "make_regression_1d", "poly_features", "ridge_fit", "capacity_fit", "capacity_sweep",
    "mlp_capacity", "early_stopping_experiment",
]


# ---------------------------------------------------------------- L2 / weight decay
def _param_list(params, name="params"):
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        params = [params]
    return [as_float_array(p, f"{name}[{i}]") for i, p in enumerate(params)]


def l2_penalty(params, lam: float) -> float:
    """L2 penalty (λ/2) Σ_k ||W_k||² over a list of arrays (any shapes)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return 0.5 * lam * float(sum(np.sum(p * p) for p in _param_list(params)))


def l2_penalty_grad(params, lam: float) -> list:
    """Gradient of :func:`l2_penalty`: λ W_k for each array (same shapes)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return [lam * p for p in _param_list(params)]


def _lsq_problem(seed: int = 0, n: int = 64, d: int = 4):
    """A least-squares problem whose features have very different scales (so Adam's 1/sqrt(v) matters)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.logspace(0, 1.5, d)  # (N, D) feature scales 1 .. ~30
    w_true = rng.normal(size=d)
    y = X @ w_true + 0.1 * rng.normal(size=n)  # (N,)
    return X, y


def _lsq_grad(X, y, w):
    return X.T @ (X @ w - y) / X.shape[0]  # (D,)


def compare_l2_and_decoupled(optimizer: str = "adam", lam: float = 0.1, lr: float = 0.01,
                             steps: int = 300, seed: int = 0) -> dict:
    """Train linear least squares two ways and compare: L2 in the gradient vs decoupled decay.

    Variant "l2": g <- ∇loss + λ w, then the optimizer step (torch's ``weight_decay`` for SGD/Adam).
    Variant "decoupled": the optimizer step on ∇loss, with w <- w (1 - η λ) (torch's AdamW rule;
    for ``optimizer="sgd"`` the same shrink applied by hand).

    Returns
    -------
    dict
        ``w_l2`` (T+1, D) and ``w_decoupled`` (T+1, D) trajectories, ``max_abs_diff`` float,
        ``X`` (N, D), ``y`` (N,).
    """
    from nnbasics import optim

    check_choice(optimizer, "optimizer", ("sgd", "adam"))
    lam = check_float(lam, "lam", minimum=0.0)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    steps = check_int(steps, "steps", minimum=1)
    X, y = _lsq_problem(check_int(seed, "seed"))
    w0 = np.zeros(X.shape[1])
    if optimizer == "sgd":
        a, b = optim.SGD(lr, weight_decay=lam), optim.SGD(lr)
    else:
        a, b = optim.Adam(lr, weight_decay=lam), optim.AdamW(lr, weight_decay=lam)
    wa, wb = [w0], [w0]
    for _ in range(steps):
        (na,) = a.step([wa[-1]], [_lsq_grad(X, y, wa[-1])])
        if optimizer == "sgd":  # decoupled by hand: shrink, then the plain gradient step
            (nb,) = b.step([wb[-1] * (1.0 - lr * lam)], [_lsq_grad(X, y, wb[-1])])
        else:
            (nb,) = b.step([wb[-1]], [_lsq_grad(X, y, wb[-1])])
        wa.append(na)
        wb.append(nb)
    wa, wb = np.array(wa), np.array(wb)
    return {"w_l2": wa, "w_decoupled": wb, "max_abs_diff": float(np.abs(wa - wb).max()), "X": X, "y": y}


# ---------------------------------------------------------------- label smoothing
def smooth_targets(y, n_classes: int, eps: float) -> np.ndarray:
    """Smoothed one-hot targets (1 - ε) onehot(y) + ε / C, shape (N, C); rows sum to 1."""
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    y = as_labels(y, "y", n_classes=n_classes)
    eps = check_float(eps, "eps", minimum=0.0, maximum=1.0)
    T = np.full((y.shape[0], n_classes), eps / n_classes)  # (N, C)
    T[np.arange(y.shape[0]), y] += 1.0 - eps
    return T


def _ce_inputs(logits, y, eps):
    logits = as_float_array(logits, "logits", ndim=2)
    y = as_labels(y, "y", n_classes=logits.shape[1], n_samples=logits.shape[0])
    eps = check_float(eps, "eps", minimum=0.0, maximum=1.0)
    return logits, smooth_targets(y, max(logits.shape[1], 2), eps)


def smoothed_cross_entropy(logits, y, eps: float = 0.1) -> float:
    """Mean cross-entropy against smoothed targets, as ``F.cross_entropy(label_smoothing=eps)``.

    logits (N, C), y (N,) ints:  L = -(1/N) Σ_i Σ_c t_ic log softmax(z_i)_c.
    """
    logits, T = _ce_inputs(logits, y, eps)
    log_p = log_softmax(logits, axis=1)  # (N, C), stable (notebook 02)
    return float(-(T * log_p).sum() / logits.shape[0])


def smoothed_cross_entropy_grad(logits, y, eps: float = 0.1) -> np.ndarray:
    """dL/dlogits = (softmax(z) - t) / N, shape (N, C)."""
    logits, T = _ce_inputs(logits, y, eps)
    return (softmax(logits) - T) / logits.shape[0]


# ---------------------------------------------------------------- mixup and augmentation
def mixup(X, Y, alpha: float = 0.2, *, rng) -> tuple[np.ndarray, np.ndarray, float]:
    """Mixup (Zhang et al., 2018): blend the batch with a shuffled copy of itself.

    Parameters
    ----------
    X : array_like, shape (N, D)
    Y : array_like, shape (N, C)
        One-hot (or soft) targets.
    alpha : float > 0
        λ ~ Beta(α, α); small α keeps most mixes close to an original example.
    rng : numpy Generator or int

    Returns
    -------
    X_mix : ndarray (N, D)
        λ X + (1 - λ) X[perm].
    Y_mix : ndarray (N, C)
        λ Y + (1 - λ) Y[perm].
    lam : float
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_same_rows(X, "X", Y, "Y")
    alpha = check_float(alpha, "alpha", minimum=0.0, min_inclusive=False)
    rng = check_rng(rng)
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(X.shape[0])
    return lam * X + (1 - lam) * X[perm], lam * Y + (1 - lam) * Y[perm], lam


def add_noise(X, sigma: float, *, rng) -> np.ndarray:
    """X + Gaussian noise of standard deviation ``sigma``; X (N, D) -> (N, D)."""
    X = as_float_array(X, "X", ndim=2)
    sigma = check_float(sigma, "sigma", minimum=0.0)
    return X + sigma * check_rng(rng).normal(size=X.shape)


def rotate(X, degrees) -> np.ndarray:
    """Rotate 2-D points X (N, 2) about the origin by ``degrees`` (a float or one angle per row (N,))."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"rotate needs 2-D points, got X with D={X.shape[1]} features")
    th = np.deg2rad(as_float_array(degrees, "degrees", ndim=(0, 1)))
    if th.ndim == 1 and th.shape[0] != X.shape[0]:
        raise ValueError(f"degrees has {th.shape[0]} angles but X has N={X.shape[0]} rows")
    c, s = np.cos(th), np.sin(th)
    return np.column_stack([c * X[:, 0] - s * X[:, 1], s * X[:, 0] + c * X[:, 1]])


def augment_2d(X, y, copies: int = 2, noise: float = 0.05, max_degrees: float = 10.0, *, rng):
    """Append ``copies`` augmented copies (random rotation in ±max_degrees, then noise) of (X, y).

    Returns
    -------
    X_aug : ndarray, shape ((copies + 1) N, 2)
    y_aug : ndarray, shape ((copies + 1) N,)
        Labels are copied: augmentation must not change the class.
    """
    X = as_float_array(X, "X", ndim=2)
    as_float_array(y, "y", ndim=1)  # checks only: y keeps its dtype (labels stay integers)
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (N,) = ({X.shape[0]},), got {y.shape}")
    copies = check_int(copies, "copies", minimum=0)
    max_degrees = check_float(max_degrees, "max_degrees", minimum=0.0)
    check_float(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    xs, ys = [X], [y]
    for _ in range(copies):
        angles = rng.uniform(-max_degrees, max_degrees, size=X.shape[0])
        xs.append(add_noise(rotate(X, angles), noise, rng=rng))
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


# ---------------------------------------------------------------- capacity: polynomial ridge
def target_function(x) -> np.ndarray:
    """The true curve of the 1-D regression task: sin(2πx)·(1 - x²/2) on [-1, 1]."""
    x = as_float_array(x, "x", ndim=1)
    return np.sin(2 * np.pi * x) * (1 - 0.5 * x**2)


def make_regression_1d(n_train: int = 20, n_val: int = 200, noise: float = 0.25, *, rng) -> dict:
    """Noisy samples of :func:`target_function`: ``x_train`` (n_train,), ``y_train``, ``x_val``, ``y_val``."""
    n_train = check_int(n_train, "n_train", minimum=1)
    n_val = check_int(n_val, "n_val", minimum=1)
    noise = check_float(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    out = {}
    for split, n in (("train", n_train), ("val", n_val)):
        x = np.sort(rng.uniform(-1, 1, size=n))
        out[f"x_{split}"] = x
        out[f"y_{split}"] = target_function(x) + noise * rng.normal(size=n)
    return out


def poly_features(x, degree: int) -> np.ndarray:
    """Legendre features P_0(x) .. P_degree(x) (well-conditioned on [-1, 1]); x (N,) -> (N, degree+1)."""
    x = as_float_array(x, "x", ndim=1)
    degree = check_int(degree, "degree", minimum=0)
    return np.polynomial.legendre.legvander(x, degree)


def ridge_fit(Phi, y, lam: float) -> np.ndarray:
    """Closed-form ridge: w = (Φᵀ Φ + λ N I)⁻¹ Φᵀ y minimizes (1/N)||Φ w - y||² + λ ||w||².

    Phi (N, P), y (N,) -> w (P,). The bias column is penalized too (simple and harmless here).
    """
    Phi = as_float_array(Phi, "Phi", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_same_rows(Phi, "Phi", y, "y")
    lam = check_float(lam, "lam", minimum=0.0)
    n, p = Phi.shape
    A = Phi.T @ Phi + lam * n * np.eye(p)  # (P, P)
    return np.linalg.lstsq(A, Phi.T @ y, rcond=None)[0]  # lstsq: fine even when lam = 0 and P > N


def capacity_fit(degree: int, lam: float, data: dict, n_grid: int = 200) -> dict:
    """Fit a degree-``degree`` polynomial with ridge ``lam`` and report train/val MSE.

    Parameters
    ----------
    data : dict
        From :func:`make_regression_1d`.

    Returns
    -------
    dict
        ``w`` (degree+1,), ``train_mse``, ``val_mse`` floats, ``x_grid`` (n_grid,), ``y_grid`` (n_grid,)
        the fitted curve, ``weight_norm`` float.
    """
    for k in ("x_train", "y_train", "x_val", "y_val"):
        if k not in data:
            raise ValueError(f"data needs key {k!r} (use make_regression_1d), got keys {sorted(data)}")
    w = ridge_fit(poly_features(data["x_train"], degree), data["y_train"], lam)
    mse = {s: float(np.mean((poly_features(data[f"x_{s}"], degree) @ w - data[f"y_{s}"]) ** 2))
           for s in ("train", "val")}
    xg = np.linspace(-1, 1, check_int(n_grid, "n_grid", minimum=2))
    return {"w": w, "train_mse": mse["train"], "val_mse": mse["val"], "x_grid": xg,
            "y_grid": poly_features(xg, degree) @ w, "weight_norm": float(np.linalg.norm(w))}


def capacity_sweep(degrees, lams, data: dict) -> dict:
    """Train/val MSE over a grid of degrees and ridge strengths.

    Returns
    -------
    dict
        ``degrees`` (A,), ``lams`` (B,), ``train_mse`` (A, B), ``val_mse`` (A, B).
    """
    degrees = [check_int(int(d) if isinstance(d, np.integer) else d, "degrees entry", minimum=0) for d in degrees]
    lams = as_float_array(lams, "lams", ndim=1)
    if np.any(lams < 0):
        raise ValueError(f"lams must all be >= 0, got minimum {lams.min()}")
    tr = np.empty((len(degrees), len(lams)))
    va = np.empty_like(tr)
    for i, d in enumerate(degrees):
        for j, lam in enumerate(lams):
            r = capacity_fit(d, float(lam), data, n_grid=2)
            tr[i, j], va[i, j] = r["train_mse"], r["val_mse"]
    return {"degrees": np.array(degrees), "lams": lams, "train_mse": tr, "val_mse": va}


# ---------------------------------------------------------------- small torch experiments
def early_stopping_experiment(patience: int = 10, epochs: int = 150, lr: float = 0.005, seed: int = 1) -> dict:
    """An over-parameterized MLP (2-128-128-2) on 40 noisy moons, trained with and without early stopping.

    Both runs use :func:`nnbasics.train.fit`; the second passes ``TrainConfig(patience=...)``, which
    stops after ``patience`` epochs without a better validation loss and restores the best weights.

    Returns
    -------
    dict
        ``long`` and ``early`` (:class:`~nnbasics.train.History`), ``restored_val_loss`` (float,
        the early-stopped model's validation loss after restoring), ``split`` (the data).
    """
    from nnbasics import data as D
    from nnbasics.models import MLPConfig, build_mlp
    from nnbasics.train import TrainConfig, evaluate, fit

    patience = check_int(patience, "patience", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    X, y = D.moons(80, rng=seed, noise=0.35)
    split = D.train_val_split(X, y, val_fraction=0.5, rng=seed)
    args = (split.X_train, split.y_train, split.X_val, split.y_val)
    cfg = dict(epochs=epochs, batch_size=40, lr=lr, optimizer="adam", seed=seed)
    with one_thread():
        long = fit(build_mlp(MLPConfig(d_in=2, hidden=(128, 128), d_out=2, seed=0)), *args,
                   cfg=TrainConfig(**cfg))
        model = build_mlp(MLPConfig(d_in=2, hidden=(128, 128), d_out=2, seed=0))
        early = fit(model, *args, cfg=TrainConfig(**cfg, patience=patience))
        restored = evaluate(model, split.X_val, split.y_val)[0]
    return {"long": long, "early": early, "restored_val_loss": restored, "split": split}


def mlp_capacity(hiddens, data: dict, *, epochs: int = 300, lr: float = 0.01, weight_decay: float = 0.0,
                 seed: int = 0) -> list:
    """Train one tanh MLP per hidden-width tuple on the 1-D regression; report size and errors.

    Full-batch AdamW on the ``n_train`` points (tiny: a fraction of a second per model).

    Parameters
    ----------
    hiddens : sequence of tuple of int
        E.g. ``[(4,), (64,), (16, 16, 16)]`` — width vs depth.
    data : dict
        From :func:`make_regression_1d`.

    Returns
    -------
    list of dict
        One per model: ``hidden``, ``n_params``, ``train_mse``, ``val_mse``, ``x_grid`` (200,), ``y_grid`` (200,).
    """
    from nnbasics.train import TrainConfig

    for k in ("x_train", "y_train", "x_val", "y_val"):
        if k not in data:
            raise ValueError(f"data needs key {k!r} (use make_regression_1d), got keys {sorted(data)}")
    epochs = check_int(epochs, "epochs", minimum=1)
    cfg = TrainConfig(epochs=epochs, batch_size=len(data["x_train"]), lr=lr, optimizer="adamw",
                      weight_decay=weight_decay, loss="mse", seed=seed)
    with one_thread():
        return [_fit_mlp_1d(tuple(hidden), data, cfg, seed) for hidden in hiddens]


def _fit_mlp_1d(hidden, data, cfg, seed):
    import torch

    from nnbasics.models import MLPConfig, build_mlp, count_parameters
    from nnbasics.train import evaluate, fit

    Xtr, Xva = data["x_train"][:, None], data["x_val"][:, None]  # (N, 1)
    xg = np.linspace(-1, 1, 200)
    model = build_mlp(MLPConfig(d_in=1, hidden=hidden, d_out=1, activation="tanh", seed=seed))
    fit(model, Xtr, data["y_train"], cfg=cfg)
    with torch.no_grad():
        yg = model(torch.as_tensor(xg[:, None], dtype=torch.float32)).numpy()[:, 0]  # (200,)
    return {"hidden": hidden, "n_params": count_parameters(model),
            "train_mse": evaluate(model, Xtr, data["y_train"], "mse")[0],
            "val_mse": evaluate(model, Xva, data["y_val"], "mse")[0], "x_grid": xg, "y_grid": yg}
