"""I returned z = w.x + b itself as the distance.

Hint: check the units: scaling (w, b) by c > 0 gives the same line, so divide z by the length of w.
"""

EXERCISE = "1.4"
EXPECT = r"units of \|\|w\|\||scal"


def signed_distance(X, w, b):
    return X @ w + b
