"""I used the unbiased variance over the features (ddof=1).

Hint: LayerNorm divides by D, like torch.
"""

EXERCISE = "7.3"
EXPECT = r"UNBIASED"

import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
