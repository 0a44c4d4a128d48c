"""Notebook 09's measured demos: L2 vs decoupled decay, L1 sparsity, capacity, early stopping, optimizer races,
learning-rate sweeps, schedules (warmup + cosine, ReduceLROnPlateau) and batch size vs learning rate."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_finite_output,
    check_float,
    check_int,
    check_rng,
    check_same_rows,
    finite_output,
)
from nnbasics.core.optim import OPTIMIZERS, make
from nnbasics.core.regularization import lasso_ista, poly_features, ridge_fit
from nnbasics.lab.runtime import one_thread

__all__ = ['compare_l2_and_decoupled', 'sparse_regression', 'sparsity_path', 'schedule_experiment',
           'batch_size_experiment', 'target_function', 'make_regression_1d', 'capacity_fit', 'capacity_sweep', 'early_stopping_experiment', 'mlp_capacity', 'SURFACES', 'surface_value', 'surface_grad', 'surface_grid', 'optimizer_race', 'lr_sweep', 'quadratic_max_stable_lr', 'lr_experiment']


def _lsq_problem(seed: int = 0, n: int = 64, d: int = 4):
    """A least-squares problem whose features have very different scales (so Adam's 1/sqrt(v) matters)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.logspace(0, 1.5, d)  # (N, D) feature scales 1 .. ~30
    w_true = rng.normal(size=d)
    y = X @ w_true + 0.1 * rng.normal(size=n)  # (N,)
    return X, y


def _lsq_grad(X, y, w):
    g = X.T @ (X @ w - y) / X.shape[0]  # (D,)
    return check_finite_output(g, "compare_l2_and_decoupled", "the weights diverged: lr too large; lower lr")


@finite_output("the weights overflow: lr or lam too large, the runs diverge; lower lr")
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
    from nnbasics.core import optim

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


# ---------------------------------------------------------------- capacity: polynomial ridge
@finite_output("x too large: the curve is meant for x in [-1, 1] and x**2 overflows")
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


def _check_data(data) -> dict:
    """The arrays of a :func:`make_regression_1d` dict, checked (1-D, finite, x and y paired)."""
    if not isinstance(data, Mapping):  # a dict, or the read-only view a cached widget holds
        raise TypeError(f"data must be the dict returned by make_regression_1d, got {type(data).__name__}")
    out = {}
    for k in ("x_train", "y_train", "x_val", "y_val"):
        if k not in data:
            raise ValueError(f"data needs key {k!r} (use make_regression_1d), got keys {sorted(data)}")
        out[k] = as_float_array(data[k], f"data[{k!r}]", ndim=1)
    for split in ("train", "val"):
        check_same_rows(out[f"x_{split}"], f"data['x_{split}']", out[f"y_{split}"], f"data['y_{split}']")
    return out


@finite_output("the polynomial fit overflows: the data in data are too large for this degree; scale them")
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
        the fitted curve on a float64 grid, ``weight_norm`` float.
    """
    data = _check_data(data)
    w = ridge_fit(poly_features(data["x_train"], degree), data["y_train"], lam)
    mse = {s: float(np.mean((poly_features(data[f"x_{s}"], degree) @ w - data[f"y_{s}"]) ** 2))
           for s in ("train", "val")}
    xg = np.linspace(-1, 1, check_int(n_grid, "n_grid", minimum=2))
    return {"w": w, "train_mse": mse["train"], "val_mse": mse["val"], "x_grid": xg,
            "y_grid": poly_features(xg, degree) @ w, "weight_norm": float(np.linalg.norm(w))}


@finite_output("the polynomial fits overflow: the data in data are too large; scale them")
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
    data = _check_data(data)
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

    Both runs use :func:`nnbasics.lab.train.fit`; the second passes ``TrainConfig(patience=...)``, which
    stops after ``patience`` epochs without a better validation loss and restores the best weights.

    Returns
    -------
    dict
        ``long`` and ``early`` (:class:`~nnbasics.lab.train.History`), ``restored_val_loss`` (float,
        the early-stopped model's validation loss after restoring), ``split`` (the data).
    """
    from nnbasics import data as D
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

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
    from nnbasics.lab.train import TrainConfig

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

    from nnbasics.lab.models import MLPConfig, build_mlp, count_parameters
    from nnbasics.lab.train import evaluate, fit

    Xtr, Xva = data["x_train"][:, None], data["x_val"][:, None]  # (N, 1)
    xg = np.linspace(-1, 1, 200)
    model = build_mlp(MLPConfig(d_in=1, hidden=hidden, d_out=1, activation="tanh", seed=seed))
    fit(model, Xtr, data["y_train"], cfg=cfg)
    with torch.no_grad():
        yg = model(torch.as_tensor(xg[:, None], dtype=torch.float32)).numpy()[:, 0]  # (200,)
    return {"hidden": hidden, "n_params": count_parameters(model),
            "train_mse": evaluate(model, Xtr, data["y_train"], "mse")[0],
            "val_mse": evaluate(model, Xva, data["y_val"], "mse")[0], "x_grid": xg, "y_grid": yg}


# ---------------------------------------------------------------- 2-D loss surfaces
#: name -> (start point, plotting box (xmin, xmax, ymin, ymax), minimum)
SURFACES = {
    "quadratic": ((-4.0, 2.0), (-5.0, 5.0, -3.0, 3.0), (0.0, 0.0)),
    "rosenbrock": ((-1.5, 2.0), (-2.0, 2.0, -1.0, 3.0), (1.0, 1.0)),
    "beale": ((-1.0, 2.0), (-2.0, 4.0, -2.0, 2.5), (3.0, 0.5)),
}


_QUAD_CURVATURES = (1.0, 20.0)  # f = (1 x² + 20 y²)/2: condition number 20


@finite_output("xy too far out: the surface's powers of xy overflow; start closer to the minimum")
def surface_value(name: str, xy) -> np.ndarray:
    """Loss of a 2-D test surface at points ``xy`` (..., 2) -> shape (...).

    quadratic: (x² + 20 y²)/2; rosenbrock: (1-x)² + 100 (y-x²)²;
    beale: (1.5-x+xy)² + (2.25-x+xy²)² + (2.625-x+xy³)².
    """
    check_choice(name, "name", tuple(SURFACES))
    xy = as_float_array(xy, "xy")
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(f"xy must have a last axis of size 2, got shape {xy.shape}")
    return _value(name, xy)


def _value(name, xy):
    x, y = xy[..., 0], xy[..., 1]
    if name == "quadratic":
        a, b = _QUAD_CURVATURES
        return 0.5 * (a * x**2 + b * y**2)
    if name == "rosenbrock":
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


@finite_output("xy too far out: the gradient's powers of xy overflow; start closer to the minimum")
def surface_grad(name: str, xy) -> np.ndarray:
    """Gradient of :func:`surface_value` at ``xy`` (..., 2) -> shape (..., 2)."""
    check_choice(name, "name", tuple(SURFACES))
    xy = as_float_array(xy, "xy")
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(f"xy must have a last axis of size 2, got shape {xy.shape}")
    return _grad(name, xy)


def _grad(name, xy):
    x, y = xy[..., 0], xy[..., 1]
    if name == "quadratic":
        a, b = _QUAD_CURVATURES
        dx, dy = a * x, b * y
    elif name == "rosenbrock":
        dx, dy = -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)
    else:
        r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
        dx = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
        dy = 2 * r1 * x + 2 * r2 * 2 * x * y + 2 * r3 * 3 * x * y**2
    # one point (an optimizer step): np.array is ~5x cheaper than np.stack for two scalars
    return np.array([dx, dy]) if xy.ndim == 1 else np.stack([dx, dy], axis=-1)


