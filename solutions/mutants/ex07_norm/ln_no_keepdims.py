"""I took x.mean(axis=-1) without keepdims, so the per-row means broadcast along the wrong axis.

Hint: the statistics of shape (N,) must become (N, 1) to subtract one mean per row.
"""

EXERCISE = "7.3"
EXPECT = r"keepdims|broadcast"

import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1)
    var = ((x - mu) ** 2).mean(axis=-1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
