"""Exercises for notebook 05 — vanishing and exploding gradients.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 05`` to check your work.
Imports allowed: numpy and torch (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    """Exercise 5.1 — global gradient-norm clipping (what ``torch.nn.utils.clip_grad_norm_`` does).

    Treat all the gradients as ONE long vector and clip its 2-norm to ``max_norm`` the way
    notebook 05 (§4, "Gradient clipping") and torch do, ``eps`` included: when the norm is
    larger than ``max_norm`` every array is scaled by one common factor; otherwise nothing
    changes.

    Parameters
    ----------
    grads : list of ndarray
        One gradient per parameter, any shapes, e.g. [(H, D), (H,), (C, H), (C,)].
    max_norm : float
        The largest allowed total norm.
    eps : float
        Added to the norm in the division (as torch does).

    Returns
    -------
    clipped : list of ndarray
        NEW arrays with the same shapes (do not modify ``grads`` in place).
    total : float
        The total norm BEFORE clipping.
    """
    # BEGIN SOLUTION 5.1
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    scale = max_norm / (total + eps) if total > max_norm else 1.0
    return [g * scale for g in grads], total
    # END SOLUTION 5.1


def layer_grad_norms(model, X, y):
    """Exercise 5.2 — a per-layer gradient-norm probe for a torch model.

    Run ONE forward pass of ``model`` on ``X``, compute the mean cross-entropy loss
    against the labels ``y`` (``torch.nn.functional.cross_entropy``), backpropagate, and
    return the Frobenius norm of the gradient of every ``torch.nn.Linear`` layer's
    ``weight``, in the order the layers appear in ``model.modules()``.

    Start from clean gradients (``model.zero_grad()``): gradients ACCUMULATE in ``.grad``,
    so a second call would otherwise add to the first.

    Parameters
    ----------
    model : torch.nn.Module
        e.g. ``nnbasics.lab.models.build_mlp(cfg)``; its output has shape (N, C).
    X : torch.Tensor, shape (N, D)
        Inputs, in the model's dtype.
    y : torch.Tensor of int64, shape (N,)
        Class labels in 0..C-1.

    Returns
    -------
    ndarray, shape (L,)
        ``||dLoss/dW_l||_F`` for each of the L linear layers, first layer first (float64).
    """
    # BEGIN SOLUTION 5.2
    import torch

    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return np.array([float(torch.linalg.norm(m.weight.grad)) for m in linears], dtype=np.float64)
    # END SOLUTION 5.2


def sigmoid_chain_grad(x, weights):
    """Exercise 5.3 — the gradient through a chain of sigmoid units, by the chain rule.

    The chain is h_0 = x and h_l = sigmoid(w_l * h_{l-1}) for l = 1..L (scalars, no bias).
    Return dh_L / dh_0 for every input in ``x`` at once (vectorised over N), exactly (no finite
    differences). Notebook 05 §2 explains the product; sigma' is exercise 4.1's.

    Parameters
    ----------
    x : ndarray, shape (N,)
        The inputs h_0.
    weights : ndarray, shape (L,)
        The weights w_1 .. w_L.

    Returns
    -------
    ndarray, shape (N,)
        dh_L/dh_0 for each input.
    """
    # BEGIN SOLUTION 5.3
    h = np.asarray(x, dtype=np.float64)
    grad = np.ones_like(h)
    for w in weights:
        s = 1.0 / (1.0 + np.exp(-w * h))  # (N,)
        grad = grad * w * s * (1.0 - s)
        h = s
    return grad
    # END SOLUTION 5.3


def rnn_state_jacobian(h0, W, b, T):
    """Exercise 5.4 — derive the Jacobian of a tanh recurrence after T steps.

    The recurrence (notebook 05, §4 "The recurrent case") is, for a single sequence,

        h_t = tanh(h_{t-1} @ W + b),  t = 1..T,

    with h_0 = ``h0``. Return the Jacobian of the last state with respect to the first,
    J[i, j] = d h_T[i] / d h_0[j] (the layout of ``torch.autograd.functional.jacobian``).
    Derive it with the chain rule; do not use finite differences. T = 0 means no step.

    Parameters
    ----------
    h0 : ndarray of float, shape (H,)
    W : ndarray of float, shape (H, H)
        The recurrent weights (not necessarily symmetric).
    b : ndarray of float, shape (H,)
    T : int >= 0

    Returns
    -------
    ndarray of float, shape (H, H)
        d h_T / d h_0. Do not modify the inputs.
    """
    # BEGIN SOLUTION 5.4
    h = np.asarray(h0, dtype=np.float64)
    J = np.eye(h.shape[0])  # dh_0/dh_0
    for _ in range(T):
        h = np.tanh(h @ W + b)  # (H,)
        J = ((1.0 - h**2)[:, None] * W.T) @ J  # dh_t/dh_{t-1} = diag(1 - h_t^2) W^T, times dh_{t-1}/dh_0
    return J
    # END SOLUTION 5.4
