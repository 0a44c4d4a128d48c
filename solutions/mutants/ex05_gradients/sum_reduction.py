"""I used the summed cross-entropy instead of the mean.

Hint: F.cross_entropy averages over the batch by default; the contract asks for the mean loss.
"""

EXERCISE = "5.2"
EXPECT = r"N times too large|MEAN"

import numpy as np


def layer_grad_norms(model, X, y):
    import torch

    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y, reduction="sum")
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return np.array([float(torch.linalg.norm(m.weight.grad)) for m in linears], dtype=np.float64)
