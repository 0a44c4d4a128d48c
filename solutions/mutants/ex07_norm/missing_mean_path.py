"""I back-propagated through the variance but forgot that the mean depends on x too.

Hint: x reaches d = x - mu directly and through mu; add both paths.
"""

EXERCISE = "7.2"
EXPECT = r"MEAN"

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    g = dout * gamma
    dx = inv_std / N * (N * g - x_hat * (g * x_hat).sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)
