"""I standardised each split with its own mean and std.

Hint: validation data must go through the training transform unchanged.
"""

EXERCISE = "10.2"
EXPECT = r"its own statistics"

import numpy as np


def _scale(X):
    std = X.std(0)
    return (X - X.mean(0)) / np.where(std > 0, std, 1.0)


def standardize_train_only(X_train, X_val):
    return _scale(X_train), _scale(X_val)
