"""Output layers and their losses, each returning ``(loss, dlogits)``.

Losses take **logits** (pre-activation scores), never probabilities: fusing the
output activation with the loss gives a simple, stable gradient, e.g. for softmax
cross-entropy dL/dz = (softmax(z) - onehot(y)) / N. Every reduction is the mean
over the batch, matching ``torch.nn.functional``'s defaults.

Shapes: N batch, C classes (or K outputs).
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import as_float_array, as_labels, check_float, check_int, finite_output
from nnbasics.core import kernels
from nnbasics.core.activations import sigmoid  # the output layer of binary classifiers

__all__ = ['logsumexp', 'log_softmax', 'softmax', 'naive_softmax', 'mse', 'mae', 'huber', 'bce_with_logits', 'multilabel_bce_with_logits', 'multilabel_bce', 'softmax_cross_entropy']


def _check_axis(axis, x: np.ndarray) -> int:
    axis = check_int(axis, "axis")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis={axis} is out of range for an array with {x.ndim} dimension(s)")
    return axis


@finite_output("x this large overflows in max + log(sum(exp(x - max))); scale x")
def logsumexp(x, axis: int = -1) -> np.ndarray:
    """Stable log-sum-exp: log sum_j exp(x_j) = m + log sum_j exp(x_j - m), m = max_j x_j.

    Parameters
    ----------
    x : array_like, any shape (at least 1-D)
    axis : int
        The axis summed over (C for logits (N, C)).

    Returns
    -------
    ndarray
        ``x``'s shape without ``axis``, e.g. (N,) for (N, C) logits.
    """
    x = as_float_array(x, "x", ndim=(1, 2, 3, 4))
    axis = _check_axis(axis, x)
    return kernels.logsumexp(x, axis=axis)  # the largest exponent becomes exp(0) = 1: no overflow


@finite_output("logits this large overflow in z - logsumexp(z); scale the logits")
def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """Stable log-softmax: log p_j = z_j - logsumexp(z). ``logits`` any shape -> same shape."""
    z = as_float_array(logits, "logits", ndim=(1, 2, 3, 4))
    axis = _check_axis(axis, z)
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


@finite_output("logits this large overflow in z - max(z); scale the logits")
def softmax(logits, axis: int = -1) -> np.ndarray:
    """Stable softmax: p_j = exp(z_j - max z) / sum_k exp(z_k - max z).

    Subtracting the max changes nothing mathematically (softmax is shift-invariant) but
    keeps every exponent <= 0, so logits of 1000 do not overflow.

    Parameters
    ----------
    logits : array_like, shape (N, C) (or any shape)
    axis : int
        The class axis.

    Returns
    -------
    ndarray, same shape as ``logits``
        Probabilities along ``axis`` (each slice sums to 1).
    """
    z = as_float_array(logits, "logits", ndim=(1, 2, 3, 4))
    axis = _check_axis(axis, z)
    return kernels.softmax(z, axis=axis)


def naive_softmax(logits, axis: int = -1) -> np.ndarray:
    """THE WRONG WAY, kept for the overflow demo: exp(z) / sum exp(z) without subtracting the max.

    For logits around 710 and above ``exp`` overflows to inf and the result is ``nan``
    (inf / inf). numpy's overflow warnings are suppressed so the notebook can show the NaNs;
    use :func:`softmax` in real code.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    axis : int

    Returns
    -------
    ndarray, same shape — possibly containing nan.
    """
    z = as_float_array(logits, "logits", ndim=(1, 2, 3, 4))
    axis = _check_axis(axis, z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=axis, keepdims=True)


def _pair(pred, target, pred_name="pred", target_name="target"):
    pred = as_float_array(pred, pred_name, ndim=(1, 2))
    target = as_float_array(target, target_name, ndim=(1, 2))
    if pred.shape != target.shape:
        raise ValueError(f"{pred_name} has shape {pred.shape} but {target_name} has shape {target.shape}; "
                         "they must match")
    return pred, target


@finite_output("pred - target overflows (or its square or sum does); scale pred and target")
def mse(pred, target) -> tuple[float, np.ndarray]:
    """Mean squared error L = mean((pred - target)^2) over all elements, and dL/dpred.

    Parameters
    ----------
    pred, target : array_like, shape (N,) or (N, K)

    Returns
    -------
    loss : float
    dpred : ndarray, shape of ``pred``
        2 (pred - target) / (number of elements).
    """
    pred, target = _pair(pred, target)
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


@finite_output("pred - target overflows (or its square or sum does); scale pred and target")
def mae(pred, target) -> tuple[float, np.ndarray]:
    """Mean absolute error L = mean|pred - target| and its (sub)gradient sign(pred - target) / size.

    Parameters
    ----------
    pred, target : array_like, shape (N,) or (N, K)

    Returns
    -------
    loss : float
    dpred : ndarray, shape of ``pred`` (0 where pred == target, as in torch)
    """
    pred, target = _pair(pred, target)
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


@finite_output("pred - target overflows (or its square or sum does); scale pred and target")
def huber(pred, target, delta: float = 1.0) -> tuple[float, np.ndarray]:
    """Huber loss: 0.5 r^2 for |r| <= delta, delta (|r| - 0.5 delta) beyond; r = pred - target.

    Quadratic near zero (smooth like MSE), linear in the tails (robust to outliers like MAE).

    Parameters
    ----------
    pred, target : array_like, shape (N,) or (N, K)
    delta : float > 0

    Returns
    -------
    loss : float
        Mean over elements (torch's ``huber_loss``).
    dpred : ndarray, shape of ``pred``
        clip(r, -delta, delta) / size.
    """
    pred, target = _pair(pred, target)
    delta = check_float(delta, "delta", minimum=0.0, min_inclusive=False)
    r = pred - target
    a = np.abs(r)
    per = np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    return float(np.mean(per)), np.clip(r, -delta, delta) / r.size


def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|))."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


@finite_output("logits this large overflow the mean loss; scale the logits")
def bce_with_logits(logits, y) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits z: L = mean[ softplus(z) - y z ], and dL/dz = (sigmoid(z) - y) / N.

    Equal to -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] but never takes log(0).

    Parameters
    ----------
    logits : array_like, shape (N,) or (N, 1)
    y : array_like, same shape, values in [0, 1]

    Returns
    -------
    loss : float
        Mean over the N examples (and outputs).
    dlogits : ndarray, shape of ``logits``
    """
    return _bce(logits, y, "y")


def _bce(logits, y, y_name: str) -> tuple[float, np.ndarray]:
    z, y = _pair(logits, y, "logits", y_name)
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"{y_name} must hold targets in [0, 1], got min {y.min()} and max {y.max()}")
    loss = np.mean(_softplus(z) - y * z)
    return float(loss), (sigmoid(z) - y) / z.size


