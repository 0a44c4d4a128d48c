"""I wrote the gradient as target minus prediction.

Hint: check the sign: raising the logit of a heavily weighted class must lower the loss.
"""

EXERCISE = "3.5"
EXPECT = r"sign"

import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    p = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    return (targets - p * targets.sum(axis=1, keepdims=True)) / logits.shape[0]
