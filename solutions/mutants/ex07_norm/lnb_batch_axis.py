"""I reused my BatchNorm backward unchanged (sums over axis 0).

Hint: LayerNorm's statistics are per sample: its sums run over the last axis.
"""

EXERCISE = "7.5"
EXPECT = r"wrong axis|features"

import numpy as np


def layernorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(0) + eps)
    x_hat = (x - x.mean(0)) * inv_std
    g = dout * gamma
    dx = inv_std / N * (N * g - g.sum(0) - x_hat * (g * x_hat).sum(0))
    x_hat_ln = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    lead = tuple(range(x.ndim - 1))
    return dx, (dout * x_hat_ln).sum(lead), dout.sum(lead)
