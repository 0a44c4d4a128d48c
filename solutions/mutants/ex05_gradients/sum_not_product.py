"""I added the local derivatives instead of multiplying them.

Hint: the chain rule multiplies one factor per link: dh_L/dh_0 = prod of dh_l/dh_{l-1}.
"""

EXERCISE = "5.3"
EXPECT = r"dh_L/dh_0.*differ|multipl"

import numpy as np


def sigmoid_chain_grad(x, weights):
    h = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(h)
    for w in weights:
        s = 1.0 / (1.0 + np.exp(-w * h))
        grad = grad + w * s * (1.0 - s)
        h = s
    return grad
