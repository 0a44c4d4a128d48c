"""Regularization: L2 and L1 penalties, decoupled weight decay, label smoothing, mixup, augmentation, capacity.

One penalty convention for the whole course (torch's): a data loss written with a 1/2,
(1/2N) ||Φ w - y||², plus

- L2: R(w) = (λ/2) Σ ||w||², gradient λ w — exactly what torch's ``weight_decay=λ`` adds;
- L1: R(w) = λ Σ |w_i|, subgradient λ sign(w); its proximal step is :func:`soft_threshold`,
  which sets small weights exactly to zero (scikit-learn's ``Lasso(alpha=λ)`` minimizes the same).
- For SGD, L2 in the loss and decoupled decay w <- w (1 - η λ) are the same update; for Adam
  they differ, because Adam divides the L2 gradient by sqrt(v̂) (AdamW does not).
- Label smoothing: targets (1 - ε) onehot(y) + ε / C.
- Mixup: x̃ = λ x_i + (1 - λ) x_j, ỹ likewise, λ ~ Beta(α, α).
- Capacity: polynomial ridge regression in closed form, w = (Φᵀ Φ + λ N I)⁻¹ Φᵀ y.

Early stopping lives in :class:`nnbasics.lab.train.EarlyStopping`.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_finite_output,
    check_float,
    check_int,
    check_rng,
    check_same_rows,
    finite_output,
)
from nnbasics.core.losses import log_softmax, softmax

__all__ = ['l2_penalty', 'l2_penalty_grad', 'l1_penalty', 'l1_penalty_grad', 'soft_threshold', 'lasso_ista',
           'smooth_targets', 'smoothed_cross_entropy', 'smoothed_cross_entropy_grad', 'mixup', 'add_noise', 'rotate',
           'augment_2d', 'poly_features', 'ridge_fit']


# ---------------------------------------------------------------- L2 / weight decay
def _param_list(params, name="params"):
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        params = [params]
    return [as_float_array(p, f"{name}[{i}]") for i, p in enumerate(params)]


@finite_output("lam * sum of squares overflows: params too large")
def l2_penalty(params, lam: float) -> float:
    """L2 penalty (λ/2) Σ_k ||W_k||² over a list of arrays (any shapes)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return 0.5 * lam * float(sum(np.sum(p * p) for p in _param_list(params)))


@finite_output("lam * params overflows: lam or params too large")
def l2_penalty_grad(params, lam: float) -> list:
    """Gradient of :func:`l2_penalty`: λ W_k for each array (same shapes)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return [lam * p for p in _param_list(params)]


# ---------------------------------------------------------------- L1 and sparsity
@finite_output("lam * sum |params| overflows: lam or params too large")
def l1_penalty(params, lam: float) -> float:
    """L1 penalty λ Σ_k Σ |W_k| over a list of arrays (any shapes)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return lam * float(sum(np.sum(np.abs(p)) for p in _param_list(params)))


@finite_output("lam * sign(params) overflows params' dtype: lam too large")
def l1_penalty_grad(params, lam: float) -> list:
    """A subgradient of :func:`l1_penalty`: λ sign(W_k) (0 where a weight is exactly 0)."""
    lam = check_float(lam, "lam", minimum=0.0)
    return [lam * np.sign(p) for p in _param_list(params)]


def soft_threshold(w, t) -> np.ndarray:
    """The proximal step of the L1 penalty: argmin_z (1/2)(z - w)² + t |z|, elementwise.

    z = sign(w) max(|w| - t, 0): weights with |w| <= t become exactly 0, the others move t
    towards 0. A gradient step on the smooth loss followed by this step (ISTA) solves the lasso.

    Parameters
    ----------
    w : array_like, any shape
    t : float >= 0 or array_like broadcastable to w (all >= 0)

    Returns
    -------
    ndarray, shape and dtype of ``w``
    """
    w = as_float_array(w, "w", allow_empty=True)
    t = as_float_array(t, "t")
    if np.any(t < 0):
        raise ValueError(f"t must be >= 0, got minimum {t.min()}")
    return _shrink(w, t).astype(w.dtype, copy=False)  # |result| <= |w|: fits w's dtype


def _shrink(w, t):
    """sign(w) max(|w| - t, 0): :func:`soft_threshold` without the checks."""
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


