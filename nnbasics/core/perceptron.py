"""The perceptron (Rosenblatt, 1958): a linear unit with a step activation and its learning rule.

A neuron computes z = w·x + b and outputs step(z) = 1 if z >= 0 else 0.
The learning rule nudges the weights only on mistakes:
w <- w + lr (y - y_hat) x,  b <- b + lr (y - y_hat).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

__all__ = ['net_input', 'step', 'predict', 'accuracy', 'update', 'PerceptronHistory', 'train', 'mistake_bound', 'boundary_line', 'xor_network_weights', 'two_layer_predict']


def _check_params(X, w, b, names=("X", "w", "b")):
    xn, wn, bn = names
    X = as_float_array(X, xn, ndim=2)
    w = as_float_array(w, wn, ndim=1)
    if X.shape[1] != w.shape[0]:
        raise ValueError(f"{xn} has {X.shape[1]} features but {wn} expects D={w.shape[0]}")
    b = check_float(b.item() if isinstance(b, np.ndarray) and b.size == 1 else b, bn)
    return X, w, b


@finite_output("X @ w + b overflows: X or w too large; scale them")
def net_input(X, w, b) -> np.ndarray:
    """Pre-activation z = X w + b.

    Parameters
    ----------
    X : array_like, shape (N, D)
    w : array_like, shape (D,)
    b : float

    Returns
    -------
    z : ndarray, shape (N,)
    """
    X, w, b = _check_params(X, w, b)
    return X @ w + b  # (N,)


def step(z) -> np.ndarray:
    """Heaviside step: 1 where z >= 0, else 0. ``z`` any shape -> int64 array of that shape."""
    z = as_float_array(z, "z", allow_empty=True)
    return (z >= 0).astype(np.int64)


def predict(X, w, b) -> np.ndarray:
    """Perceptron predictions y_hat = step(X w + b), shape (N,), values in {0, 1}."""
    return step(net_input(X, w, b))


def accuracy(X, y, w, b) -> float:
    """Fraction of rows of ``X`` (N, D) whose prediction equals ``y`` (N,)."""
    X, w, b = _check_params(X, w, b)
    y = as_labels(y, "y", n_classes=2, n_samples=X.shape[0])
    return float(np.mean(predict(X, w, b) == y))


@finite_output("w + lr * err * x overflows: lr, w or x too large")
def update(w, b, x, y, lr: float = 1.0) -> tuple[np.ndarray, float, bool]:
    """One application of the perceptron rule to a single example.

    Parameters
    ----------
    w : array_like, shape (D,)
    b : float
    x : array_like, shape (D,)
    y : int, 0 or 1
    lr : float > 0

    Returns
    -------
    w_new : ndarray, shape (D,)
        A new array; the input is not modified.
    b_new : float
    mistake : bool
        Whether the example was misclassified (and so caused a change).
    """
    x = as_float_array(x, "x", ndim=1)
    X, w, b = _check_params(x[None, :], w, b, ("x", "w", "b"))
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    return _rule(w, b, X, int(y), lr)


def _rule(w: np.ndarray, b: float, x: np.ndarray, y: int, lr: float) -> tuple[np.ndarray, float, bool]:
    """The learning rule on checked inputs: ``x`` is one example as a (1, D) row, ``y`` 0 or 1."""
    z = (x @ w)[0] + b
    err = y - int(z >= 0)  # -1, 0 or +1: the target minus step(z)
    return w + lr * err * x[0], b + lr * err, err != 0


@dataclass(frozen=True)
class PerceptronHistory:
    """What :func:`train` learned and how it got there.

    Attributes
    ----------
    w : ndarray, shape (D,)
        Final weights.
    b : float
        Final bias.
    mistakes : list of int
        Number of misclassified examples in each epoch (length = epochs run).
    accuracy : list of float
        Training accuracy after each epoch.
    weights : list of tuple(ndarray, float)
        (w, b) after each epoch — for animating the boundary.
    converged : bool
        True when an epoch had zero mistakes (training then stops).
    best_w : ndarray, shape (D,), or None
        With ``pocket=True``: the weights of the most accurate line visited (Gallant's pocket).
    best_b : float or None
        Its bias.
    best_accuracy : float or None
        Its training accuracy.
    pockets : list of tuple(ndarray, float, float)
        With ``pocket=True``: the pocket (w, b, accuracy) as it stood after each epoch.
    """

    w: np.ndarray
    b: float
    mistakes: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    converged: bool = False
    best_w: np.ndarray | None = None
    best_b: float | None = None
    best_accuracy: float | None = None
    pockets: list = field(default_factory=list)


@finite_output("the weights overflowed: lr, w0, b0 or X too large")
def train(X, y, *, lr: float = 1.0, epochs: int = 20, rng=None, w0=None, b0: float = 0.0,
          pocket: bool = False) -> PerceptronHistory:
    """Train a perceptron with the mistake-driven rule, one example at a time.

    Convergence (Novikoff, 1962), stated for the augmented inputs x~ = (x, 1) because the
    bias is learned like a weight: if a unit-length (w*, b*) has y_s (w*.x + b*) >= gamma > 0
    for every point (y_s = +-1) and every ||(x, 1)|| <= R, then from zero weights the rule
    makes at most (R / gamma)^2 mistakes (see :func:`mistake_bound`), in any order. On data
    that are not separable it never stops: the weights stay bounded and keep cycling.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {0, 1}
    lr : float > 0
        Learning rate. With zero initial weights it only rescales w and b (in exact
        arithmetic; in floating point a tie z = 0 can round either way).
    epochs : int >= 1
        Maximum passes over the data; stops early after an epoch with no mistakes.
    rng : numpy.random.Generator or int, optional
        If given, the example order is shuffled every epoch; otherwise rows are visited in order.
    w0 : array_like, shape (D,), optional
        Initial weights (default zeros).
    b0 : float
        Initial bias.
    pocket : bool
        Also keep the most accurate line visited (the pocket algorithm, Gallant 1990): the
        training accuracy is evaluated after every update, which costs O(N D) per mistake.

    Returns
    -------
    PerceptronHistory
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n_classes=2)
    check_same_rows(X, "X", y, "y")
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    epochs = check_int(epochs, "epochs", minimum=1)
    rng = None if rng is None else check_rng(rng)
    w = np.zeros(X.shape[1], dtype=X.dtype) if w0 is None else as_float_array(w0, "w0", ndim=1).copy()
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w0 has {w.shape[0]} entries but X has D={X.shape[1]} features")
    b = check_float(b0, "b0")
    if not isinstance(pocket, (bool, np.bool_)):
        raise TypeError(f"pocket must be True or False, got {pocket!r}")
    mistakes, accs, weights, pockets = [], [], [], []
    converged = False
    labels = [int(v) for v in y]

    def fraction_right(w, b) -> float:  # accuracy() without re-checking the inputs every update
        return float(np.mean((X @ w + b >= 0) == y))

    best = (fraction_right(w, b), w.copy(), b) if pocket else None
    for _ in range(epochs):
        order = rng.permutation(len(X)) if rng is not None else np.arange(len(X))
        n_mistakes = 0
        for i in order:  # inputs checked once above: each update applies the rule directly
            w, b, wrong = _rule(w, b, X[i:i + 1], labels[i], lr)
            n_mistakes += wrong
            if pocket and wrong:
                acc = fraction_right(w, b)
                if acc > best[0]:
                    best = (acc, w.copy(), b)
        mistakes.append(int(n_mistakes))
        accs.append(fraction_right(w, b))
        weights.append((w.copy(), float(b)))
        if pocket:
            pockets.append((best[1].copy(), float(best[2]), best[0]))
        if n_mistakes == 0:
            converged = True
            break
    pocketed = {} if best is None else {"best_accuracy": best[0], "best_w": best[1], "best_b": float(best[2]),
                                        "pockets": pockets}
    return PerceptronHistory(w=w, b=float(b), mistakes=mistakes, accuracy=accs, weights=weights,
                             converged=converged, **pocketed)