def surface_grid(name: str, steps: int = 120) -> dict:
    """log10(1 + loss) on a ``steps`` x ``steps`` grid over the surface's box (for imshow/contour).

    Returns
    -------
    dict
        ``xs`` (steps,), ``ys`` (steps,), ``z`` (steps, steps) indexed [y, x], ``extent``, ``minimum``.
    """
    check_choice(name, "name", tuple(SURFACES))
    steps = check_int(steps, "steps", minimum=2)
    _, (x0, x1, y0, y1), minimum = SURFACES[name]
    xs, ys = np.linspace(x0, x1, steps), np.linspace(y0, y1, steps)
    xx, yy = np.meshgrid(xs, ys)
    z = np.log10(1.0 + surface_value(name, np.stack([xx, yy], axis=-1)))
    return {"xs": xs, "ys": ys, "z": z, "extent": (x0, x1, y0, y1), "minimum": minimum}


def _run(name, opt, start, steps, limit=1e6):
    p = np.array(start, dtype=np.float64)
    traj, losses = [p.copy()], [float(_value(name, p))]
    diverged = False
    for _ in range(steps):
        (p,) = opt.step([p], [_grad(name, p)])
        if not (abs(p[0]) <= limit and abs(p[1]) <= limit):  # also catches NaN
            diverged = True
            break
        traj.append(p.copy())
        losses.append(float(_value(name, p)))
    return np.array(traj), np.array(losses), diverged


