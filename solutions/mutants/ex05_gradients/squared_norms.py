"""I returned the squared norms (the sum of squares without the square root).

Hint: the Frobenius norm is the square root of the sum of squared entries.
"""

EXERCISE = "5.2"
EXPECT = r"squared"

import numpy as np


def layer_grad_norms(model, X, y):
    import torch

    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return np.array([float((m.weight.grad**2).sum()) for m in linears], dtype=np.float64)
