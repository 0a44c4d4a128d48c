"""I averaged over axis=1, each sample's features.

Hint: BatchNorm keeps one mean and variance per feature, taken over the batch (axis 0).
"""

EXERCISE = "7.1"
EXPECT = r"LayerNorm|axis=0"

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
