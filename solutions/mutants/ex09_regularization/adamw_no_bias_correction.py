"""I skipped the bias correction: it only matters for the first few steps.

Hint: the first steps are exactly where it matters; divide m by 1 - beta1**t and v by 1 - beta2**t.
"""

EXERCISE = "9.1"
EXPECT = r"bias correction"

import numpy as np


def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    p = p * (1 - lr * weight_decay)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr * m / (np.sqrt(v) + eps), m, v
