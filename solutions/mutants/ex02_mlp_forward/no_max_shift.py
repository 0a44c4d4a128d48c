"""I computed exp(z) / sum(exp(z)) directly, without the shift.

Hint: check logits of 1000: exp overflows to inf unless each row is shifted first.
"""

EXERCISE = "2.2"
EXPECT = r"nan/inf|overflow"

import numpy as np


def softmax(logits):
    e = np.exp(logits)
    return e / np.sum(e, axis=-1, keepdims=True)
