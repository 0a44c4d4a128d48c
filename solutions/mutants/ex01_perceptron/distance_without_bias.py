"""I projected x on the unit normal but forgot the bias: the distance to a line through the origin.

Hint: check a line that does not pass through the origin: the bias shifts it by |b| / ||w||.
"""

EXERCISE = "1.4"
EXPECT = r"signed distance.*differ"

import numpy as np


def signed_distance(X, w, b):
    return X @ w / np.linalg.norm(w)
