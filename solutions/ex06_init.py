"""Exercises for notebook 06 — weight initialization.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 06`` to check your work. Draw every
random number from the ``rng`` you are given (a ``numpy.random.Generator``).
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def he_normal(fan_in, fan_out, rng):
    """Exercise 6.1 — He (Kaiming) normal initialization for ReLU layers.

    Draw W ~ N(0, sigma^2) with variance sigma^2 = 2 / fan_in. Careful: numpy's
    ``rng.normal(loc, scale, size)`` takes the *standard deviation* as ``scale``.

    Parameters
    ----------
    fan_in : int
        Inputs of the layer (D).
    fan_out : int
        Outputs of the layer (H).
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray, shape (fan_in, fan_out)
        So that a layer computes x @ W for x of shape (N, fan_in).
    """
    # BEGIN SOLUTION 6.1
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    # END SOLUTION 6.1


def xavier_uniform(fan_in, fan_out, rng):
    """Exercise 6.2 — Xavier (Glorot) uniform initialization.

    Draw W ~ U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); then
    Var(W) = a^2 / 3 = 2 / (fan_in + fan_out).

    Parameters
    ----------
    fan_in : int
    fan_out : int
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray, shape (fan_in, fan_out)
    """
    # BEGIN SOLUTION 6.2
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
    # END SOLUTION 6.2
