"""Exercises for notebook 07 — BatchNorm vs LayerNorm.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 07`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Exercise 7.1 — BatchNorm forward in training mode (batch statistics), notebook §2.

    Each feature (column) is standardized with the mean and the *biased* variance (divide
    by N) of the batch, with ``eps`` added to the variance inside the square root (torch's
    convention), then scaled by ``gamma`` and shifted by ``beta``. Must stay accurate when
    a feature has a large offset and a tiny spread (e.g. values 10_000 ± 0.01).

    Parameters
    ----------
    x : ndarray, shape (N, D), N >= 2
    gamma, beta : ndarray, shape (D,)
    eps : float > 0

    Returns
    -------
    out : ndarray, shape (N, D)
        Equal to ``torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)``.
    """
    # BEGIN SOLUTION 7.1
    mu = x.mean(axis=0)  # (D,)
    var = ((x - mu) ** 2).mean(axis=0)  # (D,)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
    # END SOLUTION 7.1


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Exercise 7.2 — BatchNorm backward in training mode: derive it on the graph of notebook §3.

    The forward pass is exercise 7.1's. Every output row depends on every input row through
    the batch mean and variance; carry ``dout`` back through each node of the graph and add up
    the contributions of every path that reaches ``x``.

    Parameters
    ----------
    dout : ndarray, shape (N, D)
        Upstream gradient dL/dout.
    x : ndarray, shape (N, D), N >= 2
        The forward pass's input (recompute what you need from it).
    gamma : ndarray, shape (D,)
    eps : float > 0
        The forward pass's eps (inside the square root).

    Returns
    -------
    dx : ndarray, shape (N, D)
        dL/dx.
    dgamma, dbeta : ndarray, shape (D,)
        dL/dgamma and dL/dbeta.
    """
    # BEGIN SOLUTION 7.2
    N = x.shape[0]
    mu = x.mean(axis=0)  # (D,)
    var = ((x - mu) ** 2).mean(axis=0)  # (D,)
    inv_std = 1.0 / np.sqrt(var + eps)  # (D,)
    x_hat = (x - mu) * inv_std  # (N, D)
    dgamma = (dout * x_hat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dx_hat = dout * gamma  # (N, D)
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
    # END SOLUTION 7.2


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Exercise 7.3 — LayerNorm forward, notebook §2.

    Each sample (row) is standardized with the mean and the *biased* variance of its own
    features (the last axis), ``eps`` inside the square root, then scaled by ``gamma`` and
    shifted by ``beta`` (one entry per feature).

    Parameters
    ----------
    x : ndarray, shape (N, D)
    gamma, beta : ndarray, shape (D,)
    eps : float > 0

    Returns
    -------
    out : ndarray, shape (N, D)
        Equal to ``torch.nn.functional.layer_norm(x, (D,), gamma, beta, eps=eps)``.
    """
    # BEGIN SOLUTION 7.3
    mu = x.mean(axis=-1, keepdims=True)  # (N, 1)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # (N, 1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
    # END SOLUTION 7.3


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """Exercise 7.4 — BatchNorm's running statistics after one training batch, notebook §2.

    Update them exactly as ``torch.nn.BatchNorm1d(momentum=momentum)`` does in train mode
    (torch's momentum convention; the running variance estimates the population variance).
    Return new arrays; do not modify the inputs in place.

    Parameters
    ----------
    running_mean, running_var : ndarray, shape (D,)
    x : ndarray, shape (N, D)
        A training batch, N >= 2.
    momentum : float in [0, 1]

    Returns
    -------
    new_mean, new_var : ndarray, shape (D,)
    """
    # BEGIN SOLUTION 7.4
    mu = x.mean(axis=0)  # (D,)
    var_unbiased = x.var(axis=0, ddof=1)  # (D,)
    return ((1 - momentum) * running_mean + momentum * mu,
            (1 - momentum) * running_var + momentum * var_unbiased)
    # END SOLUTION 7.4


def layernorm_backward(dout, x, gamma, eps=1e-5):
    """Exercise 7.5 — LayerNorm backward: derive it (notebook §3, the same graph with other axes).

    The forward pass normalizes over the last axis, as in exercise 7.3, for a batch of
    samples (N, D) or of sequences (N, T, D) (every token normalized on its own).

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient dL/dout.
    x : ndarray, shape (N, D) or (N, T, D)
        The forward pass's input.
    gamma : ndarray, shape (D,)
    eps : float > 0

    Returns
    -------
    dx : ndarray, same shape as x
    dgamma, dbeta : ndarray, shape (D,)
        Summed over every sample (and token).
    """
    # BEGIN SOLUTION 7.5
    D = x.shape[-1]
    mu = x.mean(axis=-1, keepdims=True)  # (..., 1)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # (..., 1)
    inv_std = 1.0 / np.sqrt(var + eps)  # (..., 1)
    x_hat = (x - mu) * inv_std  # (..., D)
    lead = tuple(range(x.ndim - 1))
    dgamma = (dout * x_hat).sum(axis=lead)  # (D,)
    dbeta = dout.sum(axis=lead)  # (D,)
    g = dout * gamma  # (..., D)
    dx = inv_std / D * (D * g - g.sum(axis=-1, keepdims=True) - x_hat * (g * x_hat).sum(axis=-1, keepdims=True))
    return dx, dgamma, dbeta
    # END SOLUTION 7.5
