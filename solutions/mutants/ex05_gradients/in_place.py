"""I scaled the gradient arrays in place and returned them.

Hint: build new arrays (g * scale); the caller's gradients must not change.
"""

EXERCISE = "5.1"
EXPECT = r"in place"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if total > max_norm:
        for g in grads:
            g *= max_norm / (total + eps)
    return grads, total
