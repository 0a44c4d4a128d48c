"""Exercises for notebook 01 — the perceptron.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 01`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def predict(X, w, b):
    """Exercise 1.1 — perceptron predictions.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    w : ndarray, shape (D,)
    b : float

    Returns
    -------
    y_hat : ndarray of int, shape (N,)
        1 where X @ w + b >= 0, else 0.
    """
    # BEGIN SOLUTION 1.1
    z = X @ w + b  # (N,)
    return (z >= 0).astype(np.int64)
    # END SOLUTION 1.1


def update(w, b, x, y, lr):
    """Exercise 1.2 — one step of the perceptron learning rule on one example.

    Parameters
    ----------
    w : ndarray, shape (D,)
    b : float
    x : ndarray, shape (D,)
    y : int, 0 or 1
    lr : float

    Returns
    -------
    w_new : ndarray, shape (D,)
        w + lr * (y - y_hat) * x — a *new* array: do not modify ``w`` in place.
    b_new : float
        b + lr * (y - y_hat)
    """
    # BEGIN SOLUTION 1.2
    y_hat = 1 if x @ w + b >= 0 else 0
    err = y - y_hat
    return w + lr * err * x, b + lr * err
    # END SOLUTION 1.2


def train(X, y, lr=1.0, epochs=10):
    """Exercise 1.3 — the training loop with a mistake history.

    Start from w = zeros(D), b = 0. In each epoch visit the rows of X *in order*,
    apply the update rule to each, and count the examples that were
    misclassified when visited. Stop after an epoch with no mistakes.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    lr : float
    epochs : int
        The maximum number of epochs.

    Returns
    -------
    w : ndarray, shape (D,)
    b : float
    mistakes : list of int
        The number of mistakes in each epoch that was run.
    """
    # BEGIN SOLUTION 1.3
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            if predict(x_i[None, :], w, b)[0] != y_i:
                count += 1
            w, b = update(w, b, x_i, y_i, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
    # END SOLUTION 1.3
