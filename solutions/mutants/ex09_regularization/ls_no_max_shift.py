"""I computed log softmax as z - log(sum(exp(z))) without subtracting the row max.

Hint: exp(1000) overflows to inf; subtract each row's maximum first (it cancels).
"""

EXERCISE = "9.3"
EXPECT = r"non-finite|nan|inf"

import numpy as np


def label_smoothing_loss(logits, y, eps):
    n, c = logits.shape
    t = np.full((n, c), eps / c)
    t[np.arange(n), y] += 1.0 - eps
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-(t * log_p).sum() / n), (np.exp(log_p) - t) / n
