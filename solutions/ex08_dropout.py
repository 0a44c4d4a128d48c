"""Exercises for notebook 08 — dropout.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 08`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np  # noqa: F401 (available for your code)


def dropout_forward(x, p, rng, train=True):
    """Exercise 8.1 — inverted dropout, forward.

    In training, draw the keep-mask as ``mask = rng.random(x.shape) >= p`` (each entry is
    kept with probability 1 - p; p is the probability of DROPPING), zero the dropped
    entries and scale the kept ones by 1 / (1 - p) so the expectation is unchanged.
    At inference (``train=False``) return ``x`` unchanged and ``mask = None``.

    Parameters
    ----------
    x : ndarray, any shape, e.g. (N, H)
    p : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator
        Call ``rng.random(x.shape)`` exactly once (so the grader can reproduce your mask).
    train : bool

    Returns
    -------
    out : ndarray, same shape as x
    mask : ndarray of bool, same shape as x, or None at inference
    """
    # BEGIN SOLUTION 8.1
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask
    # END SOLUTION 8.1


def dropout_backward(dout, mask, p):
    """Exercise 8.2 — inverted dropout, backward.

    out = x * mask / (1 - p), so dL/dx = dL/dout * mask / (1 - p). With ``mask=None``
    (inference) the layer was the identity: return ``dout``.

    Parameters
    ----------
    dout : ndarray, same shape as x
    mask : ndarray of bool or None
    p : float in [0, 1)

    Returns
    -------
    dx : ndarray, same shape as dout
    """
    # BEGIN SOLUTION 8.2
    if mask is None:
        return dout
    return dout * mask / (1.0 - p)
    # END SOLUTION 8.2
