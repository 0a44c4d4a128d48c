"""Exercises for notebook 04 — activation functions.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 04`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def sigmoid_derivative(x):
    """Exercise 4.1 — the derivative of the logistic sigmoid.

    sigma(x) = 1 / (1 + exp(-x)) and sigma'(x) = sigma(x) * (1 - sigma(x)).
    It must not overflow or warn for large |x| (try x = -1000): compute sigma with
    ``np.exp(-np.abs(x))`` in two branches, or use ``np.tanh`` (sigma(x) = (1 + tanh(x/2)) / 2).

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray, same shape as ``x``
        sigma'(x), at most 0.25 (at x = 0).
    """
    # BEGIN SOLUTION 4.1
    s = 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma(x), overflow-free
    return s * (1.0 - s)
    # END SOLUTION 4.1


def leaky_relu_derivative(x, alpha=0.01):
    """Exercise 4.2 — the derivative of Leaky ReLU.

    LeakyReLU(x) = x if x > 0 else alpha * x. Its derivative is 1 where x > 0 and
    alpha elsewhere — use alpha at exactly x = 0, like torch does.

    Parameters
    ----------
    x : ndarray, any shape
    alpha : float
        The slope for negative inputs.

    Returns
    -------
    ndarray, same shape as ``x`` (float)
    """
    # BEGIN SOLUTION 4.2
    return np.where(x > 0, 1.0, alpha) * np.ones_like(x, dtype=float)
    # END SOLUTION 4.2
