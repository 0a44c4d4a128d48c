"""Notebook 01's measured demos: the same XOR problem solved by a two-layer torch network."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    check_float,
    check_int,
)

__all__ = ['fit_torch_xor']


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
        for p in model.parameters():  # re-draw the default init from our generator: reproducible
            bound = 1.0 / np.sqrt(p.shape[-1] if p.ndim > 1 else hidden)
            p.uniform_(-bound, bound, generator=gen)
    hist = fit(model, X_np, y_np, cfg=TrainConfig(loss="bce", optimizer="adam", lr=lr, epochs=epochs,
                                                  batch_size=len(X_np), seed=seed, threads=1))
    losses = hist.train_loss  # full batch: the loss before each of the `epochs` updates
    X = torch.tensor(X_np, dtype=torch.float32)
    with torch.no_grad():
        prob = torch.sigmoid(model(X).squeeze(1)).double().numpy()
    return {"losses": losses, "probabilities": prob, "predictions": (prob >= 0.5).astype(np.int64),
            "model": model}
