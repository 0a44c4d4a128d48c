"""I normalized with np.var(x, axis=0, ddof=1), the 'proper' sample variance.

Hint: the normalization divides by N (biased variance); only the running variance is unbiased.
"""

EXERCISE = "7.1"
EXPECT = r"unbiased"

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
