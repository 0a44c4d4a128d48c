"""The unchecked numeric kernels: the one implementation of each small formula.

Public functions elsewhere in ``nnbasics.core`` *validate, then call a kernel*; the
from-scratch MLP validates once per call and then runs kernels in its training loop, where
per-call checks would cost more than the math. Kernels take numpy arrays that are already
float, of the right shapes, and never warn or overflow on finite input.

Shapes: N batch, D input features, H outputs of a layer, C classes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "softmax", "logsumexp", "dense_forward", "dense_backward",
           "relu_forward", "relu_backward", "sigmoid_forward", "sigmoid_backward",
           "tanh_forward", "tanh_backward", "identity_forward", "identity_backward", "ACTIVATIONS"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + e^{-x}), via e^{-|x|} <= 1 on both branches: no exp overflows.

    Same shape and dtype as ``x``.
    """
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def logsumexp(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log sum_j exp(z_j) = m + log sum_j exp(z_j - m), m = max_j z_j (``axis`` removed)."""
    m = np.max(z, axis=axis, keepdims=True)  # the largest exponent becomes exp(0) = 1
    return np.squeeze(m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)), axis=axis)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """p_j = exp(z_j - max z) / sum_k exp(z_k - max z); same shape as ``z``, slices sum to 1."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))  # exponents <= 0
    return e / np.sum(e, axis=axis, keepdims=True)


def dense_forward(x, w, b):
    """out = x w + b: x (N, D), w (D, H), b (H,) -> out (N, H), cache (x, w)."""
    return x @ w + b, (x, w)  # (N, D) @ (D, H) + (H,) -> (N, H)


def dense_backward(dout, cache):
    """dout (N, H) -> dx = dout w^T (N, D), dw = x^T dout (D, H), db = sum_n dout (H,)."""
    x, w = cache
    dx = dout @ w.T  # (N, H) @ (H, D) -> (N, D)
    dw = x.T @ dout  # (D, N) @ (N, H) -> (D, H)
    return dx, dw, dout.sum(axis=0)  # the bias was added to every row: its gradient sums them


def relu_forward(x):
    """out = max(x, 0); cache x."""
    return np.maximum(x, 0.0), x


def relu_backward(dout, x):
    """dx = dout * 1[x > 0] (the derivative at exactly 0 is taken as 0, like torch)."""
    return dout * (x > 0)


def sigmoid_forward(x):
    """s = sigmoid(x); cache s (the output is all the backward pass needs)."""
    s = sigmoid(x)
    return s, s


def sigmoid_backward(dout, s):
    """dx = dout * s (1 - s)."""
    return dout * s * (1.0 - s)


def tanh_forward(x):
    """t = tanh(x); cache t."""
    t = np.tanh(x)
    return t, t


def tanh_backward(dout, t):
    """dx = dout * (1 - t^2)."""
    return dout * (1.0 - t**2)


def identity_forward(x):
    """out = x; cache the shape."""
    return x, x.shape


def identity_backward(dout, shape):
    """dx = dout."""
    return dout


#: activation name -> (forward kernel, backward kernel) with the cache convention above.
ACTIVATIONS = {"relu": (relu_forward, relu_backward), "sigmoid": (sigmoid_forward, sigmoid_backward),
               "tanh": (tanh_forward, tanh_backward), "identity": (identity_forward, identity_backward)}
