"""I treated the row mean and standard deviation as constants.

Hint: each row's statistics depend on every entry of that row.
"""

EXERCISE = "7.5"
EXPECT = r"depend on x"

import numpy as np


def layernorm_backward(dout, x, gamma, eps=1e-5):
    inv_std = 1.0 / np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - x.mean(-1, keepdims=True)) * inv_std
    lead = tuple(range(x.ndim - 1))
    return dout * gamma * inv_std, (dout * x_hat).sum(lead), dout.sum(lead)
