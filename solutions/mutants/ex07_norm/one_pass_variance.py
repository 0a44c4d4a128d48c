"""I computed the variance as mean(x**2) - mean(x)**2, one pass over the data.

Hint: with a large mean and a small spread that difference cancels catastrophically; use mean((x - mu)**2).
"""

EXERCISE = "7.1"
EXPECT = r"catastrophic|precision"

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = (x ** 2).mean(axis=0) - mu ** 2
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
