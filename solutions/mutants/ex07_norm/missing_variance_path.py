"""I subtracted the mean's gradient but treated the standard deviation as a constant.

Hint: the variance is computed from x as well; its gradient is the x_hat * sum(g * x_hat) term.
"""

EXERCISE = "7.2"
EXPECT = r"VARIANCE"

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    g = dout * gamma
    dx = inv_std / N * (N * g - g.sum(0))
    return dx, (dout * x_hat).sum(0), dout.sum(0)
