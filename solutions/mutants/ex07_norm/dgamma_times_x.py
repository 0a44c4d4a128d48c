"""I computed dgamma as the sum of dout * x.

Hint: gamma multiplies x_hat, the normalized input, so dgamma = sum(dout * x_hat).
"""

EXERCISE = "7.2"
EXPECT = r"dgamma"

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    g = dout * gamma
    dx = inv_std / N * (N * g - g.sum(0) - x_hat * (g * x_hat).sum(0))
    return dx, (dout * x).sum(0), dout.sum(0)