def optimizer_race(surface: str = "rosenbrock", lr: float = 1e-3, steps: int = 200,
                   optimizers=("sgd", "momentum", "adam"), start=None, lrs: dict | None = None) -> dict:
    """Run each optimizer from the same start on a 2-D surface and return the trajectories.

    Parameters
    ----------
    surface : str
        A key of :data:`SURFACES`.
    lr : float > 0
        Learning rate for every optimizer (``lrs`` overrides per name).
    steps : int
    optimizers : sequence of str
        Names for :func:`make`.
    start : (float, float), optional
        Default: the surface's standard start.

    Returns
    -------
    dict
        name -> {"path": (T+1, 2) array, "loss": (T+1,) array, "diverged": bool, "final_loss": float}.
        A diverging run stops at the first point outside |x| <= 1e6 (no NaN).
    """
    check_choice(surface, "surface", tuple(SURFACES))
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    steps = check_int(steps, "steps", minimum=1)
    start = SURFACES[surface][0] if start is None else start
    start = as_float_array(start, "start", ndim=1)
    if start.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {start.shape}")
    lrs = dict(lrs or {})
    out = {}
    for name in optimizers:
        check_choice(name, "optimizers", OPTIMIZERS)
        path, loss, div = _run(surface, make(name, lrs.get(name, lr)), start, steps)
        out[name] = {"path": path, "loss": loss, "diverged": div, "final_loss": float(loss[-1])}
    return out


def lr_sweep(lrs, surface: str = "quadratic", optimizer: str = "sgd", steps: int = 100) -> dict:
    """Final loss after ``steps`` steps for each learning rate (inf when the run diverged).

    Returns
    -------
    dict
        ``lrs`` (K,), ``final_loss`` (K,), ``diverged`` (K,) bool, ``curves`` list of (T_k+1,) arrays
        (losses in float64).
    """
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    lrs = as_float_array(lrs, "lrs", ndim=1)
    if np.any(lrs <= 0):
        raise ValueError(f"lrs must all be > 0, got minimum {lrs.min()}")
    res = [optimizer_race(surface, float(a), steps, (optimizer,))[optimizer] for a in lrs]
    return {"lrs": lrs, "final_loss": np.array([np.inf if r["diverged"] else r["final_loss"] for r in res]),
            "diverged": np.array([r["diverged"] for r in res]), "curves": [r["loss"] for r in res]}


def quadratic_max_stable_lr() -> float:
    """Gradient descent on a quadratic converges iff lr < 2 / L (L = largest curvature): here 2/20."""
    return 2.0 / max(_QUAD_CURVATURES)


