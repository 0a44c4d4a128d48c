"""Small datasets, generated in code or shipped with scikit-learn — never downloaded.

Every generator takes an explicit ``rng`` (a ``numpy.random.Generator`` or an int
seed) and returns ``X`` of shape (N, D) as float64 and integer labels ``y`` of
shape (N,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    check_choice,
    check_finite_output,
    check_float,
    check_int,
    check_rng,
    finite_output,
)

__all__ = ["grid", "logic_gate", "xor", "separable", "blobs", "spirals", "moons", "circles", "digits", "breast_cancer", "Split",
           "train_val_split", "standardize"]

_GATES = {
    "and": np.array([0, 0, 0, 1]),
    "or": np.array([0, 1, 1, 1]),
    "xor": np.array([0, 1, 1, 0]),
    "nand": np.array([1, 1, 1, 0]),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four points of a Boolean gate.

    Parameters
    ----------
    name : {"and", "or", "xor", "nand"}

    Returns
    -------
    X : ndarray, shape (4, 2)
        The inputs (0,0), (0,1), (1,0), (1,1), float64.
    y : ndarray, shape (4,)
        The gate's output for each row, int64.
    """
    check_choice(name, "name", _GATES)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, _GATES[name].astype(np.int64)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: X (4, 2), y (4,) — no single line separates it."""
    return logic_gate("xor")


@finite_output("the points overflow: margin too large; use moderate values")
def separable(n: int = 60, *, rng, margin: float = 0.3, return_separator: bool = False):
    """Points in [-2, 2]^2 labelled by a random line, keeping only those at least ``margin`` from it.

    Guaranteed linearly separable with geometric margin >= ``margin`` — the setting of the
    perceptron convergence theorem.

    Parameters
    ----------
    n : int
        Number of points N.
    rng : numpy.random.Generator or int
    margin : float > 0
        Minimum distance of every point from the true boundary.
    return_separator : bool
        Also return the true boundary ``(w_star, b_star)`` with ``||w_star|| = 1``.

    Returns
    -------
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,), 1 where w_star . x + b_star > 0
    (w_star, b_star) : (ndarray (2,), float), only if ``return_separator``
    """
    n = check_int(n, "n", minimum=2)
    rng = check_rng(rng)
    margin = check_float(margin, "margin", minimum=0.0, maximum=1.0, min_inclusive=False)
    angle = rng.uniform(0, 2 * np.pi)
    w_star = np.array([np.cos(angle), np.sin(angle)])
    b_star = float(rng.uniform(-0.5, 0.5))
    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < n:
        cand = rng.uniform(-2, 2, size=(4 * n, 2))
        kept.append(cand[np.abs(cand @ w_star + b_star) >= margin])
    X = np.concatenate(kept)[:n]
    y = (X @ w_star + b_star > 0).astype(np.int64)
    if y.min() == y.max():  # every point on one side (rare): draw again
        return separable(n, rng=rng, margin=margin, return_separator=return_separator)
    return (X, y, (w_star, b_star)) if return_separator else (X, y)


@finite_output("the points overflow: separation or std too large; use moderate values")
def blobs(n: int = 100, *, rng, separation: float = 3.0, std: float = 1.0,
          n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters in 2-D, ``separation`` standard deviations apart.

    Whether two classes are linearly separable depends on both ``separation`` and ``n``
    (more points, more chance of a stray one): measured with an exact linear-programming
    test over seeds 0-19, 60 points are separable in 2 of 20 draws at separation 3, 19 at 5
    and all 20 at 5.5; 200 points in 14 of 20 at 5 and all 20 at 7
    (``tests/claims/test_nb01_perceptron.py``).

    Parameters
    ----------
    n : int
        Number of points N (split as evenly as possible between classes).
    rng : numpy.random.Generator or int
    separation : float
        Distance between class centres, in units of ``std``.
    std : float
        Standard deviation of each cluster.
    n_classes : int
        Number of classes C >= 2; centres sit on a circle.

    Returns
    -------
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,), values in 0..C-1
    """
    n = check_int(n, "n", minimum=2)
    rng = check_rng(rng)
    separation = check_float(separation, "separation", minimum=0.0)
    std = check_float(std, "std", minimum=0.0, min_inclusive=False)
    n_classes = check_int(n_classes, "n_classes", minimum=2, maximum=n)
    y = np.arange(n) % n_classes
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 4
    radius = separation * std / (2 * np.sin(np.pi / n_classes))
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (C, 2)
    X = centres[y] + std * rng.standard_normal((n, 2))
    perm = rng.permutation(n)
    return X[perm], y[perm].astype(np.int64)