def mistake_bound(X, w_star, b_star) -> float:
    """Novikoff's bound (R / gamma)^2 on the perceptron's total number of mistakes (from zero weights).

    Uses the augmented inputs (x, 1) so the bias is learned like a weight: R is the
    largest ||(x, 1)|| and gamma the smallest |(x, 1) . v| with v = (w_star, b_star)
    normalised to unit length. (With R = max ||x|| and the geometric margin instead, the
    "bound" can be exceeded when the data sit far from the origin.)

    Parameters
    ----------
    X : array_like, shape (N, D)
    w_star : array_like, shape (D,)
    b_star : float

    Returns
    -------
    float
        The bound; ``inf`` if (w_star, b_star) does not separate with a positive margin.
    """
    X, w_star, b_star = _check_params(X, w_star, b_star, ("X", "w_star", "b_star"))
    v = np.append(w_star, b_star)
    Xa = np.column_stack([X, np.ones(len(X))])  # (N, D + 1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        gamma = np.min(np.abs(Xa @ v)) / np.linalg.norm(v)
        R = np.max(np.linalg.norm(Xa, axis=1))
    check_finite_output((gamma, R), "mistake_bound", "X or w_star too large (or so small that ||w_star|| "
                        "underflows to 0): the margin or radius is not finite; scale them")
    if gamma <= 0:
        return float("inf")
    with np.errstate(over="ignore"):
        bound = float(np.square(np.float64(R) / np.float64(gamma)))
    return check_finite_output(bound, "mistake_bound", f"the margin gamma = {float(gamma):.1e} of (w_star, "
                               "b_star) is so small that (R / gamma)^2 overflows float64")