def lr_experiment(lrs, *, epochs: int = 30, seed: int = 0, optimizer: str = "sgd") -> dict:
    """Train the same small MLP on moons with each learning rate; the measurement behind "lr matters most".

    Parameters
    ----------
    lrs : sequence of float > 0
    epochs : int
    optimizer : {"sgd", "adam"}

    Returns
    -------
    dict
        ``lrs`` (K,), ``train_loss`` list of K per-epoch loss lists, ``final_loss`` (K,) (NaN -> inf),
        ``val_acc`` (K,), ``diverged`` (K,) bool.
    """
    from nnbasics import data as D
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.runtime import one_thread
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    lrs = as_float_array(lrs, "lrs", ndim=1)
    if np.any(lrs <= 0):
        raise ValueError(f"lrs must all be > 0, got minimum {lrs.min()}")
    check_choice(optimizer, "optimizer", ("sgd", "adam"))
    X, y = D.moons(300, rng=seed, noise=0.2)
    split = D.train_val_split(X, y, rng=seed)
    curves, final, acc, div = [], [], [], []
    for lr in lrs:
        model = build_mlp(MLPConfig(d_in=2, hidden=(32, 32), d_out=2, seed=seed))
        with one_thread():
            h = fit(model, split.X_train, split.y_train, cfg=TrainConfig(
                epochs=epochs, batch_size=32, lr=float(lr), optimizer=optimizer, seed=seed))
        curves.append(h.train_loss)
        div.append(h.diverged or not np.isfinite(h.train_loss[-1]))
        final.append(np.inf if div[-1] else h.train_loss[-1])
        acc.append(np.nan if div[-1] else evaluate(model, split.X_val, split.y_val)[1])
    return {"lrs": lrs, "train_loss": curves, "final_loss": np.array(final), "val_acc": np.array(acc),
            "diverged": np.array(div)}


