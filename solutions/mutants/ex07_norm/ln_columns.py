"""I copied my BatchNorm and normalized over axis 0.

Hint: LayerNorm normalizes each sample over its own features (the last axis).
"""

EXERCISE = "7.3"
EXPECT = r"COLUMN|BatchNorm"

import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
