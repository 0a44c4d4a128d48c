"""I only subtracted the row mean of the gradient.

Hint: the sample's variance depends on x too; its term is x_hat * mean(g * x_hat).
"""

EXERCISE = "7.5"
EXPECT = r"VARIANCE"

import numpy as np


def layernorm_backward(dout, x, gamma, eps=1e-5):
    D = x.shape[-1]
    inv_std = 1.0 / np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - x.mean(-1, keepdims=True)) * inv_std
    g = dout * gamma
    dx = inv_std / D * (D * g - g.sum(-1, keepdims=True))
    lead = tuple(range(x.ndim - 1))
    return dx, (dout * x_hat).sum(lead), dout.sum(lead)
