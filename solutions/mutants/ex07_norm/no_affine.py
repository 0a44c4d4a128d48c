"""I returned the normalized x and forgot the learned scale and shift.

Hint: out = gamma * x_hat + beta.
"""

EXERCISE = "7.1"
EXPECT = r"gamma and beta"

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    return (x - mu) / np.sqrt(x.var(axis=0) + eps)
