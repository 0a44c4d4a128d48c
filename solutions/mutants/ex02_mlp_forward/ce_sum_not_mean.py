"""I summed the per-example losses instead of averaging them.

Hint: check the loss value: cross-entropy is the MEAN over the N rows (torch's default).
"""

EXERCISE = "2.3"
EXPECT = r"N times too large|mean"

import numpy as np


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(n), y])
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n
