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

    Draw W from a zero-mean normal distribution with He's variance for ReLU in the forward
    pass (notebook 06, §3). Careful: numpy's ``rng.normal(loc, scale, size)`` takes the
    *standard deviation* as ``scale``.

    Parameters
    ----------
    fan_in : int
        Inputs of the layer (D).
    fan_out : int
        Outputs of the layer (H).
    rng : numpy.random.Generator
        The only source of randomness you may use.

    Returns
    -------
    W : ndarray of float, shape (fan_in, fan_out)
        So that a layer computes x @ W for x of shape (N, fan_in).
    """
    # BEGIN SOLUTION 6.1
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, std, size=(fan_in, fan_out))
    # END SOLUTION 6.1


def xavier_uniform(fan_in, fan_out, rng):
    """Exercise 6.2 — Xavier (Glorot) uniform initialization.

    Draw W from a uniform distribution U(-a, a), with the bound a chosen so that Var(W) is
    Glorot's variance (notebook 06, §3: remember Var(U(-a, a)) = a^2 / 3).

    Parameters
    ----------
    fan_in : int
    fan_out : int
    rng : numpy.random.Generator
        The only source of randomness you may use.

    Returns
    -------
    W : ndarray of float, shape (fan_in, fan_out)
    """
    # BEGIN SOLUTION 6.2
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
    # END SOLUTION 6.2


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    """Exercise 6.3 — derive the Kaiming std for a Leaky ReLU layer.

    A bias-free layer z = h @ W, W of shape (fan_in, fan_out) with i.i.d. zero-mean weights of
    standard deviation sigma, is followed by Leaky ReLU f(z) = z for z > 0 and
    ``negative_slope * z`` otherwise. Derive (notebook 06, §3 does it for ReLU) the sigma that
    keeps, for zero-mean symmetric pre-activations,

    - ``mode="fan_in"``: the forward second moment E[z^2] the same from layer to layer;
    - ``mode="fan_out"``: the backward second moment E[(dL/dz)^2] the same from layer to layer.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
    negative_slope : float >= 0
        0 is plain ReLU, 1 is a linear layer.
    mode : {"fan_in", "fan_out"}

    Returns
    -------
    float
        sigma (the standard deviation, not the variance).
    """
    # BEGIN SOLUTION 6.3
    fan = fan_in if mode == "fan_in" else fan_out
    return float(np.sqrt(2.0 / ((1.0 + negative_slope**2) * fan)))
    # END SOLUTION 6.3
