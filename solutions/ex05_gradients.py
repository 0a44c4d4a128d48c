"""Exercises for notebook 05 — vanishing and exploding gradients.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 05`` to check your work.
Imports allowed: numpy and torch (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    """Exercise 5.1 — global gradient-norm clipping (what ``torch.nn.utils.clip_grad_norm_`` does).

    Treat all the gradients as ONE long vector. Compute its 2-norm
    ``total = sqrt(sum over arrays of sum(g**2))``. If ``total > max_norm``, multiply
    EVERY array by the same factor ``max_norm / (total + eps)``; otherwise leave them as they are.

    Parameters
    ----------
    grads : list of ndarray
        One gradient per parameter, any shapes, e.g. [(H, D), (H,), (C, H), (C,)].
    max_norm : float
        The largest allowed total norm.
    eps : float
        Added to ``total`` in the division (as torch does).

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
    """Exercise 5.3 — the gradient through a chain of sigmoid units, as a product of local derivatives.

    The chain is h_0 = x and h_l = sigmoid(w_l * h_{l-1}) for l = 1..L (scalars, no bias).
    By the chain rule

        dh_L / dh_0 = prod_l  w_l * sigmoid'(w_l * h_{l-1}),   sigmoid'(z) = s (1 - s), s = sigmoid(z).

    Compute it for every input in ``x`` at once (vectorised over N).

    Parameters
    ----------
    x : ndarray, shape (N,)
        The inputs h_0.
    weights : ndarray, shape (L,)
        The weights w_1 .. w_L.

    Returns
    -------
    ndarray, shape (N,)
        dh_L/dh_0 for each input. Each local factor is at most 0.25 |w_l|, so the result
        is at most 0.25**L * prod|w_l| in absolute value.
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
