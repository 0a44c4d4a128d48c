"""Layers with the cache API: ``forward(...) -> (out, cache)``, ``backward(dout, cache) -> grads``.

The forward pass stores what the backward pass needs (its inputs or outputs) in a
``cache``; the backward pass multiplies the upstream gradient ``dout`` = dL/dout by
the layer's local derivative (the chain rule). Shapes: N batch, D input, H output.

(``nnbasics.core.activations`` has the pure elementwise functions f and f'; these are the
layer versions used to build a network by hand.)
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_bounds,
    check_shapes,
    check_state,
    finite_output,
)
from nnbasics.core import kernels

__all__ = ['dense_forward', 'dense_backward', 'relu_forward', 'relu_backward', 'sigmoid_forward', 'sigmoid_backward', 'tanh_forward', 'tanh_backward', 'ACTIVATIONS']


@finite_output("x @ w + b overflows: x and w are too large; scale the inputs")
def dense_forward(x, w, b) -> tuple[np.ndarray, tuple]:
    """Affine layer: out = x W + b.

    Parameters
    ----------
    x : array_like, shape (N, D)
    w : array_like, shape (D, H)
    b : array_like, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : tuple
        ``(x, w)`` — needed by :func:`dense_backward`.
    """
    x = as_float_array(x, "x", ndim=2)
    w = as_float_array(w, "w", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features but w expects D={w.shape[0]} (w has shape {w.shape})")
    if b.shape[0] != w.shape[1]:
        raise ValueError(f"b has {b.shape[0]} entries but w has H={w.shape[1]} outputs")
    return kernels.dense_forward(x, w, b)  # (N, D) @ (D, H) + (H,) -> (N, H)


def _check_dout(dout, expected_shape, name="dout"):
    dout = as_float_array(dout, name, ndim=len(expected_shape))
    if dout.shape != tuple(expected_shape):
        raise ValueError(f"{name} has shape {dout.shape} but the forward output had shape {tuple(expected_shape)}")
    return dout


@finite_output("dout @ w.T or x.T @ dout overflows: dout or the cached x, w are too large; "
               "scale the loss or the inputs")
def dense_backward(dout, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the affine layer: dx = dout W^T, dW = x^T dout, db = sum_n dout.

    Parameters
    ----------
    dout : array_like, shape (N, H)
        Upstream gradient dL/dout.
    cache : tuple
        From :func:`dense_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (D, H)
    db : ndarray, shape (H,)
    """
    x, w = check_state(cache, "cache", tuple, "dense_forward", length=2)
    dout = as_float_array(dout, "dout", ndim=2)
    check_shapes(("cache[0] (x)", x, "N D"), ("cache[1] (w)", w, "D H"), ("dout", dout, "N H"))
    return kernels.dense_backward(dout, (x, w))  # dx (N, D), dw (D, H), db (H,)


def relu_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """ReLU: out = max(x, 0). ``x`` any shape -> ``out`` same shape; cache is ``x``."""
    return kernels.relu_forward(as_float_array(x, "x"))


def relu_backward(dout, cache) -> np.ndarray:
    """dx = dout * 1[x > 0] (the derivative at exactly 0 is taken as 0, like torch)."""
    x = as_float_array(cache, "cache")
    return kernels.relu_backward(_check_dout(dout, x.shape), x)


def sigmoid_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """Numerically stable sigmoid s = 1 / (1 + exp(-x)); cache is the *output* s.

    Uses exp(-|x|) <= 1 on both branches, so x = -1000 gives 0 without an overflow warning.
    """
    return kernels.sigmoid_forward(as_float_array(x, "x"))


def sigmoid_backward(dout, cache) -> np.ndarray:
    """dx = dout * s (1 - s), with s the cached sigmoid output (same shape as dout)."""
    s = check_bounds(as_float_array(cache, "cache"), "cache", low=0.0, high=1.0,
                     what="the sigmoid outputs returned by sigmoid_forward")
    return kernels.sigmoid_backward(_check_dout(dout, s.shape), s)


def tanh_forward(x) -> tuple[np.ndarray, np.ndarray]:
    """out = tanh(x); cache is the output t."""
    return kernels.tanh_forward(as_float_array(x, "x"))


def tanh_backward(dout, cache) -> np.ndarray:
    """dx = dout * (1 - t^2), with t the cached tanh output."""
    t = check_bounds(as_float_array(cache, "cache"), "cache", low=-1.0, high=1.0,
                     what="the tanh outputs returned by tanh_forward")
    return kernels.tanh_backward(_check_dout(dout, t.shape), t)


def _identity_forward(x):
    x = as_float_array(x, "x")
    return x, x.shape


def _identity_backward(dout, cache):
    return _check_dout(dout, cache)




#: name -> (forward, backward) for the activations with the cache API.
ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "identity": (_identity_forward, _identity_backward),
}
