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
    """Exercise 2.2 — a numerically stable softmax over the last axis.

    Subtract each row's maximum before ``np.exp`` so that logits of 1000 do not overflow
    (softmax does not change when a constant is added to a row).

    Parameters
    ----------
    logits : ndarray, shape (N, C)

    Returns
    -------
    probs : ndarray, shape (N, C)
        Non-negative, each row sums to 1.
    """
    # BEGIN SOLUTION 2.2
    shifted = logits - np.max(logits, axis=-1, keepdims=True)  # every exponent <= 0
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)
    # END SOLUTION 2.2


def softmax_cross_entropy(logits, y):
    """Exercise 2.3 — mean softmax cross-entropy and its gradient with respect to the logits.

    L = mean_i [ -log softmax(z_i)[y_i] ];  dL/dz = (softmax(z) - onehot(y)) / N.
    Compute log-probabilities stably: log softmax(z) = z - max - log(sum(exp(z - max))).

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    y : ndarray of int, shape (N,)
        Class labels 0..C-1.

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (N, C)
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
