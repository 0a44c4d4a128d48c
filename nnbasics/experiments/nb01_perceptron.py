"""Notebook 01's measured demos: why Novikoff's bound needs the augmented inputs, and XOR solved by a
two-layer torch network."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    check_float,
    check_int,
    check_rng,
)
from nnbasics.core import perceptron

__all__ = ['shifted_margin_demo', 'fit_torch_xor']


def shifted_margin_demo(n: int = 10, shift: float = 10.0, *, rng=6, epochs: int = 20_000) -> dict:
    """Separable points far from the origin: Novikoff's bound holds only with augmented inputs.

    ``n`` points uniform in [-1, 1]^2 with |x1| >= 0.1, labelled by x1 > 0, then moved
    ``shift`` along x1; the separator is w* = (1, 0), b* = -shift. The perceptron (zero start,
    rows in order) is compared with two versions of (R / gamma)^2: the *naive* one with
    R = max ||x|| and the geometric margin min |w*.x + b*| / ||w*||, and the correct one on
    the augmented inputs (x, 1) (:func:`nnbasics.core.perceptron.mistake_bound`).

    Parameters
    ----------
    n : int >= 2
        Number of points N.
    shift : float in [0, 1000]
        Distance the data are moved from the origin (beyond that the mistakes run into the
        millions; far beyond, float64 rounding erases the 0.1 gap around the separator).
    rng : numpy Generator or int
        Draws the points.
    epochs : int >= 1
        Maximum epochs of training.

    Returns
    -------
    dict
        ``X`` (N, 2), ``y`` (N,), ``mistakes`` int (total), ``converged`` bool,
        ``naive_bound`` float, ``augmented_bound`` float.
    """
    n = check_int(n, "n", minimum=2)
    shift = check_float(shift, "shift", minimum=0.0, maximum=1000.0)
    rng = check_rng(rng)
    epochs = check_int(epochs, "epochs", minimum=1)
    X = np.empty((0, 2))
    while len(X) < n:  # rejection sampling: keep a gap of 0.1 on each side of x1 = 0
        cand = rng.uniform(-1.0, 1.0, size=(4 * n, 2))
        X = np.vstack([X, cand[np.abs(cand[:, 0]) >= 0.1]])
    X = X[:n]
    y = (X[:, 0] > 0).astype(np.int64)
    X[:, 0] += shift
    w_star, b_star = np.array([1.0, 0.0]), -shift
    hist = perceptron.train(X, y, lr=1.0, epochs=epochs)
    R = np.max(np.linalg.norm(X, axis=1))
    gamma = np.min(np.abs(X @ w_star + b_star)) / np.linalg.norm(w_star)
    return {"X": X, "y": y, "mistakes": int(sum(hist.mistakes)), "converged": hist.converged,
            "naive_bound": float((R / gamma) ** 2),
            "augmented_bound": perceptron.mistake_bound(X, w_star, b_star)}


def fit_torch_xor(*, hidden: int = 4, epochs: int = 600, lr: float = 0.1, seed: int = 0) -> dict:
    """Train a tiny torch MLP (2 -> hidden -> 1, tanh, BCE with logits, Adam) on XOR.

    Parameters
    ----------
    hidden : int
        Hidden width H.
    epochs : int
        Full-batch steps.
    lr : float
        Adam learning rate.
    seed : int
        ``torch.manual_seed`` for the initial weights (a local generator, not global state).

    Returns
    -------
    dict
        ``losses`` (list of float, one per epoch), ``predictions`` (4,) int64,
        ``probabilities`` (4,) float64 and ``model`` (the torch module).
    """
    import torch

    from nnbasics.lab.train import TrainConfig, fit

    hidden = check_int(hidden, "hidden", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    check_int(seed, "seed")
    gen = torch.Generator().manual_seed(seed)
    from nnbasics.data import xor

    X_np, y_np = xor()
    model = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
    with torch.no_grad():
        for layer in (model[0], model[2]):  # torch's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
            bound = 1.0 / np.sqrt(layer.in_features)  # re-drawn from our generator: reproducible
            layer.weight.uniform_(-bound, bound, generator=gen)
            layer.bias.uniform_(-bound, bound, generator=gen)
    hist = fit(model, X_np, y_np, cfg=TrainConfig(loss="bce", optimizer="adam", lr=lr, epochs=epochs,
                                                  batch_size=len(X_np), seed=seed, threads=1))
    losses = hist.train_loss  # full batch: the loss before each of the `epochs` updates
    X = torch.tensor(X_np, dtype=torch.float32)
    with torch.no_grad():
        prob = torch.sigmoid(model(X).squeeze(1)).double().numpy()
    return {"losses": losses, "probabilities": prob, "predictions": (prob >= 0.5).astype(np.int64),
            "model": model}
