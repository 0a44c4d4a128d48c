"""I shrank w in place and returned it.

Hint: build a new array; the caller's w must not change (and integer w needs a float result).
"""

EXERCISE = "9.4"
EXPECT = r"in place|dtype"

import numpy as np


def soft_threshold(w, t):
    w[...] = np.sign(w) * np.maximum(np.abs(w) - t, 0)
    return w
