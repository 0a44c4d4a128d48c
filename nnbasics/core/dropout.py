"""Inverted dropout (Srivastava et al., 2014), as ``torch.nn.Dropout`` computes it.

Training: keep each activation with probability 1 - p and scale the survivors by 1 / (1 - p),
out = x * m / (1 - p),  m ~ Bernoulli(1 - p) elementwise,  so E[out] = x.
Inference: the identity (no mask, no scaling) — the expectation already matches.

Without the 1 / (1 - p) the next layer sees activations (1 - p) times smaller in training
than at inference; :func:`scaling_mismatch` and :func:`unscaled_eval_penalty` measure that.
:func:`spatial_dropout_forward` drops whole channels of conv feature maps (``nn.Dropout2d``).
For a linear model with squared loss, dropout on the inputs is *exactly* an adaptive L2 penalty in
expectation (:func:`dropout_linear_penalty`, :func:`dropout_ridge_solution`). The measured demos
of notebook 08 live in :mod:`nnbasics.experiments.nb08_dropout`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_drop_probability,
    check_finite_output,
    check_int,
    check_rng,
    check_state,
    finite_output,
)

__all__ = ['DropoutCache', 'dropout_mask', 'dropout_forward', 'dropout_backward', 'spatial_dropout_forward',
           'spatial_dropout_backward', 'dropout_linear_penalty', 'dropout_ridge_solution']


@dataclass(frozen=True)
class DropoutCache:
    """What :func:`dropout_backward` needs.

    Attributes
    ----------
    mask : ndarray of bool, same shape as x, or None
        Which entries were kept (None at inference or when p = 0).
    p : float
        Drop probability.
    train : bool
    """

    mask: np.ndarray | None
    p: float
    train: bool


def dropout_mask(shape, p: float, rng) -> np.ndarray:
    """Boolean keep-mask: each entry True with probability 1 - p, drawn as ``rng.random(shape) >= p``.

    Parameters
    ----------
    shape : tuple of int
    p : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator or int

    Returns
    -------
    mask : ndarray of bool, shape ``shape``
    """
    p = check_drop_probability(p)
    rng = check_rng(rng)
    shape = tuple(check_int(s, "shape[i]", minimum=0) for s in np.atleast_1d(shape).tolist())
    return rng.random(shape) >= p


@finite_output("x / (1 - p) overflows: x too large for its dtype")
def dropout_forward(x, p: float, *, train: bool, rng=None):
    """Inverted dropout: out = x * m / (1 - p) in training, out = x at inference.

    Parameters
    ----------
    x : array_like, any shape, e.g. (N, H)
        Activations.
    p : float in [0, 1)
        Probability of *dropping* an entry (torch's convention; the keep probability is 1 - p).
    train : bool
        Training (random mask) or inference (identity).
    rng : numpy.random.Generator or int
        Draws the mask; required in training when p > 0.

    Returns
    -------
    out : ndarray, same shape as x
        Kept entries are exactly x / (1 - p), dropped ones 0; E[out] = x.
    cache : DropoutCache
    """
    x = as_float_array(x, "x")
    p = check_drop_probability(p)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {train!r}")
    if not train or p == 0.0:
        return x.copy(), DropoutCache(None, p, bool(train))
    if rng is None:
        raise TypeError("rng must be a numpy Generator or an int seed in training mode, got None")
    mask = dropout_mask(x.shape, p, rng)  # (N, H) bool
    return x * mask / (1.0 - p), DropoutCache(mask, p, True)


@finite_output("dout / (1 - p) overflows: dout too large for its dtype")
def dropout_backward(dout, cache: DropoutCache) -> np.ndarray:
    """Gradient of :func:`dropout_forward`: dx = dout * m / (1 - p) (dout itself at inference).

    Parameters
    ----------
    dout : array_like, same shape as the forward's x
    cache : DropoutCache

    Returns
    -------
    dx : ndarray, same shape as dout
    """
    check_state(cache, "cache", DropoutCache, "dropout_forward")
    dout = as_float_array(dout, "dout")
    if cache.mask is None:
        return dout.copy()
    if dout.shape != cache.mask.shape:
        raise ValueError(f"dout has shape {dout.shape} but the forward input had shape {cache.mask.shape}")
    return dout * cache.mask / (1.0 - cache.p)


# --------------------------------------------------------------------------- spatial dropout
@finite_output("x / (1 - p) overflows: x too large for its dtype")
def spatial_dropout_forward(x, p: float, *, train: bool, rng=None):
    """Channel ("spatial") dropout, as ``torch.nn.Dropout2d``: drop whole feature maps.

    One keep decision per (sample, channel), drawn as ``rng.random((N, C)) >= p`` and shared by
    every spatial position: out[n, c] = x[n, c] * m[n, c] / (1 - p). Neighbouring pixels of a
    feature map are strongly correlated, so dropping single pixels removes little information;
    dropping the whole map does.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial), e.g. (N, C, H, W)
    p : float in [0, 1)
    train : bool
    rng : numpy.random.Generator or int
        Required in training when p > 0.

    Returns
    -------
    out : ndarray, same shape as x
    cache : DropoutCache
        ``mask`` has shape (N, C, 1, ..., 1) (broadcast over the positions), or None.
    """
    x = as_float_array(x, "x", ndim=(3, 4, 5))
    p = check_drop_probability(p)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {train!r}")
    if not train or p == 0.0:
        return x.copy(), DropoutCache(None, p, bool(train))
    if rng is None:
        raise TypeError("rng must be a numpy Generator or an int seed in training mode, got None")
    mask = dropout_mask(x.shape[:2], p, rng).reshape(x.shape[:2] + (1,) * (x.ndim - 2))  # (N, C, 1, 1)
    return x * mask / (1.0 - p), DropoutCache(mask, p, True)


@finite_output("dout / (1 - p) overflows: dout too large for its dtype")
def spatial_dropout_backward(dout, cache: DropoutCache) -> np.ndarray:
    """Gradient of :func:`spatial_dropout_forward`: dx = dout * m / (1 - p), m broadcast over positions."""
    check_state(cache, "cache", DropoutCache, "spatial_dropout_forward")
    check_drop_probability(cache.p, "cache.p")
    dout = as_float_array(dout, "dout", ndim=(3, 4, 5))
    if cache.mask is None:
        return dout.copy()
    if dout.shape[:2] != cache.mask.shape[:2] or dout.ndim != cache.mask.ndim:
        raise ValueError(f"dout has shape {dout.shape} but the mask was drawn for (N, C) = {cache.mask.shape[:2]}")
    return dout * cache.mask / (1.0 - cache.p)


# --------------------------------------------------------------------------- dropout as adaptive L2
def _linear_args(X, w, p):
    X = as_float_array(X, "X", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w has {w.shape[0]} entries but X has D={X.shape[1]} features")
    return X, w, check_drop_probability(p)


@finite_output("X * X or w * w overflows: X or w too large; scale them")
def dropout_linear_penalty(X, w, p: float) -> float:
    """What inverted dropout on the inputs adds, in expectation, to a linear model's mean squared error.

    With y_hat_i = sum_j x_ij w_j m_ij / (1 - p), m_ij ~ Bernoulli(1 - p) independent,
    E[y_hat_i] = x_i . w and Var[y_hat_i] = p / (1 - p) * sum_j x_ij^2 w_j^2, so

        E_m[(1/N) sum_i (y_i - y_hat_i)^2] = (1/N) ||y - X w||^2 + p / (1 - p) * sum_j c_j w_j^2,
        c_j = (1/N) sum_i x_ij^2.

    An L2 penalty whose strength for w_j grows with feature j's second moment c_j: an *adaptive*
    ridge (ridge on features scaled to unit second moment).

    Parameters
    ----------
    X : array_like, shape (N, D)
    w : array_like, shape (D,)
    p : float in [0, 1)

    Returns
    -------
    float
    """
    X, w, p = _linear_args(X, w, p)
    c = (X * X).mean(axis=0)  # (D,)
    return float(p / (1.0 - p) * np.sum(c * w * w))


@finite_output("X or y too large: the normal equations overflow; scale the features")
def dropout_ridge_solution(X, y, p: float) -> np.ndarray:
    """The weights minimizing the expected dropout loss of :func:`dropout_linear_penalty`.

    Setting the gradient of (1/N)||y - Xw||^2 + p/(1-p) sum_j c_j w_j^2 to zero:
    (X^T X + p/(1-p) diag(X^T X)) w = X^T y.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    p : float in [0, 1)

    Returns
    -------
    w : ndarray, shape (D,)
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has N={X.shape[0]} rows but y has {y.shape[0]}")
    p = check_drop_probability(p)
    A = check_finite_output(X.T @ X, "dropout_ridge_solution", "X too large: X^T X overflows; scale the features")  # (D, D)
    return np.linalg.lstsq(A + p / (1.0 - p) * np.diag(np.diag(A)), X.T @ y, rcond=None)[0]