@finite_output("Phi or y too large: the gradient Phi^T (Phi w - y) overflows; scale the features and targets")
def lasso_ista(Phi, y, lam: float, *, steps: int = 20_000, tol: float = 1e-12, w0=None) -> np.ndarray:
    """Minimize (1/2N) ||Φ w - y||² + λ ||w||₁ by proximal gradient descent (ISTA).

    Step size 1/L with L = the largest eigenvalue of ΦᵀΦ / N (the smooth part's curvature):
    w <- soft_threshold(w - ∇ / L, λ / L). The same objective as scikit-learn's
    ``Lasso(alpha=λ, fit_intercept=False)``.

    Parameters
    ----------
    Phi : array_like, shape (N, P)
    y : array_like, shape (N,)
    lam : float >= 0
    steps : int
        At most this many iterations.
    tol : float >= 0
        Stop once no weight moved by more than ``tol`` in an iteration.
    w0 : array_like, shape (P,), optional
        Starting point (default zeros).

    Returns
    -------
    w : ndarray, shape (P,), float32 when Phi, y (and w0) are float32, else float64
        Exactly zero where the L1 penalty wins.
    """
    Phi = as_float_array(Phi, "Phi", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_same_rows(Phi, "Phi", y, "y")
    lam = check_float(lam, "lam", minimum=0.0)
    steps = check_int(steps, "steps", minimum=1)
    tol = check_float(tol, "tol", minimum=0.0)
    n, p = Phi.shape
    w = np.zeros(p, dtype=Phi.dtype) if w0 is None else as_float_array(w0, "w0", ndim=1).copy()
    if w.shape != (p,):
        raise ValueError(f"w0 has shape {w.shape} but Phi has P={p} columns")
    curvature = check_finite_output(Phi.T @ Phi / n, "lasso_ista", "Phi too large: Phi^T Phi overflows; "
                                    "scale the features")  # (P, P)
    L = float(np.linalg.eigvalsh(curvature)[-1])
    if L == 0.0:
        return np.zeros(p, dtype=w.dtype)
    for _ in range(steps):
        grad = Phi.T @ (Phi @ w - y) / n  # (P,)
        w_new = _shrink(w - grad / L, lam / L)
        moved = np.max(np.abs(w_new - w))
        w = w_new
        if not moved > tol:  # converged, or NaN: an overflow, reported by finite_output
            break
    return w


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
    return logits, smooth_targets(y, max(logits.shape[1], 2), eps).astype(logits.dtype)


@finite_output("logits this large overflow in log_softmax; scale the logits")
def smoothed_cross_entropy(logits, y, eps: float = 0.1) -> float:
    """Mean cross-entropy against smoothed targets, as ``F.cross_entropy(label_smoothing=eps)``.

    logits (N, C), y (N,) ints:  L = -(1/N) Σ_i Σ_c t_ic log softmax(z_i)_c.
    """
    logits, T = _ce_inputs(logits, y, eps)
    log_p = log_softmax(logits, axis=1)  # (N, C), stable (notebook 02)
    return float(-(T * log_p).sum() / logits.shape[0])


@finite_output("logits this large overflow in log_softmax; scale the logits")
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


@finite_output("X + noise overflows: X or sigma too large")
def add_noise(X, sigma: float, *, rng) -> np.ndarray:
    """X + Gaussian noise of standard deviation ``sigma``; X (N, D) -> (N, D), X's dtype."""
    X = as_float_array(X, "X", ndim=2)
    sigma = check_float(sigma, "sigma", minimum=0.0)
    return X + (sigma * check_rng(rng).normal(size=X.shape)).astype(X.dtype)


@finite_output("the rotated coordinates overflow: X too large")
def rotate(X, degrees) -> np.ndarray:
    """Rotate 2-D points X (N, 2) about the origin by ``degrees`` (a float or one angle per row (N,)).

    Returns X's shape and dtype."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"rotate needs 2-D points, got X with D={X.shape[1]} features")
    th = np.deg2rad(as_float_array(degrees, "degrees", ndim=(0, 1)))
    if th.ndim == 1 and th.shape[0] != X.shape[0]:
        raise ValueError(f"degrees has {th.shape[0]} angles but X has N={X.shape[0]} rows")
    c, s = np.cos(th), np.sin(th)
    return np.column_stack([c * X[:, 0] - s * X[:, 1], s * X[:, 0] + c * X[:, 1]]).astype(X.dtype)


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


@finite_output("x too large: its powers overflow (the features assume x in [-1, 1])")
def poly_features(x, degree: int) -> np.ndarray:
    """Legendre features P_0(x) .. P_degree(x) (well-conditioned on [-1, 1]); x (N,) -> (N, degree+1)."""
    x = as_float_array(x, "x", ndim=1)
    degree = check_int(degree, "degree", minimum=0)
    return np.polynomial.legendre.legvander(x, degree)


@finite_output("Phi or y too large: the normal equations overflow; scale the features")
def ridge_fit(Phi, y, lam: float) -> np.ndarray:
    """Closed-form ridge: w = (Φᵀ Φ + λ N I)⁻¹ Φᵀ y minimizes (1/2N)||Φ w - y||² + (λ/2) ||w||².

    The course's penalty convention: the gradient of the penalty is λ w, so this is the point where
    gradient descent with torch's ``weight_decay=λ`` on the half mean squared error comes to rest.

    Phi (N, P), y (N,) -> w (P,) in Phi's dtype. The bias column is penalized too (simple and
    harmless here).
    """
    Phi = as_float_array(Phi, "Phi", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_same_rows(Phi, "Phi", y, "y")
    lam = check_float(lam, "lam", minimum=0.0)
    n, p = Phi.shape
    A = Phi.T @ Phi + lam * n * np.eye(p, dtype=Phi.dtype)  # (P, P)
    check_finite_output(A, "ridge_fit", "Phi too large: Phi^T Phi overflows; scale the features")
    return np.linalg.lstsq(A, Phi.T @ y, rcond=None)[0]  # lstsq: fine even when lam = 0 and P > N
