"""I spread eps over the C - 1 wrong classes and gave the true class 1 - eps.

Hint: torch gives eps / C to every class, the true one included.
"""

EXERCISE = "9.3"
EXPECT = r"wrong classes"

import numpy as np


def label_smoothing_loss(logits, y, eps):
    n, c = logits.shape
    t = np.full((n, c), eps / (c - 1))
    t[np.arange(n), y] = 1.0 - eps
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-(t * log_p).sum() / n), (np.exp(log_p) - t) / n
