"""I took the absolute value, as for a distance, and lost the side.

Hint: check the sign: points on the side labelled 0 get a negative distance.
"""

EXERCISE = "1.4"
EXPECT = r"negative|sign"

import numpy as np


def signed_distance(X, w, b):
    return np.abs(X @ w + b) / np.linalg.norm(w)
