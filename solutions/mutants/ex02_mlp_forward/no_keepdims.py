"""I forgot keepdims=True, so the row maxima do not broadcast against the rows.

Hint: check the shapes of the max and the sum: (N, 1) broadcasts against (N, C), (N,) does not.
"""

EXERCISE = "2.2"
EXPECT = r"broadcast|shape"

import numpy as np


def softmax(logits):
    shifted = logits - np.max(logits, axis=-1)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1)
