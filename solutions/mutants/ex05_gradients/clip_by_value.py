"""I clipped every entry to [-max_norm, max_norm] (clipping by value).

Hint: norm clipping rescales the whole update and keeps its direction; it never cuts single entries.
"""

EXERCISE = "5.1"
EXPECT = r"by value|each entry"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], total
