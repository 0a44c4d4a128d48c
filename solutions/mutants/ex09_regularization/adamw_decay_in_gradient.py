"""I added weight_decay * p to the gradient, the usual way to write weight decay.

Hint: that is Adam + L2; AdamW shrinks the parameter itself and keeps the decay out of g, m and v.
"""

EXERCISE = "9.1"
EXPECT = r"Adam \+ L2"

import numpy as np


def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = betas
    g = g + weight_decay * p
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v
