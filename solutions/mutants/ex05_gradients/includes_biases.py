"""I returned a norm for every parameter, biases included.

Hint: one norm per nn.Linear layer, of its weight only.
"""

EXERCISE = "5.2"
EXPECT = r"not the biases"

import numpy as np


def layer_grad_norms(model, X, y):
    import torch

    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    return np.array([float(torch.linalg.norm(p.grad)) for p in model.parameters()], dtype=np.float64)
