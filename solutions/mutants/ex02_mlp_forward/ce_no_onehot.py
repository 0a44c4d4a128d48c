"""I returned softmax / N as the gradient and forgot the one-hot target.

Hint: check the true class's entry: its gradient is (p - 1) / N, not p / N.
"""

EXERCISE = "2.3"
EXPECT = r"one-hot|-1"

import numpy as np


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(n), y])
    return float(loss), np.exp(log_probs) / n
