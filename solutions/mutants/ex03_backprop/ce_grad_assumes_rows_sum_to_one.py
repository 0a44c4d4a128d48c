"""I used the familiar (softmax - targets) / N, which assumes every row of the targets sums to 1.

Hint: redo the derivation with weights T_ij: the softmax term is multiplied by the row's total weight.
"""

EXERCISE = "3.5"
EXPECT = r"sums? to 1"

import numpy as np


def softmax_cross_entropy_grad(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    p = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    return (p - targets) / logits.shape[0]
