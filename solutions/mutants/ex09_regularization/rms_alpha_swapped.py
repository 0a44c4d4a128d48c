"""I gave the new squared gradient the weight alpha.

Hint: alpha (0.99) is the weight of the OLD average, as in torch.
"""

EXERCISE = "9.5"
EXPECT = r"OLD average"

import numpy as np


def rmsprop_step(p, g, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = (1.0 - alpha) * v + alpha * g * g
    return p - lr * g / (np.sqrt(v) + eps), v
