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
        (X_train - mean) / std with mean and std of X_train per feature (std = 1 where a
        feature is constant, so it stays 0 instead of becoming NaN).
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
