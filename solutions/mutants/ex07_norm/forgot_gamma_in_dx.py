"""I pushed dout straight into the normalization's backward, without multiplying by gamma.

Hint: dL/dx_hat = dout * gamma, because out = gamma * x_hat + beta.
"""

EXERCISE = "7.2"
EXPECT = r"gamma is missing"

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    dx = inv_std / N * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)
