"""I shifted the logits in place (logits -= max), which changes the caller's array.

Hint: check that the logits you were given are unchanged: write shifted = logits - max instead.
"""

EXERCISE = "2.3"
EXPECT = r"in place"

import numpy as np


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    logits -= np.max(logits, axis=1, keepdims=True)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y])
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n
