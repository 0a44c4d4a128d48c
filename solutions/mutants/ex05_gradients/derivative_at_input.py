"""I evaluated sigma' at the unit's input h_{l-1} instead of at z_l = w_l h_{l-1}.

Hint: the derivative of sigma(z) is taken where sigma was applied: at z_l.
"""

EXERCISE = "5.3"
EXPECT = r"sigma' at z_l"

import numpy as np


def sigmoid_chain_grad(x, weights):
    h = np.asarray(x, dtype=np.float64)
    grad = np.ones_like(h)
    for w in weights:
        s_in = 1.0 / (1.0 + np.exp(-h))
        grad = grad * w * s_in * (1.0 - s_in)
        h = 1.0 / (1.0 + np.exp(-w * h))
    return grad
