"""I added up the arrays' norms instead of taking the norm of all entries together.

Hint: the global norm is sqrt(sum of every squared entry), not the sum of the per-array norms.
"""

EXERCISE = "5.1"
EXPECT = r"sum of the arrays' norms"

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total = float(sum(np.linalg.norm(g) for g in grads))
    scale = max_norm / (total + eps) if total > max_norm else 1.0
    return [g * scale for g in grads], total
