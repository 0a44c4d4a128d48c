"""I subtracted the largest logit of the whole batch instead of each row's own maximum.

Hint: check a batch whose rows have very different scales: shift each ROW by its own maximum.
"""

EXERCISE = "2.2"
EXPECT = r"nan/inf|ROW"

import numpy as np


def softmax(logits):
    e = np.exp(logits - np.max(logits))
    return e / np.sum(e, axis=-1, keepdims=True)
