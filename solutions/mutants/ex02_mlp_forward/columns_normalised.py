"""I summed over axis 0, so the columns sum to 1 instead of the rows.

Hint: check the axis: softmax normalises each row (one example's C logits), axis=-1.
"""

EXERCISE = "2.2"
EXPECT = r"softmax.*differ|row sums"

import numpy as np


def softmax(logits):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)
