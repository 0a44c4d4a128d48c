"""I summed dgamma and dbeta over axis 0 only, as for a 2-D input.

Hint: for sequences (N, T, D), gamma is shared by every sample AND token: sum over all axes but the last.
"""

EXERCISE = "7.5"
EXPECT = r"dbeta|dgamma"

import numpy as np


def layernorm_backward(dout, x, gamma, eps=1e-5):
    D = x.shape[-1]
    inv_std = 1.0 / np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - x.mean(-1, keepdims=True)) * inv_std
    g = dout * gamma
    dx = inv_std / D * (D * g - g.sum(-1, keepdims=True) - x_hat * (g * x_hat).sum(-1, keepdims=True))
    return dx, (dout * x_hat).sum(0), dout.sum(0)
