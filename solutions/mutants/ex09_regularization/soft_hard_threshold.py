"""I zeroed the entries with |w| <= t and kept the others as they were.

Hint: that is hard thresholding; the L1 minimizer also shrinks the survivors by t.
"""

EXERCISE = "9.4"
EXPECT = r"hard thresholding"

import numpy as np


def soft_threshold(w, t):
    w = np.asarray(w, dtype=float)
    return np.where(np.abs(w) > t, w, 0.0)
