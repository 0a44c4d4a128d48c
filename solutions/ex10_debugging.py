"""Exercises for notebook 10 — debugging a network.

Each function below has a *broken* version in its docstring, taken from a real-looking
training script. Write the fixed version, then run ``python -m nnbasics grade 10``.
Imports allowed: numpy and torch (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np
import torch
import torch.nn.functional as F


def train_step(model, opt, xb, yb):
    """Exercise 10.1 — one correct training step for a classifier.

    The broken script did::

        out = torch.softmax(model(xb), dim=1)   # bug 1: probabilities into the loss
        loss = F.cross_entropy(out, yb)
        loss.backward()                          # bug 2: gradients never zeroed
        opt.step()

    Parameters
    ----------
    model : torch.nn.Module
        Maps xb (B, D) to logits (B, C).
    opt : torch.optim.Optimizer
        Optimizer over ``model.parameters()``.
    xb : torch.Tensor, shape (B, D)
    yb : torch.Tensor of int64, shape (B,)

    Returns
    -------
    float
        The mini-batch loss (before the update), as a Python float.
    """
    # BEGIN SOLUTION 10.1
    opt.zero_grad()
    logits = model(xb)  # (B, C)
    loss = F.cross_entropy(logits, yb)
    loss.backward()
    opt.step()
    return loss.item()
    # END SOLUTION 10.1


def standardize_train_only(X_train, X_val):
    """Exercise 10.2 — scale both splits with the training statistics only.

    The broken script did::

        X_all = np.vstack([X_train, X_val])
        mean, std = X_all.mean(0), X_all.std(0)   # bug: validation data leak into the scaler

    Parameters
    ----------
    X_train : ndarray, shape (N, D)
    X_val : ndarray, shape (M, D)

    Returns
    -------
    X_train_s : ndarray, shape (N, D)
        (X_train - mean) / std with the mean and the standard deviation of X_train per feature
        (the population std, dividing by N as numpy's default and ``nnbasics.data.standardize``
        do; std = 1 where a feature is constant, so it stays 0 instead of becoming NaN).
    X_val_s : ndarray, shape (M, D)
        X_val scaled with the *same* mean and std. Do not modify the inputs.
    """
    # BEGIN SOLUTION 10.2
    mean = X_train.mean(axis=0)  # (D,)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_val - mean) / std
    # END SOLUTION 10.2


def eval_accuracy(model, X, y):
    """Exercise 10.3 — accuracy of a model with dropout/BatchNorm, measured correctly.

    The broken script did::

        acc = (model(X).argmax(1) == y).float().mean().item()   # bug: still in training mode

    Put the model in eval mode and disable gradient tracking while predicting, then restore
    the mode the model was in (``model.training``) before returning.

    Parameters
    ----------
    model : torch.nn.Module
        Maps X (N, D) to logits (N, C).
    X : torch.Tensor, shape (N, D)
    y : torch.Tensor of int64, shape (N,)

    Returns
    -------
    float
        Fraction of rows whose arg-max logit equals y.
    """
    # BEGIN SOLUTION 10.3
    was_training = model.training
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).double().mean().item()
    model.train(was_training)
    return acc
    # END SOLUTION 10.3


def roc_auc(y_true, scores):
    """Exercise 10.4 — the area under the ROC curve (notebook 10, §4).

    For binary labels and real-valued scores (higher = more likely positive), return the area
    under the ROC curve: the true-positive rate plotted against the false-positive rate as the
    threshold sweeps over every score. Tied scores move both rates at once (the curve takes a
    diagonal step there). Derive a way to compute it; the notebook's ROC plot and
    ``nnbasics.core.metrics.roc_curve`` show what the curve is.

    Parameters
    ----------
    y_true : ndarray of int, shape (N,)
        0/1 labels, at least one of each.
    scores : ndarray of float, shape (N,)

    Returns
    -------
    float
        In [0, 1]; 0.5 for scores that carry no information, 1 for a perfect ranking.
    """
    # BEGIN SOLUTION 10.4
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    # the area = P(a random positive outranks a random negative), a tie counting one half
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (pos.size * neg.size))
    # END SOLUTION 10.4
