"""I clipped every array to max_norm on its own instead of using one global norm.

Hint: treat all gradients as ONE vector: one norm over everything, one common factor.
"""

EXERCISE = "5.1"
EXPECT = r"each array separately"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * min(1.0, max_norm / (np.linalg.norm(g) + eps)) for g in grads], total
