"""Exercises for notebook 04 — activation functions.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 04`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def sigmoid_derivative(x):
    """Exercise 4.1 — the derivative of the logistic sigmoid sigma(x) = 1 / (1 + exp(-x)).

    Derive sigma'(x) (notebook 04, §2: it can be written with sigma itself) and compute it
    for every entry of ``x``. It must not overflow or warn for large |x| (try x = -1000):
    ``np.exp(-x)`` overflows there, so compute sigma without it.

    Parameters
    ----------
    x : ndarray of float, any shape

    Returns
    -------
    ndarray of float, same shape as ``x``
        sigma'(x) for every entry.
    """
    # BEGIN SOLUTION 4.1
    s = 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma(x), overflow-free
    return s * (1.0 - s)
    # END SOLUTION 4.1


def leaky_relu_derivative(x, alpha=0.01):
    """Exercise 4.2 — the derivative of Leaky ReLU, f(x) = x for x > 0 and alpha * x otherwise.

    At exactly x = 0 the derivative does not exist; return the slope of the left piece there
    (torch's convention). Do not modify ``x``.

    Parameters
    ----------
    x : ndarray of float, any shape
    alpha : float >= 0
        The slope for negative inputs.

    Returns
    -------
    ndarray of float, same shape as ``x``
        f'(x) for every entry.
    """
    # BEGIN SOLUTION 4.2
    return np.where(x > 0, 1.0, alpha) * np.ones_like(x, dtype=float)
    # END SOLUTION 4.2


def silu_derivative(x):
    """Exercise 4.3 — derive the derivative of SiLU (also called Swish): SiLU(x) = x * sigma(x).

    Notebook 04, §5 introduces SiLU; its derivative is yours to derive (sigma as in 4.1). It
    must be exact in float64 (no finite differences) and must not overflow or warn for any
    finite x, including x = -1000 and x = 1000.

    Parameters
    ----------
    x : ndarray of float, any shape

    Returns
    -------
    ndarray of float, same shape as ``x``
        d SiLU / dx for every entry.
    """
    # BEGIN SOLUTION 4.3
    s = 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma(x), overflow-free
    return s + x * s * (1.0 - s)  # product rule: (x)' sigma + x sigma'
    # END SOLUTION 4.3