@finite_output("logits this large overflow the mean loss; scale the logits")
def multilabel_bce_with_logits(logits, Y) -> tuple[float, np.ndarray]:
    """Multi-label classification: an independent sigmoid + BCE per label, mean over N and K.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    Y : array_like, shape (N, K), 0/1 (several labels may be 1 at once)

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (N, K)
        (sigmoid(Z) - Y) / (N K) — the mean matches ``torch.nn.BCEWithLogitsLoss``.
    """
    z = as_float_array(logits, "logits", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    return _bce(z, Y, "Y")


#: Short alias used in the notebook.
multilabel_bce = multilabel_bce_with_logits


@finite_output("logits this large overflow in z - logsumexp(z); scale the logits")
def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Softmax + cross-entropy on integer labels: L = mean_i [logsumexp(z_i) - z_{i, y_i}].

    Parameters
    ----------
    logits : array_like, shape (N, C)
    y : array_like of int, shape (N,), values in 0..C-1

    Returns
    -------
    loss : float
        Mean over the batch (``torch.nn.functional.cross_entropy``).
    dlogits : ndarray, shape (N, C)
        (softmax(Z) - onehot(y)) / N.
    """
    z = as_float_array(logits, "logits", ndim=2)
    n, c = z.shape
    y = as_labels(y, "y", n_classes=c, n_samples=n)
    logp = log_softmax(z, axis=1)  # (N, C)
    rows = np.arange(n)
    loss = -np.mean(logp[rows, y])
    dz = np.exp(logp)  # softmax, (N, C)
    dz[rows, y] -= 1.0
    return float(loss), dz / n
