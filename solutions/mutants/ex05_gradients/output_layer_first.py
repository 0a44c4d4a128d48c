"""I listed the layers from the output back to the input (the order backprop visits them).

Hint: the contract is first layer first, as the layers appear in model.modules().
"""

EXERCISE = "5.2"
EXPECT = r"reversed|first layer first"

import numpy as np


def layer_grad_norms(model, X, y):
    import torch

    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return np.array([float(torch.linalg.norm(m.weight.grad)) for m in linears[::-1]], dtype=np.float64)
