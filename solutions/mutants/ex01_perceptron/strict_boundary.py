"""I used z > 0, so a point exactly on the line gets class 0.

Hint: check what step(0) is in §1: a point on the line (z = 0) belongs to class 1.
"""

EXERCISE = "1.1"
EXPECT = r"z = 0|step\(0\)"

import numpy as np


def predict(X, w, b):
    return (X @ w + b > 0).astype(np.int64)
