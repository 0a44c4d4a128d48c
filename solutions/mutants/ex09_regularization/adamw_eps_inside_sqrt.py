"""I put eps inside the square root, sqrt(v_hat + eps).

Hint: torch adds eps outside: sqrt(v_hat) + eps.
"""

EXERCISE = "9.1"
EXPECT = r"eps belongs outside"

import numpy as np


def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    p = p * (1 - lr * weight_decay)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps), m, v