@finite_output("the points overflow: noise or turns too large; use moderate values")
def spirals(n: int = 200, *, rng, n_classes: int = 2, noise: float = 0.2,
            turns: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals (cs231n's toy data): hopeless for a linear model, easy for an MLP.

    Returns
    -------
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,)
    """
    n = check_int(n, "n", minimum=2)
    rng = check_rng(rng)
    n_classes = check_int(n_classes, "n_classes", minimum=2, maximum=n)
    noise = check_float(noise, "noise", minimum=0.0)
    turns = check_float(turns, "turns", minimum=0.0, min_inclusive=False)
    y = np.arange(n) % n_classes
    r = rng.uniform(0.05, 1.0, size=n)
    theta = 2 * np.pi * turns * r + 2 * np.pi * y / n_classes + noise * rng.standard_normal(n)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return X, y.astype(np.int64)


@finite_output("the points overflow: noise too large; use moderate values")
def moons(n: int = 200, *, rng, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles. Returns X (N, 2), y (N,)."""
    n = check_int(n, "n", minimum=2)
    rng = check_rng(rng)
    noise = check_float(noise, "noise", minimum=0.0)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    X = X + noise * rng.standard_normal((n, 2))
    return X, y.astype(np.int64)


@finite_output("the points overflow: noise or factor too large; use moderate values")
def circles(n: int = 200, *, rng, noise: float = 0.1, factor: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A disc inside a ring (class 1 inside). Returns X (N, 2), y (N,)."""
    n = check_int(n, "n", minimum=2)
    rng = check_rng(rng)
    noise = check_float(noise, "noise", minimum=0.0)
    factor = check_float(factor, "factor", minimum=0.0, maximum=1.0, min_inclusive=False,
                         max_inclusive=False)
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, size=n)
    r = np.where(y == 1, factor, 1.0)
    X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1) + noise * rng.standard_normal((n, 2))
    return X, y.astype(np.int64)


@dataclass(frozen=True)
class Split:
    """A train/validation split. X arrays are (N, D) float64, y arrays (N,) int64."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def train_val_split(X, y, *, val_fraction: float = 0.25, rng) -> Split:
    """Shuffle and split ``X`` (N, D), ``y`` (N,) into train and validation parts."""
    from nnbasics._validate import as_float_array, check_same_rows

    X = as_float_array(X, "X", ndim=2)
    as_float_array(y, "y", ndim=(1, 2))  # checks only: y keeps its dtype (labels stay integers)
    y = np.asarray(y)
    check_same_rows(X, "X", y, "y")
    val_fraction = check_float(val_fraction, "val_fraction", minimum=0.0, maximum=1.0,
                               min_inclusive=False, max_inclusive=False)
    rng = check_rng(rng)
    n = X.shape[0]
    n_val = max(1, int(round(val_fraction * n)))
    if n_val >= n:
        raise ValueError(f"val_fraction={val_fraction} leaves no training data for N={n}")
    perm = rng.permutation(n)
    val, train = perm[:n_val], perm[n_val:]
    return Split(X[train], y[train], X[val], y[val])


@finite_output("(X - mean) / std overflows: the arrays in others are far larger than X_train")
def standardize(X_train, *others):
    """Scale features with the *training* mean and std (never the full data: that leaks).

    Parameters
    ----------
    X_train : array_like, shape (N, D)
    *others : array_like, shape (M, D)
        Further arrays (validation, test) transformed with the training statistics.

    Returns
    -------
    tuple of ndarray
        The standardized ``X_train`` followed by each of ``others``.
    """
    from nnbasics._validate import as_float_array

    X_train = as_float_array(X_train, "X_train", ndim=2)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    check_finite_output((mean, std), "standardize", "X_train too large: its mean or variance overflows "
                        f"{X_train.dtype}; scale it first (or use float64)")
    std = np.where(std > 0, std, 1.0)  # constant features (digits' blank pixels) stay 0
    out = [(X_train - mean) / std]
    for i, Xo in enumerate(others):
        Xo = as_float_array(Xo, f"others[{i}]", ndim=2)
        if Xo.shape[1] != X_train.shape[1]:
            raise ValueError(f"others[{i}] has D={Xo.shape[1]} features but X_train has D={X_train.shape[1]}")
        out.append((Xo - mean) / std)
    return tuple(out)


def digits(*, rng, val_fraction: float = 0.25, scale: bool = True) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, shipped with the package: no download).

    Parameters
    ----------
    rng : numpy.random.Generator or int
        Shuffles the split.
    val_fraction : float
        Fraction held out for validation/testing.
    scale : bool
        Standardize features with the training statistics.

    Returns
    -------
    Split
        ``X_*`` of shape (N, 64) float64, ``y_*`` of shape (N,) with classes 0..9.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    split = train_val_split(bunch.data.astype(np.float64), bunch.target.astype(np.int64),
                            val_fraction=val_fraction, rng=rng)
    if scale:
        Xtr, Xva = standardize(split.X_train, split.X_val)
        split = Split(Xtr, split.y_train, Xva, split.y_val)
    return split

def breast_cancer(*, rng, val_fraction: float = 0.3) -> Split:
    """scikit-learn's bundled breast-cancer table (569 patients, 30 measurements on very different
    scales, label 1 = benign; shipped with the package: no download), raw (unscaled) features.

    Returns
    -------
    Split
        ``X_*`` of shape (N, 30) float64, ``y_*`` of shape (N,) in {0, 1}.
    """
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return train_val_split(bunch.data.astype(np.float64), bunch.target.astype(np.int64),
                           val_fraction=val_fraction, rng=rng)


@finite_output("X too large: the grid around it overflows; scale X")
def grid(X, steps: int = 200, margin: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid covering the 2-D points ``X`` (N, 2) for drawing decision regions.

    Returns
    -------
    xx, yy : ndarray, shape (steps, steps)
        Mesh coordinates.
    points : ndarray, shape (steps * steps, 2)
        The mesh flattened into rows, ready for a ``predict`` function.
    """
    from nnbasics._validate import as_float_array

    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"grid needs 2-D points, got X with D={X.shape[1]} features")
    steps = check_int(steps, "steps", minimum=2)
    margin = check_float(margin, "margin", minimum=0.0)
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])
