"""I divided by w . w (the squared length) instead of the length of w.

Hint: check the scaling: with (c w, c b) your distance changes by 1/c; ||w|| is a square root.
"""

EXERCISE = "1.4"
EXPECT = r"scal|1/c|differ"


def signed_distance(X, w, b):
    return (X @ w + b) / (w @ w)
