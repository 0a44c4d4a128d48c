"""I scaled the arrays in place to save memory.

Hint: the caller's arrays must not change: return new ones.
"""

EXERCISE = "10.2"
EXPECT = r"in place"

import numpy as np


def standardize_train_only(X_train, X_val):
    mean, std = X_train.mean(0), X_train.std(0)
    std = np.where(std > 0, std, 1.0)
    X_val -= mean
    X_val /= std
    X_train -= mean
    X_train /= std
    return X_train, X_val
