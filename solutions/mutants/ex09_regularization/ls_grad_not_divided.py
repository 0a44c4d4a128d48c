"""My loss is the batch mean, but I forgot the 1/N in the gradient.

Hint: the gradient of a mean carries the same 1/N.
"""

EXERCISE = "9.3"
EXPECT = r"times too large"

import numpy as np


def label_smoothing_loss(logits, y, eps):
    n, c = logits.shape
    t = np.full((n, c), eps / c)
    t[np.arange(n), y] += 1.0 - eps
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-(t * log_p).sum() / n), np.exp(log_p) - t
