"""I returned the norm after clipping instead of the norm before.

Hint: like torch, return the total norm measured BEFORE clipping (it is what you log).
"""

EXERCISE = "5.1"
EXPECT = r"BEFORE clipping"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    scale = max_norm / (total + eps) if total > max_norm else 1.0
    clipped = [g * scale for g in grads]
    return clipped, float(np.sqrt(sum(np.sum(c**2) for c in clipped)))
