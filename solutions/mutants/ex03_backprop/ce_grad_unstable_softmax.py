"""I computed the softmax as exp(z) / sum(exp(z)), without shifting.

Hint: check logits of +-1000: shift each row by its maximum before np.exp.
"""

EXERCISE = "3.5"
EXPECT = r"not finite|overflow"

import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    return (p * targets.sum(axis=1, keepdims=True) - targets) / logits.shape[0]
