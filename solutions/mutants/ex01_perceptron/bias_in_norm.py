"""I normalised by the length of the whole vector (w, b), bias included.

Hint: check which vector is perpendicular to the line: w alone; b only shifts the line.
"""

EXERCISE = "1.4"
EXPECT = r"signed distance.*differ"

import numpy as np


def signed_distance(X, w, b):
    return (X @ w + b) / np.linalg.norm(np.append(w, b))