@finite_output("the end points overflow: b is huge compared with w; scale w and b")
def boundary_line(w, b, xlim: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Two end points of the 2-D decision boundary w1 x1 + w2 x2 + b = 0 across ``xlim``.

    Returns
    -------
    xs, ys : ndarray, shape (2,), float64 (plot coordinates)
        For a vertical boundary (w2 = 0) xs is constant and ys spans ``xlim``;
        for w = 0 there is no boundary and both arrays are NaN-free empty arrays.
    """
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != 2:
        raise ValueError(f"boundary_line needs 2-D weights, got w of shape {w.shape}")
    b = check_float(b, "b")
    if isinstance(xlim, (str, bytes)) or np.ndim(xlim) != 1 or len(xlim) != 2:
        raise ValueError(f"xlim must be a pair (lo, hi), got {xlim!r}")
    lo, hi = (check_float(v, "xlim") for v in xlim)
    if not lo < hi:
        raise ValueError(f"xlim must satisfy lo < hi, got {xlim!r}")
    if abs(w[1]) > 1e-12:
        xs = np.array([lo, hi])
        return xs, -(w[0] * xs + b) / w[1]
    if abs(w[0]) > 1e-12:
        return np.full(2, -b / w[0]), np.array([lo, hi])
    return np.array([]), np.array([])


def xor_network_weights() -> dict[str, np.ndarray]:
    """Hand-chosen weights of a 2-2-1 step network that computes XOR exactly.

    Hidden unit 1 is OR (fires if x1 + x2 >= 0.5), hidden unit 2 is NAND
    (fires if x1 + x2 <= 1.5); the output is AND of the two.

    Returns
    -------
    dict
        ``W1`` (2, 2), ``b1`` (2,), ``w2`` (2,), ``b2`` (scalar array).
    """
    return {
        "W1": np.array([[1.0, -1.0], [1.0, -1.0]]),  # columns: OR unit, NAND unit
        "b1": np.array([-0.5, 1.5]),
        "w2": np.array([1.0, 1.0]),
        "b2": np.array(-1.5),
    }


@finite_output("a hidden pre-activation overflows: X, W1 or w2 too large; scale them")
def two_layer_predict(X, W1, b1, w2, b2) -> np.ndarray:
    """A two-layer step network: h = step(X W1 + b1), y_hat = step(h w2 + b2).

    Parameters
    ----------
    X : array_like, shape (N, D)
    W1 : array_like, shape (D, H)
    b1 : array_like, shape (H,)
    w2 : array_like, shape (H,)
    b2 : float

    Returns
    -------
    y_hat : ndarray, shape (N,), values in {0, 1}
    """
    X = as_float_array(X, "X", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    b1 = as_float_array(b1, "b1", ndim=1)
    if X.shape[1] != W1.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W1 expects D={W1.shape[0]}")
    if b1.shape[0] != W1.shape[1]:
        raise ValueError(f"b1 has {b1.shape[0]} entries but W1 has H={W1.shape[1]} columns")
    h = step(check_finite_output(X @ W1 + b1, "two_layer_predict",  # (N, H)
                                 "X @ W1 + b1 overflows: X or W1 too large; scale them"))
    return predict(h, *_check_params(h, w2, b2, names=("h", "w2", "b2"))[1:])
