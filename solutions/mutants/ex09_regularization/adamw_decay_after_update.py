"""I shrank the parameter after the Adam update instead of before.

Hint: torch decays the old p, then applies the Adam step.
"""

EXERCISE = "9.1"
EXPECT = r"OLD p"

import numpy as np


def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p * (1 - lr * weight_decay), m, v
