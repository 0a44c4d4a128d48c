"""I wrote sqrt(v + eps) in the denominator.

Hint: torch.optim.RMSprop adds eps outside the square root.
"""

EXERCISE = "9.5"
EXPECT = r"OUTSIDE the square root"

import numpy as np


def rmsprop_step(p, g, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1.0 - alpha) * g * g
    return p - lr * g / np.sqrt(v + eps), v
