"""I forgot to add the bias b to X @ w.

Hint: check that z = X @ w + b includes b; without it every line passes through the origin.
"""

EXERCISE = "1.1"
EXPECT = r"predict.*differ"

import numpy as np


def predict(X, w, b):
    return (X @ w >= 0).astype(np.int64)
