"""Exercises for notebook 08 — dropout.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 08`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np  # noqa: F401 (available for your code)


def dropout_forward(x, p, rng, train=True):
    """Exercise 8.1 — inverted dropout, forward (notebook §2).

    In training each entry is dropped (set to 0) with probability ``p``, independently, and the
    kept entries are rescaled so that the expected output equals ``x`` (what ``torch.nn.Dropout``
    computes). At inference (``train=False``) the layer is the identity and there is no mask.

    Randomness contract (so the grader can reproduce your mask): call ``rng.random(x.shape)``
    exactly once and keep an entry where that draw is ``>= p``.

    Parameters
    ----------
    x : ndarray, any shape, e.g. (N, H)
    p : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator
    train : bool

    Returns
    -------
    out : ndarray, same shape as x
        A new array (do not modify ``x``).
    mask : ndarray of bool, same shape as x (True = kept), or None at inference
    """
    # BEGIN SOLUTION 8.1
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask
    # END SOLUTION 8.1


def dropout_backward(dout, mask, p):
    """Exercise 8.2 — inverted dropout, backward: dL/dx of exercise 8.1's training forward pass.

    Parameters
    ----------
    dout : ndarray, same shape as x
        Upstream gradient dL/dout.
    mask : ndarray of bool (True = kept), or None
        The forward pass's mask; ``None`` means the forward pass ran at inference.
    p : float in [0, 1)
        The forward pass's drop probability.

    Returns
    -------
    dx : ndarray, same shape as dout
    """
    # BEGIN SOLUTION 8.2
    if mask is None:
        return dout
    return dout * mask / (1.0 - p)
    # END SOLUTION 8.2


def eval_variance_ratio(mean, var, p):
    """Exercise 8.3 — the variance shift of dropout followed by BatchNorm: derive it (notebook §6).

    A feature x with mean ``mean`` and variance ``var`` (over the data) goes through inverted
    dropout (drop probability ``p``, exercise 8.1) and then a BatchNorm layer. Assume BatchNorm's
    running mean and running variance have converged to the *expected* mean and variance of its
    input during training (ignore eps; gamma = 1, beta = 0). At evaluation dropout is the identity.

    Return the variance of BatchNorm's output at evaluation; during training it is 1.

    Parameters
    ----------
    mean : float or ndarray, shape (D,)
        Mean of each feature x (any real number).
    var : float or ndarray, shape (D,)
        Variance of each feature x, > 0.
    p : float in [0, 1)

    Returns
    -------
    ratio : float or ndarray, same shape as mean and var
        1 when p = 0.
    """
    # BEGIN SOLUTION 8.3
    var_train = (var + mean**2) / (1.0 - p) - mean**2  # E[(x m / (1-p))^2] - (E[x m / (1-p)])^2
    return var / var_train
    # END SOLUTION 8.3
