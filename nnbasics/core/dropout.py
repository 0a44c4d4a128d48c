"""Inverted dropout (Srivastava et al., 2014), as ``torch.nn.Dropout`` computes it.

Training: keep each activation with probability 1 - p and scale the survivors by 1 / (1 - p),
out = x * m / (1 - p),  m ~ Bernoulli(1 - p) elementwise,  so E[out] = x.
Inference: the identity (no mask, no scaling) — the expectation already matches.

Without the 1 / (1 - p) the next layer sees activations (1 - p) times smaller in training
than at inference; :func:`scaling_mismatch` and :func:`unscaled_eval_penalty` measure that.
:func:`mc_dropout_predict` keeps dropout on at inference to estimate uncertainty, and
:func:`dropout_run` / :func:`dropout_experiment` fit an over-parameterized MLP on a small
noisy data set at several rates (notebook 08). Compute functions return data; they never plot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_drop_probability,
    check_int,
    check_rng,
    check_state,
    finite_output,
)

__all__ = ['DropoutCache', 'dropout_mask', 'dropout_forward', 'dropout_backward']


@dataclass(frozen=True)
class DropoutCache:
    """What :func:`dropout_backward` needs.

    Attributes
    ----------
    mask : ndarray of bool, same shape as x, or None
        Which entries were kept (None at inference or when p = 0).
    p : float
        Drop probability.
    train : bool
    """

    mask: np.ndarray | None
    p: float
    train: bool


def dropout_mask(shape, p: float, rng) -> np.ndarray:
    """Boolean keep-mask: each entry True with probability 1 - p, drawn as ``rng.random(shape) >= p``.

    Parameters
    ----------
    shape : tuple of int
    p : float in [0, 1)
        Drop probability.
    rng : numpy.random.Generator or int

    Returns
    -------
    mask : ndarray of bool, shape ``shape``
    """
    p = check_drop_probability(p)
    rng = check_rng(rng)
    shape = tuple(check_int(s, "shape[i]", minimum=0) for s in np.atleast_1d(shape).tolist())
    return rng.random(shape) >= p


@finite_output("x / (1 - p) overflows: x too large for its dtype")
def dropout_forward(x, p: float, *, train: bool, rng=None):
    """Inverted dropout: out = x * m / (1 - p) in training, out = x at inference.

    Parameters
    ----------
    x : array_like, any shape, e.g. (N, H)
        Activations.
    p : float in [0, 1)
        Probability of *dropping* an entry (torch's convention; the keep probability is 1 - p).
    train : bool
        Training (random mask) or inference (identity).
    rng : numpy.random.Generator or int
        Draws the mask; required in training when p > 0.

    Returns
    -------
    out : ndarray, same shape as x
        Kept entries are exactly x / (1 - p), dropped ones 0; E[out] = x.
    cache : DropoutCache
    """
    x = as_float_array(x, "x")
    p = check_drop_probability(p)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {train!r}")
    if not train or p == 0.0:
        return x.copy(), DropoutCache(None, p, bool(train))
    if rng is None:
        raise TypeError("rng must be a numpy Generator or an int seed in training mode, got None")
    mask = dropout_mask(x.shape, p, rng)  # (N, H) bool
    return x * mask / (1.0 - p), DropoutCache(mask, p, True)


@finite_output("dout / (1 - p) overflows: dout too large for its dtype")
def dropout_backward(dout, cache: DropoutCache) -> np.ndarray:
    """Gradient of :func:`dropout_forward`: dx = dout * m / (1 - p) (dout itself at inference).

    Parameters
    ----------
    dout : array_like, same shape as the forward's x
    cache : DropoutCache

    Returns
    -------
    dx : ndarray, same shape as dout
    """
    check_state(cache, "cache", DropoutCache, "dropout_forward")
    dout = as_float_array(dout, "dout")
    if cache.mask is None:
        return dout.copy()
    if dout.shape != cache.mask.shape:
        raise ValueError(f"dout has shape {dout.shape} but the forward input had shape {cache.mask.shape}")
    return dout * cache.mask / (1.0 - cache.p)