# ---------------------------------------------------------------- L1 and sparsity
def sparse_regression(n: int = 50, d: int = 20, *, rng, noise: float = 0.5) -> dict:
    """A linear regression whose true weights are sparse: 3 of ``d`` are non-zero (2, -1.5, 1).

    Returns
    -------
    dict
        ``X`` (n, d) standard normal features, ``y`` (n,), ``w_true`` (d,), ``support`` (3,) indices.
    """
    n = check_int(n, "n", minimum=2)
    d = check_int(d, "d", minimum=3)
    noise = check_float(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    support = np.sort(rng.choice(d, size=3, replace=False))
    w = np.zeros(d)
    w[support] = [2.0, -1.5, 1.0]
    X = rng.normal(size=(n, d))
    return {"X": X, "y": X @ w + noise * rng.normal(size=n), "w_true": w, "support": support}


@finite_output("X or y too large (X^T X or the gradient overflows), or lams too large for X's dtype; scale them")
def sparsity_path(X, y, lams, *, steps: int = 20_000) -> dict:
    """Weights along a grid of penalty strengths, for L1 (lasso, by ISTA) and L2 (ridge, closed form).

    Both on the half mean squared error: (1/2N)||Xw - y||² + λ||w||₁ and + (λ/2)||w||².

    Returns
    -------
    dict
        ``lams`` (K,), ``w_l1`` (K, D), ``w_l2`` (K, D), ``zeros_l1`` (K,) and ``zeros_l2`` (K,):
        how many weights are exactly 0.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    lams = as_float_array(lams, "lams", ndim=1)
    if np.any(lams < 0):
        raise ValueError(f"lams must all be >= 0, got minimum {lams.min()}")
    steps = check_int(steps, "steps", minimum=1)
    w1, w2 = [], []
    for lam in lams:
        w1.append(lasso_ista(X, y, float(lam), steps=steps, w0=w1[-1] if w1 else None))  # warm start
        w2.append(ridge_fit(X, y, float(lam)))
    w1, w2 = np.array(w1), np.array(w2)
    return {"lams": lams, "w_l1": w1, "w_l2": w2, "zeros_l1": (w1 == 0).sum(axis=1), "zeros_l2": (w2 == 0).sum(axis=1)}


# ---------------------------------------------------------------- schedules and batch size (torch)
SCHEDULES = ("constant", "plateau", "warmup_cosine")


def schedule_experiment(schedules=SCHEDULES, *, lr: float = 1.0, epochs: int = 30, batch_size: int = 16,
                        n: int = 600, noise: float = 0.35, warmup: int = 3, seed: int = 0) -> dict:
    """The same MLP and data trained with plain SGD under three learning-rate schedules.

    Noisy two moons (``n`` points, half for validation), a 2-64-64-2 MLP, SGD with batch 16 at
    peak rate ``lr``. Schedules, applied per epoch through ``fit(lr_schedule=...)``:
    ``"constant"``; ``"plateau"``: :class:`~nnbasics.core.optim.ReduceLROnPlateau` on the validation
    loss (factor 0.3, patience 2); ``"warmup_cosine"``: linear warmup from 0.05 lr over ``warmup``
    epochs, then cosine decay.

    Returns
    -------
    dict
        ``schedules``; for each: ``lrs`` (per-epoch lists), ``train_loss``, ``val_loss`` (per epoch),
        ``final_val_loss`` and ``final_train_loss`` (eval mode, after training).
    """
    from nnbasics import data as D
    from nnbasics.core import optim
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    for name in schedules:
        check_choice(name, "schedules", SCHEDULES)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    epochs = check_int(epochs, "epochs", minimum=2)
    warmup = check_int(warmup, "warmup", minimum=1, maximum=epochs - 1)
    X, y = D.moons(check_int(n, "n", minimum=4), rng=seed, noise=check_float(noise, "noise", minimum=0.0))
    sp = D.train_val_split(X, y, rng=seed)
    out = {"schedules": tuple(schedules), "lrs": {}, "train_loss": {}, "val_loss": {}, "final_val_loss": {},
           "final_train_loss": {}, "lr": lr}
    for name in schedules:
        if name == "plateau":
            plateau = optim.ReduceLROnPlateau(lr, factor=0.3, patience=2)
            rule = lambda e, h, pl=plateau: lr if not h.val_loss else pl.step(h.val_loss[-1])  # noqa: E731
        elif name == "warmup_cosine":
            rule = lambda e, h: optim.warmup_cosine_lr(e, lr, warmup, epochs, start_factor=0.05)  # noqa: E731
        else:
            rule = lambda e, h: lr  # noqa: E731
        lrs: list = []

        def schedule(e, h, rule=rule, lrs=lrs):
            lrs.append(rule(e, h))
            return lrs[-1]

        model = build_mlp(MLPConfig(d_in=2, hidden=(64, 64), d_out=2, seed=seed))
        h = fit(model, sp.X_train, sp.y_train, sp.X_val, sp.y_val,
                TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, optimizer="sgd", seed=seed),
                lr_schedule=schedule)
        out["lrs"][name], out["train_loss"][name], out["val_loss"][name] = lrs, h.train_loss, h.val_loss
        out["final_val_loss"][name] = h.val_loss[-1]
        out["final_train_loss"][name] = evaluate(model, sp.X_train, sp.y_train)[0]
    return out


def batch_size_experiment(batch_sizes=(16, 64, 256, 1024), *, base_lr: float = 0.1, epochs: int = 8,
                          seed: int = 0) -> dict:
    """Batch size vs learning rate on the digits: the linear scaling rule and where it breaks.

    A 64-64-10 MLP trained with plain SGD for a fixed number of *epochs* (so larger batches take
    fewer steps), once with the rate scaled linearly, lr = base_lr * B / B_0 (B_0 the first batch
    size; Goyal et al., 2017), once with the same rate base_lr for every B.

    Returns
    -------
    dict
        ``batch_sizes`` (K,), ``lrs_linear`` (K,), ``steps`` (K,), ``loss_linear`` (K,) and
        ``loss_constant`` (K,): the final training loss (eval mode; inf if it became NaN).
    """
    from nnbasics import data as D
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    sizes = [check_int(b, "batch_sizes[i]", minimum=1) for b in batch_sizes]
    if not sizes:
        raise ValueError("batch_sizes is empty")
    base_lr = check_float(base_lr, "base_lr", minimum=0.0, min_inclusive=False)
    epochs = check_int(epochs, "epochs", minimum=1)
    sp = D.digits(rng=check_int(seed, "seed"))
    n = len(sp.y_train)
    res = {"linear": [], "constant": []}
    for rule in res:
        for B in sizes:
            lr = base_lr * B / sizes[0] if rule == "linear" else base_lr
            model = build_mlp(MLPConfig(d_in=64, hidden=(64,), d_out=10, seed=seed))
            h = fit(model, sp.X_train, sp.y_train,
                    cfg=TrainConfig(epochs=epochs, batch_size=B, lr=lr, optimizer="sgd", seed=seed))
            loss = evaluate(model, sp.X_train, sp.y_train)[0] if not h.diverged else float("inf")
            res[rule].append(loss if np.isfinite(loss) else float("inf"))
    return {"batch_sizes": np.array(sizes), "lrs_linear": base_lr * np.array(sizes) / sizes[0],
            "steps": np.array([epochs * -(-n // B) for B in sizes]),
            "loss_linear": np.array(res["linear"]), "loss_constant": np.array(res["constant"])}
