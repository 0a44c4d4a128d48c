"""Exercises for notebook 03 — backprop by hand.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 03`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def dense_backward(dout, cache):
    """Exercise 3.1 — the backward pass of the dense layer out = x @ w + b (§3, the cache API).

    Parameters
    ----------
    dout : ndarray, shape (N, H)
        Upstream gradient dL/dout.
    cache : tuple
        ``(x, w)`` with x (N, D) and w (D, H), as stored by the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, D)
        dL/dx
    dw : ndarray, shape (D, H)
        dL/dw
    db : ndarray, shape (H,)
        dL/db
    """
    # BEGIN SOLUTION 3.1
    x, w = cache
    dx = dout @ w.T  # (N, H) @ (H, D) -> (N, D)
    dw = x.T @ dout  # (D, N) @ (N, H) -> (D, H)
    db = dout.sum(axis=0)  # (H,)
    return dx, dw, db
    # END SOLUTION 3.1


def sigmoid_neuron_grads(x, w, b, y):
    """Exercise 3.2 — the gradients of one sigmoid neuron's binary cross-entropy (§2).

    z = x @ w + b, y_hat = sigmoid(z), L = mean over the N rows of
    -y log y_hat - (1 - y) log(1 - y_hat).

    Parameters
    ----------
    x : ndarray, shape (N, D)
    w : ndarray, shape (D,)
    b : float
    y : ndarray, shape (N,), values 0 or 1

    Returns
    -------
    dw : ndarray, shape (D,)
        dL/dw
    db : float
        dL/db
    """
    # BEGIN SOLUTION 3.2
    z = x @ w + b  # (N,)
    y_hat = 1.0 / (1.0 + np.exp(-z))
    dz = (y_hat - y) / x.shape[0]  # (N,)
    return x.T @ dz, float(np.sum(dz))
    # END SOLUTION 3.2


def two_layer_backward(Y, cache, W2):
    """Exercise 3.3 — the backward pass of a two-layer ReLU network with softmax cross-entropy (§3).

    The forward pass was Z1 = X W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2, Y_hat = softmax(Z2),
    and the loss L is the mean cross-entropy over the N rows.

    Parameters
    ----------
    Y : ndarray, shape (N, C)
        One-hot targets.
    cache : dict
        ``"X"`` (N, D), ``"Z1"`` (N, H), ``"A1"`` (N, H), ``"Y_hat"`` (N, C).
    W2 : ndarray, shape (H, C)

    Returns
    -------
    grads : dict
        ``"W1"`` (D, H), ``"b1"`` (H,), ``"W2"`` (H, C), ``"b2"`` (C,): dL/dW1, dL/db1, dL/dW2, dL/db2.
    """
    # BEGIN SOLUTION 3.3
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    N = X.shape[0]
    dZ2 = (Y_hat - Y) / N  # (N, C)
    dW2 = A1.T @ dZ2  # (H, C)
    db2 = dZ2.sum(axis=0)  # (C,)
    dA1 = dZ2 @ W2.T  # (N, H)
    dZ1 = dA1 * (Z1 > 0)  # (N, H)
    dW1 = X.T @ dZ1  # (D, H)
    db1 = dZ1.sum(axis=0)  # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    # END SOLUTION 3.3


def numerical_gradient(f, x, h=1e-5):
    """Exercise 3.4 — the central-difference gradient of §4, element by element.

    ``f`` takes no arguments and reads ``x``, so perturb ``x`` in place (by +h and by -h, one
    element at a time) — and put each element back!

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


def softmax_cross_entropy_grad(logits, targets):
    """Exercise 3.5 — derive it: the gradient of softmax cross-entropy with respect to the logits.

    Row i has logits z_i (C numbers) and non-negative target weights T_i; its loss is
    L_i = -sum_j T_ij log softmax(z_i)_j, and L = mean over the N rows. With one-hot rows this
    is §3's cross-entropy; soft labels (rows summing to 1, e.g. label smoothing) and rows that
    do NOT sum to 1 (per-example weights) are allowed too, so derive the general case — §2b
    gives the two facts you need.

    Parameters
    ----------
    logits : ndarray of float64, shape (N, C)
        Any finite values, as large as +-1000.
    targets : ndarray of float64, shape (N, C)
        Non-negative.

    Returns
    -------
    dlogits : ndarray, shape (N, C)
        dL/dlogits of the *mean* loss.
    """
    # BEGIN SOLUTION 3.5
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # (N, C), every exponent <= 0
    p = np.exp(shifted)
    p /= np.sum(p, axis=1, keepdims=True)  # softmax, (N, C)
    weight = np.sum(targets, axis=1, keepdims=True)  # (N, 1): sum_j T_ij, 1 for one-hot rows
    return (p * weight - targets) / logits.shape[0]
    # END SOLUTION 3.5
