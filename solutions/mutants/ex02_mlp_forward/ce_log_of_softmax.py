"""I took np.log of the softmax probabilities, which underflow to 0 for very negative logits.

Hint: check logits of +-1000: compute the log-probabilities directly as z - max - log(sum(exp(z - max))).
"""

EXERCISE = "2.3"
EXPECT = r"not finite|stable|log-softmax"

import numpy as np


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y]))
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n
