"""I always rescaled to max_norm, so small gradients were scaled up.

Hint: clipping only ever shrinks: leave the gradients alone when their norm is below max_norm.
"""

EXERCISE = "5.1"
EXPECT = r"scaled gradients UP"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * (max_norm / (total + eps)) for g in grads], total
