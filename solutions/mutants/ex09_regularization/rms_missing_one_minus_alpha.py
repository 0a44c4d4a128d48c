"""I accumulated v = alpha * v + g**2.

Hint: it is a running AVERAGE: the new g**2 gets weight 1 - alpha.
"""

EXERCISE = "9.5"
EXPECT = r"weight \(1 - alpha\)"

import numpy as np


def rmsprop_step(p, g, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + g * g
    return p - lr * g / (np.sqrt(v) + eps), v
