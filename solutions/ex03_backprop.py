"""Exercises for notebook 03 — backprop by hand.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 03`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def dense_backward(dout, cache):
    """Exercise 3.1 — gradients of out = x @ w + b.

    Parameters
    ----------
    dout : ndarray, shape (N, H)
        Upstream gradient dL/dout.
    cache : tuple
        ``(x, w)`` with x (N, D) and w (D, H), as stored by the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, D)
        dout @ w.T
    dw : ndarray, shape (D, H)
        x.T @ dout (match the shapes: that tells you where the transposes go)
    db : ndarray, shape (H,)
        dout summed over the batch
    """
    # BEGIN SOLUTION 3.1
    x, w = cache
    dx = dout @ w.T  # (N, H) @ (H, D) -> (N, D)
    dw = x.T @ dout  # (D, N) @ (N, H) -> (D, H)
    db = dout.sum(axis=0)  # (H,)
    return dx, dw, db
    # END SOLUTION 3.1


def sigmoid_neuron_grads(x, w, b, y):
    """Exercise 3.2 — one sigmoid neuron with binary cross-entropy, averaged over the batch.

    z = x @ w + b, y_hat = sigmoid(z), L = mean(-y log y_hat - (1 - y) log(1 - y_hat)).
    The chain rule collapses to dL/dz_i = (y_hat_i - y_i) / N.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    w : ndarray, shape (D,)
    b : float
    y : ndarray, shape (N,), values 0 or 1

    Returns
    -------
    dw : ndarray, shape (D,)
        x.T @ (y_hat - y) / N
    db : float
        mean(y_hat - y)
    """
    # BEGIN SOLUTION 3.2
    z = x @ w + b  # (N,)
    y_hat = 1.0 / (1.0 + np.exp(-z))
    dz = (y_hat - y) / x.shape[0]  # (N,)
    return x.T @ dz, float(np.sum(dz))
    # END SOLUTION 3.2


def two_layer_backward(Y, cache, W2):
    """Exercise 3.3 — the backward pass of a two-layer ReLU network with softmax cross-entropy.

    The forward pass was Z1 = X W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2, Y_hat = softmax(Z2),
    and the loss is the mean over the batch of B rows. Then:
    dZ2 = (Y_hat - Y) / B, dW2 = A1^T dZ2, db2 = sum_rows dZ2, dA1 = dZ2 W2^T,
    dZ1 = dA1 * (Z1 > 0), dW1 = X^T dZ1, db1 = sum_rows dZ1.

    Parameters
    ----------
    Y : ndarray, shape (B, C)
        One-hot targets.
    cache : dict
        ``"X"`` (B, D), ``"Z1"`` (B, H), ``"A1"`` (B, H), ``"Y_hat"`` (B, C).
    W2 : ndarray, shape (H, C)

    Returns
    -------
    grads : dict
        ``"W1"`` (D, H), ``"b1"`` (H,), ``"W2"`` (H, C), ``"b2"`` (C,).
    """
    # BEGIN SOLUTION 3.3
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    B = X.shape[0]
    dZ2 = (Y_hat - Y) / B  # (B, C)
    dW2 = A1.T @ dZ2  # (H, C)
    db2 = dZ2.sum(axis=0)  # (C,)
    dA1 = dZ2 @ W2.T  # (B, H)
    dZ1 = dA1 * (Z1 > 0)  # (B, H)
    dW1 = X.T @ dZ1  # (D, H)
    db1 = dZ1.sum(axis=0)  # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    # END SOLUTION 3.3


def numerical_gradient(f, x, h=1e-5):
    """Exercise 3.4 — central-difference gradient of a scalar function.

    For every element i: (f() with x[i] + h  -  f() with x[i] - h) / (2 h). ``f`` takes no
    arguments and reads ``x``, so change ``x`` in place — and put each element back!

    Parameters
    ----------
    f : callable
        ``f() -> float``.
    x : ndarray of float64, any shape
    h : float

    Returns
    -------
    grad : ndarray, same shape as x
    """
    # BEGIN SOLUTION 3.4
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
    # END SOLUTION 3.4
