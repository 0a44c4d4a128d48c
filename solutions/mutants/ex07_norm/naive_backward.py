"""I treated the mean and variance as constants: dx = dout * gamma / std.

Hint: in train mode every row's output depends on every input row through the batch statistics.
"""

EXERCISE = "7.2"
EXPECT = r"mean and the variance depend on x"

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return dout * gamma / np.sqrt(x.var(0) + eps), (dout * x_hat).sum(0), dout.sum(0)
