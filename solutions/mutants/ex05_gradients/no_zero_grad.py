"""I did not zero the gradients, so a second call adds to the first.

Hint: .grad accumulates across backward() calls: call model.zero_grad() first.
"""

EXERCISE = "5.2"
EXPECT = r"zero_grad"

import numpy as np


def layer_grad_norms(model, X, y):
    import torch

    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return np.array([float(torch.linalg.norm(m.weight.grad)) for m in linears], dtype=np.float64)
