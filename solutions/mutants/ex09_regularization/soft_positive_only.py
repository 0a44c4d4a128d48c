"""I wrote max(w - t, 0), the formula I remembered for the positive side.

Hint: the problem is symmetric: negative w must move towards 0 as well.
"""

EXERCISE = "9.4"
EXPECT = r"negative entries"

import numpy as np


def soft_threshold(w, t):
    return np.maximum(np.asarray(w, dtype=float) - t, 0.0)
