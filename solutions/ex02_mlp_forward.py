"""Exercises for notebook 02 — the MLP forward pass.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 02`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def dense_forward(x, w, b):
    """Exercise 2.1 — a dense (fully connected) layer, out = x @ w + b.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        A batch of N inputs with D features each.
    w : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : tuple
        ``(x, w)``, kept for the backward pass of notebook 03.
    """
    # BEGIN SOLUTION 2.1
    out = x @ w + b  # (N, D) @ (D, H) + (H,) -> (N, H)
    return out, (x, w)
    # END SOLUTION 2.1


def softmax(logits):
    """Exercise 2.2 — softmax over the last axis that never overflows (§3).

    Parameters
    ----------
    logits : ndarray of float64, shape (N, C)
        Any finite values: logits of size 1000 (or -1000) must work too.

    Returns
    -------
    probs : ndarray, shape (N, C)
        softmax of each row: non-negative, each row sums to 1, no nan or inf.
    """
    # BEGIN SOLUTION 2.2
    shifted = logits - np.max(logits, axis=-1, keepdims=True)  # every exponent <= 0
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)
    # END SOLUTION 2.2


def softmax_cross_entropy(logits, y):
    """Exercise 2.3 — mean softmax cross-entropy and its gradient with respect to the logits (§3).

    L = mean over the N rows of -log softmax(z_i)[y_i]. Both results must stay finite for
    logits as large as +-1000 (never take the log of a probability that may be 0).

    Parameters
    ----------
    logits : ndarray of float64, shape (N, C)
        Do not modify it.
    y : ndarray of int, shape (N,)
        Class labels 0..C-1.

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (N, C)
        dL/dlogits of the *mean* loss.
    """
    # BEGIN SOLUTION 2.3
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # (N, C)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -np.mean(log_probs[rows, y])
    dlogits = np.exp(log_probs)  # softmax, (N, C)
    dlogits[rows, y] -= 1.0
    return float(loss), dlogits / n
    # END SOLUTION 2.3


def gaussian_nll(mu, log_var, y):
    """Exercise 2.4 — derive it: a Gaussian likelihood whose variance the network also predicts.

    §3 shows that MSE is the negative log-likelihood (NLL) of Gaussian noise with a *fixed*
    variance. A network can instead output, for every target, a mean mu and a log-variance
    s = log(sigma^2) (the log keeps sigma^2 = e^s positive), and be trained on the NLL:

        L = mean over all elements of  -log N(y; mu, sigma^2)   (the full density, constant included)

    Return L and its gradients with respect to both outputs of the network.

    Parameters
    ----------
    mu : ndarray of float64, shape (N, K)
        Predicted means.
    log_var : ndarray of float64, shape (N, K)
        Predicted log-variances s, with |s| <= 30.
    y : ndarray of float64, shape (N, K)
        Targets.

    Returns
    -------
    loss : float
    dmu : ndarray, shape (N, K)
        dL/dmu.
    dlog_var : ndarray, shape (N, K)
        dL/ds — with respect to the log-variance, not the variance.
    """
    # BEGIN SOLUTION 2.4
    n = mu.size  # the mean runs over all N K elements
    inv_var = np.exp(-log_var)  # 1 / sigma^2, (N, K)
    r2 = (y - mu) ** 2
    loss = 0.5 * np.mean(np.log(2 * np.pi) + log_var + r2 * inv_var)
    dmu = (mu - y) * inv_var / n  # d/dmu of r2 / (2 sigma^2)
    dlog_var = 0.5 * (1.0 - r2 * inv_var) / n  # d/ds of (s + r2 e^-s) / 2
    return float(loss), dmu, dlog_var
    # END SOLUTION 2.4
