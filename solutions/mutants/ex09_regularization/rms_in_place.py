"""I updated v in place, like a real optimizer's state buffer.

Hint: return a new v; the caller's array must not change.
"""

EXERCISE = "9.5"
EXPECT = r"in place"

import numpy as np


def rmsprop_step(p, g, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v *= alpha
    v += (1.0 - alpha) * g * g
    return p - lr * g / (np.sqrt(v) + eps), v
