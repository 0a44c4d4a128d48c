"""Exercises for notebook 07 — BatchNorm vs LayerNorm.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 07`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Exercise 7.1 — BatchNorm forward in training mode (batch statistics).

    Normalize every feature (column) over the batch (rows), then scale and shift:
    mu = mean over rows, var = mean over rows of (x - mu)**2 (the *biased* variance,
    divide by N), out = gamma * (x - mu) / sqrt(var + eps) + beta.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    gamma, beta : ndarray, shape (D,)
    eps : float

    Returns
    -------
    out : ndarray, shape (N, D)
    """
    # BEGIN SOLUTION 7.1
    mu = x.mean(axis=0)  # (D,)
    var = ((x - mu) ** 2).mean(axis=0)  # (D,)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
    # END SOLUTION 7.1


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Exercise 7.2 — BatchNorm backward in training mode.

    Recompute what you need from ``x`` (batch mean, biased variance, x_hat), then use
    dx_hat = dout * gamma and
    dx = (1 / (N * sqrt(var + eps))) * (N * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)).

    Parameters
    ----------
    dout : ndarray, shape (N, D)
        Upstream gradient dL/dout.
    x : ndarray, shape (N, D)
        The forward pass's input.
    gamma : ndarray, shape (D,)
    eps : float

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma : ndarray, shape (D,)
        sum over rows of dout * x_hat
    dbeta : ndarray, shape (D,)
        sum over rows of dout
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
    """Exercise 7.3 — LayerNorm forward.

    Normalize every sample (row) over its features (the last axis), with the biased
    variance, then out = gamma * x_hat + beta.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    gamma, beta : ndarray, shape (D,)
    eps : float

    Returns
    -------
    out : ndarray, shape (N, D)
    """
    # BEGIN SOLUTION 7.3
    mu = x.mean(axis=-1, keepdims=True)  # (N, 1)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # (N, 1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
    # END SOLUTION 7.3


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """Exercise 7.4 — BatchNorm's running statistics, updated exactly as torch does.

    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var  = (1 - momentum) * running_var  + momentum * batch_var_unbiased
    where batch_var_unbiased divides by N - 1 (the normalization itself uses N!).
    Return new arrays; do not modify the inputs.

    Parameters
    ----------
    running_mean, running_var : ndarray, shape (D,)
    x : ndarray, shape (N, D)
        A training batch, N >= 2.
    momentum : float

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
