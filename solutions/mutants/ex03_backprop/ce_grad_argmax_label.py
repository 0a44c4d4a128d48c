"""I turned the targets into one hard label per row (their argmax) and used softmax - onehot.

Hint: check soft targets: every class with a positive weight contributes, not just the largest.
"""

EXERCISE = "3.5"
EXPECT = r"dL/dlogits|differ|sums? to 1"

import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    p = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    onehot = np.eye(logits.shape[1])[np.argmax(targets, axis=1)]
    return (p - onehot) / logits.shape[0]
