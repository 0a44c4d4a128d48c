"""I returned the comparison itself: True/False instead of the integer labels 1/0.

Hint: check the dtype of what predict returns; a comparison gives bools, convert with .astype(int).
"""

EXERCISE = "1.1"
EXPECT = r"dtype|integer"


def predict(X, w, b):
    return X @ w + b >= 0
