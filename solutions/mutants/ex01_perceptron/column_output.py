"""I treated w as a column and returned an (N, 1) array instead of (N,).

Hint: check the shape of the result: one label per row, shape (N,).
"""

EXERCISE = "1.1"
EXPECT = r"shape"

import numpy as np


def predict(X, w, b):
    return (X @ w.reshape(-1, 1) + b >= 0).astype(np.int64)
